"""Applying field outcomes: through `LeadService.change_status` (the transition
rules, the change log and the timeline) plus the lead's latest handoff row.

Nothing is guessed. An unknown lead ID, an e-mail that matches no lead or several,
a lead that was never handed off, a row that contradicts another row for the same
lead (won and lost; rejected and an opportunity), or an outcome the lead's current
state does not allow: each is reported with its line number and the rest is
applied. A file applies in one transaction, after a backup.

What each outcome does:
  accepted     lead -> accepted; handoff outcome accepted
  rejected     lead -> rejected with the reason (back in the rep's queue, due now);
               handoff outcome rejected + reason
  opportunity  lead -> opportunity; handoff opportunity_at (the row's date) + amount
  won          lead -> (opportunity ->) won; handoff amount, opportunity_at kept or
               set to the row's date (a won deal was an opportunity first)
  lost         lead -> lost; handoff outcome lost + reason
Every applied outcome adds an 'outcome' entry to the lead's timeline.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from leadtriage.domain.public_id import format_public_id, parse_public_id
from leadtriage.domain.status import Status, can_move
from leadtriage.errors import UserError
from leadtriage.outcomes.parse import OUTCOMES, OutcomeRow, check_amount, check_date, read_outcomes
from leadtriage.services.leads import LeadService, utc_now
from leadtriage.store.db import Store
from leadtriage.store.timeutil import from_db, to_db

REJECT_REASONS = (
    "Too small for field sales", "Already in an active opportunity", "Timing: next fiscal year",
    "Not the decision maker", "No budget", "Wrong territory", "Duplicate of an existing account",
)
LOST_REASONS = ("Chose a competitor", "Project cancelled", "No budget after all", "No decision", "Price")

LABELS = {"accepted": "Accepted", "rejected": "Rejected", "opportunity": "Opportunity created", "won": "Won",
          "lost": "Lost"}
_RANK = {"accepted": 1, "opportunity": 2, "won": 3, "lost": 3, "rejected": 3}
# Status a lead must reach for each outcome (won goes through opportunity).
_PATH = {"accepted": ("accepted",), "rejected": ("rejected",), "opportunity": ("opportunity",),
         "won": ("opportunity", "won"), "lost": ("lost",)}


@dataclass(frozen=True)
class Problem:
    line_no: int
    reference: str
    reason: str


@dataclass
class OutcomeReport:
    file: str = ""
    rows: int = 0
    applied: int = 0
    already_recorded: int = 0
    problems: list[Problem] = field(default_factory=list)
    by_outcome: dict[str, int] = field(default_factory=dict)
    lead_ids: list[int] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "rows": self.rows, "applied": self.applied, "already_recorded": self.already_recorded,
            "problems": len(self.problems), "by_outcome": self.by_outcome, "dry_run": self.dry_run,
            "problem_rows": [{"line": p.line_no, "lead": p.reference, "reason": p.reason} for p in self.problems],
        }


def allowed_outcomes(status: str) -> list[str]:
    """Outcomes that can be recorded for a lead in `status` (for the dialog)."""
    out = []
    for outcome in OUTCOMES:
        current = Status(status)
        ok = True
        for step in _steps(current, outcome):
            if not can_move(current, step):
                ok = False
                break
            current = Status(step)
        if ok:
            out.append(outcome)
    return out


def _steps(current: Status, outcome: str) -> tuple[str, ...]:
    """The status moves an outcome needs from `current` (won from opportunity is one)."""
    path = _PATH[outcome]
    return path[1:] if len(path) > 1 and current.value == path[0] else path


def _day_moment(day: date | None, clock: Callable[[], datetime]) -> str:
    """A reported day as a timestamp: local noon (stays on the same day in any zone)."""
    if day is None:
        return to_db(clock())
    return to_db(datetime.combine(day, time(12, 0)).astimezone().astimezone(UTC))


def _latest_handoff(conn: sqlite3.Connection, lead_id: int) -> dict | None:
    cur = conn.execute(
        "SELECT id, outcome, opportunity_at, amount, field_rep FROM handoffs WHERE lead_id = ? "
        "ORDER BY handed_off_at DESC, id DESC LIMIT 1", (lead_id,))
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def record_outcome(
    store: Store,
    lead_id: int,
    outcome: str,
    *,
    reason: str = "",
    amount: float | None = None,
    when: date | None = None,
    rep: str = "",
    clock: Callable[[], datetime] = utc_now,
    source: str = "entered by hand",
) -> None:
    """Record one field outcome for a lead (the lead workspace's "Outcome…" action).
    Raises UserError with a sentence for the user when it cannot be recorded."""
    if outcome not in OUTCOMES:
        raise UserError(f"Unknown outcome {outcome!r}.")
    try:
        if amount is not None:
            check_amount(amount)
        if when is not None:
            check_date(when, clock().date())
    except ValueError as exc:
        raise UserError(f"Cannot record this outcome: {exc}.") from None
    if outcome in ("rejected", "lost") and not reason.strip():
        raise UserError(f"Say why the lead was {outcome}: the rep needs the reason.")
    with store.transaction():
        _apply(store, LeadService(store, rep=rep, clock=clock), lead_id, outcome, reason.strip(), amount, when,
               clock, source)


def _apply(store: Store, svc: LeadService, lead_id: int, outcome: str, reason: str, amount: float | None,
           when: date | None, clock: Callable[[], datetime], source: str) -> None:
    lead = svc.get(lead_id)
    handoff = _latest_handoff(store.conn, lead_id)
    if handoff is None:
        raise UserError(f"Lead {lead['public_id']} was never handed off, so it has no field outcome.")
    current = Status(lead["status"])
    steps = _steps(current, outcome)
    probe = current
    for step in steps:
        if not can_move(probe, step):
            raise UserError(
                f"Lead {lead['public_id']} is {current.label}; it cannot be marked {LABELS[outcome].lower()}.")
        probe = Status(step)
    created = from_db(lead.get("created_at"))
    if when is not None and created is not None and when < created.astimezone().date():
        # It would silently fall out of every period's figures (outcome before arrival).
        raise UserError(f"The outcome for lead {lead['public_id']} is dated {when.isoformat()}, before the lead was "
                        f"created ({created.astimezone().date().isoformat()}); check the date.")
    at = _day_moment(when, clock)
    for step in steps:
        extra: dict[str, Any] = {}
        step_reason = reason or None
        if step == "rejected":
            # Back in the rep's queue, due now, with the field's reason.
            extra = {"next_action_at": to_db(clock()), "next_action": "Field rejected: review and re-develop"}
        if step == "opportunity" and outcome == "won":
            step_reason = None
        svc.change_status(lead_id, step, reason=step_reason if step in ("rejected", "lost") else None, extra=extra,
                          label=f"Field outcome: {LABELS[step]}")
    changes: dict[str, Any] = {"outcome": outcome, "outcome_at": at}
    if outcome in ("rejected", "lost"):
        changes["outcome_reason"] = reason or None
    if outcome == "opportunity":
        changes["opportunity_at"] = at
    if outcome == "won" and not handoff["opportunity_at"]:
        changes["opportunity_at"] = at
    if amount is not None:
        changes["amount"] = amount
    cols = ", ".join(f"{k} = ?" for k in changes)
    store.conn.execute(f"UPDATE handoffs SET {cols} WHERE id = ?", [*changes.values(), handoff["id"]])
    svc.log_activity(
        lead_id, "outcome", notes=reason or None,
        data={"outcome": outcome, "amount": amount, "date": when.isoformat() if when else None,
              "handoff_id": handoff["id"], "source": source, "field_rep": handoff["field_rep"]},
    )


def _resolve(conn: sqlite3.Connection, row: OutcomeRow) -> tuple[int | None, str]:
    if row.public_id:
        hit = conn.execute("SELECT id FROM leads WHERE public_id = ?", (row.public_id.strip(),)).fetchone()
        if hit is None:
            # As a person typed it: any case, spaces, O for 0; the check symbol catches typos.
            row_id = parse_public_id(row.public_id)
            if row_id is None:
                return None, f"{row.public_id!r} is not a valid lead ID (mistyped?)"
            hit = conn.execute("SELECT id FROM leads WHERE public_id = ?", (format_public_id(row_id),)).fetchone()
        return (hit[0], "") if hit else (None, f"unknown lead ID {row.public_id!r}")
    if row.email:
        hits = conn.execute("SELECT id FROM leads WHERE email = ? LIMIT 2", (row.email,)).fetchall()
        if not hits:
            return None, f"no lead with e-mail {row.email!r}"
        if len(hits) > 1:
            return None, f"several leads have e-mail {row.email!r}; give the lead ID"
        return hits[0][0], ""
    return None, "no lead ID or e-mail"


def _contradiction(rows: list[OutcomeRow]) -> str | None:
    kinds = {r.outcome for r in rows}
    if {"won", "lost"} <= kinds:
        return "both won and lost in this file"
    if "rejected" in kinds and kinds & {"opportunity", "won", "lost"}:
        return "rejected and " + "/".join(sorted(kinds & {"opportunity", "won", "lost"})) + " in this file"
    ordered = sorted(rows, key=lambda r: _RANK[r.outcome])
    dated = [r for r in ordered if r.when]
    for a, b in zip(dated, dated[1:], strict=False):
        if _RANK[b.outcome] > _RANK[a.outcome] and b.when < a.when:
            return f"{b.outcome} dated {b.when} before {a.outcome} on {a.when}"
    for kind in ("opportunity", "won"):
        amounts = {r.amount for r in rows if r.outcome == kind and r.amount is not None}
        if len(amounts) > 1:
            return f"different {kind} amounts in this file"
    return None


def import_outcomes(
    store: Store,
    path: str | Path,
    *,
    rep: str = "",
    clock: Callable[[], datetime] = utc_now,
    dry_run: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    make_backup: bool = True,
) -> OutcomeReport:
    """Read an outcomes file and apply what can be applied without guessing."""
    path = Path(path)
    rows, has_dates = read_outcomes(path, encoding=encoding, delimiter=delimiter, sheet=sheet,
                                    today=clock().date())
    report = OutcomeReport(file=path.name, rows=len(rows), dry_run=dry_run)
    conn = store.conn
    per_lead: dict[int, list[OutcomeRow]] = {}
    for row in rows:
        ref = row.public_id or row.email or f"line {row.line_no}"
        if row.problems:
            report.problems.append(Problem(row.line_no, ref, "; ".join(row.problems)))
            continue
        if has_dates and row.when is None:
            report.problems.append(Problem(row.line_no, ref, "no date"))
            continue
        if row.outcome in ("rejected", "lost") and not row.reason:
            report.problems.append(Problem(row.line_no, ref, f"{row.outcome} without a reason"))
            continue
        lead_id, why = _resolve(conn, row)
        if lead_id is None:
            report.problems.append(Problem(row.line_no, ref, why))
            continue
        per_lead.setdefault(lead_id, []).append(row)

    svc = LeadService(store, rep=rep, clock=clock)
    plan: list[tuple[int, OutcomeRow]] = []
    for lead_id, lead_rows in per_lead.items():
        ref = lead_rows[0].public_id or lead_rows[0].email
        clash = _contradiction(lead_rows)
        if clash:
            for r in lead_rows:
                report.problems.append(Problem(r.line_no, ref, f"contradictory rows: {clash}"))
            continue
        # one row per outcome, in lifecycle order (accepted before opportunity before won)
        unique: dict[str, OutcomeRow] = {}
        for r in lead_rows:
            unique.setdefault(r.outcome, r)
        for r in lead_rows:
            if unique[r.outcome] is not r:
                report.already_recorded += 1
        plan.extend((lead_id, r) for r in sorted(unique.values(), key=lambda r: _RANK[r.outcome]))

    if not plan:
        return report
    if make_backup and not dry_run:
        from leadtriage.safety.backup import backup

        backup(store, reason="before-outcomes")
    try:
        with store.transaction():
            for lead_id, row in plan:
                ref = row.public_id or row.email
                handoff = _latest_handoff(conn, lead_id)
                if handoff is None:
                    report.problems.append(Problem(row.line_no, ref, "this lead was never handed off"))
                    continue
                if _already(conn, lead_id, handoff, row.outcome):
                    report.already_recorded += 1
                    continue
                try:
                    with store.transaction():  # a savepoint: a refused row leaves no trace
                        _apply(store, svc, lead_id, row.outcome, row.reason, row.amount, row.when, clock,
                               f"file {path.name}, line {row.line_no}")
                except UserError as exc:
                    report.problems.append(Problem(row.line_no, ref, str(exc)))
                    continue
                report.applied += 1
                report.by_outcome[row.outcome] = report.by_outcome.get(row.outcome, 0) + 1
                report.lead_ids.append(lead_id)
            if dry_run:
                raise _DryRun()
    except _DryRun:
        pass
    report.problems.sort(key=lambda p: p.line_no)
    return report


class _DryRun(Exception):
    pass


def _already(conn: sqlite3.Connection, lead_id: int, handoff: dict, outcome: str) -> bool:
    """The same outcome is already on the handoff and the lead (a file imported twice)."""
    status = conn.execute("SELECT status FROM leads WHERE id = ?", (lead_id,)).fetchone()[0]
    if outcome == "opportunity":
        return bool(handoff["opportunity_at"]) and status in ("opportunity", "won", "lost")
    if outcome == "accepted":
        return handoff["outcome"] in ("accepted", "opportunity", "won", "lost") and status != "rejected"
    return handoff["outcome"] == outcome and status == outcome

"""Changing leads: activities, status moves and field edits, each recorded in the
change log so the user can undo it.

Every public method is one transaction. Callers (UI, CLI, other services) never
write lead rows themselves; they come here, so the timeline, the change log and the
transition rules cannot be bypassed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from leadtriage.domain import localtime
from leadtriage.domain.dispositions import DEFAULT_DISPOSITIONS, DISQUALIFY_REASONS, Disposition
from leadtriage.domain.frameworks import get_framework
from leadtriage.domain.status import Status, can_move, check_move
from leadtriage.errors import UserError
from leadtriage.scoring import ScoreRules, rules_from_setting
from leadtriage.scoring.current import current_score
from leadtriage.services.calls import acting_rep, at_morning, dispositions_from_setting, retry_at
from leadtriage.services.fields import EDITABLE, InvalidField, clean_field
from leadtriage.store.db import Store
from leadtriage.store.lenient import as_text, lenient_text
from leadtriage.store.settings import SettingsStore
from leadtriage.store.timeutil import to_db

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Change:
    id: int
    label: str
    lead_id: int


class LeadNotFound(LookupError):
    pass


class Refused(UserError):
    """A move the rules do not allow right now; the message says why."""


@dataclass(frozen=True)
class CallResult:
    activity_id: int
    change: Change
    status: str
    next_action_at: str | None


TOUCH_KINDS = {"email": "E-mail", "linkedin": "LinkedIn message", "meeting": "Meeting", "note": "Note"}
BUDGET_STATUSES = ("Approved", "Being planned", "Needs business case", "No budget", "Unknown")
PLAN_TEXT_KEYS = ("timeline", "target_date", "budget_status", "budget_range", "decision_process",
                  "current_solution", "next_milestone")
MAX_NOTE = 20_000
# Recycle puts a lead back into the working queue.
RECYCLE_TO = {Status.NURTURE: Status.ATTEMPTING, Status.DISQUALIFIED: Status.NEW, Status.REJECTED: Status.ENGAGED}


class LeadService:
    def __init__(self, store: Store, rep: str = "", clock: Clock = utc_now):
        self.store = store
        self.rep = rep
        self.clock = clock
        self.settings = SettingsStore(store)
        self._dispositions: tuple[Disposition, ...] | None = None
        self._rules: ScoreRules | None = None
        self._week: localtime.WorkWeek | None = None

    # -- settings the rules depend on ----------------------------------------------------

    def reload_settings(self) -> None:
        """Forget cached dispositions and score rules (after the settings changed)."""
        self._dispositions = None
        self._rules = None
        self._week = None

    def dispositions(self) -> tuple[Disposition, ...]:
        if self._dispositions is None:
            try:
                self._dispositions = dispositions_from_setting(self.settings.get("dispositions"))
            except ValueError:
                self._dispositions = DEFAULT_DISPOSITIONS  # a broken setting must not stop calling
        return self._dispositions

    def work_week(self) -> localtime.WorkWeek:
        """The rep's working days (a broken setting falls back to Monday to Friday)."""
        if self._week is None:
            try:
                self._week = localtime.WorkWeek.parse(self.settings.get("working_days"))
            except ValueError:
                self._week = localtime.DEFAULT_WEEK
        return self._week

    def calling_hours(self) -> localtime.CallingHours:
        try:
            return localtime.CallingHours.parse(self.settings.get("calling_hours_start"),
                                                self.settings.get("calling_hours_end"))
        except ValueError:
            return localtime.DEFAULT_HOURS

    def lead_zone(self, lead: dict):
        """The lead's time zone, when it can be known (stored, phone prefix, country)."""
        return localtime.lead_zone(lead.get("timezone"), lead.get("phone"), lead.get("country"),
                                   self.settings.get("default_region") or "US")

    def score_rules(self) -> ScoreRules:
        if self._rules is None:
            self._rules = rules_from_setting(self.settings.get("icp"))
        return self._rules

    def framework_for(self, lead: dict[str, Any]):
        return get_framework(lead.get("framework") or self.settings.get("framework"))

    def qualify_threshold(self, lead: dict[str, Any]) -> int:
        fw = self.framework_for(lead)
        wanted = self.settings.get("qualify_threshold") or fw.threshold
        return max(1, min(len(fw.criteria), wanted))

    # -- reading -----------------------------------------------------------------------

    def get(self, lead_id: int) -> dict[str, Any]:
        """The lead's stored values; bytes or invalid UTF-8 that a foreign tool left in
        a text column read as text (`store.lenient`), so scoring, status moves and
        exports of that lead still work."""
        with lenient_text(self.store.conn) as conn:
            cur = conn.execute("SELECT * FROM leads WHERE id = ?", (lead_id,))
            row = cur.fetchone()
        if row is None:
            raise LeadNotFound(lead_id)
        return {d[0]: as_text(v) for d, v in zip(cur.description, row, strict=True)}

    # -- writing -----------------------------------------------------------------------

    def log_activity(
        self,
        lead_id: int,
        kind: str,
        *,
        notes: str | None = None,
        disposition: str | None = None,
        duration_s: int | None = None,
        data: dict | None = None,
        occurred_at: datetime | None = None,
    ) -> int:
        """Append one entry to the lead's timeline (no undo: history is history)."""
        # Plain SQL on this hot path (logging a call must commit in a few ms).
        with self.store.transaction():
            return self.store.conn.execute(
                "INSERT INTO activities (lead_id, kind, disposition, duration_s, notes, occurred_at, rep, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (lead_id, kind, disposition, duration_s, notes, to_db(occurred_at or self.clock()),
                 self.rep or acting_rep(self.settings), json.dumps(data, ensure_ascii=False) if data else None),
            ).lastrowid

    def update(self, lead_id: int, changes: dict[str, Any], label: str, *, batch_id: int | None = None) -> Change:
        """Change fields of a lead, remembering the old values for undo."""
        with self.store.transaction():
            return self._apply(self.get(lead_id), changes, label, batch_id=batch_id)

    def change_status(
        self,
        lead_id: int,
        target: Status | str,
        *,
        reason: str | None = None,
        extra: dict[str, Any] | None = None,
        label: str | None = None,
    ) -> Change:
        """Move a lead along its lifecycle (refused if the move is not allowed),
        with a timeline entry and an undo record."""
        target = Status(target)
        with self.store.transaction():
            lead = self.get(lead_id)
            check_move(lead["status"], target)
            changes: dict[str, Any] = {"status": target.value, "status_reason": reason, **(extra or {})}
            if target is Status.QUALIFIED and not lead.get("qualified_at"):
                changes.setdefault("qualified_at", to_db(self.clock()))
            self.log_activity(
                lead_id, "status", notes=reason,
                data={"from": lead["status"], "to": target.value},
            )
            text = label or f"{Status(lead['status']).label} → {target.label}"
            return self._apply(lead, changes, text)

    def undo(self, change_id: int | None = None) -> Change | None:
        """Undo one change (the newest not yet undone when no id is given): the old
        values come back as they were, and the timeline says so."""
        with self.store.transaction():
            if change_id is None:
                row = self.store.conn.execute(
                    "SELECT id FROM change_log WHERE undone = 0 AND entity = 'lead' ORDER BY id DESC LIMIT 1"
                ).fetchone()
                if row is None:
                    return None
                change_id = row[0]
            row = self.store.conn.execute(
                "SELECT label, entity_id, before, after, undone FROM change_log WHERE id = ?", (change_id,)
            ).fetchone()
            if row is None or row[4]:
                return None
            label, lead_id, before_json, _after, _ = row
            before = json.loads(before_json)
            self._write(lead_id, before)
            self.store.conn.execute("UPDATE change_log SET undone = 1 WHERE id = ?", (change_id,))
            self.log_activity(lead_id, "note", notes=f"Undone: {label}", data={"undo": change_id})
            return Change(change_id, label, lead_id)

    def last_undoable(self) -> Change | None:
        row = self.store.conn.execute(
            "SELECT id, label, entity_id FROM change_log WHERE undone = 0 AND entity = 'lead' "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return Change(*row) if row else None

    # -- the rep's work on a lead --------------------------------------------------------

    def disposition(self, key: str) -> Disposition:
        for d in self.dispositions():
            if d.key == key:
                return d
        raise UserError(f"“{key}” is not one of the call outcomes.")

    def log_call(
        self,
        lead_id: int,
        disposition: str,
        notes: str | None = None,
        duration_s: int | None = None,
        next_step: datetime | None = None,
    ) -> CallResult:
        """One call, with what it does to the lead: attempts and connects counted,
        first and last touch stamped, the status following the call (first attempt:
        attempting; a conversation or meeting: engaged; do not call: disqualified),
        and the next action set from the chosen next step or the outcome's usual
        retry. One transaction; the lead's changes are undoable as one step."""
        d = self.disposition(disposition)
        notes = _clean_note(notes)
        now = self.clock()
        now_s = to_db(now)
        with self.store.transaction():
            lead = self.get(lead_id)
            if lead["do_not_call"]:
                raise Refused("This lead is on the do-not-call list; calls to it cannot be logged.")
            status = Status(lead["status"])
            changes: dict[str, Any] = {"attempts": (lead["attempts"] or 0) + 1, "last_touch_at": now_s}
            if not lead["first_touch_at"]:
                changes["first_touch_at"] = now_s
            if d.connected:
                changes["connects"] = (lead["connects"] or 0) + 1
            target = None
            if d.disqualifies:
                target = Status.DISQUALIFIED
                if d.disqualifies == "Do not call" or d.key == "do_not_call":
                    changes["do_not_call"] = 1
            elif d.conversation:
                target = Status.ENGAGED
            elif status in (Status.NEW, Status.NURTURE):
                target = Status.ATTEMPTING
            if target is not None and target != status and can_move(status, target):
                changes["status"] = target.value
                changes["status_reason"] = d.disqualifies if target is Status.DISQUALIFIED else None
            else:
                target = None
            if d.disqualifies:
                changes.update(next_action_at=None, next_action=None)
            else:
                when = next_step or (retry_at(now, d.retry_hours, self.work_week(), self.lead_zone(lead))
                                     if d.retry_hours else None)
                changes["next_action_at"] = to_db(when)
                changes["next_action"] = (("Call back" if d.connected else "Next call attempt")
                                          if when else None)
            activity_id = self.log_activity(
                lead_id, "call", notes=notes, disposition=d.key, duration_s=duration_s,
                data={"next_step": changes.get("next_action_at")} if changes.get("next_action_at") else None,
            )
            if target is not None:
                self.log_activity(lead_id, "status", notes=changes.get("status_reason"),
                                  data={"from": status.value, "to": target.value, "call": activity_id})
            change = self._apply(lead, changes, f"Call: {d.label}")
            return CallResult(activity_id, change, changes.get("status", lead["status"]),
                              changes.get("next_action_at"))

    def log_touch(
        self, lead_id: int, kind: str, notes: str | None = None, next_step: datetime | None = None
    ) -> Change:
        """An e-mail, LinkedIn message, meeting or note. Outreach counts as a touch
        (new -> attempting); a meeting is a connect (-> engaged)."""
        if kind not in TOUCH_KINDS:
            raise UserError(f"Unknown kind of activity: {kind}.")
        notes = _clean_note(notes)
        if kind == "note" and not notes:
            raise UserError("A note needs some text.")
        now_s = to_db(self.clock())
        with self.store.transaction():
            lead = self.get(lead_id)
            if kind == "email" and lead["do_not_email"]:
                raise Refused("This lead asked not to be e-mailed.")
            status = Status(lead["status"])
            changes: dict[str, Any] = {}
            target = None
            if kind != "note":
                changes["last_touch_at"] = now_s
                if not lead["first_touch_at"]:
                    changes["first_touch_at"] = now_s
                if kind == "meeting":
                    changes["connects"] = (lead["connects"] or 0) + 1
                    target = Status.ENGAGED
                elif status in (Status.NEW, Status.NURTURE):
                    target = Status.ATTEMPTING
            if target is not None and target != status and can_move(status, target):
                changes.update(status=target.value, status_reason=None)
            else:
                target = None
            if next_step is not None:
                changes.update(next_action_at=to_db(next_step), next_action="Follow up")
            activity_id = self.log_activity(lead_id, kind, notes=notes)
            if target is not None:
                self.log_activity(lead_id, "status", data={"from": status.value, "to": target.value,
                                                           kind: activity_id})
            return self._apply(lead, changes, TOUCH_KINDS[kind])

    def edit_field(self, lead_id: int, field: str, text: str) -> Change:
        """An in-place edit from the contact card, validated (InvalidField says why)."""
        cleaned = clean_field(field, text, self.settings.get("default_region"))
        return self.update(lead_id, cleaned.changes, f"Edit {EDITABLE[field].lower()}")

    def save_discovery(
        self,
        lead_id: int,
        pain_points: list[dict[str, str]],
        motivations: str | None,
        buying_plan: dict[str, Any],
    ) -> Change:
        """Pain points ({tag, quote}), motivations and the buying plan, checked and
        stored as the brief will print them."""
        pains = []
        for i, p in enumerate(pain_points, start=1):
            tag = _clean_line(p.get("tag"), f"Pain point {i}: tag", 80)
            quote = _clean_note(p.get("quote"))
            if tag or quote:
                if not tag:
                    raise InvalidField("pain_points", f"Pain point {i}: give it a short tag, such as “Manual work”.")
                pains.append({"tag": tag, "quote": quote or ""})
        plan: dict[str, Any] = {}
        for key in PLAN_TEXT_KEYS:
            value = (_clean_note(buying_plan.get(key)) if key == "decision_process"
                     else _clean_line(buying_plan.get(key), key.replace("_", " ").capitalize(), 300))
            if value:
                plan[key] = value
        if "target_date" in plan:
            try:
                date.fromisoformat(plan["target_date"])
            except ValueError:
                raise InvalidField("target_date", "Target date must be a date (YYYY-MM-DD).") from None
        if plan.get("budget_status") and plan["budget_status"] not in BUDGET_STATUSES:
            raise InvalidField("budget_status", f"Budget status must be one of: {', '.join(BUDGET_STATUSES)}.")
        people = []
        for person in buying_plan.get("people") or []:
            name = _clean_line(person.get("name"), "Person's name", 120)
            role = _clean_line(person.get("role"), "Person's role", 120)
            if name or role:
                people.append({"name": name or "", "role": role or ""})
        if people:
            plan["people"] = people
        competitors = [c for c in (_clean_line(c, "Competitor", 120) for c in buying_plan.get("competitors") or []) if c]
        if competitors:
            plan["competitors"] = competitors
        changes = {
            "pain_points": json.dumps(pains, ensure_ascii=False) if pains else None,
            "motivations": _clean_note(motivations),
            "buying_plan": json.dumps(plan, ensure_ascii=False) if plan else None,
        }
        return self.update(lead_id, changes, "Edit discovery")

    def save_qualification(self, lead_id: int, answers: dict[str, dict[str, Any]],
                           framework: str | None = None) -> Change:
        """Answers per criterion ({met, evidence}) of the lead's framework. A criterion
        marked met needs its evidence written down: that is what the field rep reads."""
        with self.store.transaction():
            lead = self.get(lead_id)
            fw = get_framework(framework) if framework else self.framework_for(lead)
            clean: dict[str, dict[str, Any]] = {}
            for c in fw.criteria:
                answer = answers.get(c.key) or {}
                evidence = _clean_note(answer.get("evidence")) or ""
                met = bool(answer.get("met"))
                if met and not evidence:
                    raise InvalidField(c.key, f"{c.label} is marked met: note the evidence (what did they say?).")
                clean[c.key] = {"met": met, "evidence": evidence}
            return self._apply(lead, {"framework": fw.key, "qualification": json.dumps(clean, ensure_ascii=False)},
                               "Edit qualification")

    def qualification_progress(self, lead: dict[str, Any]) -> tuple[int, int, int]:
        """(criteria met, threshold, criteria in the framework)."""
        fw = self.framework_for(lead)
        answers = _loads(lead.get("qualification")) or {}
        met = sum(1 for c in fw.criteria if (answers.get(c.key) or {}).get("met"))
        return met, self.qualify_threshold(lead), len(fw.criteria)

    def qualify(self, lead_id: int, field_rep_id: int | None, meeting_at: datetime | None = None) -> Change:
        """Short term: ready for field sales. Needs the checklist threshold met and a
        field rep; the first meeting's time is optional."""
        with self.store.transaction():
            lead = self.get(lead_id)
            check_move(lead["status"], Status.QUALIFIED)
            met, threshold, total = self.qualification_progress(lead)
            if met < threshold:
                raise Refused(f"Only {met} of {total} criteria are met; {threshold} are needed to qualify.")
            if field_rep_id is None:
                raise Refused("Choose the field rep who takes this lead.")
            rep = self.store.conn.execute("SELECT name, active FROM field_reps WHERE id = ?", (field_rep_id,)).fetchone()
            if rep is None or not rep[1]:
                raise Refused("That field rep is not (or no longer) active.")
            extra: dict[str, Any] = {"field_rep_id": field_rep_id, "framework": self.framework_for(lead).key,
                                     # the meeting of the brief, the invite and the CRM row
                                     "booked_meeting_at": to_db(meeting_at) if meeting_at else None,
                                     "next_action_at": to_db(meeting_at) if meeting_at else None,
                                     "next_action": f"Field meeting with {rep[0]}" if meeting_at else None}
            return self.change_status(lead_id, Status.QUALIFIED, reason=f"For {rep[0]}", extra=extra)

    def nurture(self, lead_id: int, reason: str, resurface: date) -> Change:
        """Long term: out of the working queue until `resurface` (9:00 that day)."""
        reason = _clean_line(reason, "Reason", 200)
        if not reason:
            raise Refused("Say why the lead goes to nurture.")
        today = self.clock().astimezone().date()
        if resurface <= today:
            raise Refused("The resurface date must be after today.")
        # A resurface date on a day off (3 months from a Wednesday can be a Saturday)
        # moves to the next working day, for the rep and for the lead.
        when = localtime.on_working_day(at_morning(resurface), self.work_week(), self.lead_zone(self.get(lead_id)))
        resurface = when.date()
        return self.change_status(lead_id, Status.NURTURE, reason=reason, extra={
            "nurture_until": resurface.isoformat(),
            "next_action_at": to_db(when),
            "next_action": "Resurface from nurture",
        })

    def disqualify(self, lead_id: int, reason: str) -> Change:
        if reason not in DISQUALIFY_REASONS:
            raise Refused(f"Choose a reason from the list: {', '.join(DISQUALIFY_REASONS)}.")
        extra: dict[str, Any] = {"next_action_at": None, "next_action": None}
        if reason == "Do not call":
            extra["do_not_call"] = 1
        return self.change_status(lead_id, Status.DISQUALIFIED, reason=reason, extra=extra)

    def recycle_target(self, lead: dict[str, Any]) -> Status | None:
        status = Status(lead["status"])
        target = RECYCLE_TO.get(status)
        if target is None or (status is Status.DISQUALIFIED and lead.get("do_not_call")):
            return None
        return target if can_move(status, target) else None

    def pin_score(self, lead_id: int, value: int | None) -> Change:
        """A rep's own priority for a lead (0-100), kept through retrains until cleared
        with None; the lead shows it as pinned."""
        if value is not None and not (isinstance(value, int) and 0 <= value <= 100):
            raise Refused("A pinned priority is a whole number from 0 to 100.")
        with self.store.transaction():
            lead = self.get(lead_id)
            label = f"Pinned priority {value}" if value is not None else "Cleared the pinned priority"
            return self._apply(lead, {"score_pinned": value}, label)

    def recycle(self, lead_id: int) -> Change:
        """Back into the working queue, due now."""
        with self.store.transaction():
            lead = self.get(lead_id)
            target = self.recycle_target(lead)
            if target is None:
                if lead.get("do_not_call"):
                    raise Refused("This lead asked not to be called; it stays out of the queue.")
                raise Refused(f"A {Status(lead['status']).label.lower()} lead cannot be recycled.")
            return self.change_status(lead_id, target, reason="Recycled", extra={
                "next_action_at": to_db(self.clock()), "next_action": "Recycled: call again",
            })

    # -- internals ---------------------------------------------------------------------

    def _apply(self, lead: dict[str, Any], changes: dict[str, Any], label: str,
               batch_id: int | None = None) -> Change:
        """Write `changes` plus the recomputed score, and remember the old values.
        Caller holds the transaction."""
        merged = {**lead, **changes}
        value, chips = current_score(self.store.conn, merged, self.score_rules(), self.clock())
        reasons = json.dumps(chips, ensure_ascii=False)
        if value != lead.get("score") or reasons != lead.get("score_reasons"):
            changes = {**changes, "score": value, "score_reasons": reasons}
        old = {k: lead[k] for k in changes}
        if old == changes:
            return Change(0, label, lead["id"])
        self._write(lead["id"], changes)
        return self._log_change(label, lead["id"], old, changes, batch_id)

    def _write(self, lead_id: int, changes: dict[str, Any]) -> None:
        values = {**changes, "updated_at": to_db(self.clock())}
        cols = ", ".join(f"{k} = ?" for k in values)
        self.store.conn.execute(f"UPDATE leads SET {cols} WHERE id = ?", [*values.values(), lead_id])

    def _log_change(self, label: str, lead_id: int, before: dict, after: dict, batch_id: int | None) -> Change:
        cur = self.store.conn.execute(
            "INSERT INTO change_log (at, label, entity, entity_id, before, after, batch_id, undone) "
            "VALUES (?, ?, 'lead', ?, ?, ?, ?, 0)",
            (to_db(self.clock()), label, lead_id, json.dumps(before, ensure_ascii=False),
             json.dumps(after, ensure_ascii=False), batch_id),
        )
        return Change(cur.lastrowid, label, lead_id)


def _loads(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _clean_note(text: str | None) -> str | None:
    if text is None:
        return None
    text = str(text).replace("\r\n", "\n").strip()
    if len(text) > MAX_NOTE:
        raise InvalidField("notes", f"Notes are too long (at most {MAX_NOTE:,} characters).")
    return text or None


def _clean_line(text: Any, label: str, limit: int) -> str | None:
    if text is None:
        return None
    text = " ".join(str(text).split())
    if len(text) > limit:
        raise InvalidField(label, f"{label} is too long (at most {limit} characters).")
    return text or None

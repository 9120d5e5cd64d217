"""Cadences at work: import and export, enrolment, the due step, advancing when
the rep does it, pause, resume and exits. Every public method is one transaction.

Advancing reads the lead's timeline: any call logged while the lead is at a call or
voicemail step does that step, an e-mail an e-mail step, and so on. `sync` is
idempotent (it remembers the last activity it has seen), so a call logged by the
call panel, the command line or a crash-interrupted session is picked up the same
way. Steps that can never be done for this lead (a call step for a do-not-call
lead) are skipped with the reason; steps that would break a rule for now (the
weekly cap, calling hours) wait, with the reason stored beside the due time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from leadtriage.domain import localtime
from leadtriage.domain.status import TransitionError
from leadtriage.errors import UserError
from leadtriage.playbook import files
from leadtriage.playbook.model import (
    EXIT_REASONS,
    Cadence,
    Objection,
    Step,
    StepKind,
    Template,
    Window,
)
from leadtriage.playbook.rules import WEEK, Verdict, blocked_by_flags, cap_wait, check
from leadtriage.playbook.schedule import due_after, next_allowed
from leadtriage.playbook.templates import Rendered, TemplateRefused, lead_fields, render
from leadtriage.services.leads import LeadService, utc_now
from leadtriage.store.db import Store
from leadtriage.store.settings import SettingsStore
from leadtriage.store.timeutil import from_db, to_db

ENROLLABLE = frozenset({"new", "attempting", "engaged", "rejected", "nurture"})
TOUCH_KINDS = ("call", "email", "linkedin")
_CHUNK = 500


class UnknownCadence(UserError):
    pass


@dataclass(frozen=True)
class CadenceSummary:
    name: str
    description: str
    steps: int
    enrolled: int
    active: int
    paused: int
    finished: int


@dataclass(frozen=True)
class EnrolReport:
    enrolled: int
    skipped: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        parts = [f"{self.enrolled:,} enrolled"]
        parts += [f"{n:,} skipped ({why})" for why, n in self.skipped.items()]
        return ", ".join(parts)


@dataclass(frozen=True)
class DueStep:
    """Where a lead stands in its cadence, and what the rep may do now."""

    enrolment_id: int
    lead_id: int
    cadence: str
    index: int  # 0-based; == total when the steps ran out (the follow-up decision)
    total: int
    step: Step | None
    due_at: datetime | None
    wait_reason: str | None
    paused: bool
    verdict: Verdict
    script: Rendered | None
    script_error: str | None
    objections: tuple[Objection, ...]

    @property
    def decision(self) -> bool:
        return self.step is None

    @property
    def heading(self) -> str:
        if self.step is None:
            return f"{self.cadence}: out of steps, decide (nurture with a date, or disqualify “No response”)"
        return f"{self.cadence} · step {self.index + 1} of {self.total}: {self.step.label}"


@dataclass(frozen=True)
class BulkResult:
    id: int
    label: str
    done: int
    skipped: dict[str, int]

    def text(self) -> str:
        parts = [f"{self.label}: {self.done:,} leads"]
        parts += [f"{n:,} skipped ({why})" for why, n in self.skipped.items()]
        return ", ".join(parts)


class PlaybookService:
    def __init__(self, store: Store, leads: LeadService | None = None, rep: str = "", clock=utc_now):
        self.store = store
        self.leads = leads or LeadService(store, rep, clock)
        self.settings = SettingsStore(store)
        self._cadences: dict[int, Cadence] = {}
        self._pinned: _Rules | None = None

    @property
    def clock(self):
        return self.leads.clock

    @property
    def conn(self):
        return self.store.conn

    # -- cadences as data ---------------------------------------------------------------

    def import_file(self, path) -> list[str]:
        text, name = files.read_file(path)
        return self.import_text(text, name)

    def import_text(self, text: str, name: str = "cadence file") -> list[str]:
        """All or nothing: the whole file is checked before anything is written.
        A cadence of the same name is replaced; its running enrolments keep their
        place (clamped to the new number of steps)."""
        parsed = files.parse(text, name)
        now = to_db(self.clock())
        with self.store.transaction():
            for t in parsed.templates:
                self.conn.execute(
                    "INSERT INTO email_templates (name, subject, body, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET subject = excluded.subject, body = excluded.body, "
                    "updated_at = excluded.updated_at", (t.name, t.subject, t.body, now))
            for source, body in parsed.source_scripts.items():
                self.conn.execute("INSERT INTO source_scripts (source, body) VALUES (?, ?) "
                                  "ON CONFLICT (source) DO UPDATE SET body = excluded.body", (source, body))
            for c in parsed.cadences:
                row = self.conn.execute("SELECT id FROM cadences WHERE name = ?", (c.name,)).fetchone()
                if row:
                    cid = row[0]
                    self.conn.execute("UPDATE cadences SET name = ?, description = ?, updated_at = ? WHERE id = ?",
                                      (c.name, c.description, now, cid))
                    self.conn.execute("DELETE FROM cadence_steps WHERE cadence_id = ?", (cid,))
                    self.conn.execute("DELETE FROM objections WHERE cadence_id = ?", (cid,))
                else:
                    cid = self.conn.execute(
                        "INSERT INTO cadences (name, description, created_at, updated_at) VALUES (?, ?, ?, ?)",
                        (c.name, c.description, now, now)).lastrowid
                self.conn.executemany(
                    "INSERT INTO cadence_steps (cadence_id, position, kind, delay_days, window_start, window_end, "
                    "title, script, template) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(cid, i, s.kind.value, s.delay_days, s.window.start.strftime("%H:%M") if s.window else None,
                      s.window.end.strftime("%H:%M") if s.window else None, s.title or None, s.script or None,
                      s.template or None) for i, s in enumerate(c.steps)])
                self.conn.executemany("INSERT INTO objections (cadence_id, objection, answer) VALUES (?, ?, ?)",
                                      [(cid, o.objection, o.answer) for o in c.objections])
                self.conn.execute("UPDATE enrolments SET step = min(step, ?) WHERE cadence_id = ? AND ended_at IS NULL",
                                  (len(c.steps), cid))
                self._cadences.pop(cid, None)
        return [c.name for c in parsed.cadences]

    def export(self, name: str, fmt: str = "yaml") -> str:
        cid, cadence = self.cadence(name)
        wanted = {s.template.casefold() for s in cadence.steps if s.template}
        templates = [t for t in self.templates() if t.name.casefold() in wanted]
        scripts = dict(self.conn.execute("SELECT source, body FROM source_scripts ORDER BY source"))
        return files.dump(files.to_data(cadence, templates, scripts), fmt)

    def templates(self) -> list[Template]:
        return [Template(*r) for r in self.conn.execute("SELECT name, subject, body FROM email_templates ORDER BY name")]

    def template(self, name: str) -> Template | None:
        row = self.conn.execute("SELECT name, subject, body FROM email_templates WHERE name = ?", (name,)).fetchone()
        return Template(*row) if row else None

    def cadence_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM cadences ORDER BY name COLLATE NOCASE")]

    def cadence(self, name: str) -> tuple[int, Cadence]:
        row = self.conn.execute("SELECT id FROM cadences WHERE name = ?", (str(name).strip(),)).fetchone()
        if row is None:
            known = ", ".join(self.cadence_names()) or "none yet; import one with `leadtriage cadence import FILE`"
            raise UnknownCadence(f"No cadence named “{name}” (known: {known}).")
        return row[0], self._load(row[0])

    def _load(self, cid: int) -> Cadence:
        if cid not in self._cadences:
            name, description = self.conn.execute("SELECT name, description FROM cadences WHERE id = ?",
                                                  (cid,)).fetchone()
            steps = tuple(
                Step(StepKind(kind), delay, _window(ws, we), title or "", script or "", template or "")
                for kind, delay, ws, we, title, script, template in self.conn.execute(
                    "SELECT kind, delay_days, window_start, window_end, title, script, template FROM cadence_steps "
                    "WHERE cadence_id = ? ORDER BY position", (cid,)))
            objections = tuple(Objection(o, a) for o, a in self.conn.execute(
                "SELECT objection, answer FROM objections WHERE cadence_id = ? ORDER BY id", (cid,)))
            self._cadences[cid] = Cadence(name, steps, description or "", objections)
        return self._cadences[cid]

    def summaries(self) -> list[CadenceSummary]:
        out = []
        for cid, name, description in self.conn.execute(
                "SELECT id, name, coalesce(description, '') FROM cadences ORDER BY name COLLATE NOCASE").fetchall():
            steps = self.conn.execute("SELECT count(*) FROM cadence_steps WHERE cadence_id = ?", (cid,)).fetchone()[0]
            enrolled, running, paused = self.conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE ended_at IS NULL), "
                "count(*) FILTER (WHERE ended_at IS NULL AND paused_at IS NOT NULL) FROM enrolments "
                "WHERE cadence_id = ?", (cid,)).fetchone()
            out.append(CadenceSummary(name, description, steps, enrolled, running - paused, paused,
                                      enrolled - running))
        return out

    # -- enrolment ---------------------------------------------------------------------

    def enrol(self, lead_ids: Iterable[int], cadence: str) -> EnrolReport:
        cid, cad = self.cadence(cadence)
        with self.store.transaction():
            return self._enrol(list(lead_ids), cid, cad)

    def enrol_batch(self, batch_id: int, cadence: str) -> EnrolReport:
        """The leads an import batch added (`leadtriage import --cadence`)."""
        ids = [r[0] for r in self.conn.execute("SELECT id FROM leads WHERE batch_id = ? ORDER BY id", (batch_id,))]
        return self.enrol(ids, cadence)

    def _enrol(self, lead_ids: list[int], cid: int, cad: Cadence) -> EnrolReport:
        self._pinned = self._rules()
        try:
            return self._enrol_pinned(lead_ids, cid, cad)
        finally:
            self._pinned = None

    def _enrol_pinned(self, lead_ids: list[int], cid: int, cad: Cadence) -> EnrolReport:
        now = self.clock()
        skipped: dict[str, int] = {}
        done = 0
        for i in range(0, len(lead_ids), _CHUNK):
            chunk = lead_ids[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            running = {r[0] for r in self.conn.execute(
                f"SELECT lead_id FROM enrolments WHERE ended_at IS NULL AND lead_id IN ({marks})", chunk)}
            for lead in self._leads(chunk):
                why = ("already in a cadence" if lead["id"] in running
                       else "not a lead the rep works" if lead["status"] not in ENROLLABLE
                       else "do not call and do not e-mail" if lead["do_not_call"] and lead["do_not_email"]
                       else "")
                if why:
                    skipped[why] = skipped.get(why, 0) + 1
                    continue
                # The lead's earlier activities are history, not steps of this cadence.
                eid = self.conn.execute(
                    "INSERT INTO enrolments (lead_id, cadence_id, step, enrolled_at, enrolled_by, last_activity_id) "
                    "VALUES (?, ?, 0, ?, ?, (SELECT coalesce(max(id), 0) FROM activities WHERE lead_id = ?))",
                    (lead["id"], cid, to_db(now), self.leads.rep or None, lead["id"])).lastrowid
                self._place(eid, lead, cad, 0, now)
                done += 1
        return EnrolReport(done, skipped)

    _LEAD_COLS = ("id, status, do_not_call, do_not_email, phone, phone_raw, email, timezone, country, "
                  "first_name, last_name, title, company, city, region, industry, website, source, campaign")

    def _leads(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(ids))
        cur = self.conn.execute(f"SELECT {self._LEAD_COLS} FROM leads WHERE id IN ({marks}) ORDER BY id", list(ids))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def _lead(self, lead_id: int) -> dict[str, Any]:
        rows = self._leads([lead_id])
        if not rows:
            raise UserError(f"No lead with id {lead_id}.")
        return rows[0]

    # -- scheduling --------------------------------------------------------------------

    def _rules(self) -> _Rules:
        """The settings the contact rules read; pinned for the length of a bulk
        enrolment (read once, not per lead)."""
        if self._pinned is not None:
            return self._pinned
        try:
            hours = localtime.CallingHours.parse(self.settings.get("calling_hours_start"),
                                                 self.settings.get("calling_hours_end"))
        except ValueError:
            hours = localtime.DEFAULT_HOURS
        return _Rules(int(self.settings.get("cadence_touches_per_week") or 0), hours,
                      self.settings.get("default_region") or "US")

    def _hours(self) -> localtime.CallingHours:
        return self._rules().hours

    def _zone(self, lead: dict[str, Any]):
        tz = localtime.lead_zone(lead.get("timezone"), lead.get("phone"), lead.get("country"), self._rules().region)
        return tz or datetime.now().astimezone().tzinfo  # unknown: the rep's own clock

    def _touches(self, lead_id: int, since: datetime) -> list[datetime]:
        return [from_db(r[0]) for r in self.conn.execute(
            "SELECT occurred_at FROM activities WHERE lead_id = ? AND occurred_at > ? "
            "AND kind IN ('call', 'email', 'linkedin')", (lead_id, to_db(since)))]

    def _place(self, eid: int, lead: dict[str, Any], cad: Cadence, index: int, base: datetime) -> None:
        """Put the enrolment at step `index` (skipping steps that can never be done
        for this lead), due after `base`, within the contact rules."""
        cap = self._rules().cap
        hours, tz = self._hours(), self._zone(lead)
        touches: list[datetime] | None = None
        while index < len(cad.steps):
            step = cad.steps[index]
            why = blocked_by_flags(step.kind, lead)
            if not why:
                break
            self.conn.execute("INSERT INTO cadence_touches (enrolment_id, step, kind, outcome, at) VALUES (?, ?, ?, ?, ?)",
                              (eid, index, step.kind.value, f"skipped: {why}", to_db(base)))
            index += 1
        if index >= len(cad.steps):
            self._set(eid, lead["id"], index, base, None, f"{cad.name}: follow-up decision")
            return
        step = cad.steps[index]
        due = due_after(base, step, tz, hours)
        reason = None
        if due is None:
            reason = "The step's window is outside the calling hours"
            due = base
        elif step.kind is not StepKind.TASK and cap:
            for _ in range(5):  # the cap and the window may push each other along
                if touches is None:
                    touches = self._touches(lead["id"], due - WEEK - timedelta(days=30))
                until = cap_wait(touches, due, cap)
                if until is None:
                    break
                reason = f"Waits: {cap} touches in 7 days already"
                due = next_allowed(until.astimezone(tz), step, hours) or until
        self._set(eid, lead["id"], index, due, reason, f"{cad.name}: {step.label}")

    def _set(self, eid: int, lead_id: int, index: int, due: datetime, reason: str | None, action: str) -> None:
        due_s = to_db(due)
        self.conn.execute("UPDATE enrolments SET step = ?, due_at = ?, wait_reason = ? WHERE id = ?",
                          (index, due_s, reason, eid))
        # The queue's "next action" column shows the cadence's plan.
        self.conn.execute("UPDATE leads SET next_action_at = ?, next_action = ? WHERE id = ?", (due_s, action, lead_id))

    # -- the due step ------------------------------------------------------------------

    def current(self, lead_id: int) -> DueStep | None:
        """The lead's running (or paused) enrolment, checked against the rules now."""
        row = self.conn.execute(
            "SELECT id, cadence_id, step, due_at, wait_reason, paused_at FROM enrolments "
            "WHERE lead_id = ? AND ended_at IS NULL", (lead_id,)).fetchone()
        if row is None:
            return None
        eid, cid, index, due_at, wait_reason, paused_at = row
        cad = self._load(cid)
        lead = self.leads.get(lead_id)
        step = cad.steps[index] if index < len(cad.steps) else None
        now = self.clock()
        verdict = Verdict(True)
        script = error = None
        if step is not None:
            cap = int(self.settings.get("cadence_touches_per_week") or 0)
            verdict = check(step, lead, now, self._zone(lead), self._touches(lead_id, now - WEEK), cap, self._hours())
            text = step.script or (self._source_script(lead.get("source")) if step.kind.phones else "")
            if text:
                try:
                    script = render(text, lead_fields(lead, self.settings.get("rep_name")))
                except TemplateRefused as exc:
                    error = f"The script cannot be shown: {exc}"
        return DueStep(eid, lead_id, cad.name, index, len(cad.steps), step, from_db(due_at), wait_reason,
                       paused_at is not None, verdict, script, error, cad.objections)

    def source_script(self, lead_id: int) -> Rendered | None:
        """The default call script of the lead's source, merged (for a lead in no cadence)."""
        lead = self.leads.get(lead_id)
        text = self._source_script(lead.get("source"))
        if not text:
            return None
        try:
            return render(text, lead_fields(lead, self.settings.get("rep_name")))
        except TemplateRefused:
            return None

    def _source_script(self, source: str | None) -> str:
        if not source:
            return ""
        row = self.conn.execute("SELECT body FROM source_scripts WHERE source = ?", (source,)).fetchone()
        return row[0] if row else ""

    def hold_if_not_allowed(self, lead_id: int) -> DueStep | None:
        """Open a due step: if a rule says wait, move the step to when it may go and
        store why (it leaves the due band until then)."""
        due = self.current(lead_id)
        if due is None or due.step is None or due.verdict.ok or due.verdict.wait_until is None:
            return due
        with self.store.transaction():
            self.conn.execute("UPDATE enrolments SET due_at = ?, wait_reason = ? WHERE id = ?",
                              (to_db(due.verdict.wait_until), "Waits: " + due.verdict.reason, due.enrolment_id))
        return self.current(lead_id)

    # -- doing steps -------------------------------------------------------------------

    def log_call(self, lead_id: int, disposition: str, notes: str | None = None, duration_s: int | None = None,
                 next_step: datetime | None = None):
        """Log a call (as the call panel does) and advance the cadence, in one transaction."""
        with self.store.transaction():
            result = self.leads.log_call(lead_id, disposition, notes, duration_s, next_step)
            self._sync(lead_id)
            return result

    def confirm_email(self, lead_id: int, subject: str, notes: str | None = None) -> None:
        """The rep says the draft was sent: the touch is logged and the cadence moves on."""
        text = f"Sent: {subject}" + (f"\n\n{notes}" if notes else "")
        with self.store.transaction():
            self.leads.log_touch(lead_id, "email", text)
            self._sync(lead_id)

    def complete_step(self, lead_id: int, notes: str | None = None) -> None:
        """A LinkedIn touch or a task done: logged and advanced."""
        due = self.current(lead_id)
        if due is None or due.step is None:
            raise UserError("This lead has no cadence step to complete.")
        with self.store.transaction():
            if due.step.kind is StepKind.TASK:
                self.leads.log_activity(lead_id, "note", notes=notes or f"Task done: {due.step.label}",
                                        data={"cadence_task": due.index})
            elif due.step.kind is StepKind.LINKEDIN:
                self.leads.log_touch(lead_id, "linkedin", notes)
            else:
                raise UserError(f"A {due.step.kind.label.lower()} step is done by logging it.")
            self._sync(lead_id)

    def skip_step(self, lead_id: int) -> None:
        """Skip the due step (one that cannot be done for this lead, such as an e-mail
        to a lead whose address was removed), with the reason on the record."""
        due = self.current(lead_id)
        if due is None or due.step is None:
            raise UserError("This lead has no cadence step to skip.")
        why = due.verdict.reason if due.verdict.blocked else "skipped by the rep"
        now = self.clock()
        with self.store.transaction():
            self.conn.execute("INSERT INTO cadence_touches (enrolment_id, step, kind, outcome, at) VALUES (?, ?, ?, ?, ?)",
                              (due.enrolment_id, due.index, due.step.kind.value, f"skipped: {why.lower()}", to_db(now)))
            eid, cid = due.enrolment_id, self.conn.execute(
                "SELECT cadence_id FROM enrolments WHERE id = ?", (due.enrolment_id,)).fetchone()[0]
            self._place(eid, self._lead(lead_id), self._load(cid), due.index + 1, now)

    def sync(self, lead_id: int) -> bool:
        """Advance from activities logged elsewhere (the call panel). True when the
        lead's cadence moved."""
        with self.store.transaction():
            return self._sync(lead_id)

    def _sync(self, lead_id: int) -> bool:
        row = self.conn.execute(
            "SELECT id, cadence_id, step, last_activity_id, ended_at, paused_at FROM enrolments "
            "WHERE lead_id = ? ORDER BY id DESC LIMIT 1", (lead_id,)).fetchone()
        if row is None:
            return False
        eid, cid, index, last_seen, ended_at, paused_at = row
        cad = self._load(cid)
        acts = self.conn.execute(
            "SELECT id, kind, disposition, occurred_at, data FROM activities WHERE lead_id = ? AND id > ? "
            "AND kind IN ('call', 'email', 'linkedin', 'meeting', 'note') ORDER BY id", (lead_id, last_seen)).fetchall()
        if not acts:
            return False
        moved, base, pause = False, None, None
        for act_id, kind, disposition, occurred_at, data in acts:
            if ended_at is not None and occurred_at > ended_at:
                break
            last_seen = act_id
            connected = kind == "meeting" or self._connected(disposition)
            if kind == "meeting" or self._conversation(disposition):
                pause = occurred_at
            if index >= len(cad.steps):
                continue
            step = cad.steps[index]
            if kind != step.kind.activity or (kind == "note" and "cadence_task" not in (data or "")):
                continue
            self.conn.execute(
                "INSERT INTO cadence_touches (enrolment_id, step, kind, activity_id, outcome, connected, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (eid, index, step.kind.value, act_id, disposition or kind, int(connected), occurred_at))
            index += 1
            moved, base = True, from_db(occurred_at)
        self.conn.execute("UPDATE enrolments SET last_activity_id = ? WHERE id = ?", (last_seen, eid))
        if ended_at is not None:
            if moved:
                self.conn.execute("UPDATE enrolments SET step = ? WHERE id = ?", (index, eid))
            return moved
        if moved:
            self._place(eid, self._lead(lead_id), cad, index, base)
        if pause is not None and paused_at is None:
            # A conversation or a meeting: the rep's own follow-up takes over.
            self.conn.execute("UPDATE enrolments SET paused_at = ?, wait_reason = ? WHERE id = ?",
                              (pause, "Paused after a conversation; resume when the lead goes quiet", eid))
        return moved

    def _disposition(self, key: str | None):
        if not key:
            return None
        return next((d for d in self.leads.dispositions() if d.key == key), None)

    def _connected(self, key: str | None) -> bool:
        d = self._disposition(key)
        return bool(d and d.connected)

    def _conversation(self, key: str | None) -> bool:
        d = self._disposition(key)
        return bool(d and d.conversation)

    def record_reply(self, lead_id: int) -> None:
        """The lead answered an e-mail or LinkedIn message: counted on the last touch,
        and the cadence pauses (the conversation takes over)."""
        now = to_db(self.clock())
        with self.store.transaction():
            row = self.conn.execute("SELECT id FROM enrolments WHERE lead_id = ? ORDER BY id DESC LIMIT 1",
                                    (lead_id,)).fetchone()
            if row is None:
                raise UserError("This lead has not been in a cadence.")
            touch = self.conn.execute(
                "SELECT id FROM cadence_touches WHERE enrolment_id = ? AND activity_id IS NOT NULL "
                "ORDER BY id DESC LIMIT 1", (row[0],)).fetchone()
            if touch is None:
                raise UserError("No touch of this cadence to reply to yet.")
            self.conn.execute("UPDATE cadence_touches SET replied_at = coalesce(replied_at, ?) WHERE id = ?",
                              (now, touch[0]))
            self.conn.execute("UPDATE enrolments SET paused_at = ?, wait_reason = ? "
                              "WHERE id = ? AND ended_at IS NULL AND paused_at IS NULL",
                              (now, "Paused: the lead replied", row[0]))

    def decide(self, lead_id: int, *, nurture_until: date | None = None, reason: str | None = None) -> None:
        """The follow-up decision when a cadence ran out of steps: nurture with a
        date, or disqualify (“No response” by default). The exit is recorded."""
        if nurture_until is not None:
            self.leads.nurture(lead_id, reason or "No response to the cadence", nurture_until)
        else:
            self.leads.disqualify(lead_id, reason or "No response")

    # -- pause, resume, end --------------------------------------------------------------

    def pause(self, lead_ids: Iterable[int], reason: str = "Paused by the rep") -> int:
        with self.store.transaction():
            return self._pause(list(lead_ids), reason)

    def _pause(self, ids: list[int], reason: str) -> int:
        now, n = to_db(self.clock()), 0
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            n += self.conn.execute(
                f"UPDATE enrolments SET paused_at = ?, wait_reason = ? WHERE ended_at IS NULL AND paused_at IS NULL "
                f"AND lead_id IN ({','.join('?' * len(chunk))})", [now, reason, *chunk]).rowcount
        return n

    def resume(self, lead_ids: Iterable[int]) -> int:
        """Back in the cadence; a step that fell due while paused is due now (within
        its window and the calling hours)."""
        now, n = self.clock(), 0
        with self.store.transaction():
            for lead_id in lead_ids:
                row = self.conn.execute(
                    "SELECT id, cadence_id, step, due_at FROM enrolments WHERE lead_id = ? AND ended_at IS NULL "
                    "AND paused_at IS NOT NULL", (lead_id,)).fetchone()
                if row is None:
                    continue
                eid, cid, index, due_at = row
                self.conn.execute("UPDATE enrolments SET paused_at = NULL, wait_reason = NULL WHERE id = ?", (eid,))
                cad, lead = self._load(cid), self._lead(lead_id)
                if index < len(cad.steps):
                    step = cad.steps[index]
                    start = max(from_db(due_at) or now, now)
                    due = next_allowed(start.astimezone(self._zone(lead)), step, self._hours()) or start
                    self._set(eid, lead_id, index, due, None, f"{cad.name}: {step.label}")
                n += 1
        return n

    def end(self, lead_ids: Iterable[int], reason: str = "ended") -> int:
        if reason not in EXIT_REASONS:
            raise UserError(f"Unknown exit reason {reason!r}.")
        now, n = to_db(self.clock()), 0
        with self.store.transaction():
            for lead_id in lead_ids:
                n += self.conn.execute(
                    "UPDATE enrolments SET ended_at = ?, exit_reason = ?, due_at = NULL, paused_at = NULL, "
                    "wait_reason = NULL WHERE lead_id = ? AND ended_at IS NULL", (now, reason, lead_id)).rowcount
        return n

    def history_text(self, lead_id: int) -> str:
        """The lead's ended cadences in one line, newest first ('' when none)."""
        parts = []
        for h in reversed(self.history(lead_id)):
            if h["ended_at"]:
                why = EXIT_REASONS.get(h["exit_reason"] or "ended", h["exit_reason"])
                if h["exit_reason"] == "out_of_steps" and h["decision"]:
                    why += f", then {EXIT_REASONS.get(h['decision'], h['decision']).lower()}"
                parts.append(f"{h['cadence']}: {why} ({h['ended_at'][:10]})")
        return "; ".join(parts)

    def history(self, lead_id: int) -> list[dict[str, Any]]:
        cur = self.conn.execute(
            "SELECT e.id, c.name AS cadence, e.step, e.enrolled_at, e.paused_at, e.ended_at, e.exit_reason, "
            "e.decision, e.due_at, e.wait_reason FROM enrolments e JOIN cadences c ON c.id = e.cadence_id "
            "WHERE e.lead_id = ? ORDER BY e.id", (lead_id,))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    # -- bulk actions on a queue selection, each one step of undo --------------------------

    def bulk_enrol(self, lead_ids: Sequence[int], cadence: str) -> BulkResult:
        cid, cad = self.cadence(cadence)
        return self._bulk(lead_ids, f"Enrol in {cad.name}", lambda ids: self._enrol(ids, cid, cad))

    def bulk_pause(self, lead_ids: Sequence[int]) -> BulkResult:
        def run(ids):
            n = self._pause(ids, "Paused by the rep")
            return EnrolReport(n, {"not in a running cadence": len(ids) - n} if len(ids) > n else {})
        return self._bulk(lead_ids, "Pause cadence", run)

    def bulk_reassign(self, lead_ids: Sequence[int], owner: str) -> BulkResult:
        owner = " ".join(str(owner or "").split())
        if not owner:
            raise UserError("Name the rep who takes these leads.")
        return self._bulk(lead_ids, f"Reassign to {owner}", lambda ids: self._each(
            ids, lambda i: self.leads.update(i, {"owner": owner}, f"Reassign to {owner}")))

    def bulk_nurture(self, lead_ids: Sequence[int], resurface: date, reason: str) -> BulkResult:
        return self._bulk(lead_ids, f"Nurture until {resurface:%d %b %Y}", lambda ids: self._each(
            ids, lambda i: self.leads.nurture(i, reason, resurface)))

    def bulk_disqualify(self, lead_ids: Sequence[int], reason: str) -> BulkResult:
        return self._bulk(lead_ids, f"Disqualify: {reason}", lambda ids: self._each(
            ids, lambda i: self.leads.disqualify(i, reason)))

    def _each(self, ids: list[int], action) -> EnrolReport:
        done, skipped = 0, {}
        for lead_id in ids:
            try:
                with self.store.transaction():  # a savepoint: a refused lead leaves nothing behind
                    action(lead_id)
                done += 1
            except (UserError, TransitionError) as exc:
                why = str(exc).rstrip(".")
                skipped[why] = skipped.get(why, 0) + 1
        return EnrolReport(done, skipped)

    def _bulk(self, lead_ids: Sequence[int], label: str, action) -> BulkResult:
        """Run `action` over the selection, remembering what it replaced: the lead
        changes it made (the change log) and the enrolment rows as they were."""
        ids = sorted(set(int(i) for i in lead_ids))
        if not ids:
            raise UserError("Select at least one lead.")
        with self.store.transaction():
            before = self._enrolment_rows(ids)
            next_before = self._next_actions(ids)
            first_change = self.conn.execute("SELECT coalesce(max(id), 0) FROM change_log").fetchone()[0]
            report = action(ids)
            changes = [r[0] for r in self.conn.execute(
                "SELECT id FROM change_log WHERE id > ? AND entity = 'lead' ORDER BY id", (first_change,))]
            undo = {"leads": ids, "enrolments": before, "changes": changes, "next": next_before}
            now = to_db(self.clock())
            bid = self.conn.execute("INSERT INTO playbook_bulk (at, label, undo) VALUES (?, ?, ?)",
                                    (now, label, json.dumps(undo))).lastrowid
            # A marker in the change log, so Edit > Undo finds this action as one step.
            self.conn.execute("INSERT INTO change_log (at, label, entity, entity_id, before, after, undone) "
                              "VALUES (?, ?, 'playbook_bulk', ?, '{}', '{}', 0)", (now, label, bid))
        return BulkResult(bid, label, report.enrolled, report.skipped)

    def _enrolment_rows(self, ids: list[int]) -> list[list]:
        rows = []
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            rows += [list(r) for r in self.conn.execute(
                f"SELECT {_ENROLMENT_COLS} FROM enrolments WHERE lead_id IN ({','.join('?' * len(chunk))})", chunk)]
        return rows

    def _next_actions(self, ids: list[int]) -> list[list]:
        rows = []
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            rows += [list(r) for r in self.conn.execute(
                f"SELECT id, next_action_at, next_action FROM leads WHERE id IN ({','.join('?' * len(chunk))})", chunk)]
        return rows

    def last_bulk(self) -> tuple[int, str] | None:
        """The newest bulk action, when it is also the newest undoable change."""
        row = self.conn.execute(
            "SELECT entity, entity_id, label FROM change_log WHERE undone = 0 AND entity IN ('lead', 'playbook_bulk') "
            "ORDER BY id DESC LIMIT 1").fetchone()
        return (row[1], row[2]) if row and row[0] == "playbook_bulk" else None

    def undo_bulk(self, bulk_id: int | None = None) -> str | None:
        """Undo one bulk action as a whole (the newest when no id is given)."""
        with self.store.transaction():
            if bulk_id is None:
                last = self.last_bulk()
                if last is None:
                    return None
                bulk_id = last[0]
            row = self.conn.execute("SELECT label, undo, undone FROM playbook_bulk WHERE id = ?", (bulk_id,)).fetchone()
            if row is None or row[2]:
                return None
            label, undo = row[0], json.loads(row[1])
            for change_id in reversed(undo["changes"]):
                self.leads.undo(change_id)
            ids, before = undo["leads"], undo["enrolments"]
            known = {r[0] for r in before}
            for i in range(0, len(ids), _CHUNK):
                chunk = ids[i:i + _CHUNK]
                for (eid,) in self.conn.execute(
                        f"SELECT id FROM enrolments WHERE lead_id IN ({','.join('?' * len(chunk))})", chunk).fetchall():
                    if eid not in known:
                        self.conn.execute("DELETE FROM cadence_touches WHERE enrolment_id = ?", (eid,))
                        self.conn.execute("DELETE FROM enrolments WHERE id = ?", (eid,))
            cols = _ENROLMENT_COLS.split(", ")
            for r in sorted(before, key=lambda r: r[cols.index("ended_at")] is None):  # ended first: one running per lead
                values = dict(zip(cols, r, strict=True))
                sets = ", ".join(f"{c} = :{c}" for c in cols if c != "id")
                self.conn.execute(f"UPDATE enrolments SET {sets} WHERE id = :id", values)
            # The cadence's bookkeeping on the lead (its planned next action) as it was.
            self.conn.executemany("UPDATE leads SET next_action_at = ?, next_action = ? WHERE id = ?",
                                  [(at, what, lead_id) for lead_id, at, what in undo["next"]])
            self.conn.execute("UPDATE playbook_bulk SET undone = 1 WHERE id = ?", (bulk_id,))
            self.conn.execute("UPDATE change_log SET undone = 1 WHERE entity = 'playbook_bulk' AND entity_id = ?",
                              (bulk_id,))
        return label


@dataclass(frozen=True)
class _Rules:
    cap: int
    hours: localtime.CallingHours
    region: str


_ENROLMENT_COLS = ("id, lead_id, cadence_id, step, due_at, wait_reason, enrolled_at, enrolled_by, paused_at, "
                   "ended_at, exit_reason, decision, last_activity_id")


def _window(start: str | None, end: str | None) -> Window | None:
    if not start or not end:
        return None
    from leadtriage.playbook.schedule import _hhmm

    return Window(_hhmm(start), _hhmm(end))

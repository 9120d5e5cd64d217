"""Demo cadences: the two sample files from `resources/cadences`, with a share of the
demo's new and attempting leads enrolled and worked through them over the past
weeks (calls with their outcomes, e-mails sent, replies, LinkedIn touches, follow-up
decisions), so the Today band, the call panel's script and `stats --by cadence`
have something true to show.

Small demos are worked step by step through `PlaybookService` with a clock that
walks through the past (every rule applies, as for a rep). Big ones (benchmarks)
enrol a fifth of all leads with SQL, at spread-out steps and due times.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from leadtriage.paths import resource
from leadtriage.playbook.model import StepKind
from leadtriage.playbook.service import PlaybookService
from leadtriage.scoring import score_lead
from leadtriage.services.leads import LeadService
from leadtriage.store.db import Store
from leadtriage.store.timeutil import from_db, to_db

FILES = ("inbound-webinar.yaml", "outbound-trade-show.yaml")
INBOUND, OUTBOUND = "Inbound webinar follow-up", "Trade show outbound"
BULK_FROM = 20_000
# Call outcomes on a cold cadence call, roughly as reps see them.
CALL_OUTCOMES = (("no_answer", 0.50), ("voicemail", 0.20), ("busy", 0.06), ("gatekeeper", 0.10),
                 ("conversation", 0.08), ("meeting_set", 0.04), ("not_interested", 0.02))


class _Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def add_cadences(store: Store, seed: int, now: datetime, rep: str) -> int:
    """Import the sample cadences and enrol demo leads; returns how many were enrolled."""
    total = store.conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    clock = _Clock(now)
    service = PlaybookService(store, LeadService(store, rep, clock))
    with store.transaction():
        for name in FILES:
            service.import_file(resource("cadences", name))
        if total >= BULK_FROM:
            return _bulk(store, service, now, total // 5)
        return _worked(service, clock, random.Random(seed * 7 + 17), now)


def _worked(service: PlaybookService, clock: _Clock, rng: random.Random, now: datetime) -> int:
    rows = service.conn.execute(
        "SELECT id, source, created_at, last_touch_at FROM leads WHERE status IN ('new', 'attempting') "
        "AND coalesce(connects, 0) = 0 AND coalesce(do_not_call, 0) = 0 AND phone IS NOT NULL "
        "AND email IS NOT NULL ORDER BY id").fetchall()
    enrolled = 0
    for lead_id, source, created_at, last_touch_at in rows:
        if rng.random() > 0.3:
            continue
        cadence = INBOUND if source in ("Webinar", "Website") or (source != "Trade show" and rng.random() < 0.5) \
            else OUTBOUND
        earliest = max(from_db(created_at), from_db(last_touch_at) or from_db(created_at))
        start = max(earliest, now - timedelta(days=rng.uniform(0.2, 20)))
        if start >= now:
            continue
        clock.now = start
        if not service.enrol([lead_id], cadence).enrolled:
            continue
        enrolled += 1
        _work(service, clock, rng, lead_id, now)
    clock.now = now
    _rescore(service, now)
    return enrolled


def _rescore(service: PlaybookService, now: datetime) -> None:
    """Scores as of the demo's `now` (the walk through the past scored each change
    at its own moment, and age counts in the score)."""
    import json

    rules = service.leads.score_rules()
    cur = service.conn.execute("SELECT * FROM leads WHERE id IN (SELECT lead_id FROM enrolments)")
    names = [d[0] for d in cur.description]
    updates = []
    for row in cur.fetchall():
        score = score_lead(dict(zip(names, row, strict=True)), rules, now)
        updates.append((score.value, json.dumps(list(score.reasons), ensure_ascii=False), row[0]))
    service.conn.executemany("UPDATE leads SET score = ?, score_reasons = ? WHERE id = ?", updates)


def _work(service: PlaybookService, clock: _Clock, rng: random.Random, lead_id: int, now: datetime) -> None:
    for _ in range(12):
        due = service.current(lead_id)
        if due is None or due.paused or due.due_at is None or due.due_at > now:
            return
        at = due.due_at + timedelta(minutes=rng.uniform(5, 240))
        if at >= now:
            return
        clock.now = at
        if due.step is None:  # out of steps: the rep's follow-up decision, most of the time
            if rng.random() < 0.7:
                if rng.random() < 0.5:
                    service.decide(lead_id, nurture_until=(now + timedelta(days=rng.randint(45, 120))).date())
                else:
                    service.decide(lead_id)
            return
        kind = due.step.kind
        if kind is StepKind.CALL:
            outcome = rng.choices([o for o, _ in CALL_OUTCOMES], [w for _, w in CALL_OUTCOMES])[0]
            service.log_call(lead_id, outcome, duration_s=rng.randint(20, 600))
            if rng.random() < {"meeting_set": 0.7, "conversation": 0.3}.get(outcome, 0):
                _hand_off(service, clock, rng, lead_id, now)
                return
        elif kind is StepKind.VOICEMAIL:
            service.log_call(lead_id, "voicemail" if rng.random() < 0.85 else "conversation",
                             duration_s=rng.randint(30, 90))
        elif kind is StepKind.EMAIL:
            service.confirm_email(lead_id, due.step.template)
            if rng.random() < 0.09:
                clock.now = at + timedelta(hours=rng.uniform(2, 30))
                if clock.now < now:
                    service.record_reply(lead_id)
                    return
        else:
            service.complete_step(lead_id)


def _hand_off(service: PlaybookService, clock: _Clock, rng: random.Random, lead_id: int, now: datetime) -> None:
    """A meeting set on a cadence call: qualified and handed to a field rep a day or
    two later (the cadence ends, qualified), and sometimes an opportunity after it."""
    start = clock.now
    clock.now = start + timedelta(days=rng.uniform(0.5, 2))
    if clock.now >= now:
        return
    rep_id, rep_name = service.conn.execute("SELECT id, name FROM field_reps ORDER BY id LIMIT 1 OFFSET ?",
                                            (lead_id % 3,)).fetchone()
    leads = service.leads
    leads.change_status(lead_id, "qualified", reason=f"For {rep_name}", extra={"field_rep_id": rep_id})
    leads.change_status(lead_id, "handed_off")
    handed = clock.now
    meeting = handed + timedelta(days=rng.uniform(2, 7))
    opportunity = meeting + timedelta(days=rng.uniform(1, 10))
    won = opportunity < now and rng.random() < 0.55
    if won:
        clock.now = opportunity
        leads.change_status(lead_id, "opportunity")
    service.conn.execute(
        "INSERT INTO handoffs (lead_id, field_rep_id, field_rep, handed_off_at, meeting_at, by_rep, outcome, "
        "amount, opportunity_at, outcome_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (lead_id, rep_id, rep_name, to_db(handed), to_db(meeting), leads.rep,
         "opportunity" if won else "pending", rng.choice([12000, 18500, 24000, 40000]) if won else None,
         to_db(opportunity) if won else None, to_db(opportunity) if won else None))
    clock.now = start


def _bulk(store: Store, service: PlaybookService, now: datetime, n: int) -> int:
    """A fifth of all leads, in working statuses, at spread-out steps: about a sixth of
    them due now, the rest over the next two weeks."""
    inbound, outbound = (service.cadence(name)[0] for name in (INBOUND, OUTBOUND))
    epoch = int(now.astimezone(UTC).timestamp())
    store.conn.execute(
        "INSERT INTO enrolments (lead_id, cadence_id, step, due_at, enrolled_at, enrolled_by) "
        "SELECT id, CASE WHEN id % 2 = 0 THEN ? ELSE ? END, (id / 2) % 5, "
        "datetime(? - 172800 + (id * 7919) % 1209600, 'unixepoch'), "
        "datetime(? - 864000 - (id * 104729) % 864000, 'unixepoch'), 'demo' "
        "FROM leads WHERE status IN ('new', 'attempting') AND coalesce(do_not_call, 0) = 0 "
        "ORDER BY id LIMIT ?", (inbound, outbound, epoch, epoch, n))
    return store.conn.execute("SELECT count(*) FROM enrolments").fetchone()[0]

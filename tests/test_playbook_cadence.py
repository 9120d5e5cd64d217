"""Cadences at work on real SQLite: when steps fall due (business days, the lead's
time zone, windows), the contact rules, advancing, exits, pause and resume, and
the Today queue's band."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from leadtriage.playbook.model import StepKind
from leadtriage.playbook.rules import blocked_by_flags
from leadtriage.playbook.schedule import add_business_days
from leadtriage.store import queue
from leadtriage.store.settings import SettingsStore
from leadtriage.store.timeutil import from_db
from tests.playbook_helpers import playbook
from tests.queue_data import add

FRIDAY_LATE = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # Fri 15:30 in Los Angeles, Sat 08:30 in Tokyo


def state(service, lead_id):
    return service.conn.execute(
        "SELECT step, due_at, wait_reason, paused_at, ended_at, exit_reason, decision FROM enrolments "
        "WHERE lead_id = ? ORDER BY id DESC LIMIT 1", (lead_id,)).fetchone()


def test_business_days_skip_the_weekend():
    assert add_business_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Fri + 1 = Mon
    assert add_business_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # Sat + 1 = Mon
    assert add_business_days(date(2026, 11, 23), 5) == date(2026, 11, 30)
    assert add_business_days(date(2026, 11, 28), 0) == date(2026, 11, 28)


def test_delays_count_business_days_in_the_leads_time_zone(store):
    service, clock = playbook(store, FRIDAY_LATE)
    la = add(store, timezone="America/Los_Angeles", country="US", phone="+14155550100", email="a@x.test")
    tokyo = add(store, timezone="Asia/Tokyo", country="JP", phone="+81312345678", email="b@x.test")
    service.enrol([la, tokyo], "Inbound")
    # Friday afternoon in LA: the first call is due now. Saturday morning in Tokyo:
    # not before Monday 9:00 there (Sunday 24:00 UTC).
    assert from_db(state(service, la)[1]) == FRIDAY_LATE
    assert from_db(state(service, tokyo)[1]) == datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    # The call done on Friday: the e-mail (1 business day) is due Monday 9:00 in LA.
    service.log_call(la, "no_answer")
    step, due, *_ = state(service, la)
    assert step == 1 and from_db(due) == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    # E-mail sent Monday 9:05 LA; the voicemail (2 business days, window 10-12) Wed 10:00 LA.
    clock.now = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)
    service.confirm_email(la, "Acme and us")
    step, due, *_ = state(service, la)
    assert step == 2 and from_db(due) == datetime(2026, 12, 2, 18, 0, tzinfo=UTC)


def test_the_weekly_touch_cap_makes_a_step_wait_and_says_why(store):
    service, clock = playbook(store)
    SettingsStore(store).set("cadence_touches_per_week", 2)
    lead = add(store, email="c@x.test")
    for hours in (-30, -20):  # two calls already this week (made by hand, outside the cadence)
        clock.now = datetime(2026, 11, 23, 14, tzinfo=UTC) + timedelta(hours=hours)
        service.leads.log_call(lead, "no_answer")
    clock.now = datetime(2026, 11, 23, 14, tzinfo=UTC)
    service.enrol([lead], "Inbound")
    step, due, reason, *_ = state(service, lead)
    assert reason == "Waits: 2 touches in 7 days already"
    # The first of the two calls was Sun 08:00 UTC; +7 days, then Berlin calling hours.
    assert from_db(due) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert service.current(lead).verdict.reason == "2 touches in 7 days already"
    # Opening it now moves it out of the due band until it may go.
    held = service.hold_if_not_allowed(lead)
    assert held.wait_reason.startswith("Waits:") and held.due_at > clock.now


def test_calling_hours_in_the_leads_time_make_a_call_wait(store):
    service, clock = playbook(store, datetime(2026, 11, 23, 19, 0, tzinfo=UTC))  # 20:00 in Berlin
    lead = add(store, email="d@x.test")
    service.enrol([lead], "Inbound")
    assert from_db(state(service, lead)[1]) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 9:00 Berlin


@pytest.mark.parametrize(("kind", "flags", "blocked"), [
    (StepKind.CALL, {"do_not_call": 1}, "do not call"),
    (StepKind.VOICEMAIL, {"do_not_call": 1}, "do not call"),
    (StepKind.EMAIL, {"do_not_call": 1}, ""),
    (StepKind.LINKEDIN, {"do_not_call": 1}, ""),
    (StepKind.TASK, {"do_not_call": 1}, ""),
    (StepKind.CALL, {"do_not_email": 1}, ""),
    (StepKind.VOICEMAIL, {"do_not_email": 1}, ""),
    (StepKind.EMAIL, {"do_not_email": 1}, "do not e-mail"),
    (StepKind.LINKEDIN, {"do_not_email": 1}, ""),
    (StepKind.TASK, {"do_not_email": 1}, ""),
    (StepKind.LINKEDIN, {"do_not_call": 1, "do_not_email": 1}, "the lead asked not to be contacted"),
    (StepKind.TASK, {"do_not_call": 1, "do_not_email": 1}, ""),
])
def test_do_not_call_and_do_not_email_in_every_step_type(kind, flags, blocked):
    lead = {"phone": "+4930123456", "email": "e@x.test", **flags}
    assert blocked_by_flags(kind, lead) == blocked


def test_a_do_not_call_lead_skips_call_steps_with_the_reason(store):
    service, clock = playbook(store)
    lead = add(store, email="f@x.test", do_not_call=1)
    service.enrol([lead], "Inbound")
    assert state(service, lead)[0] == 1  # straight to the e-mail
    touches = service.conn.execute("SELECT step, outcome FROM cadence_touches").fetchall()
    assert touches == [(0, "skipped: do not call")]
    service.confirm_email(lead, "hello")
    # The voicemail is skipped too; the LinkedIn touch is next.
    assert state(service, lead)[0] == 3
    with pytest.raises(Exception, match="cannot be logged"):
        service.log_call(lead, "no_answer")


def test_a_do_not_email_lead_never_gets_the_email_step(store):
    service, clock = playbook(store)
    lead = add(store, email="g@x.test", do_not_email=1)
    service.enrol([lead], "Inbound")
    service.log_call(lead, "no_answer")
    assert state(service, lead)[0] == 2
    assert ("skipped: do not e-mail",) in service.conn.execute("SELECT outcome FROM cadence_touches").fetchall()


def test_enrolment_refuses_leads_it_cannot_work(store):
    service, _ = playbook(store)
    ok = add(store)
    both = add(store, do_not_call=1, do_not_email=1)
    won = add(store, status="won")
    report = service.enrol([ok, both, won], "Inbound")
    assert report.enrolled == 1
    assert report.skipped == {"do not call and do not e-mail": 1, "not a lead the rep works": 1}
    again = service.enrol([ok], "Inbound")
    assert again.enrolled == 0 and again.skipped == {"already in a cadence": 1}


@pytest.mark.parametrize(("move", "reason", "decision"), [
    ("qualify", "qualified", "qualified"),
    ("nurture", "nurtured", "nurtured"),
    ("disqualify", "disqualified", "disqualified"),
    ("dnc", "do_not_call", "do_not_call"),
    ("dne", "do_not_email", "do_not_email"),
    ("dnc_call", "do_not_call", "do_not_call"),
])
def test_exits_are_recorded_whatever_path_moves_the_lead(store, move, reason, decision):
    service, clock = playbook(store)
    lead = add(store, email="h@x.test")
    service.enrol([lead], "Inbound")
    leads = service.leads
    if move == "qualify":
        leads.change_status(lead, "engaged")
        leads.change_status(lead, "qualified")
    elif move == "nurture":
        leads.nurture(lead, "Budget next year", date(2027, 3, 1))
    elif move == "disqualify":
        leads.disqualify(lead, "No need")
    elif move == "dnc":
        leads.update(lead, {"do_not_call": 1}, "Do not call")
    elif move == "dne":
        leads.update(lead, {"do_not_email": 1}, "Do not e-mail")
    elif move == "dnc_call":
        service.log_call(lead, "do_not_call")
    *_, ended_at, exit_reason, got_decision = state(service, lead)
    assert ended_at is not None and exit_reason == reason and got_decision == decision
    assert store.conn.execute("SELECT in_cadence FROM leads WHERE id = ?", (lead,)).fetchone()[0] is None
    assert service.current(lead) is None


def test_out_of_steps_goes_to_the_follow_up_decision(store):
    service, clock = playbook(store)
    lead = add(store, email="i@x.test", status="attempting")
    service.enrol([lead], "Inbound")
    service.log_call(lead, "no_answer")
    service.confirm_email(lead, "hi")
    service.log_call(lead, "voicemail")
    service.complete_step(lead, "Connected on LinkedIn")
    service.complete_step(lead)
    due = service.current(lead)
    assert due.decision and "out of steps" in due.heading
    service.decide(lead)  # disqualify "No response"
    *_, exit_reason, decision = state(service, lead)
    assert (exit_reason, decision) == ("out_of_steps", "disqualified")
    assert service.leads.get(lead)["status_reason"] == "No response"


def test_pause_and_resume(store):
    service, clock = playbook(store)
    lead = add(store, email="j@x.test")
    service.enrol([lead], "Inbound")
    assert service.pause([lead]) == 1
    assert state(service, lead)[3] is not None and service.current(lead).paused
    assert store.conn.execute("SELECT in_cadence FROM leads WHERE id = ?", (lead,)).fetchone()[0] is None
    clock.now += timedelta(days=3)  # Thursday 14:00 UTC, 15:00 in Berlin
    assert service.resume([lead]) == 1
    step, due, reason, paused, *_ = state(service, lead)
    assert paused is None and step == 0 and from_db(due) == clock.now
    assert store.conn.execute("SELECT in_cadence FROM leads WHERE id = ?", (lead,)).fetchone()[0] == 1


def test_a_conversation_pauses_the_cadence(store):
    service, clock = playbook(store)
    lead = add(store, email="k@x.test")
    service.enrol([lead], "Inbound")
    service.log_call(lead, "conversation", next_step=clock.now + timedelta(days=2))
    step, due, reason, paused, *_ = state(service, lead)
    assert step == 1 and paused is not None and "conversation" in reason
    touch = service.conn.execute("SELECT connected FROM cadence_touches").fetchone()
    assert touch == (1,)


def today(conn, now):
    moment = queue.Moment(now, UTC)
    segments = queue.plan(conn, queue.QueueQuery(), moment)
    items, cursor = [], None
    while True:
        got, cursor = queue.fetch(conn, segments, cursor, 2)
        items += got
        if cursor is None:
            return items, queue.queue_counts(conn, moment)


def test_today_shows_a_lead_in_a_cadence_once_in_its_band_when_due(store):
    service, clock = playbook(store)
    due_now = add(store, email="l@x.test")
    later = add(store, email="m@x.test", timezone="Asia/Tokyo", country="JP")  # 23:00 in Tokyo
    plain_new = add(store)
    attempting = add(store, status="attempting")
    service.enrol([due_now, later, attempting], "Inbound")
    items, counts = today(store.conn, clock.now)
    bands = {i.row.id: i.band for i in items}
    assert bands == {due_now: "Cadence due", attempting: "Cadence due", plain_new: "New"}
    assert len(items) == len(bands) == counts["today"] and counts["cadence_due"] == 2
    # Worked: it leaves the band until the next step is due, and does not fall into another.
    service.log_call(due_now, "no_answer")
    items, counts = today(store.conn, clock.now)
    assert due_now not in {i.row.id for i in items} and counts["today"] == len(items) == 2
    # Paused: back to the ordinary bands.
    service.pause([later])
    items, _ = today(store.conn, clock.now)
    assert {i.row.id: i.band for i in items}[later] == "New"


def test_calls_made_before_the_enrolment_do_not_count_as_steps(store):
    service, clock = playbook(store)
    lead = add(store, email="n@x.test")
    clock.now -= timedelta(days=3)
    service.leads.log_call(lead, "conversation")
    clock.now += timedelta(days=3)
    service.enrol([lead], "Inbound")
    assert service.sync(lead) is False
    assert state(service, lead)[0] == 0 and state(service, lead)[3] is None  # not done, not paused


def test_an_older_database_upgrades_and_its_today_queue_is_unchanged(demo_store, db_path):
    from leadtriage.safety.opening import open_store
    from leadtriage.store.schema import LATEST_VERSION
    from tests.test_latest_meeting import rewind_latest_meeting

    conn = demo_store.conn
    conn.execute("UPDATE leads SET next_action_at = NULL, next_action = NULL WHERE in_cadence = 1")
    conn.execute("DELETE FROM cadence_touches")
    conn.execute("DELETE FROM enrolments")
    before = [i.row.id for i in today(conn, datetime(2026, 11, 23, 14, tzinfo=UTC))[0]]
    # From before the playbook, and from before what came after it too: a database at
    # version N holds exactly what migrations 1..N made (the open checks it).
    rewind_latest_meeting(conn)
    demo_store.close()
    with open_store(db_path) as upgraded:
        assert upgraded.user_version == LATEST_VERSION
        items, counts = today(upgraded.conn, datetime(2026, 11, 23, 14, tzinfo=UTC))
        assert [i.row.id for i in items] == before and counts["today"] == len(before)
        assert counts["cadence_due"] == 0


def test_a_step_that_became_impossible_says_why_and_can_be_skipped(store):
    service, clock = playbook(store)
    lead = add(store, email="o@x.test")
    service.enrol([lead], "Inbound")
    service.log_call(lead, "no_answer")  # at the e-mail step
    store.conn.execute("UPDATE leads SET email = NULL WHERE id = ?", (lead,))
    due = service.current(lead)
    assert due.verdict.blocked and due.verdict.reason == "No e-mail address"
    service.skip_step(lead)
    assert state(service, lead)[0] == 2
    assert service.conn.execute("SELECT outcome FROM cadence_touches ORDER BY id DESC LIMIT 1").fetchone() == (
        "skipped: no e-mail address",)

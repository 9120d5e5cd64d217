"""The no-feedback flag over business days (weekends do not count)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from leadtriage.metrics.followup import business_days_between, latest_flagged_day, needs_follow_up
from tests.metrics_fixture import add_handoff, add_lead, build


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 11, 20), date(2026, 11, 27), 5),  # Fri -> next Fri
        (date(2026, 11, 21), date(2026, 11, 23), 1),  # Sat -> Mon
        (date(2026, 11, 20), date(2026, 11, 22), 0),  # Fri -> Sun: only the weekend
        (date(2026, 11, 23), date(2026, 11, 23), 0),
        (date(2026, 11, 23), date(2026, 11, 16), 0),
        (date(2026, 11, 2), date(2026, 11, 30), 20),  # four whole weeks
    ],
)
def test_business_days(start, end, days):
    assert business_days_between(start, end) == days


def test_latest_flagged_day_agrees_with_the_count():
    for today in (date(2026, 11, 23) + timedelta(days=i) for i in range(14)):
        for n in (1, 3, 5, 10):
            cutoff = latest_flagged_day(today, n)
            assert business_days_between(cutoff, today) >= n
            assert business_days_between(cutoff + timedelta(days=1), today) < n


def test_flags_pending_handoffs_past_the_window(store):
    build(store)
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday
    reps = needs_follow_up(store.conn, 5, now, UTC)
    assert {rep: g.count for rep, g in reps.items()} == {"Dana Field": 1, "Lee Field": 1}
    dana = reps["Dana Field"]
    assert dana.email == "dana@example.com"
    assert [(i.lead_id, i.business_days) for i in dana.items] == [(2, 10)]
    assert [(i.lead_id, i.business_days) for i in reps["Lee Field"].items] == [(9, 5)]
    # the next day, Tuesday's handoff has waited 5 business days too
    tuesday = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert reps_count(needs_follow_up(store.conn, 5, tuesday, UTC)) == 3
    # a longer window flags fewer
    assert reps_count(needs_follow_up(store.conn, 10, now, UTC)) == 1


def test_weekend_handoff_waits_a_full_business_week(store):
    add_lead(store, 1, created="2026-11-01 09:00:00", status="handed_off")
    add_handoff(store, 1, handed="2026-11-21 10:00:00")  # Saturday
    friday = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    thursday = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert reps_count(needs_follow_up(store.conn, 5, thursday, UTC)) == 0
    assert reps_count(needs_follow_up(store.conn, 5, friday, UTC)) == 1


def test_feedback_clears_the_flag(store):
    add_lead(store, 1, created="2026-11-01 09:00:00", status="handed_off")
    hid = add_handoff(store, 1, handed="2026-11-02 10:00:00")
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert reps_count(needs_follow_up(store.conn, 5, now, UTC)) == 1
    store.conn.execute("UPDATE handoffs SET outcome = 'accepted', outcome_at = '2026-11-20 10:00:00' WHERE id = ?", (hid,))
    assert reps_count(needs_follow_up(store.conn, 5, now, UTC)) == 0


def reps_count(reps) -> int:
    return sum(g.count for g in reps.values())

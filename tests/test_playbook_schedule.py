"""When steps fall due, for any moment, zone, delay and window (property tests)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from leadtriage.domain.localtime import CallingHours
from leadtriage.playbook.model import Step, StepKind, Window
from leadtriage.playbook.rules import cap_wait
from leadtriage.playbook.schedule import add_business_days, due_after

ZONES = ["Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "America/St_Johns", "UTC"]
HOURS = CallingHours(time(9, 0), time(17, 30))
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC))
windows = st.one_of(st.none(), st.tuples(st.integers(6, 15), st.integers(1, 6)).map(
    lambda t: Window(time(t[0], 0), time(t[0] + t[1], 0))))


@given(moments, st.sampled_from(ZONES), st.sampled_from(list(StepKind)), st.integers(0, 15), windows)
def test_a_step_falls_due_on_time_in_the_leads_day(base, zone, kind, delay, window):
    tz = ZoneInfo(zone)
    step = Step(kind, delay, window)
    due = due_after(base, step, tz, HOURS)
    if kind.phones and window is not None and (window.end <= HOURS.start or window.start >= HOURS.end):
        assert due is None  # the window and the calling hours never meet
        return
    assert due is not None and due >= base
    local = due.astimezone(tz)
    if delay > 0:  # not before the Nth business day after the base, on the lead's calendar
        assert local.date() >= add_business_days(base.astimezone(tz).date(), delay)
    if kind.phones:
        assert HOURS.contains(local)
    if window is not None:
        assert local.weekday() < 5 and window.start <= local.time() < window.end


@given(st.lists(moments, max_size=12), moments, st.integers(1, 5))
def test_the_weekly_cap_waits_until_a_touch_is_a_week_old(touches, at, cap):
    until = cap_wait(touches, at, cap)
    recent = [t for t in touches if at - timedelta(days=7) < t <= at]
    if len(recent) < cap:
        assert until is None
    else:
        assert until > at
        # At `until`, fewer than `cap` of the touches fall in the 7 days before it.
        assert sum(1 for t in touches if until - timedelta(days=7) < t <= at) < cap

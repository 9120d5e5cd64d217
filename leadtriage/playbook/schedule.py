"""When a step falls due: business days in the lead's local time, fitted into the
step's window and, for phone steps, the lead's calling hours.

Business days are Monday to Friday (public holidays are not known here). A delay
of N business days after a touch made on Friday evening lands on the Nth weekday
after it; the day is counted on the lead's calendar, not the rep's.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from leadtriage.domain.localtime import DEFAULT_HOURS, CallingHours
from leadtriage.playbook.model import Step, Window

DAY_START = time(9, 0)  # a step with a delay and no window falls due at 9:00 the lead's time
_SEARCH_DAYS = 21


def add_business_days(day: date, n: int) -> date:
    """`day` plus n weekdays (n = 0: the day itself, even on a weekend)."""
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _intervals(start: time, end: time) -> list[tuple[time, time | None]]:
    """A daily range as intervals; None as an end means midnight. An end before the
    start (calling another continent at night) is two intervals."""
    if start <= end:
        return [(start, end)]
    return [(time(0), end), (start, None)]


def _intersect(a: list, b: list) -> list[tuple[time, time | None]]:
    out = []
    for s1, e1 in a:
        for s2, e2 in b:
            s = max(s1, s2)
            ends = [e for e in (e1, e2) if e is not None]
            e = min(ends) if ends else None
            if e is None or s < e:
                out.append((s, e))
    return sorted(out)


def allowed_intervals(step: Step, hours: CallingHours | None) -> tuple[list, bool]:
    """The step's daily intervals (lead's local time) and whether weekends are out."""
    every = [(time(0), None)]
    span = _intervals(step.window.start, step.window.end) if step.window else every
    weekdays_only = step.window is not None
    if step.kind.phones:
        h = hours or DEFAULT_HOURS
        span = _intersect(span, _intervals(h.start, h.end))
        weekdays_only = True
    return span, weekdays_only


def next_allowed(local: datetime, step: Step, hours: CallingHours | None) -> datetime | None:
    """The first moment at or after `local` (aware, in the lead's zone) when the step
    may be done; None when its window and the calling hours never meet."""
    spans, weekdays_only = allowed_intervals(step, hours)
    if not spans:
        return None
    tz = local.tzinfo
    for offset in range(_SEARCH_DAYS):
        day = local.date() + timedelta(days=offset)
        if weekdays_only and day.weekday() >= 5:
            continue
        for s, e in spans:
            begin = datetime.combine(day, s, tz)
            end = datetime.combine(day, e, tz) if e is not None else datetime.combine(day + timedelta(days=1), time(0), tz)
            if offset == 0:
                begin = max(begin, local)
            if begin < end:
                return begin
    return None


def due_after(base: datetime, step: Step, tz: tzinfo, hours: CallingHours | None) -> datetime | None:
    """When `step` falls due after a touch (or the enrolment) at `base`."""
    local = base.astimezone(tz)
    if step.delay_days <= 0:
        start = local
    else:
        day = add_business_days(local.date(), step.delay_days)
        start = datetime.combine(day, step.window.start if step.window else DAY_START, tz)
    return next_allowed(start, step, hours)


def parse_window(text: str) -> Window:
    """'09:00-11:30' -> Window; a clear ValueError for anything else."""
    try:
        a, b = str(text).split("-")
        start, end = (_hhmm(a), _hhmm(b))
    except ValueError:
        raise ValueError(f"a window is written like 09:00-11:30, not {text!r}") from None
    if start == end:
        raise ValueError(f"the window {text!r} is empty")
    return Window(start, end)


def _hhmm(text: str) -> time:
    h, m = text.strip().split(":")
    if len(m) != 2:
        raise ValueError(text)
    return time(int(h), int(m))

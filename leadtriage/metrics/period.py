"""Reporting periods: this week, month, quarter, or a custom range of calendar days.

A period is a closed range of local calendar days. Two kinds of numbers use it:

* cohort numbers (the funnel, costs, speed to lead) count the leads *created* in the
  period and follow them to wherever they are now. Leads are bucketed by the UTC
  calendar day of `created_at` (the cube keeps UTC days so it is the same on every
  laptop); a lead created late in the evening west of Greenwich can therefore fall
  on the next day.
* event numbers (sales-cycle starts, calls per day, follow-ups) use the exact local
  day boundaries, converted to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from leadtriage.errors import UserError
from leadtriage.store.timeutil import to_db

PRESETS = ("week", "month", "quarter", "all")


@dataclass(frozen=True)
class Period:
    since: date
    until: date  # inclusive
    label: str

    def __post_init__(self) -> None:
        if self.until < self.since:
            raise UserError(f"The period ends ({self.until}) before it starts ({self.since}).")

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def utc_bounds(self, tz: tzinfo | None = None) -> tuple[str, str]:
        """[start, end) of the period in UTC database text, from local midnights."""
        return local_midnight_utc(self.since, tz), local_midnight_utc(self.until + timedelta(days=1), tz)

    def cohort_days(self) -> tuple[str, str]:
        """First and last UTC day (inclusive) of the lead cohort, as 'YYYY-MM-DD'."""
        return self.since.isoformat(), self.until.isoformat()

    def cohort_bounds(self) -> tuple[str, str]:
        """The same cohort as created_at text bounds [start, end): used by drill-downs."""
        return f"{self.since.isoformat()} 00:00:00", f"{(self.until + timedelta(days=1)).isoformat()} 00:00:00"


def local_midnight_utc(day: date, tz: tzinfo | None = None) -> str:
    naive = datetime.combine(day, time())
    moment = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return to_db(moment.astimezone(UTC))


def local_today(now: datetime | None = None, tz: tzinfo | None = None) -> date:
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(tz).date() if tz is not None else moment.astimezone().date()


def preset(name: str, today: date, earliest: date | None = None) -> Period:
    """A named period ending today (periods to date: the future holds no leads yet)."""
    if name == "week":
        start = today - timedelta(days=today.weekday())
        return Period(start, today, f"This week ({start:%d %b} – {today:%d %b})")
    if name == "month":
        start = today.replace(day=1)
        return Period(start, today, f"This month ({today:%B %Y})")
    if name == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = today.replace(month=first_month, day=1)
        return Period(start, today, f"This quarter (Q{(today.month - 1) // 3 + 1} {today.year})")
    if name == "all":
        start = min(earliest or today, today)
        return Period(start, today, "All time")
    raise UserError(f"Unknown period {name!r}; use one of {', '.join(PRESETS)} or dates.")


# Days a report can name. Year 1 or 9999 cannot be turned into local midnights (the
# conversion overflows), and no lead data lies outside this range anyway.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2199, 12, 31)


def parse_day(text: str, what: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise UserError(f"{what} must be a date like 2026-11-01, not {text!r}.") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UserError(f"{what} must be a day between {FIRST_DAY} and {LAST_DAY}, not {day}.")
    return day


def custom(since: date, until: date) -> Period:
    return Period(since, until, f"{since:%d %b %Y} – {until:%d %b %Y}")


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())

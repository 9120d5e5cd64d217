"""A lead's local time and whether it is a decent moment to phone them.

The zone comes from the lead's stored IANA name when there is one (the importer fills
it), else from the phone number (phonenumbers' prefix -> zone data), else from the
country when the whole country shares one clock. A number or country that spans
several offsets (the +1 area as a whole, Australia) gives no zone: better to show
"unknown" than a confident wrong hour.

"Callable now" means: the lead's local time is inside the rep's calling hours on a
weekday (Monday to Friday), and the lead is not marked do-not-call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as pn_timezone

UNKNOWN_ZONES = frozenset({"Etc/Unknown", ""})
# Two reference instants (northern winter and summer): zones that agree on both agree
# all year for our purposes (same offset, same daylight-saving rule).
_PROBES = (datetime(2025, 1, 15, 12, tzinfo=UTC), datetime(2025, 7, 15, 12, tzinfo=UTC))


@dataclass(frozen=True)
class CallingHours:
    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> CallingHours:
        """From the settings' 'HH:MM' strings; a clear ValueError for anything else."""
        return cls(_parse_hhmm(start, "Calling hours start"), _parse_hhmm(end, "Calling hours end"))

    def contains(self, local: datetime) -> bool:
        """Weekdays only; start inclusive, end exclusive. An end before the start
        means hours across midnight (a night shift calling another continent)."""
        if local.weekday() >= 5:
            return False
        moment = local.time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


DEFAULT_HOURS = CallingHours(time(9, 0), time(17, 30))


def _parse_hhmm(text: str, what: str) -> time:
    try:
        hours, minutes = str(text).strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        raise ValueError(f"{what}: expected a time like 09:00, got {text!r}") from None


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo | None:
    if not name or name in UNKNOWN_ZONES:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _single_clock(names: Iterable[str]) -> str | None:
    """The first zone name if all the names keep the same clock, else None."""
    zones = [(n, zone(n)) for n in names if zone(n) is not None]
    if not zones:
        return None
    first = zones[0][1]
    for _, other in zones[1:]:
        if any(p.astimezone(first).utcoffset() != p.astimezone(other).utcoffset() for p in _PROBES):
            return None
    return zones[0][0]


@lru_cache(maxsize=65536)
def zone_name_for_phone(phone: str | None, default_region: str = "US") -> str | None:
    if not phone:
        return None
    try:
        number = phonenumbers.parse(phone, None if phone.startswith("+") else (default_region or None))
    except phonenumbers.NumberParseException:
        return None
    return _single_clock(pn_timezone.time_zones_for_number(number))


@lru_cache(maxsize=512)
def zone_name_for_country(country: str | None) -> str | None:
    if not country:
        return None
    code = phonenumbers.country_code_for_region(country.strip().upper())
    if not code:
        return None
    names = pn_timezone.TIMEZONE_DATA.get(str(code), ())
    return _single_clock(names)


def lead_zone(
    timezone: str | None, phone: str | None = None, country: str | None = None, default_region: str = "US"
) -> ZoneInfo | None:
    """The lead's time zone, or None when it cannot be known."""
    return (
        zone(timezone)
        or zone(zone_name_for_phone(phone, default_region))
        or zone(zone_name_for_country(country))
    )


def local_time(tz: tzinfo | None, now: datetime) -> datetime | None:
    if tz is None:
        return None
    if now.tzinfo is None:
        now = now.astimezone()
    return now.astimezone(tz)


def within_hours(tz: tzinfo | None, now: datetime, hours: CallingHours = DEFAULT_HOURS) -> bool:
    local = local_time(tz, now)
    return local is not None and hours.contains(local)


def callable_zone_names(names: Iterable[str], now: datetime, hours: CallingHours = DEFAULT_HOURS) -> list[str]:
    """Of these stored zone names, the ones where it is calling time now."""
    return sorted(n for n in set(names) if within_hours(zone(n), now, hours))


def callable_countries(now: datetime, hours: CallingHours = DEFAULT_HOURS) -> list[str]:
    """Countries on one clock where it is calling time now: the fallback for leads
    with a country but no stored zone."""
    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        if within_hours(zone(zone_name_for_country(region)), now, hours):
            out.append(region)
    return out


def utc_offset_minutes(name: str, now: datetime) -> int | None:
    """Current offset of a zone, for ordering leads by their local time."""
    tz = zone(name)
    if tz is None:
        return None
    offset = now.astimezone(tz).utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


# -- the working week: next steps land on business days ---------------------------------

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class WorkWeek:
    """The days a rep works (0 = Monday). "Mon-Fri" by default; "Sun-Thu" for a
    team in the Gulf; a list like "Mon,Tue,Thu" for a part-time rep."""

    days: frozenset[int]

    @classmethod
    def parse(cls, text: str | None) -> WorkWeek:
        """From the setting: day names or ranges (which may wrap: Sun-Thu), comma
        separated. A clear ValueError for anything else, and for no day at all."""
        days: set[int] = set()
        for part in str(text or "").replace(" ", "").lower().split(","):
            if not part:
                continue
            ends = part.split("-")
            idx = [DAY_NAMES.index(e[:3]) for e in ends if e[:3] in DAY_NAMES]
            if len(idx) != len(ends) or len(ends) > 2:
                raise ValueError(f"Working days: {part!r} is not a day or a range like Mon-Fri")
            if len(idx) == 1:
                days.add(idx[0])
            else:
                day = idx[0]
                days.add(day)
                while day != idx[1]:
                    day = (day + 1) % 7
                    days.add(day)
        if not days:
            raise ValueError("Working days: name at least one day, e.g. Mon-Fri")
        return cls(frozenset(days))

    def works(self, day: date) -> bool:
        return day.weekday() in self.days

    def roll_forward(self, day: date) -> date:
        """The day itself when it is a working day, else the next one."""
        for _ in range(7):
            if self.works(day):
                return day
            day += timedelta(days=1)
        return day

    def add(self, day: date, n: int) -> date:
        """`n` working days after `day` (n >= 1)."""
        for _ in range(n):
            day = self.roll_forward(day + timedelta(days=1))
        return day

    def label(self) -> str:
        return ", ".join(DAY_NAMES[d].title() for d in sorted(self.days))


DEFAULT_WEEK = WorkWeek(frozenset(range(5)))


def on_working_day(moment: datetime, week: WorkWeek = DEFAULT_WEEK, lead_tz: tzinfo | None = None) -> datetime:
    """`moment` (aware, in the rep's zone) moved on by whole days, keeping the rep's
    clock time, until it is a working day both for the rep and, where the lead's
    zone is known, for the lead: Friday + 24 h is Monday, not Saturday, and a
    Friday-afternoon callback in California is not Saturday morning in Sydney."""
    # Same tzinfo: adding a day keeps the rep's clock time (wall-clock arithmetic).
    for _ in range(14):
        lead_day = moment.astimezone(lead_tz).date() if lead_tz is not None else None
        if week.works(moment.date()) and (lead_day is None or week.works(lead_day)):
            return moment
        moment += timedelta(days=1)
    return moment


# -- saying why: the lead's clock, and why "Callable now" finds nobody ----------------------

def not_callable_reason(local: datetime, hours: CallingHours = DEFAULT_HOURS) -> str | None:
    """None inside calling hours; else "weekend", "before 09:00" or "after 17:30"
    (the lead's local time)."""
    if hours.contains(local):
        return None
    if local.weekday() >= 5:
        return "weekend"
    moment = local.time().replace(tzinfo=None)
    if hours.start <= hours.end:
        return f"before {hours.start:%H:%M}" if moment < hours.start else f"after {hours.end:%H:%M}"
    return f"outside {hours.start:%H:%M}–{hours.end:%H:%M}"


def describe_local(tz: ZoneInfo | None, now: datetime, hours: CallingHours = DEFAULT_HOURS) -> str:
    """One line for the lead panel: their clock and whether this is a time to call."""
    if tz is None:
        return "Local time unknown (no time zone, phone prefix or single-zone country)"
    local = local_time(tz, now)
    reason = not_callable_reason(local, hours)
    state = "within calling hours" if reason is None else f"outside calling hours ({reason})"
    return f"Local time {local:%a %H:%M} ({tz.key}): {state}"


def explain_nobody_callable(zone_names: Iterable[str], now: datetime, hours: CallingHours = DEFAULT_HOURS) -> str:
    """Why the "Callable now" filter is empty: per reason, the zones it holds for
    (the weekend, before or after calling hours), and when calling opens next."""
    by_reason: dict[str, list[str]] = {}
    for name in sorted(set(zone_names)):
        tz = zone(name)
        if tz is None:
            continue
        reason = not_callable_reason(local_time(tz, now), hours)
        if reason is not None:
            kind = ("the weekend" if reason == "weekend" else
                    f"before calling hours ({hours.start:%H:%M})" if reason.startswith("before") else
                    f"after calling hours ({hours.end:%H:%M})" if reason.startswith("after") else
                    "outside calling hours")
            by_reason.setdefault(kind, []).append(name)
    if not by_reason:
        return ("Nobody is callable now: the leads in calling hours have no phone number or are on the "
                "do-not-call list, or no lead has a known time zone.")

    def zones(names: list[str]) -> str:
        return ", ".join(names[:3]) + (f" and {len(names) - 3} more zones" if len(names) > 3 else "")

    parts = [f"it is {kind} in {zones(names)}" if kind == "the weekend" else f"{kind} in {zones(names)}"
             for kind, names in by_reason.items()]
    return (f"Nobody is callable now: {'; '.join(parts)} (calling hours {hours.start:%H:%M}–{hours.end:%H:%M}, "
            "Mon–Fri, their local time).")

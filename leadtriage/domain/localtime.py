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
from datetime import UTC, datetime, time, tzinfo
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

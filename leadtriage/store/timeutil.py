"""Timestamps as SQLite likes them: UTC text 'YYYY-MM-DD HH:MM:SS', sortable and usable by
SQLite's date functions. Local-time boundaries ("today") are computed in Python."""

from __future__ import annotations

from datetime import UTC, datetime

FORMAT = "%Y-%m-%d %H:%M:%S"


def to_db(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # naive means local wall-clock time
    return moment.astimezone(UTC).strftime(FORMAT)


def from_db(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text[:19], FORMAT).replace(tzinfo=UTC)


def now_db() -> str:
    return datetime.now(UTC).strftime(FORMAT)

"""The lead workspace's read side: one lead and its timeline, read leniently (a
value a foreign tool left undecodable shows with U+FFFD instead of failing)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadtriage.store import queue as _queue
from leadtriage.store.timeutil import from_db


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One thing that happened to a lead: a touch, a status move, an import, a
    handoff, an outcome. `data` is the entry's details (a status move's from/to, an
    outcome and its amount), None when there are none or they are not readable."""

    id: int
    kind: str
    occurred_at: datetime | None
    disposition: str | None = None
    duration_s: int | None = None
    notes: str | None = None
    rep: str | None = None
    data: Any = None


def _when(text: str | None) -> datetime | None:
    """A time another tool wrote in a form the app does not use shows blank rather
    than keeping the lead from opening."""
    try:
        return from_db(text)
    except ValueError:
        return None


def _details(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class LeadReader:
    def __init__(self, store: Any):
        self._store = store

    def lead(self, lead_id: int) -> dict | None:
        return _queue.lead_detail(self._store.conn, lead_id)

    def timeline(self, lead_id: int, limit: int = 500) -> list[TimelineEntry]:
        """Newest first."""
        return [
            TimelineEntry(r["id"], r["kind"], _when(r["occurred_at"]), r["disposition"], r["duration_s"],
                          r["notes"], r["rep"], _details(r["data"]))
            for r in _queue.timeline(self._store.conn, lead_id, limit)
        ]

"""The lead workspace's read side: one lead and its timeline, read leniently (a
value a foreign tool left undecodable shows with U+FFFD instead of failing)."""

from __future__ import annotations

from typing import Any

from leadtriage.store import queue as _queue


class LeadReader:
    def __init__(self, store: Any):
        self._store = store

    def lead(self, lead_id: int) -> dict | None:
        return _queue.lead_detail(self._store.conn, lead_id)

    def timeline(self, lead_id: int, limit: int = 500) -> list[dict]:
        return _queue.timeline(self._store.conn, lead_id, limit)

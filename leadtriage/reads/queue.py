"""The queue's read side: views, counts, pages of rows and the values the filter bar
offers, for the queue column of the main window.

The types a screen needs to say what it wants (`QueueQuery`, `Filters`, `Moment`)
and what it gets back (`QueueItem`, `LeadRow`, `Cursor`) are the store's own
frozen dataclasses, passed on here so a widget names them without importing the
store.
"""

from __future__ import annotations

from typing import Any

from leadtriage.scoring.current import score_tooltip
from leadtriage.store import queue as _queue
from leadtriage.store.queue import (
    QUEUE_VIEWS,
    SORT_KEYS,
    TODAY,
    Cursor,
    Filters,
    LeadRow,
    Moment,
    QueueItem,
    QueueQuery,
    QueueView,
    Segment,
    fts_query,
    phone_digits,
    view_of,
)
from leadtriage.store.timeutil import from_db

__all__ = [
    "QUEUE_VIEWS", "SORT_KEYS", "TODAY", "Cursor", "Filters", "LeadRow", "Moment", "QueueItem", "QueueQuery",
    "QueueReader", "QueueView", "Segment", "custom_query_view", "filter_options", "from_db", "fts_query",
    "phone_digits", "queue_counts", "view_of",
]


class QueueReader:
    """Reads for the UI thread, on the Store's own connection (quick, indexed reads:
    a page of rows, one row, the status counts)."""

    def __init__(self, store: Any):
        self._store = store

    def plan(self, query: QueueQuery, moment: Moment) -> list[Segment]:
        return _queue.plan(self._store.conn, query, moment)

    def fetch(self, segments: list[Segment], cursor: Cursor | None, limit: int) -> tuple[list[QueueItem], Cursor | None]:
        return _queue.fetch(self._store.conn, segments, cursor, limit)

    def lead_row(self, lead_id: int) -> LeadRow | None:
        return _queue.lead_row(self._store.conn, lead_id)

    def zones_in_use(self) -> list[str]:
        return _queue.zones_in_use(self._store.conn)

    def counts_by_status(self) -> dict[str, int]:
        return _queue.counts_by_status(self._store.conn)

    def score_tooltip(self, lead_id: int) -> str | None:
        return score_tooltip(self._store.conn, lead_id)


def custom_query_view(label: str, selection: Any) -> QueueView:
    """A drill-down or a list of picked leads (a `metrics.drilldown.LeadFilter`) as a
    queue view; its values stay parameters. (Not imported here: metrics brings
    pandas, which the window's start-up does without.)"""
    return _queue.custom_view(label, selection.where, selection.params)


# Slower reads (index scans over the whole table): run these in a worker job, on the
# job's own Store (`Worker.run_db`).
def queue_counts(store: Any, moment: Moment) -> dict[str, int]:
    return _queue.queue_counts(store.conn, moment)


def filter_options(store: Any) -> dict[str, list[str]]:
    return _queue.filter_options(store.conn)

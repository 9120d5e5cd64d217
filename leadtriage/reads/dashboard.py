"""The dashboard's read side: the figures for a period, and where "all time" starts."""

from __future__ import annotations

from datetime import date
from typing import Any

from leadtriage.metrics import compute, first_lead_day


def compute_dashboard(store: Any, period: Any, by: str | None, **options: Any) -> Any:
    """One `metrics.Dashboard`; slow on a big database, so run it in a worker job on
    the job's own Store (`Worker.run_db`)."""
    return compute(store.conn, period, by, **options)


def first_day(store: Any) -> date | None:
    """The day of the oldest lead (for "all time"); one read of the daily cube."""
    return first_lead_day(store.conn)

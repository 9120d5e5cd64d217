"""Callbacks coming due: what the reminder timer asks about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leadtriage.store.db import Store
from leadtriage.store.timeutil import to_db

WORKING = "('new','attempting','engaged','rejected','nurture')"


@dataclass(frozen=True)
class DueCallback:
    lead_id: int
    name: str
    company: str
    next_action: str
    due_at: str


def due_between(store: Store, after: datetime, until: datetime, limit: int = 20) -> list[DueCallback]:
    """Leads whose next action falls in (after, until], soonest first."""
    rows = store.conn.execute(
        "SELECT id, trim(coalesce(first_name,'') || ' ' || coalesce(last_name,'')), coalesce(company,''), "
        "coalesce(next_action,''), next_action_at FROM leads "
        f"WHERE next_action_at > ? AND next_action_at <= ? AND status IN {WORKING} AND do_not_call = 0 "
        "ORDER BY next_action_at LIMIT ?",
        (to_db(after), to_db(until), limit),
    ).fetchall()
    return [DueCallback(*r) for r in rows]

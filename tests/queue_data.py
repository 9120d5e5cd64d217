"""Hand-made leads for queue tests: every field that matters to an order, stated."""

from __future__ import annotations

from datetime import timedelta

from leadtriage.store.timeutil import to_db
from tests.conftest import FIXED_NOW

NOW = FIXED_NOW  # Monday 23 Nov 2026, 14:00 UTC
_counter = iter(range(1, 1_000_000))


def at(hours: float = 0, days: float = 0) -> str:
    return to_db(NOW + timedelta(hours=hours, days=days))


def add(store, **fields) -> int:
    n = next(_counter)
    row = {
        "public_id": f"LT-T{n:05d}", "first_name": fields.pop("first_name", f"Lead{n}"), "last_name": "Test",
        "status": "new", "score": 50, "created_at": at(days=-10), "updated_at": at(days=-10),
        "phone": "+4930123456", "timezone": "Europe/Berlin", "country": "DE",
    }
    row.update(fields)
    with store.transaction() as db:
        return db["leads"].insert(row).last_pk

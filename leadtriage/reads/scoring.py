"""The score retrainer's read side."""

from __future__ import annotations

from typing import Any


def closed_leads(store: Any) -> int:
    """Leads with a final outcome, from the trigger-kept counts (instant on any size):
    the retrainer retrains when enough of them changed."""
    from leadtriage.scoring.training import closed_total  # scoring loads only when asked

    return closed_total(store.conn)

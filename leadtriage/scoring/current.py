"""One lead's score as the app shows it right now: a rep's pin, else the learned
model (blended with the rules while history is thin), else the rules.

The stored model is looked up by id on each call (one indexed read) and parsed
only when it changed, so a retrain in another thread or process takes effect on
the next change of any lead.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from leadtriage.scoring.active import ActiveModel, load_active, newest_row
from leadtriage.scoring.rules import ScoreRules
from leadtriage.scoring.score import score_lead

PINNED_CHIP = "Priority pinned by a rep"
_cache: dict[str, Any] = {"key": None, "model": None}


def active_model(conn: sqlite3.Connection) -> ActiveModel | None:
    row = newest_row(conn)
    if row is None:
        return None
    # The whole stored text is the key (a memcmp): two databases can hold model 1
    # trained in the same second, and a closed connection's id() can come back.
    if _cache["key"] != row:
        _cache["model"] = load_active(conn, row)
        _cache["key"] = row
    return _cache["model"]


def current_score(conn: sqlite3.Connection, lead: dict[str, Any], rules: ScoreRules,
                  now: datetime) -> tuple[int, list[str]]:
    """(0-100, chips) for a lead row."""
    rules_score = score_lead(lead, rules, now)
    value, chips = rules_score.value, list(rules_score.reasons)
    active = active_model(conn)
    if active is not None:
        value, chips = active.score(lead, value, chips)
    pinned = lead.get("score_pinned")
    if pinned is not None:
        return int(pinned), [PINNED_CHIP, *chips]
    return value, chips


def score_tooltip(conn: sqlite3.Connection, lead_id: int) -> str | None:
    """The queue's tooltip on a score: what raises and lowers it, one factor a line."""
    row = conn.execute("SELECT score, score_reasons, score_pinned FROM leads WHERE id = ?", (lead_id,)).fetchone()
    if row is None:
        return None
    import json

    try:
        reasons = json.loads(row[1] or "[]")
    except ValueError:
        reasons = []
    if not isinstance(reasons, list):
        reasons = []
    head = f"Score {row[0] or 0}" + (" (pinned by a rep)" if row[2] is not None else "")
    lines = [str(r) for r in reasons if str(r) != PINNED_CHIP]
    return "\n".join([head, *lines]) if lines else head

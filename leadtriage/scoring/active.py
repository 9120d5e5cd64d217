"""The model in charge: read from `score_models`, with how much it counts.

Below `MIN_PER_CLASS` closed leads of each kind the rules score stays in charge;
from `FULL_PER_CLASS` on the learned chance is the score; in between the two are
blended in proportion. Both numbers come from measurement on bank-full (README,
"The score"): with 50 of each class the learned ranking already beats the rules'
chance level, and by about 200 of each it is within a few AUC points of its
full-history quality.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from typing import Any

from leadtriage.scoring.fast import FastScorer, blend
from leadtriage.scoring.features import READ_COLUMNS
from leadtriage.scoring.learned import Model

MIN_PER_CLASS = 50
FULL_PER_CLASS = 200

log = logging.getLogger(__name__)


def blend_weight(positives: int, negatives: int) -> float:
    fewer = min(positives, negatives)
    if fewer < MIN_PER_CLASS:
        return 0.0
    if fewer >= FULL_PER_CLASS:
        return 1.0
    return (fewer - MIN_PER_CLASS) / (FULL_PER_CLASS - MIN_PER_CLASS)


def regime(weight: float) -> str:
    return "rules" if weight <= 0 else "learned" if weight >= 1 else "blended"


@dataclass
class ActiveModel:
    model_id: int
    model: Model
    weight: float  # of the learned chance against the rules
    report: dict[str, Any]

    def __post_init__(self) -> None:
        self.scorer = FastScorer(self.model)

    def score(self, lead: dict[str, Any], rules_value: int, rules_chips: list[str]) -> tuple[int, list[str]]:
        """(0-100 score, chips) for a lead row (any dict holding READ_COLUMNS)."""
        p, chips = self.scorer.score(tuple(lead.get(c) for c in READ_COLUMNS))
        value = blend(p, rules_value, self.weight)
        if self.weight < 1:
            chips = chips + rules_chips
        return value, chips


def newest_row(conn: sqlite3.Connection) -> tuple | None:
    """(id, model JSON, report JSON) of the newest stored model, or None."""
    try:
        return conn.execute("SELECT id, model, report FROM score_models ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.OperationalError:
        return None  # a database from before the learned score


def load_active(conn: sqlite3.Connection, row: tuple | None = None) -> ActiveModel | None:
    """The newest stored model (or the one in `row`, as `newest_row` reads it), or
    None (rules only). A model that does not read as the expected JSON numbers is
    ignored, never run: the rules stay in charge."""
    row = row if row is not None else newest_row(conn)
    if row is None:
        return None
    try:
        model = Model.from_json(json.loads(row[1]))
        report = json.loads(row[2])
        weight = float(report.get("weight", 0.0))
        if not 0.0 <= weight <= 1.0:
            raise ValueError("weight")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("stored score model %s ignored: %s", row[0], type(exc).__name__)
        return None
    if weight <= 0:
        return None
    return ActiveModel(row[0], model, weight, report)

"""Scoring many leads with a learned model: the same numbers as `Model.probability`
and `Model.explain`, with every per-value step cached, because a million leads repeat
the same sources, titles, bins and arrival hours (tests/test_learned_score.py holds
the two equal)."""

from __future__ import annotations

import json
import math
from typing import Any

from leadtriage.scoring.features import (
    READ_COLUMNS,
    arrival,
    custom_values,
    email_kind,
    lead_values,
    seniority,
)
from leadtriage.scoring.learned import SHOWN_FACTOR, Factor, Model, _sigmoid

_COLUMN = {c: i for i, c in enumerate(READ_COLUMNS) if c in
           ("source", "campaign", "industry", "country", "region", "timezone", "title", "employees")}
_CUSTOM, _CREATED, _TZ = READ_COLUMNS.index("custom_fields"), READ_COLUMNS.index("created_at"), READ_COLUMNS.index(
    "timezone")
_TITLE, _EMAIL, _FLAGS = READ_COLUMNS.index("title"), READ_COLUMNS.index("email"), READ_COLUMNS.index("flags")


class FastScorer:
    def __init__(self, model: Model):
        self.model = model
        self.features = model.features
        # per feature: raw value -> (weight - mean, chip text or None)
        self._caches: list[dict[Any, tuple[float, float, str | None]]] = [{} for _ in self.features]
        self._base = model.intercept + sum(f.mean for f in self.features)
        self._keys = [f.key for f in self.features]
        self._needs_custom = any(k.startswith("custom:") for k in self._keys)
        self._needs_arrival = any(k in ("arrival_day", "arrival_hour") for k in self._keys)
        # How to get each feature's raw value from a row (see `_raw`)
        derived = {"seniority": 1, "email_kind": 2, "arrival_day": 3, "arrival_hour": 4}
        self._plan: list[tuple[int, Any]] = [
            (0, _COLUMN[k]) if k in _COLUMN else (derived[k], None) if k in derived else (5, k) for k in self._keys]

    def _pull(self, i: int, value: Any) -> tuple[float, float, str | None]:
        cache = self._caches[i]
        key = value if not isinstance(value, float) else ("f", value)
        hit = cache.get(key)
        if hit is None:
            f = self.features[i]
            token, weight = f.pull(value)
            d = weight - f.mean
            text = Factor(f.label, f.labels.get(token, token), d).text() if abs(d) >= SHOWN_FACTOR else None
            hit = (d, abs(d), text)
            if len(cache) < 200_000:
                cache[key] = hit
        return hit

    def values(self, row: tuple) -> dict[str, Any]:
        lead = dict(zip(READ_COLUMNS, row, strict=True))
        return lead_values(lead)

    def _raw(self, row: tuple) -> list[Any]:
        """Each feature's raw value straight from the row: what `lead_values` gives,
        without building a dictionary per lead."""
        custom = custom_values(row[_CUSTOM]) if self._needs_custom else None
        day = hour = None
        if self._needs_arrival:
            day, hour = arrival(row[_CREATED], row[_TZ])
        out = []
        append = out.append
        for kind, arg in self._plan:
            if kind == 0:
                append(row[arg])
            elif kind == 5:
                append(custom.get(arg))  # type: ignore[union-attr]
            elif kind == 1:
                append(seniority(row[_TITLE]))
            elif kind == 2:
                append(email_kind(row[_EMAIL], row[_FLAGS]))
            elif kind == 3:
                append(day)
            else:
                append(hour)
        return out

    def score(self, row: tuple) -> tuple[float, list[str]]:
        """(probability, chips) for one row of READ_COLUMNS."""
        total = self._base
        pulls = []
        caches = self._caches
        for i, value in enumerate(self._raw(row)):
            hit = caches[i].get(value if value.__class__ is not float else ("f", value))
            if hit is None:
                hit = self._pull(i, value)
            total += hit[0]
            if hit[2] is not None:
                pulls.append(hit)
        if not pulls:
            return _sigmoid(total), []
        pulls.sort(key=_size, reverse=True)
        pro = [t for d, _, t in pulls if d > 0][:3]
        con = [t for d, _, t in pulls if d < 0][:2]
        return _sigmoid(total), pro + con


def _size(hit: tuple[float, float, str | None]) -> float:
    return hit[1]


def blend(probability: float, rules_score: int, weight: float) -> int:
    """The stored 0-100 score: the learned chance in %, mixed with the rules while the
    history is still thin (weight 0: rules only, 1: learned only)."""
    learned = 100.0 * probability
    value = weight * learned + (1.0 - weight) * rules_score
    return max(0, min(100, int(math.floor(value + 0.5))))


def reasons_json(chips: list[str], rules_chips: list[str] | None = None) -> str:
    return json.dumps(chips + (rules_chips or []), ensure_ascii=False)

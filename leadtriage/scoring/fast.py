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
        custom = custom_values(row[_CUSTOM]) if self._needs_custom else {}
        day = hour = None
        if self._needs_arrival:
            day, hour = arrival(row[_CREATED], row[_TZ])
        out = []
        for key in self._keys:
            i = _COLUMN.get(key)
            if i is not None:
                out.append(row[i])
            elif key == "seniority":
                out.append(seniority(row[_TITLE]))
            elif key == "email_kind":
                out.append(email_kind(row[_EMAIL], row[_FLAGS]))
            elif key == "arrival_day":
                out.append(day)
            elif key == "arrival_hour":
                out.append(hour)
            else:
                out.append(custom.get(key))
        return out

    def score(self, row: tuple) -> tuple[float, list[str]]:
        """(probability, chips) for one row of READ_COLUMNS."""
        raw = self._raw(row)
        total = self._base
        pulls = []
        for i, value in enumerate(raw):
            d, size, text = self._pull(i, value)
            total += d
            if text is not None:
                pulls.append((size, d, text))
        pulls.sort(reverse=True)
        pro = [t for _, d, t in pulls if d > 0][:3]
        con = [t for _, d, t in pulls if d < 0][:2]
        return _sigmoid(total), pro + con


def blend(probability: float, rules_score: int, weight: float) -> int:
    """The stored 0-100 score: the learned chance in %, mixed with the rules while the
    history is still thin (weight 0: rules only, 1: learned only)."""
    learned = 100.0 * probability
    value = weight * learned + (1.0 - weight) * rules_score
    return max(0, min(100, int(math.floor(value + 0.5))))


def reasons_json(chips: list[str], rules_chips: list[str] | None = None) -> str:
    return json.dumps(chips + (rules_chips or []), ensure_ascii=False)

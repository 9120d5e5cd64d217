"""Scoring many leads at once (imports, demo data): the same score as `score_lead`,
with each group of parts cached on the few fields it reads, because a big list
repeats the same industries, sizes, titles and sources over and over."""

from __future__ import annotations

import json
from datetime import datetime

from leadtriage.scoring.rules import ScoreRules
from leadtriage.scoring.score import activity_parts, combine, fit_parts, interest_parts
from leadtriage.store.timeutil import to_db

DAY = 86400.0


class BatchScorer:
    def __init__(self, rules: ScoreRules, now: datetime):
        self.rules = rules
        self.now = now
        self._now_epoch = now.timestamp()
        self._recent = rules.recent_days * DAY
        self._stale = rules.stale_days * DAY
        self._cache: dict[tuple, tuple] = {}

    def score(self, industry: str | None, employees: int | None, title: str | None, country: str | None,
              source: str | None, connects: int = 0, attempts: int = 0,
              last_touch: float | None = None) -> tuple[int, str]:
        """(score, reasons as JSON) for one lead; `last_touch` is the Unix time recency
        counts from (the last connect, else the creation; None: now, as a freshly
        imported lead counts)."""
        cache = self._cache
        fit_key = ("fit", industry, employees, title, country)
        fit = cache.get(fit_key)
        if fit is None:
            fit = cache[fit_key] = fit_parts(
                {"industry": industry, "employees": employees, "title": title, "country": country}, self.rules)
        interest_key = ("interest", source, connects)
        interest = cache.get(interest_key)
        if interest is None:
            interest = cache[interest_key] = interest_parts({"source": source, "connects": connects}, self.rules)
        touched = self._now_epoch if last_touch is None else last_touch
        age = self._now_epoch - touched
        bucket = 0 if age <= self._recent else 1 if age <= self._stale else 2
        activity_key = ("activity", bucket, attempts, connects)
        activity = cache.get(activity_key)
        if activity is None:
            at = to_db(datetime.fromtimestamp(touched, self.now.tzinfo))
            activity = cache[activity_key] = activity_parts(
                {"last_touch_at": at, "created_at": at, "attempts": attempts, "connects": connects},
                self.rules, self.now)
        parts = fit + interest + activity
        scored = cache.get(parts)
        if scored is None:
            result = combine(parts)
            scored = cache[parts] = (result.value, json.dumps(list(result.reasons), ensure_ascii=False))
        return scored

"""Scoring one lead: fit, interest, recency and activity, each with its reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadtriage.scoring.rules import ScoreRules
from leadtriage.store.timeutil import from_db


@dataclass(frozen=True)
class Score:
    value: int  # 0..100
    reasons: tuple[str, ...]  # short chips, strongest first: "Logistics +15", "4 tries, no answer −5"


def _chip(text: str, points: float) -> tuple[str, float]:
    rounded = round(points)
    sign = "+" if rounded >= 0 else "−"
    return f"{text} {sign}{abs(rounded)}", points


def _seniority(title: str, rules: ScoreRules) -> int:
    words = " " + re.sub(r"[^a-z0-9]+", " ", title.lower()) + " "
    for level, keys in rules.seniority:
        if any(f" {k} " in words for k in keys):
            return level
    return 0


def score_lead(lead: dict[str, Any], rules: ScoreRules, now: datetime) -> Score:
    """The score and its chips. Only fields of the lead row are used, so the score
    can be recomputed inside the transaction that changed the lead."""
    w = rules.weights
    parts: list[tuple[str, float]] = []

    # Fit to the ideal customer profile
    industry = (lead.get("industry") or "").strip()
    if industry and industry.casefold() in rules.industries:
        parts.append(_chip(industry, rules.industry_points * w["fit"]))
    employees = lead.get("employees")
    if isinstance(employees, int) and employees > 0:
        if rules.employees_min <= employees <= rules.employees_max:
            parts.append(_chip(f"{employees:,} staff", rules.size_points * w["fit"]))
        elif employees > rules.employees_max:
            parts.append(_chip(f"{employees:,} staff", rules.size_points / 2 * w["fit"]))
    level = _seniority(lead.get("title") or "", rules)
    if level:
        label = ("", "Manager", "Director", "Executive")[level]
        parts.append(_chip(label, rules.seniority_points * level / 3 * w["fit"]))
    country = (lead.get("country") or "").upper()
    if country and country in rules.countries:
        parts.append(_chip(country, rules.country_points * w["fit"]))

    # Interest: where the lead came from and whether they talk to us
    source = (lead.get("source") or "").strip()
    src_pts = rules.sources.get(source.casefold(), 0.0)
    if src_pts:
        parts.append(_chip(source, src_pts * w["interest"]))
    connects = lead.get("connects") or 0
    if connects:
        pts = min(rules.connect_max, connects * rules.connect_points)
        parts.append(_chip(f"Reached {connects}×", pts * w["interest"]))

    # Recency and activity
    last = from_db(lead.get("last_touch_at")) or from_db(lead.get("created_at"))
    if last is not None:
        days = (now - last).total_seconds() / 86400
        if days <= rules.recent_days:
            parts.append(_chip("Recent", rules.recent_points * w["activity"]))
        elif days <= rules.stale_days:
            parts.append(_chip("This month", rules.stale_points * w["activity"]))
    attempts = lead.get("attempts") or 0
    if rules.unanswered_attempts and attempts >= rules.unanswered_attempts and not connects:
        parts.append(_chip(f"{attempts} tries, no answer", -rules.unanswered_penalty * w["activity"]))

    total = sum(p for _, p in parts)
    value = max(0, min(100, round(total)))
    chips = tuple(text for text, pts in sorted(parts, key=lambda p: -abs(p[1])) if round(pts) != 0)
    return Score(value, chips)

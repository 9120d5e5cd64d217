"""Scoring one lead: fit, interest, recency and activity, each with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leadtriage.scoring.rules import ScoreRules, title_spellings
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
    spellings = title_spellings(title)
    for level, keys in rules.seniority:
        if any(f" {k} " in words for words in spellings for k in keys):
            return level
    for level, endings in rules.seniority_suffixes:  # compounds: Vertriebsleiter
        if any(f"{e} " in words for words in spellings for e in endings):
            return level
    return 0


def score_lead(lead: dict[str, Any], rules: ScoreRules, now: datetime) -> Score:
    """The score and its chips. Only fields of the lead row are used, so the score
    can be recomputed inside the transaction that changed the lead."""
    return combine((*fit_parts(lead, rules), *interest_parts(lead, rules), *activity_parts(lead, rules, now)))


# The three groups are separate so bulk callers (the demo generator) can cache each
# on the few fields it reads.

def fit_parts(lead: dict[str, Any], rules: ScoreRules) -> tuple[tuple[str, float], ...]:
    """Fit to the ideal customer profile: industry, size, seniority, country."""
    w = rules.weights
    parts: list[tuple[str, float]] = []
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
    return tuple(parts)


def interest_parts(lead: dict[str, Any], rules: ScoreRules) -> tuple[tuple[str, float], ...]:
    """Interest: where the lead came from and whether they talk to us."""
    w = rules.weights
    parts: list[tuple[str, float]] = []
    source = (lead.get("source") or "").strip()
    src_pts = rules.sources.get(source.casefold(), 0.0)
    if src_pts:
        parts.append(_chip(source, src_pts * w["interest"]))
    connects = lead.get("connects") or 0
    if connects:
        pts = min(rules.connect_max, connects * rules.connect_points)
        parts.append(_chip(f"Reached {connects}×", pts * w["interest"]))
    return tuple(parts)


def activity_parts(lead: dict[str, Any], rules: ScoreRules, now: datetime) -> tuple[tuple[str, float], ...]:
    """Recency and activity."""
    w = rules.weights
    parts: list[tuple[str, float]] = []
    # Recent means the prospect is fresh: new to the list, or reached lately. Our own
    # unanswered dials and e-mails touch the lead but say nothing about its interest.
    touched = from_db(lead.get("last_touch_at")) if lead.get("connects") else None
    last = touched or from_db(lead.get("created_at"))
    if last is not None:
        days = (now - last).total_seconds() / 86400
        if days <= rules.recent_days:
            parts.append(_chip("Recent", rules.recent_points * w["activity"]))
        elif days <= rules.stale_days:
            parts.append(_chip("This month", rules.stale_points * w["activity"]))
    attempts = lead.get("attempts") or 0
    connects = lead.get("connects") or 0
    if rules.unanswered_attempts and attempts >= rules.unanswered_attempts and not connects:
        parts.append(_chip(f"{attempts} tries, no answer", -rules.unanswered_penalty * w["activity"]))
    return tuple(parts)


def combine(parts: tuple[tuple[str, float], ...]) -> Score:
    total = sum(p for _, p in parts)
    value = max(0, min(100, round(total)))
    chips = tuple(text for text, pts in sorted(parts, key=lambda p: -abs(p[1])) if round(pts) != 0)
    return Score(value, chips)

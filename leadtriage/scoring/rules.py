"""Ideal customer profile rules and score weights.

The `icp` setting (a JSON object) overrides any of the defaults below key by key;
an empty setting uses them as they are. Unknown keys are ignored and bad values
fall back to the default with the problem listed, so a hand-edited setting can
never stop leads from being scored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

DEFAULT_ICP: dict[str, Any] = {
    # Fit to the ideal customer profile
    "industries": ["Logistics", "Manufacturing", "Retail", "Healthcare"],
    "industry_points": 15,
    "employees_min": 100,
    "employees_max": 2500,
    "size_points": 15,
    # Title words by seniority level (3 = executive); the highest match wins. English,
    # German, French and Spanish; accents and ä/ae spellings match alike. A word that
    # starts with * matches the end of a word, for compounds ("*leiter": Vertriebsleiter),
    # after whole words: "Teamleiter" is a manager although it ends in "leiter".
    "seniority": {
        "3": ["chief", "ceo", "coo", "cfo", "cto", "cio", "vp", "vice president", "president",
              "managing director", "owner", "founder", "partner", "general manager",
              "geschäftsführer", "geschäftsführerin", "geschäftsführender", "geschäftsführende",
              "geschäftsleitung", "vorstand", "vorständin", "vorstandsvorsitzender", "vorstandsvorsitzende",
              "inhaber", "inhaberin", "gründer", "gründerin", "gesellschafter", "gesellschafterin",
              "directeur général", "directrice générale", "pdg", "dg", "président", "présidente",
              "fondateur", "fondatrice", "gérant", "gérante", "associé", "associée",
              "director general", "directora general", "consejero delegado", "consejera delegada",
              "presidente", "presidenta", "fundador", "fundadora", "propietario", "propietaria",
              "socio", "socia", "gerente general"],
        "2": ["head", "director", "leiter", "leiterin", "direktor", "direktorin", "prokurist", "prokuristin",
              "*leiter", "*leiterin", "*direktor", "*direktorin",
              "directeur", "directrice", "directora"],
        "1": ["manager", "lead", "supervisor", "teamleiter", "teamleiterin", "gruppenleiter", "gruppenleiterin",
              "referent", "referentin", "responsable", "chef", "cheffe", "jefe", "jefa", "gerente",
              "encargado", "encargada", "coordinador", "coordinadora", "coordinateur", "coordinatrice"],
    },
    "seniority_points": 20,  # for level 3; levels below get their share
    "countries": ["US", "CA", "GB", "DE", "NL", "FR", "CH", "ES", "SE", "DK", "NO", "FI"],
    "country_points": 10,
    # Interest
    "sources": {"Referral": 15, "Web form": 12, "Webinar": 9, "Trade show": 8, "LinkedIn": 6,
                "Content download": 5, "List vendor": 2},
    "connect_points": 5,
    "connect_max": 10,
    # Recency and activity
    "recent_days": 7,
    "recent_points": 10,
    "stale_days": 30,
    "stale_points": 5,
    "unanswered_attempts": 4,
    "unanswered_penalty": 5,
    # Multipliers per group, for teams that care more about fit than interest
    "weights": {"fit": 1.0, "interest": 1.0, "activity": 1.0},
}


@dataclass(frozen=True)
class ScoreRules:
    industries: frozenset[str]
    industry_points: float
    employees_min: int
    employees_max: int
    size_points: float
    seniority: tuple[tuple[int, tuple[str, ...]], ...]  # highest level first
    seniority_points: float
    countries: frozenset[str]
    country_points: float
    sources: dict[str, float]
    connect_points: float
    connect_max: float
    recent_days: float
    recent_points: float
    stale_days: float
    stale_points: float
    unanswered_attempts: int
    unanswered_penalty: float
    weights: dict[str, float]
    problems: tuple[str, ...] = field(default=())
    # Word endings per level ("*leiter" in the setting), tried after whole words.
    seniority_suffixes: tuple[tuple[int, tuple[str, ...]], ...] = field(default=())


def fold_title(text: str) -> str:
    """Lower case, accents off, words separated by single spaces and padded with one:
    'Geschäftsführer' -> ' geschaftsfuhrer '. Titles and title words both go through it."""
    text = text.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " " + re.sub(r"[^a-z0-9]+", " ", text).strip() + " "


def title_spellings(text: str) -> tuple[str, ...]:
    """The folded title, and its ae/oe/ue spelling read as ä/ö/ü (GESCHAEFTSFUEHRER)."""
    folded = fold_title(text)
    plain = folded.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return (folded,) if plain == folded else (folded, plain)


def _num(value: Any, default: float, name: str, problems: list[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        problems.append(f"{name}: expected a number of 0 or more")
        return default
    return float(value)


def rules_from_setting(icp: dict[str, Any] | None) -> ScoreRules:
    """Defaults overridden by whatever the `icp` setting holds."""
    merged = {**DEFAULT_ICP, **(icp or {})}
    problems: list[str] = []
    d = DEFAULT_ICP

    def num(key: str) -> float:
        return _num(merged.get(key), d[key], key, problems)

    def str_list(key: str) -> list[str]:
        value = merged.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{key}: expected a list of words")
            return list(d[key])
        return [v.strip() for v in value if v.strip()]

    seniority_raw = merged.get("seniority")
    if not isinstance(seniority_raw, dict):
        problems.append("seniority: expected levels 1-3 with title words")
        seniority_raw = d["seniority"]
    levels, suffixes = [], []
    for level, words in seniority_raw.items():
        try:
            lvl = int(level)
        except (TypeError, ValueError):
            problems.append(f"seniority: level {level!r} is not a number")
            continue
        if isinstance(words, list) and 1 <= lvl <= 3:
            folded = [fold_title(str(w)).strip() for w in words if fold_title(str(w)).strip()]
            levels.append((lvl, tuple(w for w in folded if not str(w).startswith("*"))))
            endings = [fold_title(str(w)[1:]).strip() for w in words if str(w).strip().startswith("*")]
            suffixes.append((lvl, tuple(e for e in endings if e)))
    levels.sort(reverse=True)
    suffixes.sort(reverse=True)

    sources_raw = merged.get("sources")
    sources: dict[str, float] = {}
    if isinstance(sources_raw, dict):
        for name, pts in sources_raw.items():
            sources[str(name).casefold()] = _num(pts, 0.0, f"sources.{name}", problems)
    else:
        problems.append("sources: expected source names with points")
        sources = {k.casefold(): float(v) for k, v in d["sources"].items()}

    weights_raw = merged.get("weights") if isinstance(merged.get("weights"), dict) else {}
    weights = {g: _num(weights_raw.get(g, 1.0), 1.0, f"weights.{g}", problems)
               for g in ("fit", "interest", "activity")}

    lo, hi = int(num("employees_min")), int(num("employees_max"))
    if lo > hi:
        problems.append("employees_min is above employees_max")
        lo, hi = d["employees_min"], d["employees_max"]
    return ScoreRules(
        industries=frozenset(s.casefold() for s in str_list("industries")),
        industry_points=num("industry_points"),
        employees_min=lo,
        employees_max=hi,
        size_points=num("size_points"),
        seniority=tuple(levels),
        seniority_suffixes=tuple(suffixes),
        seniority_points=num("seniority_points"),
        countries=frozenset(s.upper() for s in str_list("countries")),
        country_points=num("country_points"),
        sources=sources,
        connect_points=num("connect_points"),
        connect_max=num("connect_max"),
        recent_days=num("recent_days"),
        recent_points=num("recent_points"),
        stale_days=num("stale_days"),
        stale_points=num("stale_points"),
        unanswered_attempts=int(num("unanswered_attempts")),
        unanswered_penalty=num("unanswered_penalty"),
        weights=weights,
        problems=tuple(problems),
    )

"""What the learned score may look at: only what is known when a lead arrives.

Standard fields, every custom field a team imports, source, campaign, the arrival
time in the lead's own time zone and the time zone itself. Nothing that exists only
after contact (attempts, connects, notes, discovery, the checklist) is read, so a
worked lead never outranks an untouched one for having been worked.

Each feature turns a lead into one token (a category, a number's bin, "(blank)" or
"(other)"); the model is a weight per token.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadtriage.domain.freemail import FREEMAIL

BLANK = "(blank)"
OTHER = "(other)"

# Lead columns the model reads (never attempts, connects, status, notes ...).
READ_COLUMNS = ("source", "campaign", "industry", "country", "region", "timezone", "title", "employees",
                "email", "flags", "created_at", "custom_fields")

# (key, label shown to a rep, kind): "cat" text categories, "num" numbers in bins.
STANDARD: tuple[tuple[str, str, str], ...] = (
    ("source", "Source", "cat"),
    ("campaign", "Campaign", "cat"),
    ("industry", "Industry", "cat"),
    ("country", "Country", "cat"),
    ("region", "Region", "cat"),
    ("timezone", "Time zone", "cat"),
    ("title", "Title", "cat"),
    ("seniority", "Seniority", "cat"),
    ("employees", "Employees", "num"),
    ("email_kind", "E-mail", "cat"),
    ("arrival_day", "Arrived on", "cat"),
    ("arrival_hour", "Arrived", "cat"),
)

_SENIORITY = (
    ("Executive", ("chief", "ceo", "coo", "cfo", "cto", "cio", "vp", "vice president", "president", "owner",
                   "founder", "partner", "managing director", "general manager", "geschaftsfuhrer",
                   "geschaftsfuhrerin", "inhaber", "vorstand", "directeur general", "pdg", "gerant",
                   "director general", "director ejecutivo", "consejero delegado", "propietario")),
    ("Director", ("head", "director", "leiter", "leiterin", "directeur", "directrice", "responsable", "jefe",
                  "bereichsleiter")),
    ("Manager", ("manager", "lead", "supervisor", "teamleiter", "gerente", "chef", "coordinador")),
)
_WORD = re.compile(r"[^a-z0-9]+")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@lru_cache(maxsize=20_000)
def seniority(title: str | None) -> str | None:
    if not title:
        return None
    import unicodedata

    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("ß", "ss")
    words = " " + _WORD.sub(" ", text) + " "
    for level, keys in _SENIORITY:
        if any(f" {k} " in words for k in keys):
            return level
    return "Staff"


@lru_cache(maxsize=2_000)
def _zone(name: str | None):
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _hour_band(hour: int) -> str:
    if 8 <= hour < 12:
        return "in the morning"
    if 12 <= hour < 18:
        return "in the afternoon"
    if 18 <= hour < 23:
        return "in the evening"
    return "at night"


def email_kind(email: str | None, flags: str | None) -> str | None:
    if not email:
        return None
    if flags and "role_email" in flags:
        return "role address"
    domain = email.rsplit("@", 1)[-1].lower()
    return "free mail" if domain in FREEMAIL else "company address"


def lead_values(lead: dict[str, Any]) -> dict[str, Any]:
    """Feature key -> raw value (text, number or None) for one lead row. Custom
    fields appear as 'custom:<column name>'."""
    values: dict[str, Any] = {k: lead.get(k) for k in ("source", "campaign", "industry", "country", "region",
                                                      "timezone", "title", "employees")}
    values["seniority"] = seniority(lead.get("title"))
    values["email_kind"] = email_kind(lead.get("email"), lead.get("flags"))
    values["arrival_day"], values["arrival_hour"] = arrival(lead.get("created_at"), lead.get("timezone"))
    values.update(custom_values(lead.get("custom_fields")))
    return values


@lru_cache(maxsize=50_000)
def _arrival(hour_text: str, tz: str | None) -> tuple[str | None, str | None]:
    try:
        moment = datetime.strptime(hour_text, "%Y-%m-%d %H").replace(tzinfo=UTC)
    except ValueError:
        return None, None
    local = moment.astimezone(_zone(tz))
    return _DAYS[local.weekday()], _hour_band(local.hour)


def arrival(created: Any, tz: str | None) -> tuple[str | None, str | None]:
    """(weekday, part of the day) the lead arrived, in its own time zone. Whole-hour
    zones only matter here, so the answer is cached per UTC hour and zone."""
    if not created:
        return None, None
    return _arrival(str(created)[:13], tz)


def custom_values(custom: Any) -> dict[str, Any]:
    if not custom:
        return {}
    try:
        data = json.loads(custom) if isinstance(custom, str) else custom
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {f"custom:{k}": v for k, v in data.items() if isinstance(v, str | int | float) and not isinstance(v, bool)}


@lru_cache(maxsize=200_000)
def as_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        # '1,250' (thousands) or '3,5' (decimal comma)
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
            return float(text.replace(",", ""))
        if re.fullmatch(r"-?\d+,\d+", text):
            return float(text.replace(",", "."))
        return None


@lru_cache(maxsize=200_000)
def category_key(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text.casefold() if text else None


@dataclass(frozen=True)
class FeatureInfo:
    key: str
    label: str
    kind: str


def feature_label(key: str) -> str:
    for k, label, _ in STANDARD:
        if k == key:
            return label
    return key.removeprefix("custom:")

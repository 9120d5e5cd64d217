"""Field reps: the people qualified leads are handed to."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from leadtriage.errors import UserError
from leadtriage.store.db import Store


@dataclass(frozen=True)
class FieldRep:
    id: int
    name: str
    email: str
    territory: str
    active: bool


class FieldRepService:
    def __init__(self, store: Store):
        self.store = store

    def list(self, include_inactive: bool = True) -> list[FieldRep]:
        sql = "SELECT id, name, coalesce(email,''), coalesce(territory,''), active FROM field_reps"
        if not include_inactive:
            sql += " WHERE active = 1"
        rows = self.store.conn.execute(sql + " ORDER BY name COLLATE NOCASE").fetchall()
        return [FieldRep(i, n, e, t, bool(a)) for i, n, e, t, a in rows]

    def get(self, rep_id: int) -> FieldRep | None:
        return next((r for r in self.list() if r.id == rep_id), None)

    def save(self, name: str, email: str = "", territory: str = "", active: bool = True,
             rep_id: int | None = None) -> int:
        """Add a rep (rep_id None) or change one. Names are unique."""
        name, email, territory = name.strip(), email.strip(), territory.strip()
        if not name:
            raise UserError("A field rep needs a name.")
        if email:
            from email_validator import EmailNotValidError, validate_email

            try:
                email = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError as exc:
                raise UserError(f"E-mail of {name}: {exc}") from None
        row = {"name": name, "email": email or None, "territory": territory or None, "active": int(active)}
        try:
            with self.store.transaction() as db:
                if rep_id is None:
                    return db["field_reps"].insert(row).last_pk
                db["field_reps"].update(rep_id, row)
                return rep_id
        except sqlite3.IntegrityError:
            raise UserError(f"There is already a field rep called {name}.") from None


# Territory names reps use for groups of countries (lower-case).
_GROUPS: dict[str, tuple[str, ...]] = {
    "dach": ("DE", "AT", "CH"),
    "nordics": ("SE", "NO", "DK", "FI", "IS"),
    "nordic": ("SE", "NO", "DK", "FI", "IS"),
    "scandinavia": ("SE", "NO", "DK"),
    "benelux": ("BE", "NL", "LU"),
    "iberia": ("ES", "PT"),
    "uk": ("GB",),
    "uki": ("GB", "IE"),
    "latam": ("MX", "BR", "AR", "CL", "CO", "PE"),
    "anz": ("AU", "NZ"),
}
# Parts of North America by the lead's time zone, for territories such as "US East".
_ZONE_PARTS: dict[str, str] = {
    "America/New_York": "east", "America/Detroit": "east", "America/Toronto": "east",
    "America/Indiana/Indianapolis": "east", "America/Kentucky/Louisville": "east", "America/Halifax": "east",
    "America/Chicago": "central", "America/Winnipeg": "central", "America/Denver": "west",
    "America/Phoenix": "west", "America/Boise": "west", "America/Edmonton": "west",
    "America/Los_Angeles": "west", "America/Vancouver": "west", "America/Anchorage": "west",
    "Pacific/Honolulu": "west",
}
_DIRECTIONS = {"east", "west", "central", "north", "south", "mountain", "pacific"}


def _territory_parts(territory: str) -> list[tuple[set[str], set[str]]]:
    """'US Central & West' -> [({'US'}, {'central'}), ({'US'}, {'west'})]: the countries
    and the directions each part names (a part with no country takes the one before)."""
    from leadtriage.importing.countries import country_code

    parts: list[tuple[set[str], set[str]]] = []
    for raw in re.split(r"\s*(?:&|,|/|\+|;|\band\b|\bund\b|\bet\b|\by\b)\s*", territory, flags=re.IGNORECASE):
        words = raw.strip()
        if not words:
            continue
        countries: set[str] = set()
        directions: set[str] = set()
        if words.lower() in _GROUPS:
            countries.update(_GROUPS[words.lower()])
        elif (code := country_code(words)) is not None:
            countries.add(code)
        else:
            for word in words.split():
                w = word.lower().strip(".")
                if w in _DIRECTIONS:
                    directions.add(w)
                elif w in _GROUPS:
                    countries.update(_GROUPS[w])
                elif (code := country_code(word)) is not None:
                    countries.add(code)
        if not countries and parts:
            countries = set(parts[-1][0])
        parts.append((countries, directions))
    return parts


def suggest_field_rep(reps: list[FieldRep], lead: dict) -> int | None:
    """The active rep a qualified lead most likely goes to: the one it was handed to
    before, else the one whose territory covers the lead's country (and, for territories
    split by direction such as "US East", its part of the country by time zone, or a
    territory that names the lead's region). None when no territory covers it."""
    active = [r for r in reps if r.active]
    if lead.get("field_rep_id") in {r.id for r in active}:
        return lead["field_rep_id"]
    country = str(lead.get("country") or "").upper()
    if not country:
        return None
    zone_part = _ZONE_PARTS.get(str(lead.get("timezone") or ""))
    region = str(lead.get("region") or "").strip().casefold()
    best, best_score = None, 0
    for rep in active:
        score = 0
        for countries, directions in _territory_parts(rep.territory):
            if country not in countries:
                continue
            part_score = 2
            if directions:
                part_score = 3 if zone_part in directions else 1
            if region and region in rep.territory.casefold():
                part_score += 1
            score = max(score, part_score)
        if score > best_score:
            best, best_score = rep.id, score
    return best

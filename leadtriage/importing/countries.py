"""Country names and codes to ISO 3166 alpha-2.

Names come from pycountry: every country's ISO name, official and common name,
alpha-2 and alpha-3 code, in English and in the languages lead lists from European
booths and vendors arrive in. On top sit the colloquial spellings no standard
lists ("USA", "U.K.", "England", "Holland", "BRD", "Russland" ...). Any two-letter
code that phonenumbers knows as a region is accepted as-is.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import lru_cache

# The languages whose country names are read, besides English.
LANGUAGES = ("de", "fr", "es", "nl", "it", "pt", "sv", "da", "nb_NO", "fi", "pl", "cs")

# Spellings found in real lists that no ISO name gives (lower-case, accents stripped).
_COLLOQUIAL: dict[str, tuple[str, ...]] = {
    "US": ("usa", "u s a", "u s", "america", "eeuu", "ee uu"),
    "GB": ("uk", "u k", "great britain", "britain", "england", "scotland", "wales", "northern ireland",
           "grossbritannien", "angleterre", "inglaterra"),
    "IE": ("eire",),
    "DE": ("ger", "brd", "federal republic of germany"),
    "AT": ("oesterreich",),
    "CH": ("confoederatio helvetica",),
    "NL": ("the netherlands", "holland"),
    "TR": ("turkey",),
    "RU": ("russia", "russland", "russie", "rusia"),
    "AE": ("uae",),
    "CN": ("prc",),
    "KR": ("korea", "south korea", "republic of korea"),
    "CZ": ("czech republic",),
    "VN": ("vietnam",),
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("ß", "ss")
    return re.sub(r"[^a-z]+", " ", text).strip()


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    """Built on first use (about 0.1 s), not at start-up: only imports need it."""
    import pycountry

    lookup: dict[str, str] = {}
    for code, names in _COLLOQUIAL.items():
        for name in names:
            lookup[_key(name)] = code
    countries = list(pycountry.countries)

    def names_of(country) -> list[str]:
        return [n for n in (country.name, getattr(country, "official_name", None),
                            getattr(country, "common_name", None)) if n]

    for country in countries:
        for name in (country.alpha_3, *names_of(country)):
            lookup.setdefault(_key(name), country.alpha_2)
    for language in LANGUAGES:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)
        for country in countries:
            for name in names_of(country):
                lookup.setdefault(_key(translation.gettext(name)), country.alpha_2)
    lookup.pop("", None)
    return lookup


@lru_cache(maxsize=1)
def _regions() -> frozenset[str]:
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


@lru_cache(maxsize=4096)  # a list spells its countries a handful of ways
def country_code(text: str | None) -> str | None:
    """'Deutschland' -> 'DE', 'Nederland' -> 'NL', 'U.S.A.' -> 'US', 'fr' -> 'FR';
    None when unknown."""
    if not text:
        return None
    raw = text.strip()
    if len(raw) == 2 and raw.isalpha():
        code = raw.upper()
        if code == "UK":
            return "GB"
        if code in _regions():
            return code
    return _lookup().get(_key(raw))

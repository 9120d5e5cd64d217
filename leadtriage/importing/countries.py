"""Country names and codes to ISO 3166 alpha-2, in English, German, French and
Spanish, plus ISO alpha-3 codes and common short forms. Any two-letter code that
phonenumbers knows as a region is accepted as-is."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# ISO2: names (lower-case, accents stripped at lookup time) in EN / DE / FR / ES and common variants.
_NAMES: dict[str, tuple[str, ...]] = {
    "US": ("united states", "united states of america", "usa", "u s a", "u s", "america", "vereinigte staaten",
           "etats unis", "estados unidos", "eeuu", "ee uu"),
    "CA": ("canada", "kanada", "can"),
    "MX": ("mexico", "mexiko", "mexique", "mex"),
    "BR": ("brazil", "brasil", "brasilien", "bresil", "bra"),
    "AR": ("argentina", "argentinien", "argentine", "arg"),
    "CL": ("chile", "chili", "chl"),
    "CO": ("colombia", "kolumbien", "colombie", "col"),
    "PE": ("peru", "perou", "per"),
    "GB": ("united kingdom", "uk", "u k", "great britain", "britain", "england", "scotland", "wales",
           "northern ireland", "grossbritannien", "vereinigtes konigreich", "royaume uni", "angleterre",
           "reino unido", "inglaterra", "gbr"),
    "IE": ("ireland", "irland", "irlande", "irlanda", "irl", "eire"),
    "DE": ("germany", "deutschland", "allemagne", "alemania", "deu", "ger", "brd", "federal republic of germany"),
    "AT": ("austria", "osterreich", "oesterreich", "autriche", "aut"),
    "CH": ("switzerland", "schweiz", "suisse", "suiza", "svizzera", "che", "confoederatio helvetica"),
    "LI": ("liechtenstein", "lie"),
    "LU": ("luxembourg", "luxemburg", "luxemburgo", "lux"),
    "FR": ("france", "frankreich", "francia", "fra"),
    "BE": ("belgium", "belgien", "belgique", "belgica", "bel"),
    "NL": ("netherlands", "the netherlands", "holland", "niederlande", "pays bas", "paises bajos", "nld"),
    "ES": ("spain", "spanien", "espagne", "espana", "esp"),
    "PT": ("portugal", "prt"),
    "IT": ("italy", "italien", "italie", "italia", "ita"),
    "DK": ("denmark", "danemark", "dinamarca", "dnk"),
    "SE": ("sweden", "schweden", "suede", "suecia", "swe"),
    "NO": ("norway", "norwegen", "norvege", "noruega", "nor"),
    "FI": ("finland", "finnland", "finlande", "finlandia", "fin"),
    "IS": ("iceland", "island", "islande", "islandia", "isl"),
    "PL": ("poland", "polen", "pologne", "polonia", "pol"),
    "CZ": ("czech republic", "czechia", "tschechien", "tschechische republik", "republique tcheque",
           "tchequie", "republica checa", "chequia", "cze"),
    "SK": ("slovakia", "slowakei", "slovaquie", "eslovaquia", "svk"),
    "HU": ("hungary", "ungarn", "hongrie", "hungria", "hun"),
    "SI": ("slovenia", "slowenien", "slovenie", "eslovenia", "svn"),
    "HR": ("croatia", "kroatien", "croatie", "croacia", "hrv"),
    "RO": ("romania", "rumanien", "roumanie", "rumania", "rou"),
    "BG": ("bulgaria", "bulgarien", "bulgarie", "bgr"),
    "GR": ("greece", "griechenland", "grece", "grecia", "grc"),
    "TR": ("turkey", "turkiye", "turkei", "turquie", "turquia", "tur"),
    "CY": ("cyprus", "zypern", "chypre", "chipre", "cyp"),
    "MT": ("malta", "malte", "mlt"),
    "EE": ("estonia", "estland", "estonie", "est"),
    "LV": ("latvia", "lettland", "lettonie", "letonia", "lva"),
    "LT": ("lithuania", "litauen", "lituanie", "lituania", "ltu"),
    "UA": ("ukraine", "ucrania", "ukr"),
    "RU": ("russia", "russian federation", "russland", "russie", "rusia", "rus"),
    "IL": ("israel", "isr"),
    "AE": ("united arab emirates", "uae", "vereinigte arabische emirate", "emirats arabes unis",
           "emiratos arabes unidos", "are"),
    "SA": ("saudi arabia", "saudi arabien", "arabie saoudite", "arabia saudita", "sau"),
    "ZA": ("south africa", "sudafrika", "afrique du sud", "sudafrica", "zaf"),
    "EG": ("egypt", "agypten", "egypte", "egipto", "egy"),
    "NG": ("nigeria", "nga"),
    "KE": ("kenya", "kenia", "ken"),
    "MA": ("morocco", "marokko", "maroc", "marruecos", "mar"),
    "IN": ("india", "indien", "inde", "ind"),
    "CN": ("china", "volksrepublik china", "chine", "chn", "prc"),
    "HK": ("hong kong", "hongkong", "hkg"),
    "TW": ("taiwan", "twn"),
    "JP": ("japan", "japon", "jpn"),
    "KR": ("south korea", "korea", "republic of korea", "sudkorea", "coree du sud", "corea del sur", "kor"),
    "SG": ("singapore", "singapur", "singapour", "sgp"),
    "MY": ("malaysia", "malaisie", "malasia", "mys"),
    "TH": ("thailand", "thailande", "tailandia", "tha"),
    "VN": ("vietnam", "viet nam", "vnm"),
    "PH": ("philippines", "philippinen", "filipinas", "phl"),
    "ID": ("indonesia", "indonesien", "indonesie", "idn"),
    "AU": ("australia", "australien", "australie", "aus"),
    "NZ": ("new zealand", "neuseeland", "nouvelle zelande", "nueva zelanda", "nzl"),
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("ß", "ss")
    return re.sub(r"[^a-z]+", " ", text).strip()


_LOOKUP: dict[str, str] = {}
for _code, _names in _NAMES.items():
    for _n in _names:
        _LOOKUP[_key(_n)] = _code


def _regions() -> frozenset[str]:
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


_REGIONS: frozenset[str] | None = None


@lru_cache(maxsize=4096)
@lru_cache(maxsize=4096)  # a list spells its countries a handful of ways
def country_code(text: str | None) -> str | None:
    """'Deutschland' -> 'DE', 'U.S.A.' -> 'US', 'fr' -> 'FR'; None when unknown."""
    global _REGIONS
    if not text:
        return None
    raw = text.strip()
    if len(raw) == 2 and raw.isalpha():
        if _REGIONS is None:
            _REGIONS = _regions()
        code = raw.upper()
        if code == "UK":
            return "GB"
        if code in _REGIONS:
            return code
    return _LOOKUP.get(_key(raw))

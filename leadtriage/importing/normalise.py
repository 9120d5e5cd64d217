"""Cleaning imported values: e-mail, phone, website, LinkedIn, country, names and
the company matching key.

Each normaliser caches its answers per distinct input (lists repeat switchboard
numbers, company names and country spellings), and the e-mail check takes a fast
path for plain addresses that a test proves email-validator would accept
unchanged; anything unusual goes through email-validator itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from leadtriage.domain.freemail import FREEMAIL
from leadtriage.importing.countries import country_code

_CACHE = 100_000  # per normaliser; lists repeat companies and domains far more than people

# -- e-mail ---------------------------------------------------------------------------------

ROLE_LOCALS = frozenset(
    """info sales contact contacts office admin administrator support hello hi team marketing mail
    service services noreply no-reply donotreply do-not-reply billing accounts accounting invoice
    invoices hr jobs careers career recruiting press media webmaster postmaster hostmaster
    enquiries enquiry inquiries inquiry help helpdesk reception frontdesk bookings booking orders
    order shop store newsletter news kontakt vertrieb verkauf buero büro empfang zentrale anfrage
    bestellung rechnung bewerbung ventas contacto informacion soporte oficina administracion
    commercial commerciale accueil secretariat direction bonjour""".split()
)
_SPECIAL_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test", "internal",
                           "home", "lan", "corp", "example", "intranet", "private"})
_FAST_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


@dataclass(frozen=True, slots=True)
class EmailResult:
    value: str | None  # normalised address, None when it is not one
    role: bool = False


@lru_cache(maxsize=20_000)  # people rarely repeat; a big cache would only hold memory
def normalise_email(raw: str) -> EmailResult:
    text = raw.strip().strip("<>").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().lower()
    if not text:
        return EmailResult(None)
    if fast_email_ok(text):
        address = text
    else:
        from email_validator import EmailNotValidError, validate_email

        try:
            info = validate_email(text, check_deliverability=False)
        except EmailNotValidError:
            return EmailResult(None)
        address = info.normalized.lower()
    local = address.rsplit("@", 1)[0]
    return EmailResult(address, local in ROLE_LOCALS or local.split("+")[0] in ROLE_LOCALS)


def fast_email_ok(text: str) -> bool:
    """True for the plain ASCII shape nearly every list holds; email-validator would
    accept such an address unchanged (tests/test_import_normalise.py checks that)."""
    if len(text) > 254 or not _FAST_EMAIL.fullmatch(text):
        return False
    local, domain = text.rsplit("@", 1)
    # '--' in a domain label is IDNA territory ('xn--' Punycode; 'ab--' is reserved and
    # refused): rare, so email-validator itself decides.
    return len(local) <= 64 and "--" not in domain and domain.rsplit(".", 1)[1] not in _SPECIAL_TLDS


# -- phone ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhoneResult:
    e164: str | None  # None when the number is not valid
    ext: str | None
    valid: bool
    region: str | None  # the region the number belongs to


_DIGITS = re.compile(r"\d")
# Extension words phonenumbers does not know (it reads ext, x, #, ...).
_EXT_WORDS = re.compile(r"\s*(?:durchwahl|dw\.?|apparat|app\.|nebenstelle|poste|anexo|interno|extension)"
                        r"\s*:?\s*(\d{1,7})\s*$", re.I)


# Spaces, dashes, dots, slashes and brackets between digits: phonenumbers reads a
# number from its digits alone, so stripping these first gives the same answer on a
# shorter string (tests/test_import_phones.py holds the two readings equal).
_LAYOUT_ONLY = re.compile(r"\+?[\d\s().\-/]+")
_LAYOUT = re.compile(r"[\s().\-/]")


@lru_cache(maxsize=20_000)  # switchboard numbers repeat; direct lines do not
def normalise_phone(raw: str, region: str) -> PhoneResult:
    """E.164 with the extension apart; numbers without +country code are read in
    `region` (the row's country, else the default region setting)."""
    import phonenumbers

    text = _EXT_WORDS.sub(r" ext. \1", raw.strip())
    if text.startswith("00") and not text.startswith("000"):
        text = "+" + text[2:]
    if _LAYOUT_ONLY.fullmatch(text):
        text = _LAYOUT.sub("", text)
    try:
        number = phonenumbers.parse(text, region or None)
    except phonenumbers.NumberParseException:
        return PhoneResult(None, None, False, None)
    ext = number.extension or None
    # is_valid_number() would look the region up itself; looking it up once here
    # and asking for that region gives the same verdict for less work.
    belongs_to = phonenumbers.region_code_for_number(number)
    if not phonenumbers.is_valid_number_for_region(number, belongs_to):
        return PhoneResult(None, ext, False, None)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneResult(e164, ext, True, belongs_to)


def has_digits(text: str, at_least: int = 5) -> bool:
    return len(_DIGITS.findall(text)) >= at_least


# -- timezone -------------------------------------------------------------------------------

# Countries spanning several zones: only the phone prefix can tell.
_MULTI_ZONE = frozenset({"US", "CA", "MX", "BR", "RU", "AU", "ID", "KZ", "CL", "EC", "CD", "MN", "FM",
                         "KI", "PF", "UM", "AR", "GL", "AQ", "PG", "NZ"})


@lru_cache(maxsize=512)
def _country_timezone(code: str) -> str | None:
    """The zone of a country that has exactly one (DE, FR, GB ...); None for US, CA, AU ..."""
    import phonenumbers
    from phonenumbers import timezone as pntz

    if code in _MULTI_ZONE:
        return None
    example = phonenumbers.example_number_for_type(code, phonenumbers.PhoneNumberType.FIXED_LINE)
    if example is None:
        return None
    zones = [z for z in pntz.time_zones_for_number(example) if z != "Etc/Unknown"]
    return zones[0] if len(zones) == 1 else None


def _phone_timezone(e164: str) -> str | None:
    from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

    digits = e164.lstrip("+")
    for length in range(min(TIMEZONE_LONGEST_PREFIX, len(digits)), 0, -1):
        zones = TIMEZONE_DATA.get(digits[:length])
        if zones is not None:
            zones = [z for z in zones if z != "Etc/Unknown"]
            return zones[0] if len(zones) == 1 else None
    return None


def timezone_for(e164: str | None, country: str | None) -> str | None:
    """The country's zone when it has only one; else from the phone number's prefix
    (US area codes, Canadian provinces ...) when that pins one zone."""
    if country and country not in _MULTI_ZONE:
        zone = _country_timezone(country)
        if zone:
            return zone
    if e164:
        zone = _phone_timezone(e164)
        if zone:
            return zone
    return None


# -- web ------------------------------------------------------------------------------------

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_URL_END = re.compile(r"[/?#\s]")
_WWW = re.compile(r"www\d?\.")
_HOST = re.compile(r"[\w.-]+")


@lru_cache(maxsize=50_000)
def domain_of(url: str) -> str | None:
    """'https://WWW.Acme.de/kontakt?x=1' -> 'acme.de'."""
    text = url.strip().lower()
    if not text:
        return None
    if "@" in text and "/" not in text:
        text = text.rsplit("@", 1)[1]
    text = _SCHEME.sub("", text)
    text = _URL_END.split(text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    if _WWW.match(text):
        text = text.split(".", 1)[1]
    if "." not in text or not _HOST.fullmatch(text):
        return None
    return text


def email_domain(address: str | None) -> str | None:
    if not address:
        return None
    domain = address.rsplit("@", 1)[1]
    return None if domain in FREEMAIL else domain


_LINKEDIN = re.compile(r"(?:^|//|\.)linkedin\.com/(in|pub|company|sales/people|sales/lead)/([^/?#\s]+)", re.I)


def normalise_linkedin(raw: str) -> str | None:
    """Canonical profile URL ('https://www.linkedin.com/in/jane-doe'), so the same
    person from Sales Navigator and a CSV export matches."""
    match = _LINKEDIN.search(raw.strip())
    if not match:
        return None
    kind, slug = match.group(1).lower(), match.group(2).strip().lower()
    if not slug:
        return None
    return f"https://www.linkedin.com/{kind}/{slug}"


# -- names and companies --------------------------------------------------------------------

_PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le",
                        "dos", "das", "do", "zu", "ten", "ter", "y", "bin", "al", "el"})
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame",
                         "herr", "frau", "hr", "fr", "m", "mme", "mlle", "sr", "sra", "srta", "don", "dona",
                         "ing", "dipl", "mag"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "esq", "cpa", "msc", "bsc"})


_WORD_START = re.compile(r"(^|[-'’])(\w)")
_MC = re.compile(r"\b(Mc)(\w)")


def fix_case(text: str | None) -> str | None:
    """'JÜRGEN MÜLLER-LÜDENSCHEIDT' / 'jürgen' -> proper capitals; mixed case
    ('McDonald', 'de Vries') is left as the person wrote it."""
    if not text or not (text.isupper() or text.islower()):
        return text
    text = " ".join(text.split())
    words = []
    for i, word in enumerate(text.lower().split(" ")):
        if i > 0 and word in _PARTICLES:
            words.append(word)
            continue
        words.append(_WORD_START.sub(lambda m: m.group(1) + m.group(2).upper(), word))
    return _MC.sub(lambda m: m.group(1) + m.group(2).upper(), " ".join(words))


def split_full_name(text: str) -> tuple[str | None, str | None]:
    """'Dr. Jane Q. Doe' -> ('Jane Q.', 'Doe'); 'Doe, Jane' -> ('Jane', 'Doe');
    'Ludwig van Beethoven' -> ('Ludwig', 'van Beethoven')."""
    text = " ".join(text.replace("\u00a0", " ").split())
    if not text:
        return None, None
    if text.count(",") == 1:
        last, first = (p.strip() for p in text.split(","))
        if first and last and first.lower().strip(".") not in _SUFFIXES:
            return first, last
        text = text.replace(",", " ")
    tokens = [t for t in text.split(" ") if t]
    while len(tokens) > 1 and tokens[0].lower().strip(".") in _HONORIFICS:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1].lower().strip(".,") in _SUFFIXES:
        tokens.pop()
    if len(tokens) == 1:
        return tokens[0], None
    cut = len(tokens) - 1
    while cut > 1 and tokens[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return " ".join(tokens[:cut]), " ".join(tokens[cut:])


_LEGAL = frozenset(
    """inc incorporated corp corporation co company llc l l c ltd limited plc llp lp gmbh mbh ag kg ohg ug gbr
    kgaa se ev e v sa s a sas sarl srl spa s p a bv b v nv n v oy ab as a s aps pty pte sl s l sau slu
    cv sc scs kft zrt sro s r o doo ooo pvt holding holdings group gruppe""".split()
)


_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=_CACHE)
def company_key(name: str | None) -> str | None:
    """'ACME Deutschland GmbH & Co. KG' -> 'acme deutschland': what two spellings of
    the same company share. Used only for matching, never shown."""
    if not name:
        return None
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("ß", "ss")
    text = text.replace("&", " and ")
    words = _NON_WORD.sub(" ", text).split()
    while words and (words[-1] in _LEGAL or words[-1] == "and"):
        words.pop()
    # two-letter abbreviations written with dots: 's a' -> handled above as separate words
    while len(words) >= 2 and " ".join(words[-2:]) in _LEGAL:
        del words[-2:]
    if words and words[0] == "the":
        words = words[1:]
    key = " ".join(words)
    return key or None


@lru_cache(maxsize=4096)
def parse_employees(text: str) -> int | None:
    """'1,200' -> 1200, '51-200' -> 51 (the lower bound of a range), '10k' -> 10000."""
    cleaned = text.strip().lower().replace("\u00a0", "").replace(" ", "")
    match = re.match(r"(\d[\d.,']*)(k)?", cleaned.lstrip("<>~+"))
    if not match:
        return None
    digits = re.sub(r"[.,'](?=\d{3}(?:\D|$))", "", match.group(1))
    try:
        value = float(digits.replace(",", "."))
    except ValueError:
        return None
    if match.group(2):
        value *= 1000
    return int(value) if value < 10**9 else None


def region_for_row(country: str | None, default_region: str) -> str:
    return country or default_region or "US"


__all__ = [
    "EmailResult", "PhoneResult", "normalise_email", "normalise_phone", "timezone_for", "domain_of",
    "email_domain", "normalise_linkedin", "fix_case", "split_full_name", "company_key",
    "parse_employees", "country_code", "fast_email_ok", "ROLE_LOCALS", "has_digits",
]

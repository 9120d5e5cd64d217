"""Value normalisers, and the e-mail fast path proven against email-validator."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadtriage.importing import normalise as nz
from leadtriage.importing.countries import country_code
from leadtriage.importing.mapping import auto_map, guess_target, header_signature, load_mapping_file


@pytest.mark.parametrize(
    ("raw", "value", "role"),
    [(" Jane.Doe@Example.COM ", "jane.doe@example.com", False), ("mailto:INFO@acme.de", "info@acme.de", True),
     ("vertrieb@firma.de", "vertrieb@firma.de", True), ("jörg@bäcker.de", "jörg@bäcker.de", False),
     ("no-at-sign", None, False), ("a..b@x.com", None, False), ("x@localhost", None, False)],
)
def test_email(raw, value, role):
    result = nz.normalise_email(raw)
    assert (result.value, result.role) == (value, role)


_local = st.from_regex(r"[a-z0-9._%+-]{1,20}", fullmatch=True)
_domain = st.from_regex(r"[a-z0-9-]{1,12}(\.[a-z0-9-]{1,12}){0,2}\.[a-z]{2,6}", fullmatch=True)


@settings(max_examples=150, deadline=None)
@given(_local, _domain)
@example("0", "00--0.aa")  # a reserved IDNA label: email-validator refuses it, so must the fast path
@example("jane", "xn--mller-kva.de")
def test_email_fast_path_agrees_with_email_validator(local, domain):
    text = f"{local}@{domain}"
    if nz.fast_email_ok(text):
        info = validate_email(text, check_deliverability=False)
        assert info.normalized.lower() == text
    else:
        try:
            validate_email(text, check_deliverability=False)
        except EmailNotValidError:
            pass  # both refuse, or the slow path decides: never a wrong accept


@pytest.mark.parametrize(
    ("raw", "region", "e164", "ext", "valid"),
    [("030 1234567", "DE", "+49301234567", None, True), ("+1 (212) 736-5000 x 33", "DE", "+12127365000", "33", True),
     ("0049 89 123456 Durchwahl 7", "US", "+4989123456", "7", True), ("01 42 68 53 00", "FR", "+33142685300", None, True),
     ("12", "US", None, None, False), ("n/a", "DE", None, None, False)],
)
def test_phone(raw, region, e164, ext, valid):
    result = nz.normalise_phone(raw, region)
    assert (result.e164, result.ext, result.valid) == (e164, ext, valid)


def test_timezone_from_country_or_phone():
    assert nz.timezone_for(None, "DE") == "Europe/Berlin"
    assert nz.timezone_for(None, "US") is None  # four zones: only the number can tell
    assert nz.timezone_for("+13035550123", "US") == "America/Denver"
    assert nz.timezone_for("+12127365000", None) == "America/New_York"


@pytest.mark.parametrize(
    ("raw", "code"),
    [("Deutschland", "DE"), ("germany", "DE"), ("Allemagne", "DE"), ("U.S.A.", "US"), ("Estados Unidos", "US"),
     ("uk", "GB"), ("fr", "FR"), ("Österreich", "AT"), ("Schweiz", "CH"), ("España", "ES"), ("Atlantis", None),
     # Dutch, Italian, Polish, Swedish booth lists; ISO alpha-3; colloquial names no standard gives
     ("Nederland", "NL"), ("Duitsland", "DE"), ("Verenigde Staten", "US"), ("België", "BE"), ("Germania", "DE"),
     ("Polska", "PL"), ("Sverige", "SE"), ("Brasil", "BR"), ("NLD", "NL"), ("Holland", "NL"), ("England", "GB"),
     ("Russland", "RU"), ("Côte d'Ivoire", "CI"), ("Viet Nam", "VN"), ("", None)],
)
def test_country(raw, code):
    assert country_code(raw) == code


def test_web_and_linkedin():
    assert nz.domain_of("https://WWW.Acme.de/kontakt?x=1") == "acme.de"
    assert nz.domain_of("acme.co.uk") == "acme.co.uk"
    assert nz.domain_of("not a site") is None
    assert nz.email_domain("jane@gmail.com") is None and nz.email_domain("jane@acme.de") == "acme.de"
    assert nz.normalise_linkedin("linkedin.com/in/Jane-Doe/?trk=1") == "https://www.linkedin.com/in/jane-doe"
    assert nz.normalise_linkedin("https://de.linkedin.com/in/max") == "https://www.linkedin.com/in/max"
    assert nz.normalise_linkedin("https://example.com/in/max") is None


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [("JÜRGEN MÜLLER-LÜDENSCHEIDT", "Jürgen Müller-Lüdenscheidt"), ("o'brien", "O'Brien"), ("mcdonald", "McDonald"),
     ("ludwig van beethoven", "Ludwig van Beethoven"), ("McAdams", "McAdams"), ("de Vries", "de Vries")],
)
def test_name_case(raw, fixed):
    assert nz.fix_case(raw) == fixed


@pytest.mark.parametrize(
    ("raw", "parts"),
    [("Dr. Jane Q. Doe", ("Jane Q.", "Doe")), ("Doe, Jane", ("Jane", "Doe")), ("Cher", ("Cher", None)),
     ("Ludwig van Beethoven", ("Ludwig", "van Beethoven")), ("John Smith Jr.", ("John", "Smith")),
     ("Frau Anna-Lena Groß", ("Anna-Lena", "Groß"))],
)
def test_full_name_split(raw, parts):
    assert nz.split_full_name(raw) == parts


@pytest.mark.parametrize(
    ("a", "b"),
    [("ACME GmbH", "Acme"), ("Acme Inc.", "ACME, Inc"), ("Weiß & Söhne KG", "Weiss and Sohne"),
     ("The Acme Corporation", "acme corp"), ("Beta S.A.", "Beta SA"), ("Kraft GmbH & Co. KG", "Kraft")],
)
def test_company_key_ignores_legal_suffixes(a, b):
    assert nz.company_key(a) == nz.company_key(b)


def test_employees():
    assert [nz.parse_employees(t) for t in ("1,200", "51-200", "10k", "1.000", "n/a")] == [1200, 51, 10000, 1000, None]


def test_header_synonyms_in_four_languages_and_crm_names():
    assert auto_map(["Vorname", "Nachname", "Firma", "E-Mail", "Telefon", "Land"]) == [
        "first_name", "last_name", "company", "email", "phone", "country"]
    assert auto_map(["Prénom", "Nom", "Société", "Courriel", "Téléphone portable", "Pays"]) == [
        "first_name", "last_name", "company", "email", "phone", "country"]
    assert auto_map(["Nombre", "Apellidos", "Empresa", "Correo electrónico", "Móvil", "Ciudad"]) == [
        "first_name", "last_name", "company", "email", "phone", "city"]
    assert guess_target("Person Linkedin Url") == "linkedin"
    assert guess_target("Account Name") == "company"
    assert guess_target("Contact: Email") == "email"
    assert guess_target("Lieblingsfarbe") == ""
    # With first/last present, a "Name" column is not split into them.
    assert auto_map(["Name", "First Name", "Last Name"]) == ["", "first_name", "last_name"]


def test_header_signature_and_mapping_files():
    assert header_signature(["E-Mail", "Name"]) == header_signature([" e_mail", "NAME "])
    assert header_signature(["Name", "E-Mail"]) != header_signature(["E-Mail", "Name"])
    assert load_mapping_file('{"Kol A": "email"}', ["Kol A", "Name"]).targets == ["email", "full_name"]
    assert load_mapping_file('["email", null]', ["x", "y", "Phone"]).targets == ["email", "ignore", "phone"]
    with pytest.raises(ValueError):
        load_mapping_file('{"x": "shoe size"}', ["x"])

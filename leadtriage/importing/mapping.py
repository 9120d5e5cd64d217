"""Which column holds what: header synonyms (English, German, French, Spanish and
the names CRM / list-vendor exports use), header signatures for saved profiles, and
the `Mapping` a confirmed choice becomes.

A mapping is a list with one target per column position (duplicate headers stay
distinct). Target "" means "keep as a custom field"; "ignore" drops the column.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass

# Lead fields a column can fill, with the label the wizard shows.
TARGETS: dict[str, str] = {
    "full_name": "Full name (split)",
    "first_name": "First name",
    "last_name": "Last name",
    "title": "Job title",
    "company": "Company",
    "email": "E-mail",
    "phone": "Phone",
    "website": "Website",
    "linkedin": "LinkedIn URL",
    "industry": "Industry",
    "employees": "Employees",
    "country": "Country",
    "region": "State / region",
    "city": "City",
    "notes": "Notes",
    "source": "Lead source",
    "campaign": "Campaign",
    "outcome": "Outcome / lead status",
    "created_at": "Created (original date)",
    "outcome_at": "Outcome date",
}
CUSTOM = ""  # keep the column as a custom field
IGNORE = "ignore"

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "name", "full name", "fullname", "contact", "contact name", "contact full name", "lead name",
        "person", "person name", "attendee", "attendee name", "participant", "registrant", "registrant name",
        "nom complet", "nombre completo", "vollstandiger name", "kontakt", "ansprechpartner", "teilnehmer",
        "interlocuteur", "contacto", "nom et prenom", "prenom nom",
    ),
    "first_name": (
        "first name", "firstname", "first", "given name", "forename", "contact first name", "lead first name",
        "vorname", "prenom", "nombre", "nombres", "primer nombre",
    ),
    "last_name": (
        "last name", "lastname", "last", "surname", "family name", "contact last name", "lead last name",
        "nachname", "familienname", "zuname", "nom", "nom de famille", "apellido", "apellidos",
    ),
    "title": (
        "title", "job title", "jobtitle", "position", "role", "job role", "designation", "contact title",
        "current title", "headline", "job function",
        "titel", "berufsbezeichnung", "funktion", "stelle", "poste", "fonction", "intitule du poste",
        "cargo", "puesto", "titulo",
    ),
    "company": (
        "company", "company name", "companyname", "account", "account name", "organization", "organisation",
        "organization name", "employer", "current company", "business name", "firm", "associated company",
        "firma", "firmenname", "unternehmen", "unternehmensname", "organisation name",
        "entreprise", "societe", "nom de l entreprise", "raison sociale",
        "empresa", "compania", "nombre de la empresa", "organizacion",
    ),
    "email": (
        "email", "e mail", "email address", "e mail address", "mail", "work email", "business email",
        "primary email", "contact email", "email 1", "emailaddress", "corporate email",
        "e mail adresse", "emailadresse", "mailadresse", "adresse e mail", "adresse email", "courriel",
        "correo", "correo electronico", "email de contacto",
    ),
    "phone": (
        "phone", "phone number", "telephone", "telephone number", "tel", "direct phone", "direct dial",
        "business phone", "work phone", "office phone", "phone 1", "corporate phone", "company phone",
        "mobile", "mobile phone", "mobile number", "cell", "cell phone", "phonenumber",
        "telefon", "telefonnummer", "tel nr", "rufnummer", "handy", "mobil", "mobilnummer", "durchwahl",
        "telephone portable", "portable", "numero de telephone", "tel portable",
        "telefono", "telefono movil", "movil", "celular", "numero de telefono",
    ),
    "website": (
        "website", "web site", "web", "url", "homepage", "home page", "company website", "company url",
        "domain", "company domain", "website url", "webseite", "internetseite", "site web", "site internet",
        "sitio web", "pagina web",
    ),
    "linkedin": (
        "linkedin", "linkedin url", "linkedin profile", "linkedin profile url", "person linkedin url",
        "linkedin contact profile url", "profile url", "linkedin link", "li profile",
    ),
    "industry": (
        "industry", "sector", "vertical", "primary industry", "branche", "industrie", "wirtschaftszweig",
        "secteur", "secteur d activite", "industria", "sector industrial",
    ),
    "employees": (
        "employees", "number of employees", "no of employees", "employee count", "headcount", "company size",
        "employee size", "employees range", "noofemployees", "mitarbeiter", "mitarbeiterzahl",
        "anzahl mitarbeiter", "beschaftigte", "effectif", "nombre d employes", "taille de l entreprise",
        "empleados", "numero de empleados",
    ),
    "country": (
        "country", "country region", "country code", "mailing country", "company country", "person country",
        "land", "staat", "pays", "pais",
    ),
    "region": (
        "state", "region", "province", "state province", "state region", "county", "mailing state",
        "company state", "bundesland", "kanton", "departement", "provincia", "estado", "comunidad autonoma",
    ),
    "city": (
        "city", "town", "locality", "mailing city", "company city", "person city", "location",
        "stadt", "ort", "wohnort", "ville", "localite", "ciudad", "localidad", "poblacion",
    ),
    "notes": (
        "notes", "note", "comments", "comment", "description", "remarks", "message",
        "notizen", "notiz", "bemerkung", "bemerkungen", "kommentar", "anmerkungen",
        "commentaire", "commentaires", "remarques", "notas", "comentarios", "observaciones",
    ),
    "source": (
        "source", "lead source", "leadsource", "original source", "original source type", "hs analytics source",
        "lead origin", "origin", "channel", "lead channel", "source channel", "utm source", "how did you hear about us",
        "quelle", "herkunft", "leadquelle", "lead quelle", "kanal", "akquisekanal",
        "origine", "source du lead", "source du prospect", "provenance", "canal",
        "fuente", "origen", "fuente del lead", "origen del lead", "canal de captacion",
    ),
    "campaign": (
        "campaign", "campaign name", "utm campaign", "primary campaign", "primary campaign source",
        "kampagne", "kampagnenname", "aktion", "campagne", "nom de la campagne", "campana", "nombre de la campana",
    ),
    "outcome": (
        "outcome", "converted", "is converted", "isconverted", "status", "lead status", "leadstatus",
        "hs lead status", "result", "lead result", "lifecycle stage", "lifecyclestage", "stage", "lead stage",
        "ergebnis", "konvertiert", "abschluss", "statut", "statut du lead", "resultat",
        "converti", "etape", "estado", "estado del lead", "resultado", "convertido", "etapa",
    ),
    "created_at": (
        "created", "created at", "created date", "create date", "createdate", "date created", "created on",
        "lead created date", "creation date", "date added", "added on", "first seen",
        "erstellt", "erstellt am", "erstelldatum", "angelegt am", "anlagedatum",
        "date de creation", "cree le", "date d ajout", "fecha de creacion", "fecha creacion", "fecha de alta",
        "creado", "creado el",
    ),
    "outcome_at": (
        "outcome date", "converted date", "conversion date", "close date", "closed date", "closedate",
        "date closed", "last status change", "abschlussdatum", "konvertiert am", "date de cloture",
        "date de conversion", "fecha de cierre", "fecha de conversion",
    ),
    IGNORE: (
        "record id", "contact id", "lead id", "id", "account id", "owner id", "created by id",
    ),
}


def header_key(text: str) -> str:
    """'E-Mail-Adresse ' -> 'e mail adresse': accents and punctuation gone, so one
    synonym covers 'E-mail', 'e_mail' and 'E-MAIL'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("ß", "ss")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    text = re.sub(r"\s*\(\d+\)$", "", text)
    return text


_LOOKUP: dict[str, str] = {}
for _target, _names in _SYNONYMS.items():
    for _name in _names:
        _LOOKUP.setdefault(header_key(_name), _target)


def guess_target(header: str) -> str:
    """The lead field a header most likely means, or CUSTOM."""
    key = header_key(header)
    if not key:
        return CUSTOM
    if key in _LOOKUP:
        return _LOOKUP[key]
    squeezed = key.replace(" ", "")
    for name, target in _LOOKUP.items():
        if name.replace(" ", "") == squeezed:
            return target
    # "Contact: Email", "Lead - Phone": match on the last words.
    words = key.split()
    for n in (2, 1):
        if len(words) > n and " ".join(words[-n:]) in _LOOKUP:
            target = _LOOKUP[" ".join(words[-n:])]
            if target != IGNORE:
                return target
    return CUSTOM


def auto_map(headers: list[str]) -> list[str]:
    """One target per column. If a name is split into first/last columns, a 'Name'
    column is the company's or a label and stays custom rather than splitting."""
    targets = [guess_target(h) for h in headers]
    if "first_name" in targets or "last_name" in targets:
        targets = [CUSTOM if t == "full_name" else t for t in targets]
    return targets


def header_signature(headers: list[str]) -> str:
    """Same headers (ignoring case, spacing and accents) in the same order -> same
    signature; used to find a saved list profile."""
    joined = "\x1f".join(header_key(h) for h in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


@dataclass
class Mapping:
    targets: list[str]

    def validate(self, width: int) -> None:
        unknown = {t for t in self.targets if t not in TARGETS and t not in (CUSTOM, IGNORE)}
        if unknown:
            raise ValueError(f"unknown mapping targets: {', '.join(sorted(unknown))}")
        if len(self.targets) < width:
            self.targets = self.targets + [CUSTOM] * (width - len(self.targets))

    def to_json(self) -> str:
        return json.dumps(self.targets)

    @property
    def mapped(self) -> set[str]:
        return {t for t in self.targets if t in TARGETS}


def load_mapping_file(text: str, headers: list[str]) -> Mapping:
    """A --mapping file: either a list of targets by position, or an object
    {header: target}; headers not named keep their automatic guess."""
    data = json.loads(text)
    if isinstance(data, list):
        targets = [str(t) if t is not None else IGNORE for t in data]
        targets += auto_map(headers[len(targets):])
    elif isinstance(data, dict):
        by_key = {header_key(k): (str(v) if v is not None else IGNORE) for k, v in data.items()}
        guesses = auto_map(headers)
        targets = [by_key.get(header_key(h), g) for h, g in zip(headers, guesses, strict=True)]
    else:
        raise ValueError("a mapping file holds a JSON list or object")
    mapping = Mapping(targets[: len(headers)])
    mapping.validate(len(headers))
    return mapping

"""What an imported `outcome` / status cell means, and when a row says it happened.

A CRM's status column holds both open stages ("Open - Not Contacted", HubSpot's
ATTEMPTED_TO_CONTACT) and closed results ("Closed - Converted", "junk", "1"). Open
stages put the lead into the queue at the matching stage; closed results make the
lead history: it never enters the working queue and it teaches the learned score.

Positive means a sales cycle started (an opportunity, or won); negative means the
lead was disqualified or lost. Values that fit nothing are reported per line and the
lead is imported without an outcome.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Outcome:
    status: str  # the lead status it lands in
    closed: bool  # history (never in the working queue)
    positive: bool | None  # for closed outcomes: did a sales cycle start?


NEW = Outcome("new", False, None)
ATTEMPTING = Outcome("attempting", False, None)
ENGAGED = Outcome("engaged", False, None)
QUALIFIED = Outcome("qualified", False, None)
NURTURE = Outcome("nurture", False, None)
OPPORTUNITY = Outcome("opportunity", True, True)
WON = Outcome("won", True, True)
DISQUALIFIED = Outcome("disqualified", True, False)

_WORDS: dict[Outcome, tuple[str, ...]] = {
    # Open stages (Salesforce lead statuses, HubSpot lead statuses, plain words; EN/DE/FR/ES)
    NEW: ("new", "open", "open not contacted", "not contacted", "untouched", "raw", "lead", "subscriber",
          "neu", "offen", "nicht kontaktiert", "nouveau", "ouvert", "non contacte", "nuevo", "abierto",
          "no contactado", "sin contactar"),
    ATTEMPTING: ("attempted to contact", "attempted", "attempting", "working", "working not contacted",
                 "contacting", "kontaktversuch", "versucht", "tentative de contact", "en cours de contact",
                 "intento de contacto", "intentando contactar"),
    ENGAGED: ("working contacted", "contacted", "connected", "in progress", "engaged", "marketing qualified lead",
              "mql", "kontaktiert", "in bearbeitung", "verbunden", "contacte", "en cours", "contactado",
              "en curso", "en progreso"),
    QUALIFIED: ("qualified", "sales qualified lead", "sql", "open qualified", "working qualified",
                "qualifiziert", "qualifie", "cualificado", "calificado"),
    NURTURE: ("nurture", "nurturing", "bad timing", "recycled", "on hold", "later", "not now",
              "spater", "zuruckgestellt", "plus tard", "en attente", "mas tarde", "en espera"),
    # Closed: a sales cycle started
    OPPORTUNITY: ("opportunity", "open deal", "converted", "closed converted", "converted to opportunity",
                  "is converted", "sales cycle", "yes", "y", "true", "1", "positive", "success",
                  "ja", "oui", "si", "chance", "verkaufschance", "konvertiert", "opportunite", "converti",
                  "oportunidad", "convertido", "subscribed"),
    WON: ("won", "closed won", "customer", "client", "deal won", "evangelist", "gewonnen", "kunde", "gagne",
          "cliente", "ganado", "ganada"),
    # Closed: no sales cycle
    DISQUALIFIED: ("lost", "closed lost", "closed not converted", "not converted", "disqualified",
                   "unqualified", "junk", "spam", "bad fit", "not interested", "rejected", "dead", "no", "n",
                   "false", "0", "negative", "failure", "nein", "verloren", "disqualifiziert",
                   "nicht qualifiziert", "kein interesse", "abgelehnt", "non", "perdu", "disqualifie",
                   "non qualifie", "pas interesse", "rejete", "perdido", "perdida", "descalificado",
                   "no calificado", "no cualificado", "sin interes", "rechazado"),
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("ß", "ss")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


_LOOKUP: dict[str, Outcome] = {}
for _outcome, _names in _WORDS.items():
    for _name in _names:
        _LOOKUP.setdefault(_key(_name), _outcome)


def parse_outcome_value(text: str) -> Outcome | None:
    """The outcome a cell means, or None when it fits no known word.

    'Closed - Converted', 'CLOSED_WON', 'closed won' and 'Closed Won' are one value:
    case, accents, dashes and underscores do not count."""
    key = _key(text)
    if not key:
        return None
    found = _LOOKUP.get(key)
    if found is None and key.replace(" ", "") != key:
        squeezed = key.replace(" ", "")
        found = next((o for k, o in _LOOKUP.items() if k.replace(" ", "") == squeezed), None)
    return found


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
                 "%Y/%m/%d", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%y")


def parse_when(text: str) -> datetime:
    """A date or time from a CRM export (ISO, with or without time, a trailing Z or
    offset; the dotted European form) as an aware UTC datetime. Slashed day/month
    forms are refused: 03/04/2026 means two different days. Raises ValueError."""
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        moment = None
        for fmt in _DATE_FORMATS:
            try:
                moment = datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            raise ValueError(f"unreadable date {raw!r} (use YYYY-MM-DD)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # dates without a zone are taken as UTC, so a day stays that day
    return moment.astimezone(UTC)

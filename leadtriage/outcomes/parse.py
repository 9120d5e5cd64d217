"""Reading an outcomes file into rows: which column is which, what each outcome,
date and amount says. Reading is the import reader's (`importing.reader.read_table`:
encodings, delimiters, duplicate headers, XLSX); this module only interprets cells
and never guesses: a cell it cannot read becomes a reported problem."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from leadtriage.errors import UserError

OUTCOMES = ("accepted", "rejected", "opportunity", "won", "lost")

_OUTCOME_WORDS: dict[str, str] = {}
for _key, _words in {
    "accepted": ("accepted", "accept", "sal", "sales accepted", "angenommen", "akzeptiert", "accepte", "aceptado"),
    "rejected": ("rejected", "reject", "declined", "not accepted", "returned", "abgelehnt", "rejete", "rechazado"),
    "opportunity": ("opportunity", "opportunity created", "opp", "opp created", "sql", "pipeline", "qualified opportunity",
                    "opportunite", "oportunidad", "chance", "verkaufschance"),
    "won": ("won", "win", "closed won", "closed/won", "deal won", "gewonnen", "gagne", "ganado"),
    "lost": ("lost", "closed lost", "closed/lost", "deal lost", "verloren", "perdu", "perdido"),
}.items():
    for _w in _words:
        _OUTCOME_WORDS[_w] = _key

COLUMNS: dict[str, tuple[str, ...]] = {
    "public_id": ("lead id", "leadid", "lead public id", "public id", "publicid", "id", "lead", "lead ref",
                  "lead reference", "reference", "ref", "leadtriage id"),
    "email": ("email", "e mail", "email address", "e mail address", "mail", "contact email"),
    "outcome": ("outcome", "result", "status", "stage", "disposition", "feedback", "ergebnis", "resultat"),
    "reason": ("reason", "outcome reason", "rejection reason", "lost reason", "loss reason", "comment", "comments",
               "notes", "note", "grund"),
    "amount": ("amount", "value", "deal value", "deal size", "opportunity amount", "revenue", "betrag", "montant"),
    "date": ("date", "outcome date", "when", "closed", "close date", "opportunity date", "created", "datum"),
}


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9/]+", " ", text).strip()


@dataclass(frozen=True)
class OutcomeRow:
    line_no: int
    public_id: str
    email: str
    outcome: str | None  # one of OUTCOMES, None when unreadable
    reason: str
    amount: float | None
    when: date | None
    problems: tuple[str, ...] = ()
    raw_outcome: str = ""


def parse_outcome(text: str) -> str | None:
    return _OUTCOME_WORDS.get(_norm(text))


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d",
                 "%d.%m.%Y", "%d.%m.%y")


# Plausible outcome dates: none before this app's kind of work existed, none more than
# a year ahead (year 0001 or 9999 is a typo or an attack, and breaks local-time maths).
EARLIEST_DATE = date(1990, 1, 1)
MAX_AHEAD = timedelta(days=366)
# Deal amounts: a trillion is beyond any lead's deal in any currency; floats keep cents below it.
MAX_AMOUNT = 1e12


def parse_date(text: str, today: date | None = None) -> date | None:
    """ISO dates (what spreadsheets and CRMs export) and the dotted European form.
    Slashed day/month forms are refused: 03/04/2026 means two different days."""
    text = text.strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            day = datetime.strptime(text[:19] if "T" in text or ":" in text else text, fmt).date()
        except ValueError:
            continue
        check_date(day, today)
        return day
    raise ValueError(f"unreadable date {text!r} (use YYYY-MM-DD)")


def check_date(day: date, today: date | None = None) -> None:
    """ValueError with a phrase if `day` is not a plausible outcome date."""
    latest = (today or date.today()) + MAX_AHEAD
    if day < EARLIEST_DATE:
        raise ValueError(f"implausible date {day.isoformat()} (before {EARLIEST_DATE.year})")
    if day > latest:
        raise ValueError(f"implausible date {day.isoformat()} (more than a year ahead)")


def check_amount(value: float) -> None:
    """ValueError with a phrase if `value` is not a plausible deal amount."""
    if not math.isfinite(value):
        raise ValueError(f"amount {value!r} is not a number")
    if value < 0:
        raise ValueError("negative amount")
    if value > MAX_AMOUNT:
        raise ValueError(f"implausible amount {value:,.0f} (more than a trillion)")


_AMOUNT = re.compile(r"^[+]?[0-9][0-9.,' ]*$")


def parse_amount(text: str) -> float | None:
    """'5000', '5,000.50', '5.000,50', '€ 12 000', '$18k'. Negative or unreadable -> error."""
    raw = text.strip()
    if not raw:
        return None
    t = re.sub(r"(?i)^(usd|eur|gbp|chf)|(usd|eur|gbp|chf)$", "", raw).strip()
    t = t.strip("$€£ \u00a0")
    multiplier = 1.0
    if t[-1:].lower() == "k":
        multiplier, t = 1000.0, t[:-1].strip()
    elif t[-1:].lower() == "m":
        multiplier, t = 1_000_000.0, t[:-1].strip()
    t = t.replace("\u00a0", " ")
    if not _AMOUNT.match(t):
        raise ValueError(f"unreadable amount {raw!r}")
    t = t.replace(" ", "").replace("'", "")
    if "," in t and "." in t:
        decimal = "," if t.rfind(",") > t.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        t = t.replace(thousands, "").replace(decimal, ".")
    elif "," in t:
        head, _, tail = t.rpartition(",")
        t = t.replace(",", "") if len(tail) == 3 and head else t.replace(",", ".")
    elif t.count(".") > 1:
        t = t.replace(".", "")
    try:
        value = float(t) * multiplier
    except ValueError:
        raise ValueError(f"unreadable amount {raw!r}") from None
    check_amount(value)
    return round(value, 2)


def _column_map(labels: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    normalised = [_norm(label) for label in labels]
    for field, words in COLUMNS.items():
        for i, name in enumerate(normalised):
            if name in words and i not in found.values():
                found.setdefault(field, i)
                break
    return found


def read_outcomes(path: str | Path, encoding: str | None = None, delimiter: str | None = None,
                  sheet: str | None = None, today: date | None = None) -> tuple[list[OutcomeRow], bool]:
    """Rows of an outcomes file, and whether it has a date column at all."""
    from leadtriage.importing.reader import read_table

    table = read_table(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
    cols = _column_map(table.labels)
    if "outcome" not in cols:
        raise UserError(f"{Path(path).name}: no outcome column (expected a header like Outcome, Result or Status).")
    if "public_id" not in cols and "email" not in cols:
        raise UserError(f"{Path(path).name}: no lead ID or e-mail column to match the outcomes to leads.")

    def cell(cells: list[str], field: str) -> str:
        i = cols.get(field)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    rows = []
    for line_no, cells in table.rows():
        problems = []
        raw_outcome = cell(cells, "outcome")
        outcome = parse_outcome(raw_outcome)
        if outcome is None:
            problems.append(f"unknown outcome {raw_outcome!r}" if raw_outcome else "no outcome")
        try:
            when = parse_date(cell(cells, "date"), today)
        except ValueError as exc:
            when, problems = None, [*problems, str(exc)]
        try:
            amount = parse_amount(cell(cells, "amount"))
        except ValueError as exc:
            amount, problems = None, [*problems, str(exc)]
        rows.append(OutcomeRow(line_no, cell(cells, "public_id"), cell(cells, "email").lower(), outcome,
                               cell(cells, "reason"), amount, when, tuple(problems), raw_outcome))
    return rows, "date" in cols

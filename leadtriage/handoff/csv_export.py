"""CRM and spreadsheet CSV, streamed straight from SQL.

One SELECT produces every row, rows go to the file in chunks: no per-lead brief
objects, no whole result in memory. The read runs on its own read-only connection
with memory-mapped I/O (`reader()`), which halves the cost of walking a large file. Three profiles:

- `csv-salesforce`: Salesforce Data Import Wizard lead field labels;
- `csv-hubspot`: HubSpot contact import property labels;
- `csv-sheet`: a generic sheet with the whole brief flattened, spreadsheet-safe.

Formula injection (OWASP "CSV injection"): a cell that begins with `=`, `+`, `-`,
`@`, tab or CR is prefixed with `'` so a spreadsheet shows it as text. The sheet
profile does that to every such cell. The CRM profiles make one exception: a
cell that is nothing but a phone number (`+49 30 1234567`) is left intact,
because a CRM import would otherwise store the apostrophe in the phone field, and
a value made only of digits, spaces and `+()./-` cannot call a function or reach
another cell. Control characters and bidi overrides are removed from every cell.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadtriage.handoff.text import _STRIP

TRIGGERS = frozenset("=+-@\t\r")
# First characters that need a closer look: triggers, and anything `_STRIP` would
# remove (after removal, a trigger could come first).
_SLOW_FIRST = TRIGGERS | frozenset(
    chr(c)
    for lo, hi in ((0x00, 0x1F), (0x7F, 0x9F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2069),
                   (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB))
    for c in range(lo, hi + 1)
)
_PHONE = re.compile(r"\+[0-9 ()./\-]{3,30}")
CHUNK_ROWS = 2000
CELL_LIMIT = 32000  # Excel's cell limit is 32,767 characters


# One SELECT shape for every profile: plain columns, plus the raw JSON fields that
# are flattened in Python (SQLite before 3.45 re-parses a JSON text for every
# json_extract call, which made the SQL-side version four times slower). Each
# profile reads only the columns it prints (the others are NULL literals, so the
# row indexes stay the same), and the last column carries the lead id, which the
# meeting times fetched per chunk are matched on (a correlated subquery per row
# cost a third of the read).
_COLUMNS = (
    "l.public_id", "l.first_name", "l.last_name", "l.title", "l.company", "l.email", "l.phone", "l.website",
    "l.industry", "l.employees", "l.source", "l.campaign", "l.city", "l.region", "l.country", "l.timezone",
    "l.status", "l.score", "l.owner", "l.qualified_at", "l.motivations", "l.pain_points", "l.buying_plan",
    "l.qualification", "r.name", "r.email", ":meeting_at", "l.id",
)
(PID, FIRST, LAST, TITLE, COMPANY, EMAIL, PHONE, WEBSITE, INDUSTRY, EMPLOYEES, SOURCE, CAMPAIGN, CITY, REGION,
 COUNTRY, TZ, STATUS, SCORE, OWNER, QUALIFIED_AT, MOTIVATIONS, PAINS, PLAN, QUAL, REP, REP_EMAIL,
 MEETING, LEAD_ID) = range(len(_COLUMNS))
# Columns the CRM profiles never print.
_CRM_UNUSED = frozenset({TZ, STATUS, SCORE, OWNER, QUALIFIED_AT, QUAL})

_loads = json.loads


def _json(text: str | None, kind: type) -> Any:
    if not text:
        return kind()
    try:
        value = _loads(text)
    except ValueError:
        return kind()
    return value if isinstance(value, kind) else kind()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _pains(r: tuple) -> str:
    return " | ".join(
        f"{p.get('tag') or ''}: {p.get('quote') or ''}".strip(": ")
        for p in _json(r[PAINS], list) if isinstance(p, dict)
    )


_SUMMARY_PLAN = (("timeline", "Timeline"), ("budget_status", "Budget"), ("budget_range", "Budget range"),
                 ("decision_process", "Decision process"), ("current_solution", "Current solution"))


def _summary(r: tuple) -> str:
    """The CRM description: the brief in one cell, quoting the lead ID."""
    parts = [f"LeadTriage lead {r[PID]}"]
    pains = _pains(r)
    if pains:
        parts.append("Pain points: " + pains.rstrip(". "))
    if r[MOTIVATIONS]:
        parts.append("Motivations: " + r[MOTIVATIONS].rstrip(". "))
    plan = _json(r[PLAN], dict)
    for key, label in _SUMMARY_PLAN:
        value = plan.get(key)
        if value:
            parts.append(f"{label}: {_text(value).rstrip('. ')}")
    if r[MEETING]:
        parts.append(f"First meeting (UTC): {r[MEETING]}")
    parts.append(f"Report the outcome quoting {r[PID]}")
    return ". ".join(parts)[:CELL_LIMIT] + "."


def _salesforce(r: tuple) -> list:
    return [r[FIRST], r[LAST], r[TITLE], r[COMPANY], r[EMAIL], r[PHONE], r[WEBSITE], r[INDUSTRY], r[EMPLOYEES],
            r[SOURCE], "Open - Not Contacted", "Hot", r[CITY], r[REGION], r[COUNTRY], _summary(r), r[PID],
            r[REP], r[CAMPAIGN]]


def _hubspot(r: tuple) -> list:
    return [r[FIRST], r[LAST], r[EMAIL], r[PHONE], r[TITLE], r[COMPANY], r[WEBSITE], r[INDUSTRY], r[EMPLOYEES],
            r[CITY], r[REGION], r[COUNTRY], "Sales Qualified Lead", "New", r[REP_EMAIL], r[SOURCE], r[PID],
            _summary(r)]


def _sheet(r: tuple) -> list:
    plan = _json(r[PLAN], dict)
    qual = _json(r[QUAL], dict)
    met = ", ".join(k for k, v in qual.items() if isinstance(v, dict) and v.get("met"))
    people = "; ".join(
        f"{p.get('name') or ''} ({p.get('role') or ''})" for p in plan.get("people") or [] if isinstance(p, dict)
    )
    return [r[PID], r[FIRST], r[LAST], r[TITLE], r[COMPANY], r[EMAIL], r[PHONE], r[TZ], r[CITY], r[COUNTRY],
            r[INDUSTRY], r[EMPLOYEES], r[SOURCE], r[CAMPAIGN], r[STATUS], r[SCORE], r[REP], r[OWNER],
            r[QUALIFIED_AT], r[MEETING], met, _pains(r)[:CELL_LIMIT], (r[MOTIVATIONS] or "")[:CELL_LIMIT],
            _text(plan.get("timeline")), _text(plan.get("budget_status")), _text(plan.get("budget_range")),
            _text(plan.get("decision_process"))[:CELL_LIMIT], people[:CELL_LIMIT],
            _text(plan.get("current_solution")), _text(plan.get("competitors")), _text(plan.get("next_milestone"))]


@dataclass(frozen=True)
class Profile:
    key: str
    label: str
    headers: tuple[str, ...]
    build: Callable[[tuple], list]
    keep_phone_numbers: bool
    encoding: str = "utf-8"
    unused: frozenset[int] = frozenset()  # column indexes `build` never reads

    @property
    def select(self) -> str:
        cols = ", ".join("NULL" if i in self.unused else c for i, c in enumerate(_COLUMNS))
        return (f"SELECT {cols} FROM json_each(:ids) j JOIN leads l ON l.id = j.value "
                f"LEFT JOIN field_reps r ON r.id = l.field_rep_id ORDER BY j.key")


SALESFORCE = Profile(
    "csv-salesforce", "Salesforce (Data Import Wizard, leads)",
    ("First Name", "Last Name", "Title", "Company", "Email", "Phone", "Website", "Industry", "No. of Employees",
     "Lead Source", "Lead Status", "Rating", "City", "State/Province", "Country", "Description", "LeadTriage ID",
     "Field Rep", "Campaign"),
    _salesforce, keep_phone_numbers=True, unused=_CRM_UNUSED | {REP_EMAIL},
)
HUBSPOT = Profile(
    "csv-hubspot", "HubSpot (contact import)",
    ("First Name", "Last Name", "Email", "Phone Number", "Job Title", "Company Name", "Website URL", "Industry",
     "Number of Employees", "City", "State/Region", "Country/Region", "Lifecycle Stage", "Lead Status",
     "Contact owner", "Original Source Drill-Down 1", "LeadTriage ID", "LeadTriage Brief"),
    _hubspot, keep_phone_numbers=True, unused=_CRM_UNUSED | {REP, CAMPAIGN},
)
SHEET = Profile(
    "csv-sheet", "Spreadsheet (generic, spreadsheet-safe)",
    ("Lead ID", "First name", "Last name", "Title", "Company", "Email", "Phone", "Time zone", "City", "Country",
     "Industry", "Employees", "Source", "Campaign", "Status", "Score", "Field rep", "Qualified by",
     "Qualified at (UTC)", "First meeting (UTC)", "Criteria met", "Pain points", "Motivations", "Timeline",
     "Budget status", "Budget range", "Decision process", "People", "Current solution", "Competitors",
     "Next milestone"),
    _sheet, keep_phone_numbers=False,
    encoding="utf-8-sig",  # Excel reads UTF-8 only with the BOM
)

PROFILES: dict[str, Profile] = {p.key: p for p in (SALESFORCE, HUBSPOT, SHEET)}


def neutralise(value: str, keep_phone: bool) -> str:
    """One cell made inert for spreadsheets (see the module docstring)."""
    if keep_phone and _PHONE.fullmatch(value):
        return value
    value = _STRIP.sub("", value)
    if value[:1] in TRIGGERS and not (keep_phone and _PHONE.fullmatch(value)):
        return "'" + value
    return value


def _line_maker(keep_phone: bool) -> Callable[[list], str]:
    """One row as one CSV line: each cell neutralised (when its first character
    needs a look), then quoted as `csv.writer` (QUOTE_MINIMAL, CRLF) would: only
    when it holds a quote, comma or line break. A few `in` tests per cell run at C
    speed; the csv module walks every character in Python-object steps, which cost
    more than building the row."""
    slow = _SLOW_FIRST

    def cell(v: object) -> str:
        if v.__class__ is not str:
            return "" if v is None else str(v)
        if v[:1] in slow:
            v = neutralise(v, keep_phone)
        if '"' in v:
            return '"' + v.replace('"', '""') + '"'
        if "," in v or "\n" in v or "\r" in v:
            return '"' + v + '"'
        return v

    def line(row: list) -> str:
        return ",".join([cell(v) for v in row]) + "\r\n"

    return line


def reader(db_path: Path) -> sqlite3.Connection:
    """A read-only connection for streaming an export (it sees what is committed)."""
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA mmap_size = 1073741824")
    conn.execute("PRAGMA cache_size = -32000")
    return conn


# The latest recorded meeting time of each lead in a chunk (handoffs are few next
# to leads: one indexed look-up per chunk, not a subquery per row).
_MEETINGS = (
    "SELECT h.lead_id, h.meeting_at FROM handoffs h WHERE h.lead_id IN (SELECT value FROM json_each(:ids)) "
    "AND h.meeting_at IS NOT NULL ORDER BY h.lead_id, h.handed_off_at, h.id"
)


def _rows(conn: sqlite3.Connection, sql: str, lead_ids: Sequence[int], meeting_at: str | None) -> list[tuple]:
    """The profile's rows for `lead_ids`, in that order, with each lead's meeting time
    (`meeting_at` when given, else the latest recorded one)."""
    ids = json.dumps(list(lead_ids))
    rows = conn.execute(sql, {"ids": ids, "meeting_at": meeting_at}).fetchall()
    if meeting_at is None:
        meetings = dict(conn.execute(_MEETINGS, {"ids": ids}).fetchall())  # later rows win: the latest
        if meetings:
            get = meetings.get
            rows = [r if (m := get(r[LEAD_ID])) is None else (*r[:MEETING], m, r[LEAD_ID]) for r in rows]
    return rows


def _render(conn: sqlite3.Connection, lead_ids: Sequence[int], profile: Profile, meeting_at: str | None) -> str:
    """CSV text (no header) for `lead_ids`, in that order."""
    rows = _rows(conn, profile.select, lead_ids, meeting_at)
    line = _line_maker(profile.keep_phone_numbers)
    build = profile.build
    text = "".join([line(build(r)) for r in rows])
    # Control characters inside cells (never first: see `_line_maker`) go in one pass.
    return _STRIP.sub("", text)


def export_csv(
    db_path: Path,
    lead_ids: Sequence[int],
    profile: Profile,
    path: Path,
    *,
    meeting_at: str | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Write one CSV of `lead_ids` (in that order) in `profile`; returns rows written.
    `on_rows(n)` is called after each chunk (progress; it may raise to cancel).
    (Rendering parts in worker processes was tried: on this 2-core machine it was
    no faster, the reading and CSV writing are already one core's worth.)"""
    ids = list(lead_ids)
    written = 0
    conn = reader(db_path)
    try:
        with open(path, "w", encoding=profile.encoding, newline="") as fh:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\r\n").writerow(list(profile.headers))
            fh.write(buf.getvalue())
            for i in range(0, len(ids), CHUNK_ROWS):
                chunk = ids[i:i + CHUNK_ROWS]
                fh.write(_render(conn, chunk, profile, meeting_at))
                written += len(chunk)
                if on_rows:
                    on_rows(written)
    finally:
        conn.close()
    return written

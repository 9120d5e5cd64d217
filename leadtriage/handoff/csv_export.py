"""CRM and spreadsheet CSV, streamed straight from SQL.

One SELECT produces every row (JSON fields are flattened by SQLite's own JSON
functions), and rows go to the file in chunks: no per-lead brief objects, no whole
result in memory. Three profiles:

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


def _plan(field: str) -> str:
    return (f"CASE WHEN json_valid(l.buying_plan) THEN "
            f"substr(CAST(json_extract(l.buying_plan, '$.{field}') AS TEXT), 1, 2000) END")


_PAINS = (
    "(SELECT group_concat(trim(coalesce(json_extract(p.value, '$.tag'), '') || ': ' || "
    "coalesce(json_extract(p.value, '$.quote'), ''), ': '), ' | ') FROM json_each("
    "CASE WHEN json_valid(l.pain_points) AND json_type(l.pain_points) = 'array' THEN l.pain_points "
    "ELSE '[]' END) p)"
)
_PEOPLE = (
    "(SELECT group_concat(coalesce(json_extract(p.value, '$.name'), '') || ' (' || "
    "coalesce(json_extract(p.value, '$.role'), '') || ')', '; ') FROM json_each("
    "CASE WHEN json_valid(l.buying_plan) AND json_type(l.buying_plan, '$.people') = 'array' "
    "THEN json_extract(l.buying_plan, '$.people') ELSE '[]' END) p)"
)
_COMPETITORS = (
    "(SELECT group_concat(p.value, ', ') FROM json_each("
    "CASE WHEN json_valid(l.buying_plan) AND json_type(l.buying_plan, '$.competitors') = 'array' "
    "THEN json_extract(l.buying_plan, '$.competitors') ELSE '[]' END) p)"
)
_MET = (
    "(SELECT group_concat(p.key, ', ') FROM json_each("
    "CASE WHEN json_valid(l.qualification) AND json_type(l.qualification) = 'object' "
    "THEN l.qualification ELSE '{}' END) p WHERE json_extract(p.value, '$.met'))"
)
_MEETING = (
    "coalesce(:meeting_at, (SELECT h.meeting_at FROM handoffs h WHERE h.lead_id = l.id "
    "AND h.meeting_at IS NOT NULL ORDER BY h.handed_off_at DESC, h.id DESC LIMIT 1))"
)


def _sentence(label: str, expr: str) -> str:
    return f" || coalesce('. {label}' || rtrim({expr}, '. '), '')"


_SUMMARY = (
    "substr('LeadTriage lead ' || l.public_id"
    + _sentence("Pain points: ", _PAINS)
    + _sentence("Motivations: ", "l.motivations")
    + _sentence("Timeline: ", _plan("timeline"))
    + _sentence("Budget: ", _plan("budget_status"))
    + " || coalesce(', ' || " + _plan("budget_range") + ", '')"
    + _sentence("Decision process: ", _plan("decision_process"))
    + _sentence("Current solution: ", _plan("current_solution"))
    + _sentence("First meeting (UTC): ", _MEETING)
    + f" || '. Report the outcome quoting ' || l.public_id || '.', 1, {CELL_LIMIT})"
)


@dataclass(frozen=True)
class Profile:
    key: str
    label: str
    columns: tuple[tuple[str, str], ...]  # (header, SQL expression)
    keep_phone_numbers: bool
    encoding: str = "utf-8"

    @property
    def headers(self) -> list[str]:
        return [h for h, _ in self.columns]


SALESFORCE = Profile(
    "csv-salesforce", "Salesforce (Data Import Wizard, leads)",
    (
        ("First Name", "l.first_name"),
        ("Last Name", "l.last_name"),
        ("Title", "l.title"),
        ("Company", "l.company"),
        ("Email", "l.email"),
        ("Phone", "l.phone"),
        ("Website", "l.website"),
        ("Industry", "l.industry"),
        ("No. of Employees", "l.employees"),
        ("Lead Source", "l.source"),
        ("Lead Status", "'Open - Not Contacted'"),
        ("Rating", "'Hot'"),
        ("City", "l.city"),
        ("State/Province", "l.region"),
        ("Country", "l.country"),
        ("Description", _SUMMARY),
        ("LeadTriage ID", "l.public_id"),
        ("Field Rep", "r.name"),
        ("Campaign", "l.campaign"),
    ),
    keep_phone_numbers=True,
)

HUBSPOT = Profile(
    "csv-hubspot", "HubSpot (contact import)",
    (
        ("First Name", "l.first_name"),
        ("Last Name", "l.last_name"),
        ("Email", "l.email"),
        ("Phone Number", "l.phone"),
        ("Job Title", "l.title"),
        ("Company Name", "l.company"),
        ("Website URL", "l.website"),
        ("Industry", "l.industry"),
        ("Number of Employees", "l.employees"),
        ("City", "l.city"),
        ("State/Region", "l.region"),
        ("Country/Region", "l.country"),
        ("Lifecycle Stage", "'Sales Qualified Lead'"),
        ("Lead Status", "'New'"),
        ("Contact owner", "r.email"),
        ("Original Source Drill-Down 1", "l.source"),
        ("LeadTriage ID", "l.public_id"),
        ("LeadTriage Brief", _SUMMARY),
    ),
    keep_phone_numbers=True,
)

SHEET = Profile(
    "csv-sheet", "Spreadsheet (generic, spreadsheet-safe)",
    (
        ("Lead ID", "l.public_id"),
        ("First name", "l.first_name"),
        ("Last name", "l.last_name"),
        ("Title", "l.title"),
        ("Company", "l.company"),
        ("Email", "l.email"),
        ("Phone", "l.phone"),
        ("Time zone", "l.timezone"),
        ("City", "l.city"),
        ("Country", "l.country"),
        ("Industry", "l.industry"),
        ("Employees", "l.employees"),
        ("Source", "l.source"),
        ("Campaign", "l.campaign"),
        ("Status", "l.status"),
        ("Score", "l.score"),
        ("Field rep", "r.name"),
        ("Qualified by", "l.owner"),
        ("Qualified at (UTC)", "l.qualified_at"),
        ("First meeting (UTC)", _MEETING),
        ("Criteria met", _MET),
        ("Pain points", _PAINS),
        ("Motivations", "substr(l.motivations, 1, 4000)"),
        ("Timeline", _plan("timeline")),
        ("Budget status", _plan("budget_status")),
        ("Budget range", _plan("budget_range")),
        ("Decision process", _plan("decision_process")),
        ("People", _PEOPLE),
        ("Current solution", _plan("current_solution")),
        ("Competitors", _COMPETITORS),
        ("Next milestone", _plan("next_milestone")),
    ),
    keep_phone_numbers=False,
    encoding="utf-8-sig",  # Excel reads UTF-8 only with the BOM
)

PROFILES: dict[str, Profile] = {p.key: p for p in (SALESFORCE, HUBSPOT, SHEET)}


def neutralise(value: str, keep_phone: bool) -> str:
    """One cell made inert for spreadsheets (see the module docstring)."""
    value = _STRIP.sub("", value)
    if value[:1] in TRIGGERS and not (keep_phone and _PHONE.fullmatch(value)):
        return "'" + value
    return value


def _row_cleaner(keep_phone: bool) -> Callable[[tuple], list]:
    slow = _SLOW_FIRST

    def clean_row(row: tuple) -> list:
        return [
            neutralise(v, keep_phone) if v.__class__ is str and v[:1] in slow else v
            for v in row
        ]

    return clean_row


def export_csv(
    conn: sqlite3.Connection,
    lead_ids: Sequence[int],
    profile: Profile,
    path: Path,
    *,
    meeting_at: str | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Write one CSV of `lead_ids` (in that order) in `profile`; returns rows written.
    `on_rows(n)` is called after each chunk (progress and cancel)."""
    select = ", ".join(expr for _, expr in profile.columns)
    sql = (
        f"SELECT {select} FROM json_each(:ids) j JOIN leads l ON l.id = j.value "
        f"LEFT JOIN field_reps r ON r.id = l.field_rep_id ORDER BY j.key"
    )
    cur = conn.execute(sql, {"ids": json.dumps(list(lead_ids)), "meeting_at": meeting_at})
    clean_row = _row_cleaner(profile.keep_phone_numbers)
    written = 0
    with open(path, "w", encoding=profile.encoding, newline="") as fh:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(profile.headers)
        while True:
            rows = cur.fetchmany(CHUNK_ROWS)
            if not rows:
                break
            writer.writerows(map(clean_row, rows))
            # Control characters inside cells (never first: see clean_row) go in one pass.
            fh.write(_STRIP.sub("", buf.getvalue()))
            buf.seek(0)
            buf.truncate()
            written += len(rows)
            if on_rows:
                on_rows(written)
        fh.write(buf.getvalue())
    return written

"""CRM and spreadsheet CSV, streamed straight from SQL.

One SELECT per chunk of 2,000 leads, rows go to the file chunk by chunk: no per-lead
brief objects, no whole result in memory. Three profiles:

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

Speed (the budget is 100,000 rows/s). The plain way (`_plain_lines`: every cell by
`_cell_maker`, the brief by `Profile.brief`) is the reference; the fast way writes
the same bytes for every row it vouches for and hands the others to the plain way
(a test holds the two equal on generated values, another pins both to the first
exporter's output):
- One SELECT per chunk returns each column as one UTF-8 byte string, the rows'
  values joined by `_RS` (`Profile.fast_select`); Python splits the columns and
  joins each row's cells. Building rows in SQL cost twice as much: every `||`
  allocates, and SQLite takes a global lock around each allocation.
- Each column is checked at once (`_column_plain`, a `translate` and a few
  substring searches): no value needs quoting or neutralising. A column that fails
  is written cell by cell with `_cell_maker`; a row SQL marks odd (a REAL or BLOB
  value, a negative number), that holds a character `_STRIP` removes or whose bytes
  are not UTF-8 (`_needs_plain`) goes the plain way: a hostile lead costs what every
  lead used to, not its chunk.
- The CRM description comes from `leads.discovery_summary`, kept by SQLite when
  discovery changes (`store.derived.discovery_summary`), joined here with the ID and the
  meeting; parsing the JSON fields per row was half the export's time. The sheet's
  brief cells are built here.
- The next chunk's SELECT runs on a thread (`csv_prefetch`) while this one is checked
  and written.
Values only a foreign tool can store (see `store.lenient`) go the plain way, which
reads them leniently: a BLOB as the text it holds, invalid UTF-8 with U+FFFD. The
fast way sends a row there when SQL marks it odd or its bytes are not UTF-8.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from itertools import repeat
from pathlib import Path
from typing import Any

from leadtriage.handoff.csv_prefetch import ChunkReader, reader
from leadtriage.handoff.text import _STRIP
from leadtriage.store.derived.discovery_summary import EXPORT_TEXT, PLAN_PARTS
from leadtriage.store.derived.latest_meeting import latest_sql
from leadtriage.store.lenient import as_text
from leadtriage.store.schema import LEAD_COLUMNS
from leadtriage.util.gcpause import cyclic_gc_paused

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

_loads = json.loads
# The C scanner behind json.loads, called directly: for a short field, json.loads's
# own checks around it cost as much as the parsing.
_scan = json.JSONDecoder().scan_once


def _json(text: str | None, kind: type) -> Any:
    """`json.loads(text)` if that is a `kind`, else an empty `kind` (bad JSON too)."""
    if not text:
        return kind()
    try:
        value, end = _scan(text, 0)
    except (StopIteration, TypeError):  # leading space, not a value, not a str: json.loads decides
        end = -1
    except ValueError:
        return kind()
    if end != len(text):
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


def _pains(pains: str | None) -> str:
    return " | ".join([
        f"{p.get('tag') or ''}: {p.get('quote') or ''}".strip(": ")
        for p in _json(pains, list) if isinstance(p, dict)
    ])


def discovery_text(pains: str | None, motivations: str | None, plan: str | None) -> str:
    """The description's discovery part: "" or ". Pain points: ... . Timeline: ...".
    `store.derived.discovery_summary` keeps the same text with each lead, in SQL."""
    parts = []
    pains = _pains(pains)
    if pains:
        parts.append("Pain points: " + pains.rstrip(". "))
    if motivations:
        parts.append("Motivations: " + motivations.rstrip(". "))
    get = _json(plan, dict).get
    for key, label in PLAN_PARTS:
        value = get(key)
        if value:
            parts.append(f"{label}: {(value if value.__class__ is str else _text(value)).rstrip('. ')}")
    return "".join([". " + part for part in parts])


def _summary(pid: str, pains: str | None, motivations: str | None, plan: str | None, meeting: str | None) -> str:
    """The CRM description: the brief in one cell, quoting the lead ID."""
    text = f"LeadTriage lead {pid}{discovery_text(pains, motivations, plan)}"
    if meeting:
        text += f". First meeting (UTC): {meeting}"
    return f"{text}. Report the outcome quoting {pid}"[:CELL_LIMIT] + "."


# The inputs of `Profile.brief`. The meeting time is :meeting_at when given, else the
# latest one recorded (an indexed look-up per lead, in SQL: no Python per handoff).
_MEETING = f"coalesce(:meeting_at, {latest_sql('l.id')})"
_BRIEF_INPUTS = ("l.public_id", "l.pain_points", "l.motivations", "l.buying_plan", "l.qualification", _MEETING)


def _crm_brief(cell, pid, pains, motivations, plan, _qual, meeting) -> str:
    return cell(_summary(pid, pains, motivations, plan, meeting))


def _sheet_brief(cell, pid, pains, motivations, plan, qual, meeting) -> str:
    plan = _json(plan, dict)
    met = ", ".join(k for k, v in _json(qual, dict).items() if isinstance(v, dict) and v.get("met"))
    people = "; ".join(
        f"{p.get('name') or ''} ({p.get('role') or ''})" for p in plan.get("people") or [] if isinstance(p, dict)
    )
    return ",".join(map(cell, (
        meeting, met, _pains(pains)[:CELL_LIMIT], (motivations or "")[:CELL_LIMIT],
        _text(plan.get("timeline")), _text(plan.get("budget_status")), _text(plan.get("budget_range")),
        _text(plan.get("decision_process"))[:CELL_LIMIT], people[:CELL_LIMIT],
        _text(plan.get("current_solution")), _text(plan.get("competitors")), _text(plan.get("next_milestone")))))


def _cell_maker(keep_phone: bool) -> Callable[[object], str]:
    """One value as one CSV cell: neutralised when its first character needs a look,
    then quoted as `csv.writer` (QUOTE_MINIMAL) would: only when it holds a quote,
    comma or line break. Inner control characters are left for the caller to strip."""
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

    return cell


def _line_maker(keep_phone: bool) -> Callable[[list], str]:
    """One row as one CSV line (CRLF), every cell by `_cell_maker`."""
    cell = _cell_maker(keep_phone)

    def line(row: list) -> str:
        return ",".join([cell(v) for v in row]) + "\r\n"

    return line


def neutralise(value: str, keep_phone: bool) -> str:
    """One cell made inert for spreadsheets (see the module docstring)."""
    if keep_phone and _PHONE.fullmatch(value):
        return value
    value = _STRIP.sub("", value)
    if value[:1] in TRIGGERS and not (keep_phone and _PHONE.fullmatch(value)):
        return "'" + value
    return value


# What `_column_plain` looks for, each byte translated to a class: `_RS` (where a
# cell starts), something that needs quoting, a trigger, a plus. Anything else
# becomes NUL, a byte the substring search skips over quickly.
_CHECK = bytearray(256)
for _chars, _class in (("\x1e", "\x1e"), ('"\n\r', '"'), ("=-@\t", "!"), ("+", "+")):
    for _c in _chars:
        _CHECK[ord(_c)] = ord(_class)
_CHECK = bytes(_CHECK)


_PHONE_CELL = re.compile(rb"(?:^|(?<=\x1e))\+[0-9 ()./\-]{3,30}(?=\x1e|$)")  # `_PHONE`, a whole cell of a column


def _column_plain(values: bytes, keep_phone: bool) -> bool:
    """Whether stored values joined by `_RS` are each their own CSV cell: none holds a
    comma, quote or line break, none starts with a trigger; with `keep_phone`, a value
    may start with '+' if it is a phone number `_PHONE` matches."""
    t = values.translate(_CHECK)
    if b"," in values or b'"' in t or b"\x1e!" in t or t[:1] == b"!":
        return False
    plus = t.count(b"\x1e+") + (t[:1] == b"+")
    return not plus or keep_phone and len(_PHONE_CELL.findall(values)) == plus


_RS = "\x1e"  # between rows in an aggregated column: `_STRIP` removes it, so no clean cell holds one
_RS_B = _RS.encode()
# CROSS JOIN makes json_each the outer loop: rows come in the order of :ids.
_FROM = "FROM json_each(:ids) j CROSS JOIN leads l ON l.id = j.value LEFT JOIN field_reps r ON r.id = l.field_rep_id"
BRIEF = None  # in `Profile.cells`: where the brief's cells go
# The meeting for the fast way, from `leads.latest_meeting_at` (kept by triggers, see
# `store.derived.latest_meeting`): NUL (the row goes the plain way) for a BLOB, or a time long
# enough to push the description over the cell limit.
_MEETING_FAST = (
    "coalesce(CASE WHEN length(:meeting_at) > 100 THEN char(0) ELSE :meeting_at END, "
    "CASE WHEN typeof(l.latest_meeting_at) = 'blob' OR length(l.latest_meeting_at) > 100 THEN char(0) "
    "ELSE l.latest_meeting_at END)"
)
_NO_SUMMARY = b"\x00"  # in a description: NUL sends the row the plain way
_INT_COLUMNS = {f"l.{name}" for name, kind in LEAD_COLUMNS.items() if kind is int}


def _agg(sql: str) -> str:
    """The rows' values of `sql` joined by `_RS`, as UTF-8 bytes."""
    return f"CAST(group_concat({sql}, char(30)) AS BLOB)"


@dataclass(frozen=True)
class Profile:
    """A CSV layout: each cell's stored value as an SQL expression (a quoted literal
    for a constant), and BRIEF where the brief's cells go (the text `brief` builds
    from `_BRIEF_INPUTS` and the meeting time). With `sql_description` the brief is
    the one CRM description cell, and the fast way builds it from the stored summary."""

    key: str
    label: str
    headers: tuple[str, ...]
    cells: tuple[str | None, ...]
    brief: Callable[..., str]
    keep_phone_numbers: bool
    encoding: str = "utf-8"
    reads_qualification: bool = False
    sql_description: bool = False

    @property
    def before(self) -> tuple[str, ...]:
        return self.cells[:self.cells.index(BRIEF)]

    @property
    def after(self) -> tuple[str, ...]:
        return self.cells[self.cells.index(BRIEF) + 1:]

    @property
    def _inputs(self) -> list[str]:
        return [c if c != "l.qualification" or self.reads_qualification else "NULL" for c in _BRIEF_INPUTS]

    @property
    def stored(self) -> list[str]:
        """The cells read from the database, in order (not the constants, not the brief)."""
        return [c for c in self.cells if c is not BRIEF and not c.startswith("'")]

    @property
    def fast_inputs(self) -> list[str]:
        """What the fast way's brief comes from: the ID, the stored summary (NUL: none)
        and the meeting for the CRM description, or the inputs of `brief`."""
        if self.sql_description:
            return ["l.public_id", f"ifnull({EXPORT_TEXT}, char(0))", _MEETING_FAST]  # see `_descriptions`
        return [*self._inputs[:-1], "coalesce(:meeting_at, l.latest_meeting_at)"]

    @cached_property
    def fast_select(self) -> str:
        """One row for all the leads: each stored cell's values (see `_agg`, NULL as
        ''), the same for each of `fast_inputs`, one character per row, '1' for a row the
        plain way must write (a REAL or BLOB value, which SQL would spell unlike Python,
        or a negative number, which Python does not neutralise), and the lead ids.
        (For the sheet a BLOB meeting makes the row odd too; the CRM profiles turn an odd
        meeting into NUL instead, see `_MEETING_FAST`.)"""
        stored = self.stored
        read = [*stored, *([] if self.sql_description else self._inputs[1:5])]
        leads = [c for c in read if c.startswith(("l.", "r."))]
        odd = " OR ".join([f"max({', '.join(f'ifnull({c}, 0)' for c in leads)}, 0) >= x''",
                           *(f"typeof({c}) = 'real' OR ifnull({c}, 0) < 0" for c in stored if c in _INT_COLUMNS),
                           *([] if self.sql_description else ["typeof(l.latest_meeting_at) = 'blob'"])])
        columns = [*(_agg(f"ifnull({c}, '')") for c in stored), *(_agg(f"ifnull({c}, '')") for c in self.fast_inputs),
                   f"CAST(group_concat({odd}, '') AS BLOB)", "group_concat(l.id, char(30))"]
        return f"SELECT {', '.join(columns)} {_FROM}"

    @cached_property
    def plain_select(self) -> str:
        """Rows of (values before the brief, brief inputs, values after it, lead id)."""
        return f"SELECT {', '.join([*self.before, *self._inputs, *self.after])}, l.id {_FROM}"


# Salesforce's standard Lead Status values, by where the lead stands here: a qualified
# lead has been reached and is being worked, not "Open - Not Contacted".
SALESFORCE_STATUS = {
    "new": "Open - Not Contacted",
    "opportunity": "Closed - Converted", "won": "Closed - Converted",
    "disqualified": "Closed - Not Converted", "rejected": "Closed - Not Converted", "lost": "Closed - Not Converted",
}
SALESFORCE_WORKING = "Working - Contacted"  # attempting, engaged, nurture, qualified, handed off, accepted
_SALESFORCE_STATUS_SQL = ("CASE l.status " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SALESFORCE_STATUS.items())
                          + f" ELSE '{SALESFORCE_WORKING}' END")

# HubSpot's default Lead Status values, the same way: a qualified lead was reached.
HUBSPOT_STATUS = {
    "new": "New", "attempting": "Attempted to Contact", "nurture": "Bad Timing",
    "opportunity": "Open Deal", "won": "Open Deal", "lost": "Unqualified",
    "disqualified": "Unqualified", "rejected": "Unqualified",
}
HUBSPOT_CONNECTED = "Connected"  # engaged, qualified, handed off, accepted
_HUBSPOT_STATUS_SQL = ("CASE l.status " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in HUBSPOT_STATUS.items())
                       + f" ELSE '{HUBSPOT_CONNECTED}' END")

SALESFORCE = Profile(
    "csv-salesforce", "Salesforce (Data Import Wizard, leads)",
    ("First Name", "Last Name", "Title", "Company", "Email", "Phone", "Website", "Industry", "No. of Employees",
     "Lead Source", "Lead Status", "Rating", "City", "State/Province", "Country", "Description", "LeadTriage ID",
     "Field Rep", "Campaign"),
    ("l.first_name", "l.last_name", "l.title", "l.company", "l.email", "l.phone", "l.website", "l.industry",
     "l.employees", "l.source", _SALESFORCE_STATUS_SQL, "'Hot'", "l.city", "l.region", "l.country", BRIEF,
     "l.public_id", "r.name", "l.campaign"),
    _crm_brief, keep_phone_numbers=True, sql_description=True,
)
HUBSPOT = Profile(
    "csv-hubspot", "HubSpot (contact import)",
    ("First Name", "Last Name", "Email", "Phone Number", "Job Title", "Company Name", "Website URL", "Industry",
     "Number of Employees", "City", "State/Region", "Country/Region", "Lifecycle Stage", "Lead Status",
     "Contact owner", "Original Source Drill-Down 1", "LeadTriage ID", "LeadTriage Brief"),
    ("l.first_name", "l.last_name", "l.email", "l.phone", "l.title", "l.company", "l.website", "l.industry",
     "l.employees", "l.city", "l.region", "l.country", "'Sales Qualified Lead'", _HUBSPOT_STATUS_SQL, "r.email",
     "l.source",
     "l.public_id", BRIEF),
    _crm_brief, keep_phone_numbers=True, sql_description=True,
)
SHEET = Profile(
    "csv-sheet", "Spreadsheet (generic, spreadsheet-safe)",
    ("Lead ID", "First name", "Last name", "Title", "Company", "Email", "Phone", "Time zone", "City", "Country",
     "Industry", "Employees", "Source", "Campaign", "Status", "Score", "Field rep", "Qualified by",
     "Qualified at (UTC)", "First meeting (UTC)", "Criteria met", "Pain points", "Motivations", "Timeline",
     "Budget status", "Budget range", "Decision process", "People", "Current solution", "Competitors",
     "Next milestone"),
    ("l.public_id", "l.first_name", "l.last_name", "l.title", "l.company", "l.email", "l.phone", "l.timezone",
     "l.city", "l.country", "l.industry", "l.employees", "l.source", "l.campaign", "l.status", "l.score", "r.name",
     "l.owner", "l.qualified_at", BRIEF),
    _sheet_brief, keep_phone_numbers=False,
    encoding="utf-8-sig",  # Excel reads UTF-8 only with the BOM
    reads_qualification=True,
)

PROFILES: dict[str, Profile] = {p.key: p for p in (SALESFORCE, HUBSPOT, SHEET)}


# Bytes that are plain in any CSV line: printable ASCII, tab, LF, CR. Every other
# byte is an ASCII control `_STRIP` removes, or part of a non-ASCII character.
_PLAIN_ASCII = bytes(b for b in range(0x80) if not _STRIP.match(chr(b)))
_NON_ASCII = bytes(range(0x80, 0x100))


def _needs_plain(data: bytes) -> bool:
    """Whether CSV `data` holds a character `_STRIP` removes or is not valid UTF-8 (what
    a foreign tool stored; the plain way reads it with U+FFFD). No regex over `data`:
    the re module walks text at a few ns a character, most of the budget. A `translate`
    keeps only the ASCII controls and the non-ASCII bytes (a fraction of a percent of a
    typical export), and the pattern looks at those alone."""
    suspects = data.translate(None, _PLAIN_ASCII)
    if not suspects:
        return False
    if suspects.translate(None, _NON_ASCII):
        return True  # an ASCII control character
    try:
        # The whole, not `suspects` alone: b"\xc3A\xa9" is not UTF-8, its non-ASCII bytes are.
        data.decode()
    except UnicodeDecodeError:
        return True
    return _STRIP.search(suspects.decode()) is not None


def _fetch(conn: sqlite3.Connection, lead_ids: Sequence[int], profile: Profile, meeting_at: str | None) -> tuple:
    """`Profile.fast_select`'s one row for `lead_ids` (one row: the thread that reads
    ahead hands over a chunk at once, not row by row)."""
    return conn.execute(profile.fast_select, {"ids": json.dumps(list(lead_ids)), "meeting_at": meeting_at}).fetchone()


def _plain_lines(conn: sqlite3.Connection, lead_ids: Sequence[int], profile: Profile,
                 meeting_at: str | None) -> dict[str, bytes]:
    """The lines of `lead_ids` (by lead id, in order) with every cell by `_cell_maker`,
    then stripped: for the rows the fast way cannot vouch for."""
    cell = _cell_maker(profile.keep_phone_numbers)
    n = len(profile.before)
    lines = {}
    params = {"ids": json.dumps(list(lead_ids)), "meeting_at": meeting_at}
    for *values, lead_id in conn.execute(profile.plain_select, params):
        values = [as_text(v) for v in values]
        cells = [*map(cell, values[:n]), profile.brief(cell, *values[n:n + 6]), *map(cell, values[n + 6:])]
        lines[str(lead_id)] = _STRIP.sub("", ",".join(cells) + "\r\n").encode()
    return lines


def _all_plain(conn: sqlite3.Connection, lead_ids: Sequence[int], profile: Profile, meeting_at: str | None) -> bytes:
    plain = _plain_lines(conn, lead_ids, profile, meeting_at)
    return b"".join([plain[str(i)] for i in lead_ids if str(i) in plain])


def _in_order(found: list[str], lead_ids: Sequence[int]) -> bool:
    """Whether the ids SQL found come in the order asked for (deleted ones missing)."""
    expected = iter(map(str, lead_ids))
    return all(i in expected for i in found)


def _descriptions(pids: list[bytes], summaries: list[bytes], meetings: list[bytes]) -> list[bytes]:
    """The CRM description cells from the stored summaries, as `_summary` and
    `_cell_maker` write them. A description starts with "L": it never needs
    neutralising. A NUL summary (Python must build it) stays in the text, which sends
    the row the plain way; so does one an ID could push over the cell limit (the
    summary is at most 31,000 characters, a meeting at most 100, see `_MEETING_FAST`)."""
    texts = [b"LeadTriage lead %s%s%s. Report the outcome quoting %s." % (
        pid, summary, b". First meeting (UTC): " + meeting if meeting else b"", pid)
        for pid, summary, meeting in zip(pids, summaries, meetings, strict=True)]
    if max(map(len, pids), default=0) > 100:
        texts = [t + _NO_SUMMARY if len(pid) > 100 else t for t, pid in zip(texts, pids, strict=True)]
    return [
        b'"%s"' % t.replace(b'"', b'""') if b'"' in t
        else b'"%s"' % t if b"," in t or b"\n" in t or b"\r" in t
        else t
        for t in texts
    ]


def _render(conn: sqlite3.Connection, lead_ids: Sequence[int], profile: Profile, meeting_at: str | None,
            row: tuple) -> bytes:
    """The UTF-8 CSV lines (no header) for `lead_ids`, in that order, from `_fetch`'s `row`."""
    if row[-1] is None:
        return b""  # none of these leads exists
    ids = row[-1].split(_RS)
    n = len(ids)
    stored = [v.split(_RS_B) for v in row[:len(profile.stored)]]
    inputs = [v.split(_RS_B) for v in row[len(stored):-2]]
    odd = row[-2]
    if not (all(len(v) == n for v in (*stored, *inputs)) and len(odd) == n
            and (row[-1] == _RS.join(map(str, lead_ids)) or _in_order(ids, lead_ids))):
        return _all_plain(conn, lead_ids, profile, meeting_at)  # a value held `_RS`, or SQLite changed the order
    cell = _cell_maker(profile.keep_phone_numbers)
    values = iter(zip(row, stored, strict=False))  # (the row goes on with the inputs)
    columns = []
    for c in profile.cells:
        if c is BRIEF:
            if profile.sql_description:
                columns.append(_descriptions(*inputs))
            else:  # (an odd row's bytes may not decode: it is redone below)
                columns.append([b.encode(errors="surrogateescape") for b in map(profile.brief, repeat(cell), *(
                    [x.decode(errors="surrogateescape") for x in v] for v in inputs))])
        elif c.startswith("'"):
            columns.append(repeat(cell(c[1:-1]).encode(), n))
        else:
            joined, split = next(values)
            if _column_plain(joined, profile.keep_phone_numbers and c == "l.phone"):
                columns.append(split)
            else:  # a comma, quote, line break or trigger somewhere: this column cell by cell
                columns.append([cell(x.decode(errors="surrogateescape")).encode(errors="surrogateescape")
                                for x in split])
    lines = [b",".join(cells) for cells in zip(*columns, strict=False)]  # (constants repeat endlessly)
    data = b"\r\n".join(lines) + b"\r\n"
    if b"1" not in odd and not _needs_plain(data):
        return data
    # Row by row: the rows SQL marked odd, that hold a character to strip or that are
    # not UTF-8 go the plain way.
    redo = [i for i, line in enumerate(lines) if odd[i:i + 1] == b"1" or _needs_plain(line)]
    plain = _plain_lines(conn, [int(ids[i]) for i in redo], profile, meeting_at)
    out = [line + b"\r\n" for line in lines]
    for i in redo:
        out[i] = plain.get(ids[i], b"")  # b"": deleted since the first read
    return b"".join(out)


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
    `on_rows(n)` is called after each chunk (progress; it may raise to cancel)."""
    ids = list(lead_ids)
    chunks = [ids[i:i + CHUNK_ROWS] for i in range(0, len(ids), CHUNK_ROWS)]
    written = 0
    fetch = partial(_fetch, profile=profile, meeting_at=meeting_at)
    conn = reader(db_path)
    try:
        with open(path, "wb") as fh, ChunkReader(db_path, chunks, fetch) as fetched, cyclic_gc_paused():
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\r\n").writerow(list(profile.headers))
            fh.write(buf.getvalue().encode(profile.encoding))  # with the BOM for utf-8-sig
            for chunk, row in zip(chunks, fetched, strict=True):
                fh.write(_render(conn, chunk, profile, meeting_at, row))
                written += len(chunk)
                if on_rows:
                    on_rows(written)
    finally:
        conn.close()
    return written

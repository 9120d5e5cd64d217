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

Speed (the budget is 100,000 rows/s): SQLite writes the cells of stored values as
CSV text itself (`_sql_run`) and returns one row per chunk (each column the rows'
values joined by `_RS`), read on a second connection by a thread one chunk ahead;
SQLite runs without the GIL, so reading and rendering share two cores. Python builds
only the cells made from the JSON fields (`Profile.brief`). Whether SQL's cells are
right is checked for the whole chunk at once: no cell needs quoting or starts with a
trigger (`_plain`), and no character must go (`_has_strippable`, C-speed
`bytes.translate`). A row that fails either, or holds a value SQL cannot spell as
Python does (marked with NUL), is written again the plain way, every cell by
`_cell_maker` (`_plain_lines`): the rare hostile row costs what every row used to.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from functools import cached_property, partial
from itertools import repeat
from pathlib import Path
from typing import Any

from leadtriage.handoff.text import _STRIP
from leadtriage.store.discovery_summary import PLAN_PARTS

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
    `store.discovery_summary` keeps the same text with each lead, in SQL."""
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
_MEETING = ("coalesce(:meeting_at, (SELECT h.meeting_at FROM handoffs h WHERE h.lead_id = l.id "
            "AND h.meeting_at IS NOT NULL ORDER BY h.handed_off_at DESC, h.id DESC LIMIT 1))")
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


def _sql_run(cells: Sequence[str], keep_phone: bool) -> tuple[str, str]:
    """SQL for a run of stored values as CSV text, assuming that no cell needs quoting
    or neutralising, and SQL for each cell's first character, to check that (`_plain`).
    A value SQL cannot spell as Python does (a REAL, a BLOB) becomes NUL, which
    `_has_strippable` finds. A phone number is the one value expected to start with
    '+': one `_PHONE` matches is written as is (CRM) or after an apostrophe (sheet),
    and its first character is left out of the check."""
    texts, firsts = [], []
    for c in cells:
        text = f"CASE WHEN typeof({c}) IN ('real', 'blob') THEN char(0) ELSE ifnull({c}, '') END"
        if c == "l.phone":
            phone = f"typeof({c}) = 'text' AND {c} GLOB '+*' AND length({c}) BETWEEN 4 AND 31 AND NOT substr({c}, 2) GLOB '*[^0-9 ()./-]*'"
            text = f"CASE WHEN {phone} THEN {c if keep_phone else chr(39) * 4 + ' || ' + c} ELSE {text} END"
            c = f"CASE WHEN {phone} THEN '' ELSE {c} END"
        texts.append(text)
        firsts.append(c)
    return " || ',' || ".join(texts), f"printf('{'%!.1s' * len(firsts)}', {', '.join(firsts)})"


def _plain(texts: str, firsts: str, commas: int) -> bool:
    """Whether cells as `_sql_run` wrote them (`commas` commas between them) are their
    own CSV text: none holds a quote, comma or line break or starts with a trigger."""
    return (texts.count(",") == commas and '"' not in texts and "\n" not in texts and "\r" not in texts
            and not any(t in firsts for t in TRIGGERS))


_RS = "\x1e"  # between rows in an aggregated column: `_STRIP` removes it, so no clean cell holds one
# CROSS JOIN makes json_each the outer loop: rows come in the order of :ids.
_FROM = "FROM json_each(:ids) j CROSS JOIN leads l ON l.id = j.value LEFT JOIN field_reps r ON r.id = l.field_rep_id"
BRIEF = None  # in `Profile.cells`: where the brief's cells go
# The columns of `Profile.fast_select`.
BEFORE, BEFORE_FIRSTS, PID, PAINS, MOTIVATIONS, PLAN, QUAL, MEETING, AFTER, AFTER_FIRSTS, ID = range(11)


@dataclass(frozen=True)
class Profile:
    """A CSV layout: each cell's stored value as an SQL expression, and BRIEF where
    the brief's cells go (the text `brief` builds from `_BRIEF_INPUTS` and the
    meeting time)."""

    key: str
    label: str
    headers: tuple[str, ...]
    cells: tuple[str | None, ...]
    brief: Callable[..., str]
    keep_phone_numbers: bool
    encoding: str = "utf-8"
    reads_qualification: bool = False

    @property
    def before(self) -> tuple[str, ...]:
        return self.cells[:self.cells.index(BRIEF)]

    @property
    def after(self) -> tuple[str, ...]:
        return self.cells[self.cells.index(BRIEF) + 1:]

    @property
    def _inputs(self) -> list[str]:
        return [c if c != "l.qualification" or self.reads_qualification else "NULL" for c in _BRIEF_INPUTS]

    @cached_property
    def fast_select(self) -> str:
        """One row for all the leads; in each column (see BEFORE...ID) the rows' values
        joined by `_RS`: the cells before the brief as CSV text and their first
        characters, the brief's inputs, the same two for the cells after the brief
        (if any), the lead id."""
        columns = [*_sql_run(self.before, self.keep_phone_numbers), *[f"ifnull({c}, '')" for c in self._inputs],
                   *(_sql_run(self.after, self.keep_phone_numbers) if self.after else ("''", "''")), "l.id"]
        return f"SELECT {', '.join(f'group_concat({c}, char(30))' for c in columns)} {_FROM}"

    @cached_property
    def plain_select(self) -> str:
        """Rows of (values before the brief, brief inputs, values after it, lead id)."""
        return f"SELECT {', '.join([*self.before, *self._inputs, *self.after])}, l.id {_FROM}"


SALESFORCE = Profile(
    "csv-salesforce", "Salesforce (Data Import Wizard, leads)",
    ("First Name", "Last Name", "Title", "Company", "Email", "Phone", "Website", "Industry", "No. of Employees",
     "Lead Source", "Lead Status", "Rating", "City", "State/Province", "Country", "Description", "LeadTriage ID",
     "Field Rep", "Campaign"),
    ("l.first_name", "l.last_name", "l.title", "l.company", "l.email", "l.phone", "l.website", "l.industry",
     "l.employees", "l.source", "'Open - Not Contacted'", "'Hot'", "l.city", "l.region", "l.country", BRIEF,
     "l.public_id", "r.name", "l.campaign"),
    _crm_brief, keep_phone_numbers=True,
)
HUBSPOT = Profile(
    "csv-hubspot", "HubSpot (contact import)",
    ("First Name", "Last Name", "Email", "Phone Number", "Job Title", "Company Name", "Website URL", "Industry",
     "Number of Employees", "City", "State/Region", "Country/Region", "Lifecycle Stage", "Lead Status",
     "Contact owner", "Original Source Drill-Down 1", "LeadTriage ID", "LeadTriage Brief"),
    ("l.first_name", "l.last_name", "l.email", "l.phone", "l.title", "l.company", "l.website", "l.industry",
     "l.employees", "l.city", "l.region", "l.country", "'Sales Qualified Lead'", "'New'", "r.email", "l.source",
     "l.public_id", BRIEF),
    _crm_brief, keep_phone_numbers=True,
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


# `_STRIP`'s characters in UTF-8: the C0 controls (not tab, LF, CR) and DEL are single
# bytes; each of the others starts with a lead byte, followed by one of its `_TAILS`.
_MULTIBYTE = [c.encode() for c in _STRIP.findall("".join(map(chr, range(0x80, 0x10000))))]
_TAILS = {lead: frozenset(b[1:] for b in _MULTIBYTE if b[0] == lead) for lead in {b[0] for b in _MULTIBYTE}}
_LEADS = bytes(_TAILS)
_OTHER_BYTES = bytes(b for b in range(256) if b not in _TAILS and not (b < 0x80 and _STRIP.match(chr(b))))


def _has_strippable(data: bytes) -> bool:
    """Whether UTF-8 `data` holds a character `_STRIP` removes. Two `translate` passes
    keep only control bytes and the lead bytes (no regex: the re module walks text at a
    few ns a character, most of the budget); then only lead bytes, which also start
    common characters such as € and “, are looked at one by one."""
    suspects = data.translate(None, _OTHER_BYTES)
    if not suspects:
        return False
    if suspects.translate(None, _LEADS):
        return True  # a control character
    for lead in set(suspects):
        tails = _TAILS[lead]
        size = len(next(iter(tails)))
        i = data.find(lead)
        while i >= 0:
            if data[i + 1:i + 1 + size] in tails:
                return True
            i = data.find(lead, i + 1)
    return False


def reader(db_path: Path) -> sqlite3.Connection:
    """A read-only connection for streaming an export (it sees what is committed).
    The whole file memory-mapped (SQLite caps the size at its own limit, 2 GB)."""
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA mmap_size = 17179869184")
    conn.execute("PRAGMA cache_size = -32000")
    return conn


def _fetch(conn: sqlite3.Connection, lead_ids: Sequence[int], profile: Profile, meeting_at: str | None) -> tuple:
    """`Profile.fast_select`'s one row for `lead_ids`. (One row: the thread that reads
    ahead takes the GIL once per chunk, not once per row, which would make it wait
    for the renderer's switch interval each time.)"""
    return conn.execute(profile.fast_select, {"ids": json.dumps(list(lead_ids)), "meeting_at": meeting_at}).fetchone()


def _plain_lines(conn: sqlite3.Connection, lead_ids: Sequence[int], profile: Profile,
                 meeting_at: str | None) -> dict[str, str]:
    """The lines of `lead_ids` (by lead id, in order) with every cell by `_cell_maker`,
    then stripped: for the rows the fast way cannot vouch for."""
    cell = _cell_maker(profile.keep_phone_numbers)
    n = len(profile.before)
    lines = {}
    params = {"ids": json.dumps(list(lead_ids)), "meeting_at": meeting_at}
    for *values, lead_id in conn.execute(profile.plain_select, params):
        cells = [*map(cell, values[:n]), profile.brief(cell, *values[n:n + 6]), *map(cell, values[n + 6:])]
        lines[str(lead_id)] = _STRIP.sub("", ",".join(cells) + "\r\n")
    return lines


def _render(conn: sqlite3.Connection, lead_ids: Sequence[int], profile: Profile, meeting_at: str | None,
            row: tuple) -> bytes:
    """The UTF-8 CSV lines (no header) for `lead_ids`, in that order, from `_fetch`'s `row`."""
    if row[ID] is None:
        return b""  # none of these leads exists
    ids = row[ID].split(_RS)
    before, pid, pains, motivations, plan, meeting = (row[k].split(_RS) for k in (BEFORE, PID, PAINS, MOTIVATIONS,
                                                                                  PLAN, MEETING))
    qual = row[QUAL].split(_RS) if profile.reads_qualification else before  # (a stand-in: the CRM brief ignores it)
    after = row[AFTER].split(_RS) if profile.after else before
    expected = iter(map(str, lead_ids))  # the ids found must come in this order (a subsequence)
    in_order = row[ID] == _RS.join(map(str, lead_ids)) or all(i in expected for i in ids)
    if not in_order or any(len(c) != len(ids) for c in (before, pid, pains, motivations, plan, qual, meeting, after)):
        # A value held `_RS` (or SQLite changed its row order): every row the plain way.
        lines = _plain_lines(conn, lead_ids, profile, meeting_at)
        return "".join([lines[str(i)] for i in lead_ids if str(i) in lines]).encode()
    cell = _cell_maker(profile.keep_phone_numbers)
    briefs = map(profile.brief, repeat(cell), pid, pains, motivations, plan, qual, meeting)
    if profile.after:
        lines = [f"{b},{s},{a}\r\n" for b, s, a in zip(before, briefs, after, strict=True)]
    else:
        lines = [f"{b},{s}\r\n" for b, s in zip(before, briefs, strict=True)]
    # Rows to write again the plain way: a cell SQL wrote needs quoting or
    # neutralising (checked for all rows at once, row by row only if that finds
    # something), or a character must go.
    redo = set()
    for text, firsts, size in ((BEFORE, BEFORE_FIRSTS, len(profile.before)), (AFTER, AFTER_FIRSTS, len(profile.after))):
        if size and not _plain(row[text], row[firsts], len(ids) * (size - 1)):
            redo.update(i for i, (t, f) in enumerate(zip(row[text].split(_RS), row[firsts].split(_RS), strict=True))
                        if not _plain(t, f, size - 1))
    data = "".join(lines).encode()
    if _has_strippable(data):
        redo.update(i for i, line in enumerate(lines) if _has_strippable(line.encode()))
    if not redo:
        return data
    plain = _plain_lines(conn, [int(ids[i]) for i in redo], profile, meeting_at)
    for i in redo:
        lines[i] = plain.get(ids[i], "")  # "": deleted since the first read
    return "".join(lines).encode()


def _read_ahead(fn: Callable, items: Sequence) -> Iterator:
    """fn(item) for each item, the next one computed on a thread while the caller works
    on this one: SQLite releases the GIL while it runs a statement, so reading the next
    chunk and rendering this one use both cores."""
    with ThreadPoolExecutor(1, thread_name_prefix="csv-read-ahead") as pool:
        pending = pool.submit(fn, items[0]) if items else None
        for item in items[1:]:
            current, pending = pending, pool.submit(fn, item)
            yield current.result()
        if pending is not None:
            yield pending.result()


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
    no faster; a thread that only reads is, see the module docstring.)"""
    ids = list(lead_ids)
    chunks = [ids[i:i + CHUNK_ROWS] for i in range(0, len(ids), CHUNK_ROWS)]
    written = 0
    conn, ahead = reader(db_path), reader(db_path)
    fetch = partial(_fetch, ahead, profile=profile, meeting_at=meeting_at)
    try:
        with open(path, "wb") as fh, closing(_read_ahead(fetch, chunks)) as fetched:
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
        ahead.close()
    return written

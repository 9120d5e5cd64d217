"""Refusing a spreadsheet that would exhaust memory, before calamine reads it.

calamine (through pandas) builds a dense grid from the lowest to the highest cell, so
a 4.9 KB XLSX with cells A1 and XFD1048576 asks for 17 billion cells and the process
dies with an out-of-memory abort, which no `except` can catch; and a 1 MB file can
unzip to one 1 GiB cell. So before reading, for XLSX/XLSM we look at the zip
directory (uncompressed sizes of the chosen sheet and the shared strings) and scan the
sheet's XML (streamed, in blocks) for the highest row and column any cell or row
names. Anything beyond the limits is refused with a sentence (exit 2 on the command
line); cell lengths are checked after reading (`reader.MAX_FIELD_CHARS`).

The limits are far above a real lead list (a million leads by twenty columns is
20 million cells; beyond a few million a CSV is the better way: it is streamed).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from leadtriage.errors import UserError

MAX_CELLS = 10_000_000  # rows x columns of the grid calamine would build
MAX_SHEET_XML = 256 * 1024 * 1024  # uncompressed bytes of one sheet
MAX_SHARED_STRINGS = 128 * 1024 * 1024
MAX_SMALL_PART = 16 * 1024 * 1024  # workbook.xml and its relations: read whole, so bounded
_BLOCK = 1 << 20
_OVERLAP = 64

_REF_ROW = re.compile(rb'\sr="[A-Z]{0,3}([0-9]{1,10})"')
_REF_COL = re.compile(rb'\sr="([A-Z]{1,4})[0-9]')
# A <c> or <row> tag without an r="..." attribute (its position is implied).
_NO_REF = re.compile(rb'<(?:\w+:)?(?:c|row)(?=[\s/>])(?:(?!\sr=)[^>])*>')
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)[\s/>]")

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


class SheetTooLarge(UserError):
    """The workbook would need more memory than any lead list does."""


def check_workbook(path: Path, sheet: str) -> None:
    """Raise SheetTooLarge if reading `sheet` of the XLSX/XLSM at `path` could
    exhaust memory. Files that are not zip workbooks are left to the reader."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # XLS / ODS-less / damaged: calamine reports what it is
    with book:
        names = {i.filename: i for i in book.infolist()}
        if "xl/workbook.xml" not in names:
            return  # an ODS or something else zipped; see the module docstring
        shared = names.get("xl/sharedStrings.xml")
        if shared is not None and shared.file_size > MAX_SHARED_STRINGS:
            raise SheetTooLarge(
                f"{path.name} holds {_mb(shared.file_size)} of text, more than a lead list can "
                f"({_mb(MAX_SHARED_STRINGS)}); save the sheet as CSV and import that.")
        member = _sheet_member(book, names, sheet)
        if member is None or member not in names:
            return
        info = names[member]
        if info.file_size > MAX_SHEET_XML:
            raise SheetTooLarge(
                f"Sheet {sheet!r} of {path.name} unpacks to {_mb(info.file_size)}, more than "
                f"{_mb(MAX_SHEET_XML)}; save it as CSV and import that.")
        rows, cols = _extent(book, info)
        if rows * cols > MAX_CELLS:
            raise SheetTooLarge(
                f"Sheet {sheet!r} of {path.name} spans {rows:,} rows by {cols:,} columns "
                f"({rows * cols:,} cells, more than {MAX_CELLS:,}); it is damaged or not a lead list. "
                "Delete the far-away cells, or save the used range as CSV and import that.")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _small(book: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], member: str) -> bytes | None:
    info = names.get(member)
    if info is None or info.file_size > MAX_SMALL_PART:
        return None
    return book.read(info)


def _sheet_member(book: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], sheet: str) -> str | None:
    """The zip member holding the sheet called `sheet` (workbook.xml -> its relation)."""
    workbook, rels = _small(book, names, "xl/workbook.xml"), _small(book, names, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return None
    try:
        rel_id = next((s.get(f"{_NS_REL}id") for s in ElementTree.fromstring(workbook).iter(f"{_NS_MAIN}sheet")
                       if s.get("name") == sheet), None)
        target = next((r.get("Target") for r in ElementTree.fromstring(rels)
                       if r.get("Id") == rel_id), None) if rel_id else None
    except ElementTree.ParseError:
        return None
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _extent(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Highest row and column (1-based) a cell or row of the sheet names. Cells or
    rows without a reference take the next position; then they are counted per row."""
    max_row = max_col = 0
    implied = False
    tail = b""
    with book.open(info) as fh:
        while block := fh.read(_BLOCK):
            data = tail + block
            rows = _REF_ROW.findall(data)
            if rows:
                max_row = max(max_row, max(map(int, rows)))
            cols = set(_REF_COL.findall(data))
            if cols:
                max_col = max(max_col, max(_column_number(c) for c in cols))
            implied = implied or _NO_REF.search(data) is not None
            tail = data[-_OVERLAP:]
    if implied:
        rows_seen, widest = _count_positions(book, info)
        max_row, max_col = max(max_row, rows_seen), max(max_col, widest)
    return max_row, max_col


def _count_positions(book: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """For sheets whose cells carry no reference: rows, and the most cells in one row."""
    rows = widest = current = 0
    tail = b""
    with book.open(info) as fh:
        while block := fh.read(_BLOCK):
            data = tail + block
            cut = max(0, len(data) - _OVERLAP)
            for match in _ROW_OR_CELL.finditer(data, 0, cut):
                if match.group(1) == b"row":
                    rows, current = rows + 1, 0
                else:
                    current += 1
                    widest = max(widest, current)
            tail = data[cut:]
        for match in _ROW_OR_CELL.finditer(tail):
            if match.group(1) == b"row":
                rows, current = rows + 1, 0
            else:
                current += 1
                widest = max(widest, current)
    return rows, widest


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n

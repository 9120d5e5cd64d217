"""Reading any lead list as a table of text: CSV/TSV/TXT (streamed) and
XLSX/XLS/ODS (through pandas + python-calamine).

The one entry point is `read_table(path, encoding=None, delimiter=None, sheet=None)`.
It looks at the file once, decides how to read it and returns a `Table`:

    table = read_table("list.csv")
    table.encoding, table.delimiter, table.headers      # what was detected
    for chunk in table.chunks(5000):                     # never the whole file at once
        for line_no, cells in chunk:                     # cells: list[str], ragged allowed
            ...

Why it works this way:
- Encodings: charset detectors misread cp1252 as cp775 and garble umlauts, so we
  only trust facts: a BOM, then *strict* UTF-8 over the whole file, then cp1252
  (Latin-1 for the five bytes cp1252 leaves undefined). The caller can override.
- Duplicate headers are kept (csv.DictReader silently drops all but one), so rows
  are lists indexed by column position, and `labels` gives unique display names.
- Every cell is text: postal codes and phone numbers keep their leading zeros.
- `line_no` is the physical line where a record starts (CSV) or the sheet row
  (spreadsheets), so a reject can be found in the original file.

Anything that is not a table (binary, empty, a broken workbook) raises
`UnreadableFile`, a `UserError` with one sentence for the user.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from leadtriage.errors import UserError
from leadtriage.importing import encodings
from leadtriage.importing.sheetguard import check_workbook

__all__ = ["Table", "UnreadableFile", "read_table", "detect_encoding", "detect_delimiter",
           "DELIMITERS", "SPREADSHEET_SUFFIXES"]

DELIMITERS = (",", ";", "\t", "|")
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
_SAMPLE_BYTES = 256 * 1024
Row = tuple[int, list[str]]

# The longest field a list may hold. Long notes are real, but a field of more than
# 64 KB is a quote that never closed, not a note; it refuses the file (line named).
MAX_FIELD_CHARS = 64 * 1024
# A record may span lines (a note with line breaks), but not this many: beyond it a
# quote that closed much later than intended swallowed rows.
MAX_RECORD_LINES = 100
csv.field_size_limit(MAX_FIELD_CHARS)


class UnreadableFile(UserError):
    """The file is not a table we can read (binary, empty, damaged)."""


@dataclass
class Table:
    """An opened table. `headers` are the first row's cells as written (duplicates
    and blanks included); `labels` are unique, non-empty names for display and for
    custom-field keys."""

    path: Path
    kind: str  # "text" or "spreadsheet"
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    header_line: int = 1
    size: int = 0
    # With encoding utf-8+cp1252: the lines read in cp1252 (the first 1,000) and how many
    legacy_lines: list[int] = field(default_factory=list)
    legacy_line_count: int = 0
    position: int = 0  # bytes read so far while iterating a text file (for progress)
    _rows: list[list[str]] | None = None  # spreadsheets: the sheet's data rows

    @property
    def labels(self) -> list[str]:
        return unique_labels(self.headers)

    def rows(self) -> Iterator[Row]:
        """Every data row after the header as (line_no, cells); blank rows skipped."""
        if self.kind == "spreadsheet":
            assert self._rows is not None
            for offset, cells in enumerate(self._rows, start=self.header_line + 1):
                if any(cells):
                    yield offset, cells
            return
        yield from _csv_rows(self.path, self.encoding or "utf-8", self.delimiter or ",", skip_header=True,
                             tracker=self)

    def verify(self) -> None:
        """Read the whole text file once, so broken quoting (`DamagedLine`) is found
        before anything is written. Spreadsheets were checked when they were opened."""
        if self.kind == "text":
            for _ in _csv_rows(self.path, self.encoding or "utf-8", self.delimiter or ",", skip_header=True):
                pass

    def chunks(self, size: int = 5000) -> Iterator[list[Row]]:
        """Rows in lists of at most `size`, so callers can batch work and report progress."""
        chunk: list[Row] = []
        for item in self.rows():
            chunk.append(item)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def preview(self, limit: int = 50) -> list[Row]:
        out: list[Row] = []
        for item in self.rows():
            out.append(item)
            if len(out) >= limit:
                break
        return out


def unique_labels(headers: list[str]) -> list[str]:
    labels: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(headers, start=1):
        base = raw.strip() or f"Column {i}"
        n = seen.get(base.lower(), 0) + 1
        seen[base.lower()] = n
        labels.append(base if n == 1 else f"{base} ({n})")
    return labels


def read_table(
    path: str | Path,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Table:
    """Open `path` as a table; `encoding`, `delimiter` and `sheet` override detection."""
    path = Path(path)
    size = require_regular_file(path, "lead list")
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SAMPLE_BYTES)
    except OSError as exc:
        raise UnreadableFile(f"Cannot read {path.name}: {exc.strerror}.") from None
    if not head:
        raise UnreadableFile(f"{path.name} is empty.")
    if _is_spreadsheet(path, head):
        return _open_spreadsheet(path, sheet, size)
    try:
        detected = encodings.Detected(encodings.check_text_encoding(encoding)) if encoding \
            else encodings.detect(path, head)
    except UserError as exc:
        raise UnreadableFile(str(exc)) from None
    encoding = detected.encoding
    try:
        # Strict over the sample (a multi-byte character cut at its end is fine).
        text = codecs.getincrementaldecoder(encoding)(errors="strict").decode(head, final=len(head) >= size)
    except UnicodeDecodeError as exc:
        line = head.count(b"\n", 0, exc.start) + 1
        raise UnreadableFile(
            f"{path.name} near line {line} is not valid {encoding} text; choose another encoding.") from None
    except (UnicodeError, ValueError, TypeError, LookupError):
        raise UnreadableFile(f"{path.name} cannot be read as {encoding} text; choose another encoding.") from None
    if encoding.startswith("utf-8") and text.startswith("\ufeff"):
        text = text[1:]
    _refuse_binary(path, text)
    if delimiter:
        delimiter = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(
            delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise UnreadableFile(f"The delimiter must be one character, not {delimiter!r}.")
        if delimiter in "\"\r\n":
            raise UnreadableFile(f"{delimiter!r} cannot separate fields; use ',', ';', tab or '|'.")
    else:
        delimiter = detect_delimiter(text, complete=len(head) >= size)
    headers: list[str] | None = None
    header_line = 1
    for line_no, cells in _csv_rows(path, encoding, delimiter, skip_header=False):
        headers, header_line = cells, line_no
        break
    if not headers or not any(h.strip() for h in headers):
        raise UnreadableFile(f"{path.name} has no header row (it is empty or blank).")
    return Table(path=path, kind="text", headers=[h.strip() for h in headers], encoding=encoding,
                 delimiter=delimiter, header_line=header_line, size=size,
                 legacy_lines=list(detected.legacy_lines), legacy_line_count=detected.legacy_line_count)


def require_regular_file(path: Path, what: str) -> int:
    """The size of `path`, or UnreadableFile if it is not a plain file. A FIFO, a
    terminal or /dev/zero would make a read wait forever or never end; the file is
    opened without waiting (O_NONBLOCK) so even a FIFO cannot hold us here."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise UnreadableFile(f"{path.name} is a folder, not a {what}.") from None
    except FileNotFoundError:
        raise UnreadableFile(f"{path} does not exist.") from None
    except OSError as exc:
        raise UnreadableFile(f"Cannot read {path.name}: {exc.strerror}.") from None
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableFile(f"{path.name} is a folder, not a {what}.")
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(f"{path.name} is not a regular file (a device, pipe or socket); "
                             f"save the {what} as a file and choose that.")
    return info.st_size


# -- text files --------------------------------------------------------------------------

def detect_encoding(path: Path, head: bytes | None = None) -> str:
    """BOM first, then strict UTF-8 over the *whole* file (a list can be clean ASCII
    for 100k rows and hold one 'Müller' at the end), then UTF-8 with a few cp1252
    lines, then cp1252, then Latin-1 (see `importing.encodings`)."""
    if head is None:
        with open(path, "rb") as fh:
            head = fh.read(_SAMPLE_BYTES)
    return encodings.detect(path, head).encoding


def _refuse_binary(path: Path, text: str) -> None:
    sample = text[:8192]
    if not sample.strip():
        raise UnreadableFile(f"{path.name} is empty.")
    control = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n\f\v")
    if "\x00" in sample or control > max(2, len(sample) // 100):
        raise UnreadableFile(f"{path.name} is not a text table (it looks like a binary file).")
    if "\ufffd" in sample and sample.count("\ufffd") > len(sample) // 50:
        raise UnreadableFile(f"{path.name} is not a text table (it looks like a binary file).")


def detect_delimiter(text: str, complete: bool = False) -> str:
    """The candidate that splits the sample's records into the most consistent number
    of columns (more than one). A one-column list (just e-mails) reads with ','."""
    best, best_score = ",", (0.0, 0)
    for cand in DELIMITERS:
        if cand not in text:
            continue
        try:
            records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=cand) if r]
        except csv.Error:
            continue
        if not complete and len(records) > 1:
            records = records[:-1]  # the sample may cut the last record in half
        records = records[:200]
        if not records:
            continue
        counts: dict[int, int] = {}
        for r in records:
            counts[len(r)] = counts.get(len(r), 0) + 1
        modal, hits = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if modal < 2:
            continue
        score = (hits / len(records), modal)
        if score > best_score:
            best, best_score = cand, score
    return best


def _csv_rows(path: Path, encoding: str, delimiter: str, *, skip_header: bool,
              tracker: Table | None = None) -> Iterator[Row]:
    """Records as (first line, cells). Quoting is read strictly: a quote that opens a
    field and closes anywhere but at a delimiter or line end, or never, is damage,
    and a record that swallowed many lines or holds a 64 KB field is refused too, so
    a stray quote can never merge the rest of a file into one field (see `DamagedLine`)."""
    with open(path, "rb") as raw, io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        last = 0
        header_seen = not skip_header
        spanning_start = 0  # first line of the previous record, if it spanned lines
        try:
            for cells in reader:
                start = last + 1
                last = reader.line_num
                if last > start or spanning_start:
                    # Rare (a note with line breaks, and the record after it), so checked in Python.
                    _check_spanning(path, encoding, delimiter, spanning_start or start, last, cells, last > start)
                    if last > start:
                        spanning_start = start
                    elif any(c.strip() for c in cells):
                        spanning_start = 0  # blank lines in between keep the watch on
                if not any(c and not c.isspace() for c in cells):
                    continue  # a blank line, or one of only delimiters
                if start == 1 and cells[0].startswith("\ufeff"):
                    cells[0] = cells[0][1:]
                if not header_seen:
                    header_seen = True
                    continue
                if tracker is not None:
                    tracker.position = raw.tell()
                yield start, cells
        except csv.Error as exc:
            raise _damage(path, encoding, last + 1, reader.line_num, str(exc)) from None
        except UnicodeDecodeError:
            line = encodings.first_invalid_line(path, encoding) or last + 1
            raise UnreadableFile(
                f"{path.name} near line {line} is not valid {encoding} text; choose another encoding."
            ) from None


class DamagedLine(UnreadableFile):
    """A record whose quoting is broken. `line_no` is where it starts, `line_text`
    that line as written (for the wizard to show; never logged: it is personal data)."""

    def __init__(self, message: str, line_no: int, line_text: str):
        super().__init__(message)
        self.line_no = line_no
        self.line_text = line_text


def _check_spanning(path: Path, encoding: str, delimiter: str, start: int, end: int, cells: list[str],
                    spanning: bool) -> None:
    if spanning and end - start + 1 > MAX_RECORD_LINES:
        raise _damage(path, encoding, start, end, "too many lines")
    # A stray quote that closes at the opening quote of a later field leaves that
    # field's delimiter (and any quotes the field began with) at the end of the
    # swallowed text.
    if spanning and any(c.rstrip('"').endswith(delimiter) and ("\n" in c or "\r" in c) for c in cells):
        raise _damage(path, encoding, start, end, "spanning field ends with the delimiter")
    # A stray quote that closes at the opening quote of a later field (one that starts
    # with the delimiter or a line break) leaves that field's own closing quote at the
    # end of an unquoted cell, in this record or the next one.
    if any(c.endswith('"') and "\n" not in c and "\r" not in c for c in cells):
        raise _damage(path, encoding, start, end, "quote after a spanning field")


def _damage(path: Path, encoding: str, start: int, end: int, why: str) -> DamagedLine:
    text = _physical_line(path, encoding, start)
    shown = text if len(text) <= 60 else text[:60] + "…"
    if "field larger than field limit" in why:
        what = (f"a field starting on this line is longer than {MAX_FIELD_CHARS // 1024} KB "
                "(a quote that never closes?)")
    elif "unexpected end of data" in why:
        what = "a quote opened on this line never closes, so the rest of the file would become one field"
    elif end > start:
        what = f"a quote opened on this line only closes on line {end}, swallowing the lines between"
    else:
        what = "a quote on this line is misplaced (text after a closing quote)"
    message = (f"{path.name}, line {start}: {what}. Fix the quoting on that line and import again"
               f"{f' (it begins: {shown})' if shown.strip() else ''}.")
    return DamagedLine(message, start, text)


def _physical_line(path: Path, encoding: str, line_no: int) -> str:
    """Line `line_no` of the file as written, or "" if it cannot be read."""
    try:
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            for n, line in enumerate(fh, start=1):
                if n == line_no:
                    return line.rstrip("\r\n")[:2000]
    except (OSError, UnicodeError, LookupError):
        pass
    return ""


# -- spreadsheets ------------------------------------------------------------------------

def _is_spreadsheet(path: Path, head: bytes) -> bool:
    if path.suffix.lower() in SPREADSHEET_SUFFIXES:
        return True
    return head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def sheet_names(path: str | Path) -> list[str]:
    import pandas as pd

    try:
        with pd.ExcelFile(path, engine="calamine") as book:
            return [str(s) for s in book.sheet_names]
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise UnreadableFile(f"{Path(path).name} cannot be read as a spreadsheet ({_short(exc)}).") from None


def _open_spreadsheet(path: Path, sheet: str | None, size: int) -> Table:
    import pandas as pd

    names = sheet_names(path)
    if not names:
        raise UnreadableFile(f"{path.name} has no sheets.")
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise UnreadableFile(f"{path.name} has no sheet named {sheet!r} (it has: {', '.join(names)}).")
    check_workbook(path, sheet)
    try:
        frame = pd.read_excel(path, sheet_name=sheet, engine="calamine", header=None, dtype=object,
                              na_filter=False)
    except Exception as exc:
        raise UnreadableFile(f"{path.name} cannot be read as a spreadsheet ({_short(exc)}).") from None
    rows = [[_cell_text(v) for v in values] for values in frame.itertuples(index=False, name=None)]
    header_index = next((i for i, r in enumerate(rows) if any(r)), None)
    if header_index is None:
        raise UnreadableFile(f"Sheet {sheet!r} of {path.name} is empty.")
    headers = [h.strip() for h in rows[header_index]]
    width = len(headers)
    while width and not headers[width - 1]:
        width -= 1
    return Table(path=path, kind="spreadsheet", headers=headers[:width] if width else headers,
                 sheet=sheet, sheets=names, header_line=header_index + 1, size=size,
                 _rows=rows[header_index + 1:])


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text
    return str(value)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]

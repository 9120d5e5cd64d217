"""Which text encoding a lead list is in, decided from facts, never guessed from statistics.

Order (DESIGN.md): a BOM; UTF-16 without a BOM (every other byte zero); strict UTF-8
over the whole file; otherwise Windows-1252 (Latin-1 for the five bytes cp1252 leaves
undefined). Charset detectors misread cp1252 as cp775, so none is used.

One case needs more than that: a UTF-8 list with a few lines typed or appended in
cp1252 (a row pasted from an old tool). Re-reading the whole file as cp1252 then
garbles every "Jürgen Müller" of the UTF-8 part. So when most of the non-ASCII text
is on valid UTF-8 lines, the file is read as `utf-8+cp1252`: UTF-8, except that a line
that is not valid UTF-8 is read wholly in cp1252. Those lines are counted and named,
so the user is told which ones to check. (cp1252 bytes that happen to form valid UTF-8,
such as 'ß€', cannot be told apart; in real text they are vanishingly rare.)

A user override (`--encoding`, the wizard's box) must name a text encoding: `rot13`,
`base64`, `zlib` or `hex` are codecs too, but not for text files.
"""

from __future__ import annotations

import codecs
import encodings.utf_8
from dataclasses import dataclass, field
from pathlib import Path

from leadtriage.errors import UserError

MIXED = "utf-8+cp1252"
_BLOCK = 1 << 20
_HIGH = bytes(range(0x80, 0x100))
_MAX_PENDING = 1 << 20  # a line longer than this is decoded in pieces
_KEEP_LINES = 1000  # line numbers remembered for the report; the count is always exact
# A list that is mostly cp1252 shows it within its first thousand invalid lines; the
# scan stops there rather than visiting every line of a big legacy file.
_DECIDE_AFTER = 1000

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def legacy_text(data: bytes) -> str:
    """cp1252, with Latin-1 for the five bytes cp1252 does not define."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252") for b in data)


def _line_text(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return legacy_text(line)


def _cut(data: bytes) -> int:
    """Where the complete lines of `data` end (a CR at the very end may be half a CRLF).
    A line longer than _MAX_PENDING is cut between two UTF-8 characters instead, so
    memory stays bounded."""
    cut = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1)) + 1
    if not cut and len(data) > _MAX_PENDING:
        cut = len(data) - 4
        while cut and 0x80 <= data[cut] < 0xC0:  # not inside a UTF-8 character
            cut -= 1
    return cut




class _MixedDecoder(codecs.IncrementalDecoder):
    """UTF-8, but a line that is not valid UTF-8 is read wholly in cp1252. Blocks of
    whole lines are tried as UTF-8 at once (C speed); only a block holding a bad line
    is split into lines."""

    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors)
        self.pending = b""

    def decode(self, input: bytes, final: bool = False) -> str:  # noqa: A002 (the codecs API's name)
        data = self.pending + bytes(input)
        if final:
            self.pending = b""
        else:
            cut = _cut(data)
            data, self.pending = data[:cut], data[cut:]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return "".join(_line_text(line) for line in data.splitlines(keepends=True))

    def reset(self) -> None:
        self.pending = b""

    def getstate(self) -> tuple[bytes, int]:
        return self.pending, 0

    def setstate(self, state: tuple[bytes, int]) -> None:
        self.pending = state[0]


def _mixed_decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
    return _MixedDecoder().decode(data, final=True), len(data)


def _search(name: str) -> codecs.CodecInfo | None:
    if name != "utf_8_cp1252":
        return None
    return codecs.CodecInfo(name=MIXED, encode=codecs.utf_8_encode, decode=_mixed_decode,
                            incrementalencoder=encodings.utf_8.IncrementalEncoder,
                            incrementaldecoder=_MixedDecoder,
                            streamreader=encodings.utf_8.StreamReader, streamwriter=encodings.utf_8.StreamWriter)


codecs.register(_search)


def _count_newlines(data: bytes, start: int, end: int) -> int:
    return data.count(b"\n", start, end) + data.count(b"\r", start, end) - data.count(b"\r\n", start, end)


def _high(data: bytes) -> int:
    return len(data) - len(data.translate(None, _HIGH))


@dataclass
class _Scan:
    lines: list[int] = field(default_factory=list)  # lines that are not UTF-8 (the first 1,000)
    line_count: int = 0
    utf8_chars: int = 0  # non-ASCII characters on valid lines (a UTF-8 one takes two bytes or more)
    legacy_chars: int = 0  # non-ASCII bytes on invalid lines (a cp1252 one takes one)

    @property
    def mostly_utf8(self) -> bool:
        return self.utf8_chars > self.legacy_chars


@dataclass(frozen=True)
class Detected:
    encoding: str
    legacy_lines: tuple[int, ...] = ()  # with MIXED: lines read in cp1252 (the first 1,000)
    legacy_line_count: int = 0


def detect(path: Path, head: bytes) -> Detected:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return Detected(name)
    utf16 = _bomless_utf16(head)
    if utf16:
        return Detected(utf16)
    if decodes_whole(path, "utf-8"):
        return Detected("utf-8")
    scan = _scan_invalid(path)
    if scan is not None:
        return Detected(MIXED, tuple(scan.lines), scan.line_count)
    if decodes_whole(path, "cp1252"):
        return Detected("cp1252")
    return Detected("latin-1")


def _scan_invalid(path: Path) -> _Scan | None:
    """The lines that are not UTF-8 in a file that is mostly UTF-8, or None when its
    non-ASCII text is mostly not UTF-8 (a cp1252 file)."""
    scan = _Scan()
    line = 1
    pending = b""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_BLOCK)
            data = pending + block
            if block:
                cut = _cut(data)
                data, pending = data[:cut], data[cut:]
            if data:
                try:
                    data.decode("utf-8")
                    scan.utf8_chars += _high(data) // 2
                    line += _count_newlines(data, 0, len(data))
                except UnicodeDecodeError:
                    line = _classify_lines(data, line, scan)
                if scan.line_count > _DECIDE_AFTER and not scan.mostly_utf8:
                    return None
            if not block:
                break
    return scan if scan.mostly_utf8 else None


def _classify_lines(data: bytes, line: int, scan: _Scan) -> int:
    for text in data.splitlines(keepends=True):
        try:
            text.decode("utf-8")
            scan.utf8_chars += _high(text) // 2
        except UnicodeDecodeError:
            scan.legacy_chars += _high(text)
            scan.line_count += 1
            if len(scan.lines) < _KEEP_LINES:
                scan.lines.append(line)
        line += 1
    return line


def decodes_whole(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as fh:
            while block := fh.read(_BLOCK):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def first_invalid_line(path: Path, encoding: str) -> int | None:
    """The line holding the first byte that is not valid `encoding`, for the message
    (the text reader decodes ahead of the CSV reader, so its line count is early)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    base = 0
    try:
        with open(path, "rb") as fh:
            while block := fh.read(_BLOCK):
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    offset = base - pending + exc.start
                    break
                base += len(block)
            else:
                return None
            fh.seek(0)
            data = fh.read(offset)
    except (OSError, UnicodeError, LookupError, TypeError):
        return None
    return _count_newlines(data, 0, len(data)) + 1


def _bomless_utf16(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


# -- a user's choice -------------------------------------------------------------------------

_PROBE = "Name,E-mail;Stadt\t|\"Müller\" 'x'\r\n"
_PROBE_ASCII = b"Name,E-mail;Stadt\t|\"Mueller\" 'x'\r\n"


def check_text_encoding(name: str) -> str:
    """`name` if it is a text encoding that can hold a lead list, else UserError."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        raise UserError(f"Unknown encoding {name!r}.") from None
    usable = getattr(info, "_is_text_encoding", True)
    if usable:
        # Codecs that rewrite text (punycode, idna) or cannot be used (undefined)
        # do not give the same text back.
        try:
            usable = _PROBE.encode(info.name).decode(info.name) == _PROBE
            if usable and not info.name.startswith(("utf-16", "utf-32")):
                # Every other encoding of a table keeps ASCII (delimiters, quotes, line ends) as is.
                usable = _PROBE_ASCII.decode(info.name) == _PROBE_ASCII.decode("ascii")
        except (UnicodeError, ValueError, TypeError, LookupError):
            usable = False
    if not usable:
        raise UserError(f"{name!r} is not a text encoding; use one such as utf-8, cp1252 or utf-16.")
    return name

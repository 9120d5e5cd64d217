"""Which text encoding a lead list is in, decided from facts, never guessed from statistics.

Order (DESIGN.md): a BOM; UTF-16 without a BOM (every other byte zero); strict UTF-8
over the whole file; otherwise Windows-1252 (Latin-1 for the five bytes cp1252 leaves
undefined). Charset detectors misread cp1252 as cp775, so none is used.

One case needs more than that: a UTF-8 list with a few lines typed or appended in
cp1252 (a row pasted from an old tool). Re-reading the whole file as cp1252 then
garbles every "Jürgen Müller" of the UTF-8 part. So when most of the non-ASCII bytes
are valid UTF-8, the file is read as `utf-8+cp1252`: UTF-8, except that a line with an
invalid byte is read in cp1252 from that byte to its end. Those lines are counted and
named, so the user is told which ones to check.

A user override (`--encoding`, the wizard's box) must name a text encoding: `rot13`,
`base64`, `zlib` or `hex` are codecs too, but not for text files.
"""

from __future__ import annotations

import codecs
import encodings.utf_8
import threading
from dataclasses import dataclass, field
from pathlib import Path

from leadtriage.errors import UserError

MIXED = "utf-8+cp1252"
_HANDLER = "leadtriage-cp1252-line"
_COUNTER = "leadtriage-count-invalid"
_BLOCK = 1 << 20
_HIGH = bytes(range(0x80, 0x100))
_KEEP_LINES = 1000  # line numbers remembered for the report; the count is always exact
# A list that is mostly cp1252 shows it within its first thousand invalid bytes; the
# scan stops there rather than visiting every umlaut of a big legacy file.
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


def _rest_of_line_in_cp1252(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the invalid byte and the rest of its line, read as cp1252.
    Only the bytes handed to this decode call are seen; a line that goes on past them
    continues as UTF-8, with the next invalid byte handled the same way."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    data, start = exc.object, exc.start
    ends = [i for i in (data.find(b"\n", start), data.find(b"\r", start)) if i >= 0]
    end = min(ends) if ends else exc.end
    return legacy_text(bytes(data[start:end])), end


codecs.register_error(_HANDLER, _rest_of_line_in_cp1252)


class _MixedDecoder(encodings.utf_8.IncrementalDecoder):
    def __init__(self, errors: str = "strict") -> None:
        super().__init__(errors=_HANDLER)


def _mixed_decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
    return codecs.utf_8_decode(data, _HANDLER, True)


def _search(name: str) -> codecs.CodecInfo | None:
    if name != "utf_8_cp1252":
        return None
    info = codecs.CodecInfo(name=MIXED, encode=codecs.utf_8_encode, decode=_mixed_decode,
                            incrementalencoder=encodings.utf_8.IncrementalEncoder,
                            incrementaldecoder=_MixedDecoder,
                            streamreader=encodings.utf_8.StreamReader, streamwriter=encodings.utf_8.StreamWriter)
    return info


codecs.register(_search)


# -- finding invalid UTF-8 ------------------------------------------------------------------

@dataclass
class _Scan:
    invalid_bytes: int = 0
    lines: list[int] = field(default_factory=list)
    line_count: int = 0  # lines holding an invalid byte
    # line bookkeeping inside the current block
    block: object = None
    counted_to: int = 0
    line: int = 1
    last_line: int = 0


_state = threading.local()


def _count_newlines(data: bytes, start: int, end: int) -> int:
    return data.count(b"\n", start, end) + data.count(b"\r", start, end) - data.count(b"\r\n", start, end)


def _count_invalid(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    scan: _Scan = _state.scan
    data = exc.object
    if scan.block is not data:
        scan.block, scan.counted_to = data, 0
    scan.line += _count_newlines(data, scan.counted_to, exc.start)
    scan.counted_to = exc.start
    scan.invalid_bytes += exc.end - exc.start
    if scan.line != scan.last_line:
        scan.last_line = scan.line
        scan.line_count += 1
        if len(scan.lines) < _KEEP_LINES:
            scan.lines.append(scan.line)
    return "\ufffd", exc.end


codecs.register_error(_COUNTER, _count_invalid)


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
    """The invalid UTF-8 of a file that is mostly UTF-8, or None when the non-ASCII
    bytes are mostly not UTF-8 (a cp1252 file)."""
    scan = _Scan()
    _state.scan = scan
    decoder = codecs.getincrementaldecoder("utf-8")(errors=_COUNTER)
    high = 0
    try:
        with open(path, "rb") as fh:
            while block := fh.read(_BLOCK):
                high += len(block) - len(block.translate(None, _HIGH))
                decoder.decode(block)
                scan.line += _count_newlines(scan.block, scan.counted_to, len(scan.block)) \
                    if scan.block is not None else _count_newlines(block, 0, len(block))
                scan.block, scan.counted_to = None, 0
                if scan.invalid_bytes > _DECIDE_AFTER and not _mostly_utf8(high, scan.invalid_bytes):
                    return None
            decoder.decode(b"", final=True)
    finally:
        del _state.scan
    return scan if _mostly_utf8(high, scan.invalid_bytes) else None


def _mostly_utf8(high_bytes: int, invalid_bytes: int) -> bool:
    # A UTF-8 letter outside ASCII takes two bytes or more, a cp1252 one takes one:
    # compare letters, not bytes.
    valid = high_bytes - invalid_bytes
    return valid >= 2 * invalid_bytes


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

"""Reading values a foreign tool stored where LeadTriage keeps text.

LeadTriage writes only valid text into its text columns. A script, a database
browser or a data fix can still leave bytes there: a BLOB, or TEXT that is not
valid UTF-8 (SQLite does not check). Python's sqlite3 raises on the second, and a
BLOB arrives as `bytes`, which text handling then trips over. Where one bad value
must not stop a whole job (an export of thousands of leads), read through these:
the bytes are taken as UTF-8, and what is not UTF-8 becomes U+FFFD (�), so the
reader sees where something was lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


def decode_text(data: bytes) -> str:
    """Stored bytes as text; invalid UTF-8 becomes U+FFFD."""
    return data.decode("utf-8", "replace")


def as_text(value: object) -> object:
    """A BLOB as the text it holds; any other value as it is."""
    return decode_text(value) if isinstance(value, bytes) else value


@contextmanager
def lenient_text(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """TEXT values read on `conn` inside the block never raise for invalid UTF-8."""
    previous = conn.text_factory
    conn.text_factory = decode_text
    try:
        yield conn
    finally:
        conn.text_factory = previous

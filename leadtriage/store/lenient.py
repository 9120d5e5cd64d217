"""Reading values a foreign tool stored where LeadTriage keeps text.

LeadTriage writes only valid text into its text columns. A script, a database
browser or a data fix can still leave bytes there: a BLOB, or TEXT that is not
valid UTF-8 (SQLite does not check). Python's sqlite3 raises on the second, and a
BLOB arrives as `bytes`, which text handling then trips over. One bad value must
not stop a whole view or job (an export of thousands of leads): rows meant for
display or export are read with `lenient_text` and pass their values through
`as_text`. The bytes are taken as UTF-8, and what is not UTF-8 becomes U+FFFD (�),
so the reader sees where something was lost.

Only for values that are shown or written out, never for values fed back into SQL:
"Caf\xc3" read as "Caf�" no longer equals or sorts like the stored bytes, and a
keyset or skip-scan loop over it would repeat or skip rows. Connections stay strict
by default, so such code fails loudly instead.
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
    """TEXT read on `conn` inside the block never raises for invalid UTF-8."""
    previous = conn.text_factory
    conn.text_factory = decode_text
    try:
        yield conn
    finally:
        conn.text_factory = previous

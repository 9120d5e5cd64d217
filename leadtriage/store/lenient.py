"""Reading values a foreign tool stored where LeadTriage keeps text.

LeadTriage writes only valid text into its text columns. A script, a database
browser or a data fix can still leave bytes there: a BLOB, or TEXT that is not
valid UTF-8 (SQLite does not check). Python's sqlite3 raises on the second, and a
BLOB arrives as `bytes`, which text handling then trips over. One bad value must
not stop a whole view or job (an export of thousands of leads): the store's
connections read TEXT with `decode_text`, and rows meant for display or export pass
their values through `as_text`. The bytes are taken as UTF-8, and what is not UTF-8
becomes U+FFFD (�), so the reader sees where something was lost.
"""

from __future__ import annotations


def decode_text(data: bytes) -> str:
    """Stored bytes as text; invalid UTF-8 becomes U+FFFD."""
    return data.decode("utf-8", "replace")


def as_text(value: object) -> object:
    """A BLOB as the text it holds; any other value as it is."""
    return decode_text(value) if isinstance(value, bytes) else value

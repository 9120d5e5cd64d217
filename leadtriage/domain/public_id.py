"""Stable lead IDs printed on briefs and quoted back by field reps.

`LT-` + the row id in Crockford base32 (no I, L, O, U: nothing to misread on a
phone call) + one check character, so a mistyped ID in an outcome file is caught
instead of matching the wrong lead. The check is Luhn mod 32: it catches every single
wrong character and every swap of two neighbours except 0Z <-> Z0, and it is always a
letter or digit, so the ID survives file names and spreadsheets.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(ALPHABET)} | {"O": 0, "I": 1, "L": 1}
PREFIX = "LT-"
WIDTH = 5


def format_public_id(row_id: int) -> str:
    if row_id <= 0:
        raise ValueError("row id must be positive")
    digits = []
    n = row_id
    while n:
        n, r = divmod(n, 32)
        digits.append(ALPHABET[r])
    body = "".join(reversed(digits)).rjust(WIDTH, "0")
    return f"{PREFIX}{body}{_check(body)}"


def _check(body: str) -> str:
    total, double = 0, True
    for ch in reversed(body):
        value = _DECODE[ch] * (2 if double else 1)
        total += value // 32 + value % 32
        double = not double
    return ALPHABET[(32 - total % 32) % 32]


def parse_public_id(text: str) -> int | None:
    """Row id for a public ID typed by a person, or None when it is not a valid one."""
    if not text:
        return None
    cleaned = text.strip().upper().replace(" ", "").replace("-", "")
    if cleaned.startswith("LT"):
        cleaned = cleaned[2:]
    if len(cleaned) < 2:
        return None
    body, check = cleaned[:-1], cleaned[-1]
    value = 0
    for ch in body:
        if ch not in _DECODE:
            return None
        value = value * 32 + _DECODE[ch]
    if value <= 0 or _check(body.upper()) != check:
        return None
    return value

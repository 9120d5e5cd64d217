"""Split SQLite failures in two: the environment (disk full, read-only, locked,
vanished folder) becomes a `StorageProblem` with a sentence for the user; anything
else is a bug and propagates unchanged."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from leadtriage.errors import DatabaseBusy, StorageProblem

_ENVIRONMENT = (
    ("database or disk is full", "The disk is full. Free some space and try again; nothing was lost."),
    ("disk i/o error", "The disk reported an error while saving. Nothing committed was lost; check the drive and try again."),
    ("readonly database", "The database is read-only here (folder or file permissions). Nothing was changed."),
    ("attempt to write a readonly", "The database is read-only here (folder or file permissions). Nothing was changed."),
    ("unable to open database", "The database file or its folder cannot be opened (moved, deleted or no permission)."),
)


def environment_message(exc: BaseException) -> str | None:
    text = str(exc).lower()
    for needle, message in _ENVIRONMENT:
        if needle in text:
            return message
    return None


def translate(exc: sqlite3.Error) -> Exception:
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
        return DatabaseBusy("The database is busy in another LeadTriage window or command; try again in a moment.")
    message = environment_message(exc)
    if message and isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        return StorageProblem(message)
    return exc


@contextmanager
def environment_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as exc:
        translated = translate(exc)
        if translated is exc:
            raise
        raise translated from exc

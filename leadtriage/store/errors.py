"""Split failures in two: the environment (disk full, read-only, locked, vanished
folder, damaged file) becomes a `StorageProblem` with a sentence for the user;
anything else is a bug and propagates unchanged."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from leadtriage.errors import DatabaseBusy, DatabaseDamaged, StorageProblem

DISK_FULL = "The disk is full. Free some space and try again; nothing already saved was lost."
READ_ONLY = "The database is read-only here (folder or file permissions). Nothing was changed."
VANISHED = ("The database file or its folder cannot be opened (moved, deleted, unplugged drive or "
            "no permission). Nothing already saved was lost; reconnect it and try again.")
DAMAGED = ("The database file is damaged (for example by a crash of the disk or a sync tool). "
           "LeadTriage keeps the damaged file aside and repairs it from what can be read and the "
           "newest backup when it opens it for writing.")

_ENVIRONMENT = (
    ("database or disk is full", DISK_FULL),
    ("disk i/o error", "The disk reported an error while saving. Nothing already saved was lost; check the drive and try again."),
    ("readonly database", READ_ONLY),
    ("attempt to write a readonly", READ_ONLY),
    ("unable to open database", VANISHED),
)
_DAMAGE = ("database disk image is malformed", "file is not a database", "database corrupt")

_OS_ERRORS = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: DISK_FULL,
    errno.EROFS: READ_ONLY,
    errno.EACCES: "No permission to write there (folder or file permissions). Nothing was changed.",
    errno.EPERM: "No permission to write there (folder or file permissions). Nothing was changed.",
    errno.ENOENT: VANISHED,
    errno.ENOTDIR: "A file is in the way where a folder should be (check the database and backups "
                   "folders). Nothing was changed.",
}


def environment_message(exc: BaseException) -> str | None:
    if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
        return _OS_ERRORS.get(exc.errno or -1)
    text = str(exc).lower()
    for needle, message in _ENVIRONMENT:
        if needle in text:
            return message
    if isinstance(exc, sqlite3.DatabaseError) and any(n in text for n in _DAMAGE):
        return DAMAGED + " Quit and start LeadTriage again to repair it."
    return None


def translate(exc: BaseException) -> BaseException:
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        return DatabaseBusy("The database is busy in another LeadTriage window or command; try again in a moment.")
    if isinstance(exc, sqlite3.DatabaseError) and any(n in text for n in _DAMAGE):
        return DatabaseDamaged(DAMAGED, [str(exc)])
    message = environment_message(exc)
    if message and isinstance(exc, sqlite3.DatabaseError | OSError):
        return StorageProblem(message)
    return exc


@contextmanager
def environment_errors(*, files: bool = False) -> Iterator[None]:
    """Translate environment failures. `files=True` also translates OSError (for
    blocks that only touch the database's own files: a missing import file inside a
    transaction must not be reported as a vanished database folder)."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        if not files and not isinstance(exc, sqlite3.Error):
            raise
        translated = translate(exc)
        if translated is exc:
            raise
        raise translated from exc

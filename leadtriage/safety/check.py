"""The check at open: is this database file damaged? SQLite's quick_check for
files small enough to check within the start-up budget, a truncation test plus a
walk of the main tables' edges for bigger ones (the app then runs the full check on
its worker thread), and a look at the write-ahead log before anything writes to it.
What to do about damage is `leadtriage.safety.recovery`'s part."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from leadtriage.errors import DatabaseDamaged
from leadtriage.safety import backup as backups
from leadtriage.safety.wal import describe as describe_wal
from leadtriage.safety.wal import inspect_wal
from leadtriage.store.db import APPLICATION_ID
from leadtriage.store.errors import environment_errors
from leadtriage.util.progress import Cancelled

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
SYNC_CHECK_BYTES = 64 * 1024 * 1024  # quick_check of 64 MB takes well under a second



def header_fields(path: Path) -> dict[str, int] | None:
    """The raw header of an SQLite file, or None when it does not have one."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return None
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        return None
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    change_counter = int.from_bytes(head[24:28], "big")
    pages = int.from_bytes(head[28:32], "big")
    valid_for = int.from_bytes(head[92:96], "big")
    return {
        "page_size": page_size,
        "pages": pages if valid_for == change_counter else 0,
        "user_version": int.from_bytes(head[60:64], "big"),
        "application_id": int.from_bytes(head[68:72], "big"),
    }


def is_ours(path: Path) -> bool:
    header = header_fields(path)
    return header is not None and header["application_id"] == APPLICATION_ID


def find_damage(path: Path, *, full: bool | None = None,
                should_stop: Callable[[], bool] | None = None) -> list[str]:
    """SQLite's findings about `path` ([] = healthy). `full=None` runs quick_check
    when the file is small enough to check during start-up. `should_stop` lets a
    background check end early (quitting the app must not wait for a 2 GB check):
    it then raises `Cancelled`."""
    header = header_fields(path)
    if header is None:
        return ["the file has no valid SQLite header"]
    size = path.stat().st_size
    wal = _wal_size(path)
    if wal > 32 and should_stop is None:
        # Judged at open, before anything writes to it (SQLite would silently drop what
        # follows a bad frame). Not in the background check, which runs beside the
        # app's own writes: they restart the WAL at will.
        problems = wal_damage(path)
        if problems:
            return problems
    # With frames in the WAL the main file may legitimately lag its header (a
    # checkpoint interrupted half-way): SQLite completes it from the WAL. Only a
    # self-contained file is judged by its size.
    if wal <= 32:  # an empty WAL is just its 32-byte header
        if size % header["page_size"]:
            return [f"the file size ({size:,} bytes) is not a whole number of pages: it was cut short"]
        if header["pages"] and size < header["pages"] * header["page_size"]:
            return [f"the file is shorter than its header says ({size:,} of "
                    f"{header['pages'] * header['page_size']:,} bytes): it was cut short"]
    if full is None:
        full = size + wal <= SYNC_CHECK_BYTES or suspect_marker(path).exists()
    try:
        with closing(backups._read_only(path)) as conn:
            if should_stop is not None:
                conn.set_progress_handler(lambda: 1 if should_stop() else 0, 1000)
            if full:
                try:
                    rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
                except sqlite3.OperationalError as exc:
                    if should_stop is not None and should_stop() and "interrupt" in str(exc).lower():
                        raise Cancelled() from None
                    raise
                return [] if rows == ["ok"] else rows
            # Big file: touch the schema and both ends of the main tables' trees.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            for table in ("leads", "activities"):
                # Separate queries: SQLite only answers a lone min() or max() from the
                # tree's edge; both in one SELECT scan the whole table.
                conn.execute(f"SELECT min(id) FROM {table}").fetchone()
                conn.execute(f"SELECT max(id) FROM {table}").fetchone()
            return []
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if "locked" in text or "unable to open" in text or "no such table" in text:
            raise  # the environment, not damage: the caller translates it
        return [str(exc)]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    except UnicodeDecodeError:  # SQLite's message quoted non-UTF-8 bytes of a damaged page
        return ["malformed database schema (unreadable text)"]


def wal_damage(path: Path) -> list[str]:
    """[] or one sentence about a damaged -wal file beside `path`. Read again when
    another LeadTriage restarted the log while we read it (`check` beside the app)."""
    wal = path.with_name(path.name + "-wal")
    state = None
    for _ in range(3):
        before = _wal_header(wal)
        state = inspect_wal(wal)
        if _wal_header(wal) == before:
            break
    return [describe_wal(state)] if state is not None and state.damaged else []


def _wal_header(wal: Path) -> bytes:
    try:
        with open(wal, "rb") as fh:
            return fh.read(32)
    except OSError:
        return b""


def needs_background_check(path: Path) -> bool:
    """True when the check at open was only the quick start-up test (a big file)."""
    try:
        return path.stat().st_size + _wal_size(path) > SYNC_CHECK_BYTES
    except OSError:
        return False


def suspect_marker(path: Path) -> Path:
    return path.with_name(path.name + ".check-at-open")


def mark_suspect(path: Path) -> None:
    """The background check of a big file found damage: make the next open run the
    full check (and so recover) instead of the quick start-up test."""
    try:
        suspect_marker(path).touch(mode=0o600)
    except OSError as exc:
        log.warning("could not mark the database for a full check: %s", exc.strerror)


def check_or_raise(path: Path) -> None:
    """Raise `DatabaseDamaged` when `path` fails the check at open."""
    with environment_errors():
        problems = find_damage(path)
    if problems:
        log.error("database failed its check at open: %s", problems[:3])
        raise DatabaseDamaged(
            f"{path.name} is damaged ({problems[0]}). LeadTriage can keep it aside and recover "
            "it from what is readable and the newest backup.", problems)


def _wal_size(path: Path) -> int:
    try:
        return path.with_name(path.name + "-wal").stat().st_size
    except OSError:
        return 0

"""Backups through SQLite's online backup API (a plain copy of a WAL database can
miss committed pages). Files are named so they sort by time and say why they exist:
`<stem>_<YYYY-MM-DD_HHMMSS_ffffff>_<reason>.db`, in local time, because "today" and
"yesterday" in the retention rule are the user's days, not UTC's.

Which backups are kept is `leadtriage.safety.retention`.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from leadtriage.errors import StorageProblem, UserError
from leadtriage.paths import backups_dir, restrict_file
from leadtriage.store import schema_check
from leadtriage.store.db import APPLICATION_ID
from leadtriage.store.errors import environment_errors
from leadtriage.store.schema import LATEST_VERSION

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from leadtriage.store.db import Store

log = logging.getLogger(__name__)

STAMP_FORMAT = "%Y-%m-%d_%H%M%S_%f"
_NAME = re.compile(r"^(?P<stem>.+)_(?P<stamp>\d{4}-\d{2}-\d{2}_\d{6}_\d{6})_(?P<reason>[a-z0-9-]+)\.db$")
_STALE_PART_SECONDS = 3600  # where parts cannot be locked (Windows)
_PART_GRACE_SECONDS = 2
MIN_FREE_AFTER_BACKUP = 200 * 2**20  # bytes the disk keeps free after a backup


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime  # local time, from the file name
    reason: str
    size: int

    @property
    def label(self) -> str:
        return REASON_LABELS.get(self.reason.split("-v")[0], self.reason.replace("-", " "))


REASON_LABELS = {
    "manual": "Backed up by you",
    "periodic": "Automatic",
    "before-import": "Before an import",
    "before-migration": "Before an upgrade",
    "before-restore": "Before a restore",
    "before-recovery": "Before a repair",
    "before-bulk-change": "Before a bulk change",
}


# -- writing -------------------------------------------------------------------------


def slug(reason: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-")
    return text[:40] or "manual"


def backup(
    store: Store,
    reason: str = "manual",
    folder: Path | None = None,
    *,
    now: datetime | None = None,
    verify: bool = False,
) -> Path:
    """Write a backup of `store`'s committed state and return its path.

    Reads through its own read-only connection, so it is safe on a worker thread
    while the UI thread keeps using `store.conn`. `verify=True` runs quick_check on
    the copy (seconds on a big file): the scheduler and `leadtriage backup` verify,
    the backups taken right before an import or a migration do not make the user wait."""
    return backup_file(store.path, reason, folder, now=now, verify=verify)


def backup_file(
    db_path: Path,
    reason: str = "manual",
    folder: Path | None = None,
    *,
    now: datetime | None = None,
    verify: bool = True,
) -> Path:
    folder = folder or backups_dir(db_path)
    with environment_errors(files=True):
        if not db_path.parent.is_dir():
            raise StorageProblem(
                f"The database folder {db_path.parent} is gone (unplugged drive or deleted folder). "
                "Nothing committed was lost if it comes back; reconnect it and try again."
            )
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        remove_stale_parts(folder, db_path.stem)  # before the space check: they take space too
        _check_space(db_path, folder)
        when = now or datetime.now()
        dest = folder / f"{db_path.stem}_{when.strftime(STAMP_FORMAT)}_{slug(reason)}.db"
        while dest.exists():  # two backups in the same microsecond (tests, fast clocks)
            when += timedelta(microseconds=1)
            dest = folder / f"{db_path.stem}_{when.strftime(STAMP_FORMAT)}_{slug(reason)}.db"
        with closing(_read_only(db_path)) as source:
            return backup_to(source, dest, verify=verify)


def backup_to(conn: sqlite3.Connection, dest: Path, *, verify: bool = False) -> Path:
    tmp = dest.with_name(dest.name + ".part")
    with environment_errors(files=True):
        # Created 0600 before SQLite writes a byte: backups hold personal data.
        # Locked while it is written, so `remove_stale_parts` (at the next backup or
        # open) can tell a part that is being written from one a killed backup left.
        held = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        if fcntl is not None:
            fcntl.flock(held, fcntl.LOCK_EX)
        try:
            target = sqlite3.connect(tmp)
            try:
                conn.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
                if verify:
                    problems = _check(target)
                    if problems:
                        raise StorageProblem(
                            "The backup did not pass its integrity check, so the database itself may be "
                            "damaged. Run `leadtriage check`; the last good backups were kept."
                        )
            finally:
                target.close()
            restrict_file(tmp)
            tmp.replace(dest)  # a half-written backup never carries a backup's name
        except BaseException:
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + "-journal").unlink(missing_ok=True)
            raise
        finally:
            os.close(held)
    return dest


def _check_space(db_path: Path, folder: Path) -> None:
    """Refuse a backup that would leave the disk (nearly) full: the database itself
    must keep room to grow, or the rep's next call could not be saved."""
    size = db_path.stat().st_size + _wal_size(db_path)
    free = shutil.disk_usage(folder).free
    if free < size + max(size // 10, MIN_FREE_AFTER_BACKUP):
        raise StorageProblem(
            f"Not enough free disk space for a backup ({free // 2**20:,} MB free, the database is "
            f"{size // 2**20:,} MB). Free some space; existing backups and your data are untouched."
        )


def _wal_size(db_path: Path) -> int:
    try:
        return db_path.with_name(db_path.name + "-wal").stat().st_size
    except OSError:
        return 0


# -- reading ---------------------------------------------------------------------------


def parse_name(path: Path) -> tuple[str, datetime, str] | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    try:
        created = datetime.strptime(match["stamp"], STAMP_FORMAT)
    except ValueError:
        return None
    return match["stem"], created, match["reason"]


def list_backups(db_path: Path, folder: Path | None = None) -> list[BackupInfo]:
    """This database's backups, newest first. Files we did not name are ignored."""
    folder = folder or backups_dir(db_path)
    found: list[BackupInfo] = []
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise StorageProblem(f"Cannot read the backups folder {folder}: {exc.strerror}.") from None
    for entry in entries:
        parsed = parse_name(entry)
        if parsed is None or parsed[0] != db_path.stem:
            continue
        try:
            size = entry.stat().st_size
        except OSError:
            continue
        found.append(BackupInfo(entry, parsed[1], parsed[2], size))
    found.sort(key=lambda b: b.created, reverse=True)
    return found


def lead_count(path: Path) -> int | None:
    """Leads in a backup, or None when the file cannot be read."""
    try:
        with closing(_read_only(path, immutable=True)) as conn:
            return conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    except sqlite3.Error:
        return None


def check_backup(path: Path) -> list[str]:
    """Problems found in a backup (empty list = a good LeadTriage backup)."""
    try:
        with closing(_read_only(path, immutable=True)) as conn:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if app_id != APPLICATION_ID:
                return ["not a LeadTriage database"]
            if version > LATEST_VERSION:
                return [f"written by a newer LeadTriage (schema v{version})"]
            foreign = schema_check.differences(conn, version)
            if foreign:  # restoring it would bring them back; recovery must not use it either
                return [f"it holds {', '.join(foreign[:3])}, which LeadTriage did not create"]
            # quick_check: every page and row readable, the checks a restore needs;
            # the full integrity_check also cross-checks every index entry and takes
            # minutes on a million leads.
            return _check(conn)
    except sqlite3.Error as exc:
        return [f"cannot be read: {exc}"]


def newest_good_backup(db_path: Path, folder: Path | None = None) -> BackupInfo | None:
    for info in list_backups(db_path, folder):
        if not check_backup(info.path):
            return info
        log.warning("skipping backup %s: it failed its integrity check", info.path.name)
    return None


# -- interrupted backups ---------------------------------------------------------------


def remove_stale_parts(folder: Path, stem: str) -> list[Path]:
    """Delete what killed backups left: `<name>.db.part` and its `-journal`. They
    are never backups, but they hold personal data and can be as big as the
    database. A part still being written is locked by its writer (see `backup_to`)
    and kept; without `flock` (Windows) only parts older than an hour go."""
    removed: list[Path] = []
    try:
        parts = list(folder.glob(f"{stem}_*.db.part")) + list(folder.glob(f"{stem}_*.db.part-journal"))
    except OSError:
        return removed
    for part in parts:
        if part.name.endswith("-journal") and part.with_name(part.name.removesuffix("-journal")).exists():
            continue  # goes with its part, below
        if not part.name.endswith("-journal") and not _abandoned(part):
            continue
        for path in (part, part.with_name(part.name + "-journal")):
            try:
                path.unlink()
                removed.append(path)
            except FileNotFoundError:
                pass
            except OSError as exc:
                log.warning("could not remove an interrupted backup %s: %s", path.name, exc.strerror)
    if removed:
        log.info("removed %d files of interrupted backups", len(removed))
    return removed


def _abandoned(part: Path) -> bool:
    try:
        if time.time() - part.stat().st_mtime < _PART_GRACE_SECONDS:
            return False  # just created: its writer may not hold the lock yet
        if fcntl is None:
            return time.time() - part.stat().st_mtime > _STALE_PART_SECONDS
        fd = os.open(part, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a backup is writing it right now
    finally:
        os.close(fd)  # (also releases the lock we may have taken)
    return True


# -- restoring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    safety_backup: Path | None  # the current data, backed up before it was replaced
    leads: int


def restore(
    store: Store,
    source: Path,
    *,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RestoreResult:
    """Replace the open database's content with a backup's, in place.

    The current data is backed up first, then the backup is copied in page by page
    with the backup API on the store's own connection while the store holds the
    writer lock, so no other LeadTriage can write in between and readers see either
    the old or the new data, never a mix."""
    if not store.writable:
        raise UserError("Open the database for writing to restore a backup.")
    source = Path(source)
    if not source.is_file():
        raise UserError(f"No backup at {source}.")
    if _same_file(source, store.path):  # another name for it too (hard link, symlink)
        raise UserError("That is the database itself, not a backup.")
    problems = check_backup(source)
    if problems:
        raise UserError(f"{source.name} cannot be restored: {problems[0]}. Nothing was changed.")
    if store.conn.in_transaction:
        raise RuntimeError("restore() called inside a transaction")
    # An empty database (a fresh file after a damaged one was moved aside) needs no
    # safety copy, and must not become "the newest backup" recovery would pick.
    has_data = store.conn.execute("SELECT EXISTS(SELECT 1 FROM leads)").fetchone()[0]
    safety = backup(store, "before-restore", now=now) if has_data else None
    with environment_errors(files=True), closing(_read_only(source, immutable=True)) as src:
        def report(_status: int, remaining: int, total: int) -> None:
            if progress:
                progress(total - remaining, total)

        src.backup(store.conn, pages=4096, progress=report)
    with environment_errors():
        store.conn.execute("PRAGMA journal_mode = WAL")
        migrate_with_backup(store)
    # A backup may come from another computer (or an older version that kept the
    # template folder in the database): its places on some machine are never used.
    from leadtriage.store.settings import forget_machine_settings

    forget_machine_settings(store)
    leads = store.conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    log.info("restored a backup (%d leads); the previous data was backed up first", leads)
    return RestoreResult(source, safety, leads)


def migrate_with_backup(store: Store, target: int = LATEST_VERSION) -> None:
    """Upgrade `store` to `target`, backing an existing database up first: an upgrade
    that goes wrong must leave the rep's data recoverable. The open and a restore of
    an older backup both upgrade through here."""
    current = store.user_version
    if current >= target:
        return
    if current > 0:
        made = backup(store, reason=f"before-migration-v{current + 1}")
        log.info("backup before migration written to %s", made.name)
    store.migrate(target)


# -- helpers -------------------------------------------------------------------------------


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _read_only(path: Path, *, immutable: bool = False) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def _check(conn: sqlite3.Connection, *, full: bool = False) -> list[str]:
    pragma = "integrity_check" if full else "quick_check"
    rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
    return [] if rows == ["ok"] else rows

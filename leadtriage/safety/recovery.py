"""Noticing a damaged database at open and getting the rep's data back.

A damaged file is never deleted and never silently replaced by an empty one:

1. it is moved aside as `<name>.corrupt-<stamp>` (with its -wal/-shm beside it);
2. what can still be read is salvaged into a new file: SQLite's own `.recover`
   (the `sqlite3` command-line tool) when it is installed, otherwise a row-by-row
   copy that skips unreadable pages;
3. everything the newest good backup holds that the salvage missed is merged back
   in, so nothing the backup held is lost; with nothing salvageable, the newest
   good backup is restored;
4. with neither, recovery stops with a clear message and the damaged file kept.

The check at open (`find_damage`) is `leadtriage.safety.check`.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from leadtriage.errors import DatabaseDamaged, StorageProblem
from leadtriage.paths import restrict_file
from leadtriage.safety import backup as backups

# The check at open lives in safety.check; the app's background check reaches it
# through recovery, the module it hands damage to.
from leadtriage.safety.check import (  # noqa: F401
    check_or_raise,
    find_damage,
    header_fields,
    is_ours,
    mark_suspect,
    needs_background_check,
    suspect_marker,
    wal_damage,
)
from leadtriage.safety.opening import open_store
from leadtriage.store.db import APPLICATION_ID, inspect_file
from leadtriage.store.errors import environment_errors
from leadtriage.store.lock import WriterLock, lock_path

if TYPE_CHECKING:
    from leadtriage.store.db import Store

log = logging.getLogger(__name__)

_CLI_TIMEOUT_S = 600
# Parents before children so foreign keys hold while rows are merged back.
_KNOWN_ORDER = ("field_reps", "campaigns", "import_batches", "leads", "activities", "handoffs",
                "import_rejects", "settings", "change_log", "import_profiles", "duplicate_candidates")


@dataclass
class RecoveryReport:
    damaged_copy: Path | None  # the damaged file, kept aside (None: the file was missing)
    problems: list[str]
    method: str  # "sqlite-recover", "row-salvage", "backup"
    backup_used: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)  # leads/activities in the result
    from_backup: dict[str, int] = field(default_factory=dict)  # rows the backup added

    def message(self) -> str:
        if self.damaged_copy is None:
            assert self.backup_used is not None
            lines = ["LeadTriage found its database file missing (moved, deleted or not yet synced "
                     "back), but it has backups of it.",
                     f"The newest good backup, of {_when(self.backup_used)}, was restored."]
        else:
            lines = ["LeadTriage found that its database file was damaged (for example by a crash, "
                     "a full disk or a sync tool).",
                     f"The damaged file was kept, unchanged, as {self.damaged_copy.name}."]
            if any("write-ahead log" in p for p in self.problems):
                lines.append("Its write-ahead log was damaged: changes saved after the damaged part could "
                             f"not be read. The log was kept beside it as {self.damaged_copy.name}-wal.")
            lines += self._what_was_done()
        lines.append(f"You now have {self.counts.get('leads', 0):,} leads and "
                     f"{self.counts.get('activities', 0):,} activities. Check your latest calls.")
        return "\n".join(lines)

    def _what_was_done(self) -> list[str]:
        if self.method == "backup":
            assert self.backup_used is not None
            return [f"Nothing could be read from it, so the backup of {_when(self.backup_used)} was restored."]
        how = "SQLite's recovery tool" if self.method == "sqlite-recover" else "a row-by-row rescue"
        done = [f"Everything readable was recovered with {how}."]
        if self.backup_used is not None:
            added = self.from_backup.get("leads", 0) + self.from_backup.get("activities", 0)
            done.append(f"The backup of {_when(self.backup_used)} was merged in"
                        + (f" ({added:,} leads and activities came back from it)." if added else
                           " (the rescue already held everything it had)."))
        return done


def open_or_recover(path: Path, *, now: datetime | None = None,
                    backups_folder: Path | None = None) -> tuple[Store, RecoveryReport | None]:
    """Open for writing; a damaged file is recovered first (and the report says how)."""
    path = Path(path)
    try:
        if inspect_file(path) is None:
            report = restore_missing(path, backups_folder=backups_folder)
            return open_store(path), report
        return open_store(path), None
    except DatabaseDamaged:
        report = recover(path, now=now, backups_folder=backups_folder)
    return open_store(path), report


def restore_missing(path: Path, *, backups_folder: Path | None = None) -> RecoveryReport | None:
    """The database file is gone but its backups are not: bring back the newest good
    one rather than starting the rep over with an empty database. None when there is
    nothing to bring back (a genuinely new database)."""
    if not path.parent.is_dir():
        return None  # open_store explains the missing folder
    good = backups.newest_good_backup(path, backups_folder)
    if good is None:
        return None
    lock = WriterLock(path)
    lock.acquire()
    try:
        if inspect_file(path) is not None:
            return None  # someone created it meanwhile
        work = path.with_name(path.name + ".recovering")
        _remove_db_files(work)
        _copy_backup(good.path, work)
        report = RecoveryReport(None, ["the database file was missing"], "backup", good.path)
        report.counts = _finish(work)
        for side in ("-wal", "-shm"):  # stale companions of an empty placeholder
            path.with_name(path.name + side).unlink(missing_ok=True)
        os.replace(work, path)
        log.warning("database file was missing; restored the newest good backup")
        return report
    finally:
        lock.release()


# -- recovering ---------------------------------------------------------------------------


def recover(path: Path, *, now: datetime | None = None, backups_folder: Path | None = None,
            use_cli: bool = True) -> RecoveryReport | None:
    """Recover a damaged database in place (see the module docstring). Returns None
    when, checked again under the writer lock, the file turns out to be healthy."""
    path = Path(path)
    lock = WriterLock(path)
    lock.acquire()
    try:
        problems = find_damage(path, full=True)
        if not problems:
            suspect_marker(path).unlink(missing_ok=True)
            return None
        log.warning("recovering a damaged database (%d problems reported)", len(problems))
        now = now or datetime.now()
        good = backups.newest_good_backup(path, backups_folder)
        aside = move_aside(path, now)
        work = path.with_name(path.name + ".recovering")
        try:
            return _recover_aside(path, aside, work, problems, good, use_cli)
        except BaseException:
            # Recovery failed: the damaged file goes back where it was, so the next
            # start meets the same damage (and the same message) instead of a new,
            # empty database in its place.
            _remove_db_files(work)
            if not path.exists():
                _move_back(aside, path)
            raise
    finally:
        lock.release()


def _recover_aside(path: Path, aside: Path, work: Path, problems: list[str],
                   good: backups.BackupInfo | None, use_cli: bool) -> RecoveryReport:
    _remove_db_files(work)
    method = None
    if use_cli and _salvage_with_cli(aside, work):
        method = "sqlite-recover"
    else:
        _remove_db_files(work)
        if _salvage_rows(aside, work):
            method = "row-salvage"
    report: RecoveryReport
    if method is not None:
        from_backup = _merge_backup(work, good.path) if good else {}
        report = RecoveryReport(aside, problems, method, good.path if good else None,
                                from_backup=from_backup)
    elif good is not None:
        _remove_db_files(work)
        _copy_backup(good.path, work)
        report = RecoveryReport(aside, problems, "backup", good.path)
    else:
        _remove_db_files(work)
        raise DatabaseDamaged(
            f"{path.name} is damaged, nothing could be read from it and there is no backup. "
            f"LeadTriage left the file where it is ({path}) and did not start over with an empty "
            "database. To start over anyway, move that file elsewhere (keep it: support may be "
            "able to rescue more from it).", problems)
    report.counts = _finish(work)
    _remove_db_files(path)  # nothing is there after move_aside; stale -wal/-shm only
    os.replace(work, path)
    suspect_marker(path).unlink(missing_ok=True)
    log.info("database recovered by %s: %d leads", report.method, report.counts.get("leads", 0))
    return report


def _move_back(aside: Path, path: Path) -> None:
    try:
        os.replace(aside, path)
        for side in ("-wal", "-shm"):
            extra = aside.with_name(aside.name + side)
            if extra.exists():
                os.replace(extra, path.with_name(path.name + side))
    except OSError as exc:
        log.error("could not move the damaged file back: %s", exc.strerror)


def move_aside(path: Path, now: datetime) -> Path:
    """Rename the damaged file (and its -wal/-shm, so SQLite can still read the pair)
    to `<name>.corrupt-<stamp>`. Never deletes anything."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    with environment_errors(files=True):
        os.replace(path, aside)
        for side in ("-wal", "-shm"):
            extra = path.with_name(path.name + side)
            if extra.exists():
                os.replace(extra, aside.with_name(aside.name + side))
    restrict_file(aside)
    return aside


def cli_available() -> bool:
    return shutil.which("sqlite3") is not None


def _salvage_with_cli(damaged: Path, work: Path) -> bool:
    exe = shutil.which("sqlite3")
    if exe is None:
        return False
    _create_private(work)
    try:
        # -readonly: the damaged file and its -wal are kept as they were found.
        dump = subprocess.run([exe, "-readonly", str(damaged), ".recover"], capture_output=True,
                              timeout=_CLI_TIMEOUT_S, check=False)
        if not dump.stdout.strip():
            return False
        load = subprocess.run([exe, str(work)], input=dump.stdout, capture_output=True,
                              timeout=_CLI_TIMEOUT_S, check=False)
        if load.returncode != 0:
            log.warning("sqlite3 could not load the recovered data (exit %d)", load.returncode)
            return False
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("sqlite3 .recover failed: %s", type(exc).__name__)
        return False
    try:
        with closing(sqlite3.connect(work)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            version = _restore_identity(conn, damaged)
            missing = _expected_tables(version) - tables
            if missing:  # part of the schema was unreadable: the row salvage rebuilds it whole
                log.warning("sqlite3 .recover lost %d tables; trying the row salvage", len(missing))
                return False
            # `.recover` puts rows it cannot place in lost_and_found: keep them in the
            # damaged copy only, the app does not know that table.
            conn.execute("DROP TABLE IF EXISTS lost_and_found")
            return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.Error:
        return False


def _salvage_rows(damaged: Path, work: Path) -> bool:
    """Build a fresh database and copy every readable row of every known table."""
    try:
        src = backups._read_only(damaged)
        # Lets SQLite read a file shorter than its header says (a truncated file)
        # instead of refusing it outright; the connection stays read-only.
        src.execute("PRAGMA writable_schema = ON")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        return False
    with closing(src):
        try:
            _check_version((header_fields(damaged) or {}).get("user_version") or 0)
        except sqlite3.DatabaseError:
            return False
        fresh = open_store(work)
        try:
            copied = 0
            for table in _data_tables(fresh.conn):
                copied += _copy_readable_rows(src, fresh.conn, table)
        finally:
            fresh.close()
            lock_path(work).unlink(missing_ok=True)
        return copied > 0


def _copy_readable_rows(src: sqlite3.Connection, dest: sqlite3.Connection, table: str) -> int:
    try:
        src_cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
    except sqlite3.Error:
        return 0
    try:
        src.execute(f"SELECT rowid FROM {table} LIMIT 0")
    except sqlite3.OperationalError:
        return 0  # WITHOUT ROWID: a derived table, rebuilt from the rows afterwards
    except sqlite3.DatabaseError:
        pass  # unreadable: the loop below skips what it cannot read
    dest_cols = {r[1] for r in dest.execute(f"PRAGMA table_info({table})")}
    cols = [c for c in src_cols if c in dest_cols]
    if not cols:
        return 0
    names = ", ".join(cols)
    insert = f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"
    copied = 0
    last = 0  # our tables use positive integer ids
    misses = 0
    dest.execute("PRAGMA foreign_keys = OFF")  # a salvaged child may have lost its parent
    dest.execute("BEGIN")
    while misses < 64:
        try:
            rows = src.execute(
                f"SELECT rowid, {names} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 500", (last,)
            ).fetchall()
        except sqlite3.DatabaseError:
            # An unreadable page: skip ahead past it, further each time.
            misses += 1
            last += 2 ** min(misses, 40)
            continue
        if not rows:
            break
        misses = 0
        dest.executemany(insert, [r[1:] for r in rows])
        copied += len(rows)
        last = rows[-1][0]
    dest.execute("COMMIT")
    dest.execute("PRAGMA foreign_keys = ON")
    return copied


def _merge_backup(work: Path, backup_path: Path) -> dict[str, int]:
    """Put back every row the backup holds that the salvage lost (matched by
    primary key). Rows the salvage has win: they are newer than the backup."""
    added: dict[str, int] = {}
    with closing(sqlite3.connect(work, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("ATTACH DATABASE ? AS b", (f"{backup_path.resolve().as_uri()}?mode=ro&immutable=1",))
        conn.execute("BEGIN")
        for table in _data_tables(conn):
            theirs = [r[1] for r in conn.execute(f"PRAGMA b.table_info({table})")]
            ours = {r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")}
            cols = ", ".join(c for c in theirs if c in ours)
            if not cols:
                continue
            conn.execute(f"INSERT OR IGNORE INTO main.{table} ({cols}) SELECT {cols} FROM b.{table}")
            added[table] = conn.execute("SELECT changes()").fetchone()[0]  # trigger rows not counted
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE b")
    return added


def _data_tables(conn: sqlite3.Connection) -> list[str]:
    """Every ordinary table of the schema (tables added by later migrations too),
    parents first; the search index is rebuilt, not copied."""
    names = [r[0] for r in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL%'")]
    fts = {r[0] for r in conn.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'")}
    names = [n for n in names if not any(n.startswith(f + "_") for f in fts)]
    known = [t for t in _KNOWN_ORDER if t in names]
    return known + sorted(set(names) - set(known))


def _copy_backup(backup_path: Path, work: Path) -> None:
    _create_private(work)
    with closing(backups._read_only(backup_path, immutable=True)) as src, \
            closing(sqlite3.connect(work)) as dest:
        src.backup(dest)


def _finish(work: Path) -> dict[str, int]:
    """Rebuild the search index, check the result and return its counts."""
    with closing(sqlite3.connect(work, isolation_level=None)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        # What triggers keep in step (search index, queue counts, metrics) was fed
        # twice by the salvage and the merge, or copied stale: rebuild it from the rows.
        from leadtriage.store import schema

        rebuild = getattr(schema, "derived_rebuild_sql", None)
        statements = rebuild() if rebuild else ["INSERT INTO leads_fts(leads_fts) VALUES('rebuild')"]
        if "leads_fts" in tables:
            conn.execute("BEGIN")
            for sql in statements:
                conn.execute(sql)
            conn.execute("COMMIT")
        if "settings" in tables:
            # What came back from a backup must not name places on this computer.
            from leadtriage.store.settings import MACHINE_KEYS

            conn.execute(f"DELETE FROM settings WHERE key IN ({', '.join('?' * len(MACHINE_KEYS))})",
                         MACHINE_KEYS)
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise StorageProblem("The recovered database did not pass its check; the damaged file "
                                 "was kept aside. Restore a backup with File > Restore backup.")
        conn.execute("PRAGMA journal_mode = WAL")
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("leads", "activities") if t in tables}
    restrict_file(work)
    return counts


def _expected_tables(version: int) -> set[str]:
    import sqlite_utils

    from leadtriage.store.schema import MIGRATIONS

    with closing(sqlite3.connect(":memory:")) as conn:
        db = sqlite_utils.Database(conn)
        for migration in MIGRATIONS[:version]:
            migration(db)
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _restore_identity(conn: sqlite3.Connection, damaged: Path) -> int:
    header = header_fields(damaged) or {}
    version = header.get("user_version") or 0
    if not version:
        raise sqlite3.DatabaseError("schema version unreadable")
    _check_version(version)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {int(version)}")
    conn.commit()
    return int(version)


def _check_version(version: int) -> None:
    from leadtriage.store.schema import LATEST_VERSION

    if version > LATEST_VERSION:
        raise sqlite3.DatabaseError("written by a newer LeadTriage")


def _create_private(path: Path) -> None:
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    restrict_file(path)


def _remove_db_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _when(path: Path) -> str:
    parsed = backups.parse_name(path)
    return parsed[1].strftime("%Y-%m-%d %H:%M") if parsed else path.name

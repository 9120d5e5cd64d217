"""A LeadTriage database connection: identity checks, pragmas, transactions and
migrations. Everything else receives a `Store` (never a global).

Opening one for use (check, lock, connect, migrate with a backup first) is
`leadtriage.safety.opening.open_store`: the open needs backups and the check for
damage, and those live above the store, in `leadtriage.safety`."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from leadtriage.errors import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseTooNew,
    NotALeadTriageDatabase,
    StorageProblem,
    UserError,
)
from leadtriage.paths import restrict_file
from leadtriage.store import schema_check
from leadtriage.store.errors import environment_errors
from leadtriage.store.lock import WriterLock
from leadtriage.store.schema import LATEST_VERSION, MIGRATIONS

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

APPLICATION_ID = 0x4C545247  # "LTRG"
SQLITE_HEADER = b"SQLite format 3\x00"


class Store:
    """One open database: a sqlite3 connection plus its sqlite-utils wrapper.

    `leadtriage.safety.opening.open_store` is the way in. Writers hold the writer
    lock until `close`.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, lock: WriterLock | None, *, new: bool = False):
        self.path = path
        self._new = new  # this Store made the database (see close)
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._lock = lock
        self._tx_depth = 0
        self._closed = False
        self._lock_owner: Store | None = None  # for_worker stores write under the opener's lock

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, made on first use: importing
        sqlite-utils pulls in pandas (~0.5 s), which must stay off the start-up path."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    # -- opening ---------------------------------------------------------------------

    @classmethod
    def open_scratch(cls, path: str | os.PathLike[str]) -> Store:
        """A read-write connection without the writer lock, for a dry run while the app
        holds the lock: the caller rolls back every transaction it opens (nothing is
        ever committed through it). SQLite's own locking keeps it and the app apart:
        the app waits (busy timeout) for the moment the dry run's transaction lasts.
        Refused on a schema this version would still have to upgrade."""
        path = Path(path)
        version = inspect_file(path)
        if version is None:
            raise UserError(f"No LeadTriage database at {path}.")
        if version < LATEST_VERSION:
            raise DatabaseBusy(f"{path.name} needs an upgrade first; close the app that has it open and try again.")
        return cls(path, connect(path, readonly=False), lock=None)

    def for_worker(self) -> Store:
        """A second Store on the same file for a worker thread: its own connection
        (transactions must not interleave with the UI thread's), no lock of its own
        (the opener's writer lock covers this process)."""
        worker = Store(self.path, connect(self.path, readonly=False), lock=None)
        worker._lock_owner = self
        return worker

    def close(self, *, discard_if_new: bool = False) -> None:
        """Close, folding the WAL back into the file. `discard_if_new`: a command failed
        on a database this Store created and nothing was saved in it: remove it (exit 2
        means nothing written; a full disk must get its space back)."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._lock is not None:
                if discard_if_new and self._new and not self._has_data():
                    close_quietly(self.conn, truncate=False)
                    remove_new_database(self.path, True)
                    return
                # Fold the WAL back so the file is self-contained when the app is closed.
                with environment_errors():
                    self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            close_quietly(self.conn, truncate=False)
            if self._lock is not None:
                self._lock.release()

    def _has_data(self) -> bool:
        try:
            return bool(self.conn.execute("SELECT EXISTS(SELECT 1 FROM leads)").fetchone()[0])
        except sqlite3.Error:
            return True  # cannot tell: keep it

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(discard_if_new=exc_type is not None)

    @property
    def writable(self) -> bool:
        if self._lock_owner is not None:
            return self._lock_owner.writable
        return self._lock is not None

    # -- transactions ----------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """All-or-nothing block. Nested calls become savepoints. Environment failures
        (disk full, read-only) surface as `StorageProblem` after the rollback."""
        with environment_errors():
            if self.conn.in_transaction:
                name = f"sp{self._tx_depth}"
                self._tx_depth += 1
                self.conn.execute(f"SAVEPOINT {name}")
                try:
                    yield self.db
                except BaseException:
                    self.conn.execute(f"ROLLBACK TO {name}")
                    self.conn.execute(f"RELEASE {name}")
                    raise
                else:
                    self.conn.execute(f"RELEASE {name}")
                finally:
                    self._tx_depth -= 1
            else:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.db
                except BaseException as exc:
                    if self.conn.in_transaction:
                        self.conn.rollback()
                    if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower():
                        self._give_back_wal_space()
                    raise
                else:
                    try:
                        self.conn.execute("COMMIT")
                    except sqlite3.Error as exc:
                        # A full disk usually strikes here, as the pages go to the WAL.
                        if self.conn.in_transaction:
                            self.conn.rollback()
                        if "full" in str(exc).lower():
                            self._give_back_wal_space()
                        raise

    def _give_back_wal_space(self) -> None:
        """After a full disk: the rolled-back transaction's pages still fill the WAL,
        and with the disk at 100 % the rep's next call could not be saved either.
        Truncate it if no reader is in the way (without waiting for one)."""
        try:
            self.conn.execute("PRAGMA busy_timeout = 0")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        finally:
            self.conn.execute("PRAGMA busy_timeout = 5000")

    # -- schema ----------------------------------------------------------------------

    @property
    def user_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, target: int = LATEST_VERSION) -> None:
        """Apply the migrations up to `target`, each in its own transaction. Backing up
        first is the caller's part (`leadtriage.safety.backup.migrate_with_backup`)."""
        for number in range(self.user_version + 1, target + 1):
            with self.transaction():
                MIGRATIONS[number - 1](self.db)
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version = {number}")
            log.info("database migrated to schema v%d", number)

    def quick_check(self) -> list[str]:
        rows = self.conn.execute("PRAGMA quick_check").fetchall()
        return [r[0] for r in rows]

    def integrity_check(self) -> list[str]:
        rows = self.conn.execute("PRAGMA integrity_check").fetchall()
        return [r[0] for r in rows]


def inspect_file(path: Path) -> int | None:
    """Schema version of an existing LeadTriage file, None for a file that does not exist
    (or is empty). Raises a `UserError` for anything we must not touch. Opens nothing
    for writing, so a refused file is left exactly as it was."""
    try:
        st = path.stat()
    except FileNotFoundError:
        _check_new_path(path)
        return None
    except OSError as exc:
        raise StorageProblem(f"Cannot read {path}: {exc.strerror}.") from None
    if stat.S_ISDIR(st.st_mode):
        raise NotALeadTriageDatabase(f"{path} is a folder, not a LeadTriage database.")
    if not stat.S_ISREG(st.st_mode):
        # /dev/null, a FIFO, a socket: never chmod it, never put -journal or .lock beside it.
        raise NotALeadTriageDatabase(
            f"{path} is not an ordinary file (a device, pipe or socket); a LeadTriage database "
            "is an ordinary file. Nothing was changed.")
    size = st.st_size
    if size == 0:
        return None
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise StorageProblem(f"Cannot read {path}: {exc.strerror}.") from None
    if not header.startswith(SQLITE_HEADER) or len(header) < 100:
        raise NotALeadTriageDatabase(f"{path.name} is not a LeadTriage database (not an SQLite file).")
    # Ask SQLite rather than the header bytes: in WAL mode the newest header may
    # still sit in the -wal file.
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            user_version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            foreign = (schema_check.differences(conn, user_version)
                       if app_id == APPLICATION_ID and 0 < user_version <= LATEST_VERSION else [])
    except UnicodeDecodeError:
        # SQLite's error text quoted bytes of a damaged schema page that are not
        # UTF-8, and Python could not even read the message: damage all the same.
        exc = sqlite3.DatabaseError("malformed database schema (unreadable text)")
        if int.from_bytes(header[68:72], "big") == APPLICATION_ID:
            raise DatabaseDamaged(
                f"{path.name} is damaged ({exc}). LeadTriage can keep it aside and recover it "
                "from what is readable and the newest backup.", [str(exc)]) from None
        raise NotALeadTriageDatabase(f"{path.name} cannot be read as a database ({exc}).") from None
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "unable to open" in text):
            from leadtriage.store.errors import translate

            raise translate(exc) from None
        if int.from_bytes(header[68:72], "big") == APPLICATION_ID:
            raise DatabaseDamaged(
                f"{path.name} is damaged ({exc}). LeadTriage can keep it aside and recover it "
                "from what is readable and the newest backup.", [str(exc)]) from None
        raise NotALeadTriageDatabase(f"{path.name} cannot be read as a database ({exc}).") from None
    if app_id != APPLICATION_ID:
        if app_id == 0 and user_version == 0 and tables == 0:
            return None  # an empty SQLite file: safe to build in
        raise NotALeadTriageDatabase(
            f"{path.name} is an SQLite file from another application, not a LeadTriage database."
        )
    if user_version > LATEST_VERSION:
        raise DatabaseTooNew(
            f"{path.name} was written by a newer LeadTriage (schema v{user_version}; this version "
            f"reads up to v{LATEST_VERSION}). Update LeadTriage to open it; the file was not changed."
        )
    if foreign:
        schema_check.refuse(foreign, path.name)
    return user_version


def _check_new_path(path: Path) -> None:
    """A database that does not exist yet may only be made in a real folder."""
    parent = Path(os.path.realpath(path)).parent
    if parent.exists() and not parent.is_dir():
        raise NotALeadTriageDatabase(f"{parent} is not a folder. Nothing was changed.")


def close_quietly(conn: sqlite3.Connection, *, truncate: bool) -> None:
    """Close on a failure path: a checkpoint that fails too (the disk is still full)
    must not hide the first error, nor leave the connection to the garbage collector."""
    if truncate:
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
    try:
        conn.close()
    except sqlite3.Error as exc:
        log.warning("closing the database failed: %s", type(exc).__name__)


def remove_new_database(path: Path, made: bool) -> None:
    for side in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    try:
        if made:
            path.unlink(missing_ok=True)
        else:
            os.truncate(path, 0)  # an empty file the user gave us: empty again
    except OSError as exc:
        log.warning("could not remove a database that failed to be set up: %s", exc.strerror)


def create_private_file(path: Path) -> None:
    # Create the file ourselves with 0600 so SQLite (which copies the database's
    # mode onto -wal/-shm) never makes personal data world-readable.
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as exc:
        raise StorageProblem(f"Cannot create {path}: {exc.strerror}.") from None
    restrict_file(path)


def connect(path: Path, *, readonly: bool) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + ("?mode=ro" if readonly else "")
    with environment_errors():
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (see Store.transaction).
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 5000")
        if not readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("journal mode is %s, not WAL", mode)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA cache_size = -32000")  # 32 MB page cache
        conn.execute("PRAGMA temp_store = MEMORY")
    return conn

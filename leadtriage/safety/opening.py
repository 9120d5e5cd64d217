"""The one way to open a LeadTriage database for use:

inspect (refuse foreign, too-new and odd files before touching them) -> check (a
writer never writes into a damaged file) -> lock (one writer) -> connect -> migrate,
with a backup first when an existing database is upgraded.

It sits above `store/` (the connection, schema and migrations) and beside the rest
of `safety/`, because the check and the backup are safety's: `store/` never
imports `safety/`."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from leadtriage.errors import StorageProblem, UserError
from leadtriage.safety import backup as backups
from leadtriage.safety.check import check_or_raise
from leadtriage.store.db import (
    Store,
    close_quietly,
    connect,
    create_private_file,
    inspect_file,
    remove_new_database,
)
from leadtriage.store.lock import WriterLock
from leadtriage.store.settings import adopt_machine_settings

log = logging.getLogger(__name__)


def open_store(path: str | os.PathLike[str], *, writer: bool = True, create: bool = True) -> Store:
    """Open (or, with `create`, make) the database at `path`. A writer holds the
    writer lock until `close`; a damaged file raises `DatabaseDamaged` (the caller
    decides about recovery: `leadtriage.safety.recovery.open_or_recover`)."""
    path = Path(path)
    version = inspect_file(path)  # raises for foreign / too-new / missing files
    if version is None and not create:
        raise UserError(f"No LeadTriage database at {path}.")
    if version is None and not path.parent.is_dir():
        raise StorageProblem(f"The folder {path.parent} does not exist.")
    lock = None
    if writer:
        lock = WriterLock(path)
        lock.acquire()
    conn = None
    made = version is None and not path.exists()
    try:
        if version is None:
            create_private_file(path)
            if lock is not None:
                lock.cover_file()  # now that the file exists, lock it under every name
        elif writer:
            # Never write into a damaged file: the caller decides about recovery.
            check_or_raise(path)
        conn = connect(path, readonly=not writer)
        store = Store(path, conn, lock, new=version is None)
        if writer:
            # What a killed backup left; kept if another LeadTriage is writing it.
            backups.remove_stale_parts(backups.backups_dir(path), path.stem)
            backups.migrate_with_backup(store)
            if _is_own_database(path):
                adopt_machine_settings(store)
        return store
    except BaseException:
        try:
            if conn is not None:
                close_quietly(conn, truncate=writer)
            if version is None and writer:
                # A new database that could not even be set up (a full disk): leave
                # nothing behind, least of all a WAL that keeps the disk full.
                remove_new_database(path, made)
        finally:
            if lock:
                lock.release()
        raise


def _is_own_database(path: Path) -> bool:
    """This computer's own database: the one it opens without `--db`."""
    from leadtriage.paths import resolve_db_path

    try:
        return os.path.samefile(path, resolve_db_path(None))
    except OSError:
        return False

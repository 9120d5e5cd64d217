"""One writer per database: the app holds this lock for its lifetime, write commands
for their duration. A second writer gets `DatabaseBusy` at once instead of waiting on
SQLite locks or interleaving its work with another copy's."""

from __future__ import annotations

from pathlib import Path

from filelock import FileLock, Timeout

from leadtriage.errors import DatabaseBusy


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class WriterLock:
    def __init__(self, db_path: Path):
        self.path = lock_path(db_path)
        self._lock = FileLock(str(self.path), timeout=0, mode=0o600)

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except Timeout:
            raise DatabaseBusy(
                f"{self.path.with_suffix('').name} is already open in another LeadTriage window "
                "or command. Close it first (nothing was changed)."
            ) from None
        except OSError as exc:
            # A read-only folder: we cannot even create the lock file.
            raise DatabaseBusy(f"Cannot lock the database for writing: {exc.strerror}.") from None

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()

    @property
    def held(self) -> bool:
        return self._lock.is_locked


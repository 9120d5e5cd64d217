"""One writer per database: the app holds this lock for its lifetime, write commands
for their duration. A second writer gets `DatabaseBusy` at once instead of waiting on
SQLite locks or interleaving its work with another copy's, unless it was told to wait
(`leadtriage --wait SECONDS ...`: a script that runs while the rep may still have the
app open waits for it to close, with one message, then gives up with the same clear
refusal). Read-only commands take no lock at all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from filelock import FileLock, Timeout

from leadtriage.errors import DatabaseBusy


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


_wait_seconds = 0.0
_wait_notice: Callable[[str], None] | None = None


def set_wait(seconds: float, notice: Callable[[str], None] | None = None) -> None:
    """How long a writer waits for the lock in this process (the command line's
    `--wait`), and where the one "waiting" message goes."""
    global _wait_seconds, _wait_notice
    _wait_seconds, _wait_notice = max(0.0, seconds), notice


class WriterLock:
    def __init__(self, db_path: Path):
        self.path = lock_path(db_path)
        self._lock = FileLock(str(self.path), timeout=0, mode=0o600)

    def acquire(self) -> None:
        name = self.path.with_suffix("").name
        try:
            try:
                self._lock.acquire(timeout=0)
            except Timeout:
                if _wait_seconds <= 0:
                    raise
                if _wait_notice is not None:
                    _wait_notice(f"{name} is open in LeadTriage; waiting up to {_wait_seconds:g} s for it to close…")
                self._lock.acquire(timeout=_wait_seconds, poll_interval=0.2)
        except Timeout:
            waited = f" (waited {_wait_seconds:g} s)" if _wait_seconds > 0 else ""
            raise DatabaseBusy(
                f"{name} is already open in another LeadTriage window or command{waited}. Close it first, or "
                "give --wait SECONDS to wait for it; nothing was changed. Read-only commands (stats, check, "
                "outcomes --dry-run) work while it is open."
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


"""One writer per database: the app holds this lock for its lifetime, write commands
for their duration. A second writer gets `DatabaseBusy` at once instead of waiting on
SQLite locks or interleaving its work with another copy's, unless it was told to wait
(`leadtriage --wait SECONDS ...`: a script that runs while the rep may still have the
app open waits for it to close, with one message, then gives up with the same clear
refusal). Read-only commands take no lock at all.

The lock belongs to the file, not to the name it was reached by. A symlink, a
hard link or `..` in `--db` is another name for the same file; each name used to
get its own `<name>.lock`, so two writers ran at once (a restore through an alias
wiped an import). So the lock is taken twice:

1. `<resolved path>.lock` (symlinks and `..` resolved), also covering a database
   that does not exist yet;
2. an exclusive `flock` on the database file itself, which every name of that
   file (hard links too) shares. SQLite locks with `fcntl` byte ranges, which on
   Linux and the BSDs are independent of `flock`, so this never blocks SQLite.

Where `flock` does not exist (Windows) only the first lock is taken.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock, Timeout

from leadtriage.errors import DatabaseBusy

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def real_path(db_path: Path) -> Path:
    """The file behind `db_path`: symlinks and `..` resolved, even for a file that
    does not exist yet (a dangling symlink resolves to where it points)."""
    return Path(os.path.realpath(db_path))


def lock_path(db_path: Path) -> Path:
    real = real_path(db_path)
    return real.with_name(real.name + ".lock")


_wait_seconds = 0.0
_wait_notice: Callable[[str], None] | None = None


def set_wait(seconds: float, notice: Callable[[str], None] | None = None) -> None:
    """How long a writer waits for the lock in this process (the command line's
    `--wait`), and where the one "waiting" message goes."""
    global _wait_seconds, _wait_notice
    _wait_seconds, _wait_notice = max(0.0, seconds), notice


class WriterLock:
    def __init__(self, db_path: Path):
        self.db_path = Path(db_path)
        self.path = lock_path(self.db_path)
        self._lock = FileLock(str(self.path), timeout=0, mode=0o600)
        self._fd: int | None = None
        self._deadline = 0.0

    def acquire(self) -> None:
        self._deadline = time.monotonic() + _wait_seconds
        try:
            try:
                self._lock.acquire(timeout=0)
            except Timeout:
                if _wait_seconds <= 0:
                    raise
                self._notice()
                self._lock.acquire(timeout=_wait_seconds, poll_interval=0.2)
        except Timeout:
            raise self._busy() from None
        except OSError as exc:
            # A read-only folder: we cannot even create the lock file.
            raise DatabaseBusy(f"Cannot lock the database for writing: {exc.strerror}.") from None
        try:
            self.cover_file()
        except BaseException:
            self._lock.release()
            raise

    def cover_file(self) -> None:
        """Lock the database file itself (all its names). Called again by
        `open_store` once a new database file has been created."""
        if fcntl is None or self._fd is not None:
            return
        try:
            fd = os.open(real_path(self.db_path), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return  # a new database: the name lock covers it until it exists
        except OSError:
            return  # not readable: opening it fails later with a clear message
        noticed = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= self._deadline:
                    os.close(fd)
                    raise self._busy() from None
                if not noticed:
                    self._notice()
                    noticed = True
                time.sleep(0.2)
            except OSError:
                os.close(fd)  # a filesystem without flock: the name lock still holds
                return
        self._fd = fd

    def _notice(self) -> None:
        if _wait_notice is not None:
            _wait_notice(f"{self.db_path.name} is open in LeadTriage; waiting up to {_wait_seconds:g} s "
                         "for it to close…")

    def _busy(self) -> DatabaseBusy:
        waited = f" (waited {_wait_seconds:g} s)" if _wait_seconds > 0 else ""
        return DatabaseBusy(
            f"{self.db_path.name} is already open in another LeadTriage window or command (perhaps under "
            f"another name or link){waited}. Close it first, or give --wait SECONDS to wait for it; nothing "
            "was changed. Read-only commands (stats, check, outcomes --dry-run) work while it is open."
        )

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the flock
            self._fd = None
        if self._lock.is_locked:
            self._lock.release()

    @property
    def held(self) -> bool:
        return self._lock.is_locked

"""Two kinds of failure, split the way users experience them.

`UserError` is bad input or a problem with the user's environment (a file that is
not a lead list, a database from a newer version, a full disk, a second copy
running): it becomes one clear sentence and exit code 2. Anything else is a bug and
fails loudly (exit 1, traceback in the log).
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix; the message is shown as-is."""

    exit_code = 2


class NotALeadTriageDatabase(UserError):
    pass


class DatabaseTooNew(UserError):
    pass


class DatabaseBusy(UserError):
    """Another LeadTriage (app or command) is writing to this database."""


class StorageProblem(UserError):
    """Disk full, read-only folder, vanished folder, locked file."""


class DatabaseDamaged(StorageProblem):
    """The database file fails SQLite's checks (truncated, overwritten, bad disk).
    `problems` holds SQLite's own findings, for the log and the recovery dialog."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []

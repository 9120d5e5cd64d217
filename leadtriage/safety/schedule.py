"""When to back up: before anything that rewrites many rows, and every so often
while the rep works. Pure Python with an injected clock; the app drives `run_if_due`
from a timer on its worker thread, the CLI and tests call it directly.

Other services call `backup_before(store, "import")` (or "bulk-change") just before
they open their big transaction. Migrations are covered by the open itself (`safety.opening`).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

from leadtriage.safety import backup as backups
from leadtriage.safety import retention
from leadtriage.store.db import Store
from leadtriage.store.settings import SettingsStore

log = logging.getLogger(__name__)

LocalClock = Callable[[], datetime]

# Tables whose newest row id moves whenever the rep's data changes: calls and notes
# (activities), edits and status moves (change_log), imports (leads, batches),
# handoffs. Max of an integer primary key is a b-tree edge lookup: microseconds at 1M rows.
_WATCHED = ("activities", "change_log", "leads", "import_batches", "handoffs")


def backup_before(store: Store, reason: str, *, now: datetime | None = None) -> Path:
    """Back up right before a risky change (import, bulk edit, restore). Not verified
    here, to keep the user waiting as little as possible: the scheduler's periodic
    backups are checked in full."""
    made = backups.backup(store, f"before-{reason}", now=now, verify=False)
    _prune_quietly(store.path, now)
    log.info("backup before %s written", backups.slug(reason))
    return made


def data_signature(conn: sqlite3.Connection) -> tuple[int, ...]:
    """Changes whenever committed data changes in a way worth a backup."""
    return tuple(conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] for t in _WATCHED) + (
        conn.execute("SELECT count(*) FROM settings").fetchone()[0],
    )


class BackupScheduler:
    """Periodic backups at most every `backup_interval_minutes`, only when the data
    changed since the newest backup (so an idle laptop does not fill its disk)."""

    def __init__(self, store: Store, *, clock: LocalClock = datetime.now,
                 interval_minutes: int | None = None, folder: Path | None = None):
        self.store = store
        self.clock = clock
        self.folder = folder
        if interval_minutes is None:
            interval_minutes = SettingsStore(store).get("backup_interval_minutes")
        self.interval = timedelta(minutes=max(1, int(interval_minutes)))
        newest = backups.list_backups(store.path, folder)
        self.last_at: datetime | None = newest[0].created if newest else None
        self._last_signature: tuple[int, ...] | None = _signature_of_file(newest[0].path) if newest else None
        self._updates = store.conn.total_changes

    def changed(self) -> bool:
        if self._last_signature is None:
            return self._has_data()
        return self.store.conn.total_changes != self._updates or data_signature(self.store.conn) != self._last_signature

    def due(self) -> bool:
        now = self.clock()
        if self.last_at is not None and now - self.last_at < self.interval and now >= self.last_at:
            return False
        return self.changed()

    def run_if_due(self) -> Path | None:
        """Back up (verified) and prune when due; returns the new backup or None."""
        if not self.due():
            return None
        return self.backup_now("periodic")

    def backup_now(self, reason: str = "manual") -> Path:
        now = self.clock()
        signature = data_signature(self.store.conn)
        updates = self.store.conn.total_changes
        made = backups.backup(self.store, reason, self.folder, now=now, verify=True)
        self.last_at, self._last_signature, self._updates = now, signature, updates
        _prune_quietly(self.store.path, now, self.folder)
        return made

    def _has_data(self) -> bool:
        return any(data_signature(self.store.conn)[:-1])


def _signature_of_file(path: Path) -> tuple[int, ...] | None:
    try:
        with closing(backups._read_only(path, immutable=True)) as conn:
            return data_signature(conn)
    except sqlite3.Error:
        return None


def _prune_quietly(db_path: Path, now: datetime | None, folder: Path | None = None) -> None:
    try:
        retention.prune(db_path, folder, now=now)
    except Exception as exc:  # never let housekeeping fail the backup that just worked
        log.warning("pruning old backups failed: %s", type(exc).__name__)

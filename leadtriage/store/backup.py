"""Backups through SQLite's online backup API (a plain copy of a WAL database can
miss committed pages). Files are named so they sort by time and say why they exist."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from leadtriage.paths import backups_dir, restrict_file
from leadtriage.store.errors import environment_errors

if TYPE_CHECKING:
    from leadtriage.store.db import Store


def backup(store: Store, reason: str = "manual", folder: Path | None = None) -> Path:
    folder = folder or backups_dir(store.path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S_%f")
    dest = folder / f"{store.path.stem}_{stamp}_{reason}.db"
    return backup_to(store.conn, dest)


def backup_to(conn: sqlite3.Connection, dest: Path) -> Path:
    tmp = dest.with_name(dest.name + ".part")
    with environment_errors():
        # Created 0600 before SQLite writes a byte: backups hold personal data.
        os.close(os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        target = sqlite3.connect(tmp)
        try:
            conn.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    restrict_file(tmp)
    tmp.replace(dest)  # a half-written backup never carries a backup's name
    return dest

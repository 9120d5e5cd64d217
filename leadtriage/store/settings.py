"""Typed access to the settings through the registry in `config.py`: database
settings in the `settings` table, machine settings (places on this computer) in
`leadtriage.machine_settings`. A value for a machine setting found in a database is
never used; it is moved out once, from this computer's own database only."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from leadtriage import machine_settings
from leadtriage.config import REGISTRY, SETTINGS, get_setting

if TYPE_CHECKING:
    # Annotations only: the schema's migrations read settings, and the connection
    # module runs the migrations.
    from leadtriage.store.db import Store

log = logging.getLogger(__name__)

MACHINE_KEYS = tuple(s.key for s in SETTINGS if s.machine)


class SettingsStore:
    def __init__(self, store: Store):
        self._store = store

    def get(self, key: str) -> Any:
        setting = get_setting(key)
        if setting.machine:
            return _coerce(setting, machine_settings.get(key))
        row = self._store.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return setting.default
        try:
            return _coerce(setting, json.loads(row[0]))
        except ValueError:
            return setting.default

    def set(self, key: str, value: Any) -> None:
        setting = get_setting(key)
        value = setting.coerce(value)
        if setting.machine:
            machine_settings.set(key, value)
            return
        with self._store.transaction() as db:
            db["settings"].upsert({"key": key, "value": json.dumps(value)}, pk="key")

    def all(self) -> dict[str, Any]:
        return {key: self.get(key) for key in REGISTRY}


def _coerce(setting, value: Any) -> Any:
    try:
        return setting.coerce(value)
    except (ValueError, TypeError):
        return setting.default  # a hand-edited bad value must not stop the app


def forget_machine_settings(store: Store) -> int:
    """Delete machine settings a database carries (a restored backup, an older
    version's file): they are never used, and must not travel on into backups."""
    if not MACHINE_KEYS:
        return 0
    marks = ", ".join("?" * len(MACHINE_KEYS))
    with store.transaction():
        cur = store.conn.execute(f"DELETE FROM settings WHERE key IN ({marks})", MACHINE_KEYS)
    return cur.rowcount


def adopt_machine_settings(store: Store) -> None:
    """Once per computer: move machine settings an older LeadTriage kept in this
    computer's own database into the machine settings file. The caller decides that
    `store` is this computer's own database (never one given with --db, never one
    just restored: restoring clears these values first)."""
    if machine_settings.get(machine_settings.ADOPTED):
        return
    marks = ", ".join("?" * len(MACHINE_KEYS))
    rows = store.conn.execute(f"SELECT key, value FROM settings WHERE key IN ({marks})", MACHINE_KEYS).fetchall()
    found: dict[str, Any] = {}
    for key, raw in rows:
        try:
            value = get_setting(key).coerce(json.loads(raw))
        except (ValueError, TypeError):
            continue
        if value != get_setting(key).default and machine_settings.get(key) is None:
            found[key] = value
    machine_settings.update({**found, machine_settings.ADOPTED: True})
    if rows:
        forget_machine_settings(store)
        log.info("moved %d machine settings out of the database", len(found))

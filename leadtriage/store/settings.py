"""Typed access to the `settings` table through the registry in `config.py`."""

from __future__ import annotations

import json
from typing import Any

from leadtriage.config import REGISTRY, get_setting
from leadtriage.store.db import Store


class SettingsStore:
    def __init__(self, store: Store):
        self._store = store

    def get(self, key: str) -> Any:
        setting = get_setting(key)
        row = self._store.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return setting.default
        try:
            return setting.coerce(json.loads(row[0]))
        except (ValueError, TypeError):
            return setting.default  # a hand-edited bad value must not stop the app

    def set(self, key: str, value: Any) -> None:
        setting = get_setting(key)
        value = setting.coerce(value)
        with self._store.transaction() as db:
            db["settings"].upsert({"key": key, "value": json.dumps(value)}, pk="key")

    def all(self) -> dict[str, Any]:
        return {key: self.get(key) for key in REGISTRY}


def known_rep(conn) -> str | None:
    """The one local user's name as the data knows it: the name in Settings, else the
    only name the activities, handoffs and lead owners carry. None when there is no
    name or more than one (a database shared by several reps)."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'rep_name'").fetchone()
    try:
        name = json.loads(row[0]) if row else None
    except (ValueError, TypeError):
        name = None
    if isinstance(name, str) and name.strip():
        return name.strip()
    names = [r[0] for r in conn.execute(
        "SELECT rep FROM activities WHERE rep IS NOT NULL AND rep <> '' "
        "UNION SELECT by_rep FROM handoffs WHERE by_rep IS NOT NULL AND by_rep <> '' "
        "UNION SELECT owner FROM leads WHERE owner IS NOT NULL AND owner <> '' LIMIT 2").fetchall()]
    return names[0] if len(names) == 1 and isinstance(names[0], str) else None

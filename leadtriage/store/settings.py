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

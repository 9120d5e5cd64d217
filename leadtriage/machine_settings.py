"""Settings that name places on this computer (the brief template folder), kept in a
small JSON file in the user's config folder, never in the database.

A database travels: it is restored from a backup, copied from a colleague, handed
over by someone else. A path in it would point this computer's exports at whatever
folder that database's author chose (templates are code-like: they decide what a
brief says). So these values belong to the machine, and a database can neither set
nor change them. Plain JSON rather than QSettings: services must not import Qt.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from leadtriage.paths import config_dir

log = logging.getLogger(__name__)

FILE_NAME = "machine-settings.json"
# Set once the database values of machine settings were moved here (see
# `store.settings.adopt_machine_settings`): it happens once per computer.
ADOPTED = "_adopted_from_database"


def settings_path() -> Path:
    return config_dir() / FILE_NAME


def load() -> dict[str, Any]:
    try:
        data = json.loads(settings_path().read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        # A hand-edited or damaged file must not stop the app: defaults apply.
        log.warning("machine settings unreadable (%s); using defaults", type(exc).__name__)
        return {}
    return data if isinstance(data, dict) else {}


def get(key: str, default: Any = None) -> Any:
    return load().get(key, default)


def update(values: dict[str, Any]) -> None:
    """Write `values` over the stored ones, atomically (a crash leaves the old file)."""
    data = load()
    data.update(values)
    path = settings_path()
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def set(key: str, value: Any) -> None:  # noqa: A001 - mirrors SettingsStore.set
    update({key: value})

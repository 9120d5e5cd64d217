"""Where files live. The one place that resolves paths.

Order for the database: explicit `--db PATH`, then `LEADTRIAGE_DB`, then the user's
data folder. Tests and demos point everything elsewhere with `LEADTRIAGE_HOME`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "LeadTriage"
DB_FILE_NAME = "leadtriage.db"


def data_dir() -> Path:
    """Per-user data folder (database, backups, log). Created on first use, mode 0700."""
    home = os.environ.get("LEADTRIAGE_HOME")
    if home:
        path = Path(home)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False, roaming=False))
    path.mkdir(parents=True, exist_ok=True)
    _restrict(path, 0o700)
    return path


def default_db_path() -> Path:
    return data_dir() / DB_FILE_NAME


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("LEADTRIAGE_DB")
    if env:
        return Path(env).expanduser()
    return default_db_path()


def backups_dir(db_path: Path) -> Path:
    """Backups sit beside the database they protect, so a `--db` file keeps its own."""
    path = db_path.parent / f"{db_path.stem}-backups"
    return path


def log_dir() -> Path:
    """The log may name ids and counts only, but it is still the user's business: 0700."""
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _restrict(path, 0o700)
    return path


def config_dir() -> Path:
    """Settings that belong to this computer, not to a database (see
    `leadtriage.machine_settings`). Under `LEADTRIAGE_HOME` when that is set."""
    home = os.environ.get("LEADTRIAGE_HOME")
    if home:
        path = Path(home) / "config"
    else:
        import platformdirs

        path = Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False, roaming=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _restrict(path, 0o700)
    return path


def cache_dir() -> Path:
    """Files LeadTriage can always compute again (the expected database schema)."""
    home = os.environ.get("LEADTRIAGE_HOME")
    if home:
        path = Path(home) / "cache"
    else:
        import platformdirs

        path = Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    _restrict(path, 0o700)
    return path


def resources_dir() -> Path:
    """The shipped `resources/` folder: in a bundle, an installed wheel or the source tree."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = []
    if bundle:
        candidates.append(Path(bundle) / "leadtriage" / "resources")
    here = Path(__file__).resolve().parent
    candidates += [here / "resources", here.parent / "resources"]
    for candidate in candidates:
        if (candidate / "frameworks").is_dir():
            return candidate
    raise FileNotFoundError("LeadTriage resources folder is missing; reinstall the app")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def _restrict(path: Path, mode: int) -> None:
    # Personal data: readable by the user only. Best effort on filesystems
    # (and Windows) that ignore POSIX modes.
    try:
        os.chmod(path, mode)
    except OSError:
        pass


def restrict_file(path: Path) -> None:
    _restrict(path, 0o600)


def restrict_folder(path: Path) -> None:
    _restrict(path, 0o700)

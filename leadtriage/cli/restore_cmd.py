"""`leadtriage restore FILE`: put a backup back, after backing up the current data."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from leadtriage.cli.output import emit
from leadtriage.errors import DatabaseDamaged, UserError
from leadtriage.paths import resolve_db_path

NAME = "restore"
HELP = "replace the database with a backup (the current data is backed up first)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="backup file to restore (see `leadtriage check` for the list)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from leadtriage.safety import backup as backups
    from leadtriage.safety.opening import open_store
    from leadtriage.safety.recovery import move_aside

    path = Path(resolve_db_path(args.db))
    source = Path(args.file).expanduser()
    if not source.is_file():
        raise UserError(f"No backup at {source}.")
    problems = backups.check_backup(source)
    if problems:
        raise UserError(f"{source.name} cannot be restored: {problems[0]}. Nothing was changed.")
    kept_aside = None
    try:
        store = open_store(path)
    except DatabaseDamaged:
        # The current file is damaged: keep it aside (never deleted), restore into a new one.
        kept_aside = move_aside(path, datetime.now())
        store = open_store(path)
    with store:
        result = backups.restore(store, source)
    payload = {"db": str(path), "restored_from": str(result.restored_from),
               "previous_data_backup": str(result.safety_backup) if result.safety_backup else None,
               "damaged_file_kept_as": str(kept_aside) if kept_aside else None, "leads": result.leads}
    lines = [f"restored {result.leads:,} leads from {source.name}"]
    if kept_aside:
        lines.append(f"the damaged database was kept as {kept_aside}")
    if result.safety_backup:
        lines.append(f"the data it replaced was backed up to {result.safety_backup}")
    emit(args, payload, "\n".join(lines))
    return 0

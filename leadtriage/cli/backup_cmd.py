"""`leadtriage backup`: write a checked backup now (and prune old ones)."""

from __future__ import annotations

import argparse
from pathlib import Path

from leadtriage.cli.output import emit
from leadtriage.errors import DatabaseBusy, DatabaseDamaged, UserError
from leadtriage.paths import resolve_db_path

NAME = "backup"
HELP = "back up the database now (checked copy in the backups folder beside it)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from leadtriage.safety import backup as backups
    from leadtriage.safety import retention
    from leadtriage.safety.recovery import open_or_recover
    from leadtriage.safety.schedule import BackupScheduler
    from leadtriage.store.db import inspect_file

    path = Path(resolve_db_path(args.db))
    try:
        missing = inspect_file(path) is None
    except DatabaseDamaged:
        missing = False  # recovered below
    if missing:
        raise UserError(f"No LeadTriage database at {path}.")
    # Open as the writer: backups of a damaged file are useless, and the writer
    # check at open notices damage (and recovers, keeping the damaged file aside).
    try:
        store, report = open_or_recover(path)
    except DatabaseBusy:
        # The app has it open (and checked it when it did): a backup only reads, so
        # take it beside the app through a read-only connection; the copy is verified.
        report = None
        made = backups.backup_file(path, "manual", verify=True)
        retention.prune(path)
        leads = backups.lead_count(made) or 0
    else:
        with store:
            made = BackupScheduler(store, interval_minutes=1).backup_now("manual")
            leads = store.conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    kept = backups.list_backups(path)
    payload = {"db": str(path), "backup": str(made), "leads": leads, "size": made.stat().st_size,
               "backups_kept": len(kept), "recovered": report.message() if report else None}
    human = ((report.message() + "\n") if report else "") + \
        f"backed up {leads:,} leads to {made}\n{len(kept)} backups kept in {made.parent}"
    emit(args, payload, human)
    return 0

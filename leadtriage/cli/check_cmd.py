"""`leadtriage check`: is this a healthy LeadTriage database, and which backups
protect it? Read-only: it changes nothing, not even a damaged file."""

from __future__ import annotations

import argparse
from pathlib import Path

from leadtriage.cli.output import emit
from leadtriage.errors import DatabaseDamaged, UserError
from leadtriage.paths import resolve_db_path

NAME = "check"
HELP = "check the database's schema version and integrity, and list its backups (changes nothing)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from leadtriage.safety import backup as backups
    from leadtriage.safety.opening import open_store
    from leadtriage.safety.recovery import wal_damage
    from leadtriage.store.db import inspect_file
    from leadtriage.store.schema import LATEST_VERSION

    path = Path(resolve_db_path(args.db))
    version: int | None = None
    leads: int | None = None
    try:
        if inspect_file(path) is None:
            raise UserError(f"No LeadTriage database at {path}.")
        with open_store(path, writer=False, create=False) as store:
            version = store.user_version
            # A damaged -wal reads as a healthy database (SQLite stops at the bad frame).
            problems = wal_damage(path)
            problems += [p for p in store.integrity_check() if p != "ok"]
            leads = store.conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    except DatabaseDamaged as exc:
        problems = exc.problems or [str(exc)]
    except Exception as exc:  # reading a damaged file fails in many ways
        import sqlite3

        if not isinstance(exc, sqlite3.DatabaseError):
            raise
        problems = [str(exc)]
    found = backups.list_backups(path)
    listed = [{"file": str(b.path), "created": b.created.isoformat(sep=" ", timespec="seconds"),
               "reason": b.reason, "size": b.size, "leads": backups.lead_count(b.path)} for b in found]
    status = "ok" if not problems else "damaged"
    payload = {"db": str(path), "schema_version": version, "app_schema_version": LATEST_VERSION,
               "leads": leads, "integrity": status, "problems": problems[:20],
               "backups_dir": str(backups.backups_dir(path)), "backups": listed}
    lines = []
    if version is not None:
        lines.append(f"schema version {version}" + ("" if version == LATEST_VERSION else
                     f" (this app uses {LATEST_VERSION}; upgraded when opened for writing)"))
    if leads is not None:
        lines.append(f"{leads:,} leads")
    if listed:
        lines.append(f"{len(listed)} backups in {backups.backups_dir(path)}:")
        lines += [f"  {b['created']}  {b['reason']:<22} "
                  f"{'unreadable' if b['leads'] is None else format(b['leads'], ',') + ' leads'}  {b['file']}"
                  for b in listed[:10]]
        if len(listed) > 10:
            lines.append(f"  … and {len(listed) - 10} older")
    else:
        lines.append(f"no backups yet (they go to {backups.backups_dir(path)})")
    if problems:
        lines.append("The database is damaged. Opening it in the app (or `leadtriage backup`) keeps the "
                     "damaged file aside and recovers it; or put a backup back with `leadtriage restore FILE`.")
    lines.append(status)
    lines += problems[:20]
    emit(args, payload, "\n".join(lines))
    return 0 if not problems else 1

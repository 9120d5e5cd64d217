"""`leadtriage check`: is this a healthy LeadTriage database? Read-only."""

from __future__ import annotations

import argparse
from pathlib import Path

from leadtriage.cli.output import emit
from leadtriage.errors import UserError
from leadtriage.paths import resolve_db_path

NAME = "check"
HELP = "check the database's schema version and integrity (changes nothing)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from leadtriage.store import open_store
    from leadtriage.store.db import inspect_file
    from leadtriage.store.schema import LATEST_VERSION

    path = Path(resolve_db_path(args.db))
    if inspect_file(path) is None:
        raise UserError(f"No LeadTriage database at {path}.")
    with open_store(path, writer=False, create=False) as store:
        version = store.user_version
        problems = [p for p in store.integrity_check() if p != "ok"]
        leads = store.conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    status = "ok" if not problems else "damaged"
    payload = {"db": str(path), "schema_version": version, "app_schema_version": LATEST_VERSION,
               "leads": leads, "integrity": status, "problems": problems[:20]}
    lines = [f"schema version {version}" + ("" if version == LATEST_VERSION else
             f" (this app uses {LATEST_VERSION}; upgraded when opened for writing)"),
             f"{leads:,} leads", status]
    lines += problems[:20]
    emit(args, payload, "\n".join(lines))
    return 0 if not problems else 1

"""`leadtriage cadence import|export|list`: a team's cadences as files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leadtriage.cli.output import emit

NAME = "cadence"
HELP = "import, export and list cadences (planned touches: calls, e-mails, LinkedIn, tasks)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    imp = sub.add_parser("import", help="import a cadence file (JSON or YAML), all or nothing")
    imp.add_argument("file")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    exp = sub.add_parser("export", help="print a cadence as a file a team can share")
    exp.add_argument("name")
    exp.add_argument("--format", choices=["yaml", "json"], default="yaml")
    exp.add_argument("--out", help="write to this file instead of standard output")
    lst = sub.add_parser("list", help="cadences with their enrolled, active and finished counts")
    lst.add_argument("--json", action="store_true", help="print one JSON object")
    for q in (imp, exp, lst):
        # SUPPRESS: given before the action (`cadence --db X list`) it must not be reset.
        q.add_argument("--db", default=argparse.SUPPRESS, help="database file (default: your data folder, or $LEADTRIAGE_DB)")


def run(args: argparse.Namespace) -> int:
    from leadtriage.errors import UserError
    from leadtriage.paths import resolve_db_path
    from leadtriage.playbook import files
    from leadtriage.playbook.service import PlaybookService
    from leadtriage.safety.opening import open_store
    from leadtriage.store.db import inspect_file

    db_path = Path(resolve_db_path(args.db))
    if args.action == "import":
        # Read and check the whole file before a database is opened or created.
        text, name = files.read_file(args.file)
        files.parse(text, name)
        with open_store(db_path) as store:
            names = PlaybookService(store).import_text(text, name)
        emit(args, {"imported": names}, f"Imported {len(names)} cadence(s): {', '.join(names)}")
        return 0
    if inspect_file(db_path) is None:
        raise UserError(f"No LeadTriage database at {db_path}.")
    with open_store(db_path) as store:
        service = PlaybookService(store)
        if args.action == "export":
            text = service.export(args.name, args.format)
            if args.out:
                Path(args.out).write_text(text, "utf-8")
            else:
                sys.stdout.write(text)
            return 0
        rows = service.summaries()
    payload = {"cadences": [{"name": c.name, "description": c.description, "steps": c.steps,
                             "enrolled": c.enrolled, "active": c.active, "paused": c.paused,
                             "finished": c.finished} for c in rows]}
    human = "\n".join(f"{c.name}: {c.steps} steps, {c.enrolled:,} enrolled, {c.active:,} active, "
                      f"{c.paused:,} paused, {c.finished:,} finished" for c in rows) or "No cadences yet."
    emit(args, payload, human)
    return 0

"""`leadtriage export`: hand qualified leads to field sales as files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leadtriage.cli.output import emit
from leadtriage.paths import resolve_db_path

NAME = "export"
HELP = "write briefs / CRM CSV / invites for qualified leads and mark them handed off"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--status", help="export leads in this status (default: qualified)")
    p.add_argument("--ids", help="comma-separated lead IDs as printed on briefs (LT-...)")
    p.add_argument("--rep", help="only leads of this field rep")
    p.add_argument("--format", required=True,
                   help="comma-separated: pdf,html,md,csv-salesforce,csv-hubspot,csv-sheet,ics")
    p.add_argument("--out", required=True, help="folder for the files (created if missing)")
    p.add_argument("--combine", action="store_true", help="one PDF per field rep instead of one per lead")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from leadtriage.errors import UserError
    from leadtriage.handoff import (
        ExportRequest,
        HandoffExporter,
        parse_formats,
        parse_public_ids,
        select_leads,
    )
    from leadtriage.safety.opening import open_store
    from leadtriage.util.progress import Progress

    formats = parse_formats(args.format)
    ids = parse_public_ids(args.ids) if args.ids is not None else None
    out = Path(args.out).expanduser()
    path = Path(resolve_db_path(args.db))
    with open_store(path, create=False) as store:
        lead_ids = select_leads(store.conn, status=args.status, lead_ids=ids, field_rep=args.rep)
        if not lead_ids:
            raise UserError("No leads match; nothing was exported.")
        progress = None
        if sys.stderr.isatty():
            def progress(done: int, total: int, message: str) -> None:
                sys.stderr.write(f"\r{message}: {done:,} / {total:,}\x1b[K")
        exporter = HandoffExporter(store)
        result = exporter.export(
            ExportRequest(tuple(lead_ids), formats, out, combine=args.combine), Progress(progress)
        )
        if progress:
            sys.stderr.write("\n")
    payload = result.as_dict()
    human = (f"{len(result.files):,} files written to {result.folder}; "
             f"{len(result.handed_off):,} leads handed off, {len(result.re_exported):,} sent again")
    if result.no_meeting:
        human += f"; no meeting time (no invite) for {len(result.no_meeting):,}"
    emit(args, payload, human)
    return 0

"""`leadtriage outcomes FILE`: field outcomes back in from a CSV/XLSX."""

from __future__ import annotations

import argparse
from pathlib import Path

from leadtriage.cli.output import emit

NAME = "outcomes"
HELP = "apply field outcomes (accepted, rejected, opportunity, won, lost) from a CSV/XLSX by lead ID or e-mail"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="CSV, TSV or XLSX with lead ID (or e-mail), outcome, reason, amount, date")
    p.add_argument("--encoding", help="text encoding of a CSV (default: detected)")
    p.add_argument("--delimiter", help="CSV delimiter (default: detected)")
    p.add_argument("--sheet", help="worksheet name of a spreadsheet (default: the first)")
    p.add_argument("--dry-run", action="store_true", help="check the file and report, change nothing")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from leadtriage.errors import UserError
    from leadtriage.importing.reader import require_regular_file
    from leadtriage.outcomes import import_outcomes
    from leadtriage.paths import resolve_db_path
    from leadtriage.store.db import inspect_file
    from leadtriage.store.settings import SettingsStore

    source = Path(args.file)
    require_regular_file(source, "outcomes file")  # a FIFO or device would be read forever
    path = Path(resolve_db_path(args.db))
    if inspect_file(path) is None:
        raise UserError(f"No LeadTriage database at {path}.")
    with _open(path, args.dry_run) as store:
        rep = SettingsStore(store).get("rep_name")
        report = import_outcomes(store, source, rep=rep, dry_run=args.dry_run, encoding=args.encoding,
                                 delimiter=args.delimiter, sheet=args.sheet)
        trained = None
        if not args.dry_run and report.applied:
            from leadtriage.scoring.training import retrain_due, train

            if retrain_due(store):  # outcomes closed enough leads for the score to learn again
                trained = train(store)
    lines = [f"{report.rows:,} rows: {report.applied:,} outcomes {'would be ' if report.dry_run else ''}applied"
             + (f" ({', '.join(f'{n} {k}' for k, n in report.by_outcome.items())})" if report.by_outcome else "")
             + f", {report.already_recorded:,} already recorded, {len(report.problems):,} not applied"]
    lines += [f"  line {p.line_no}: " + ("" if p.reference == f"line {p.line_no}" else f"{p.reference}: ") + p.reason
              for p in report.problems[:50]]
    if len(report.problems) > 50:
        lines.append(f"  … and {len(report.problems) - 50:,} more (use --json for all)")
    payload = report.as_dict()
    if trained is not None:
        from leadtriage.scoring.training import retrain_summary

        payload["score"], line = retrain_summary(trained)
        lines.append(line)
    emit(args, payload, "\n".join(lines))
    return 0


def _open(path: Path, dry_run: bool):
    """The writer's way in; a dry run that finds the app open (the lock held) checks
    through a connection that rolls everything back instead of refusing."""
    from leadtriage.errors import DatabaseBusy
    from leadtriage.safety.opening import open_store
    from leadtriage.store.db import Store

    try:
        return open_store(path, create=False)
    except DatabaseBusy:
        if not dry_run:
            raise
        return Store.open_scratch(path)

"""`leadtriage import FILE`: one lead list into the queue as one batch."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leadtriage.cli.output import emit, money
from leadtriage.paths import resolve_db_path

NAME = "import"
HELP = "import a lead list (CSV, TSV, TXT, XLSX, XLS, ODS) as one batch"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="the lead list; it is only read, never changed")
    p.add_argument("--source", help="where the list came from (trade show, webinar, vendor ...)")
    p.add_argument("--campaign", help="campaign the leads belong to")
    p.add_argument("--cost", type=money, help="what the list cost (adds to the campaign's cost)")
    p.add_argument("--encoding", help="text encoding (default: detected; e.g. utf-8, cp1252, utf-16)")
    p.add_argument("--delimiter", help="field separator (default: detected; ',', ';', tab, '|')")
    p.add_argument("--sheet", help="spreadsheet sheet name (default: the first)")
    p.add_argument("--mapping", help="JSON file: a list of fields by column, or {header: field}")
    p.add_argument("--dry-run", action="store_true", help="count what would happen; write nothing")
    p.add_argument("--cadence", help="enrol the imported leads in this cadence")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from leadtriage.errors import UserError
    from leadtriage.importing.mapping import Mapping, auto_map, load_mapping_file
    from leadtriage.importing.reader import read_table, require_regular_file
    from leadtriage.importing.service import Importer, ImportOptions, require_lead_columns
    from leadtriage.safety.opening import open_store
    from leadtriage.util.progress import Progress

    source = Path(args.file)
    # Read and check the list before the database is opened or created: a file that is
    # not a table must leave nothing behind.
    table = read_table(source, encoding=args.encoding, delimiter=args.delimiter, sheet=args.sheet)
    mapping = None
    if args.mapping:
        try:
            if require_regular_file(Path(args.mapping), "mapping file") > 1024 * 1024:
                raise UserError(f"The mapping file {args.mapping} is larger than 1 MB; it is not a mapping.")
            text = Path(args.mapping).read_text("utf-8")
            mapping = load_mapping_file(text, table.headers)
        except OSError as exc:
            raise UserError(f"Cannot read the mapping file {args.mapping}: {exc.strerror}.") from None
        except ValueError as exc:
            raise UserError(f"The mapping file {args.mapping} is not valid: {exc}.") from None

    db_path = Path(resolve_db_path(args.db))
    if not db_path.exists():
        # No database yet, so no saved profile can apply: refuse a list that has no
        # lead columns before a database file is created for it.
        require_lead_columns(mapping or Mapping(auto_map(table.headers)), source.name)
        # Broken quoting is otherwise found while importing, inside the transaction;
        # here a new database would be left behind, so the whole file is checked first.
        table.verify()
    for warning in _encoding_warnings(table):
        sys.stderr.write(f"leadtriage: warning: {warning}\n")

    if args.cadence and not db_path.exists():
        raise UserError(f"No cadence named “{args.cadence}” (no database yet; import a cadence file first).")
    progress = Progress(_stderr_progress if sys.stderr.isatty() and not args.json else None)
    with open_store(db_path) as store:
        playbook = None
        if args.cadence:
            from leadtriage.playbook.service import PlaybookService

            playbook = PlaybookService(store)
            playbook.cadence(args.cadence)  # an unknown name stops here, before anything is imported
        importer = Importer(store)
        plan = importer.prepare(source, encoding=args.encoding, delimiter=args.delimiter, sheet=args.sheet,
                                mapping=mapping)
        for earlier in plan.previous_batches:
            sys.stderr.write(
                f"leadtriage: warning: this file was already imported as batch {earlier['id']} "
                f"({earlier['finished_at']}); duplicates will be merged, not added twice\n"
            )
        options = ImportOptions(source=args.source, campaign=args.campaign, cost=args.cost,
                                dry_run=args.dry_run, save_profile=mapping is not None)
        result = importer.run(plan, options, progress)
        enrolled = playbook.enrol_batch(result.batch_id, args.cadence) if playbook and not result.dry_run else None
        trained = None
        if not args.dry_run and (result.history_positive or result.history_negative):
            from leadtriage.scoring.training import retrain_due, train

            if retrain_due(store):  # history came in: the score learns from it before the next list
                trained = train(store, progress)
    if progress._callback:
        sys.stderr.write("\n")
    payload = result.to_json()
    payload["delimiter"] = result.delimiter
    if table.legacy_line_count:
        payload["lines_read_as_cp1252"] = table.legacy_lines
    word = "would be" if result.dry_run else "were"
    human = (
        f"{result.rows:,} rows from {result.file_name}: {result.inserted:,} new, {result.merged:,} merged, "
        f"{result.duplicates_flagged:,} possible duplicates to review, {result.rejected:,} rejected "
        f"({word} written{'' if result.dry_run else f' as batch {result.batch_id}'}) in {result.seconds:.1f} s"
    )
    if enrolled is not None:
        payload["cadence"] = {"name": args.cadence, "enrolled": enrolled.enrolled, "skipped": enrolled.skipped}
        human += f"; cadence {args.cadence}: {enrolled.text()}"
    if result.history_positive or result.history_negative or result.open_stages:
        human += (f"; history: {result.history_positive:,} started a sales cycle, {result.history_negative:,} did not; "
                  f"{result.open_stages:,} open at their CRM stage")
    for warning in result.warnings:
        sys.stderr.write(f"leadtriage: line {warning['line']}: {warning['problem']}\n")
    if trained is not None:
        from leadtriage.scoring.training import retrain_summary

        payload["score"], line = retrain_summary(trained)
        human += f"\n{line}"
    emit(args, payload, human)
    return 0


def _encoding_warnings(table) -> list[str]:
    if not table.legacy_line_count:
        return []
    shown = ", ".join(str(n) for n in table.legacy_lines[:10])
    more = f" and {table.legacy_line_count - 10:,} more" if table.legacy_line_count > 10 else ""
    return [f"{table.legacy_line_count:,} line(s) of {table.path.name} are not valid UTF-8 and were read as "
            f"Windows-1252 (line {shown}{more}); the rest is UTF-8. Check the names on those lines."]


def _stderr_progress(done: int, total: int, message: str) -> None:
    line = f"{done:,} / ~{total:,} rows {message if not message.endswith('rows') else ''}"
    sys.stderr.write("\r" + line.ljust(72))  # padded: a shorter message must not leave the old one's tail

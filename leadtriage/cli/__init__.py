"""`leadtriage` command line: the app with no arguments, subcommands otherwise.

Contract (scripts rely on it): exit 0 on success, 2 on bad input (one clear line on
stderr, nothing written), 1 on an internal error. `--json` prints one JSON object.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import leadtriage
from leadtriage.cli import (
    backup_cmd,
    cadence_cmd,
    check_cmd,
    demo_cmd,
    export_cmd,
    import_cmd,
    outcomes_cmd,
    restore_cmd,
    score_cmd,
    stats_cmd,
    team_cmd,
)
from leadtriage.errors import UserError

log = logging.getLogger("leadtriage.cli")

# Each command module has NAME, HELP, add_arguments(parser) and run(args) -> int.
COMMANDS = [demo_cmd, check_cmd, import_cmd, export_cmd, outcomes_cmd, stats_cmd, score_cmd, backup_cmd,
            restore_cmd, cadence_cmd, team_cmd]


class _VersionAction(argparse.Action):
    """--version, reading the version only when asked (it costs start-up time)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"leadtriage {leadtriage.__version__}\n")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, exit 2
        sys.stderr.write(f"leadtriage: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="leadtriage", description="Turn raw leads into qualified sales conversations.")
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    parser.add_argument("--db", help="database file (default: your data folder, or $LEADTRIAGE_DB)")
    parser.add_argument("--selftest", action="store_true",
                        help="check this installation end to end on a throw-away demo database, then exit")
    parser.add_argument("--probe-display", action="store_true", help=argparse.SUPPRESS)  # the selftest's child
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for module in COMMANDS:
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        p.add_argument("--db", help="database file (default: your data folder, or $LEADTRIAGE_DB)")
        p.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                       help="when the app has the database open, wait up to SECONDS for it to close "
                            "(default: refuse at once)")
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.selftest:  # before logging: the selftest leaves the user's data folder alone
        from leadtriage.selftest import run as run_selftest

        return run_selftest()
    if args.probe_display:
        from leadtriage.selftest import probe_display

        return probe_display()
    from leadtriage.logs import setup_logging

    setup_logging()
    if args.command is None:
        from leadtriage.ui.app import run_app

        return run_app(args.db)
    if getattr(args, "wait", 0) < 0:
        sys.stderr.write("leadtriage: --wait needs a number of seconds of 0 or more\n")
        return 2
    from leadtriage.store.lock import set_wait

    set_wait(getattr(args, "wait", 0), lambda message: sys.stderr.write(f"leadtriage: {message}\n"))  # (per run: tests call main often)
    try:
        return int(args.run(args) or 0)
    except UserError as exc:
        sys.stderr.write(f"leadtriage: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("leadtriage: interrupted; nothing partial was kept\n")
        return 130
    except Exception as exc:
        from leadtriage.logs import scrubbed_traceback

        log.error("internal error in %s:\n%s", args.command, scrubbed_traceback(exc))
        sys.stderr.write("leadtriage: internal error; details are in the log file\n")
        return 1

"""`leadtriage` command line: the app with no arguments, subcommands otherwise.

Contract (scripts rely on it): exit 0 on success, 2 on bad input (one clear line on
stderr, nothing written), 1 on an internal error. `--json` prints one JSON object.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from leadtriage import __version__
from leadtriage.cli import backup_cmd, check_cmd, demo_cmd, import_cmd, restore_cmd
from leadtriage.errors import UserError

log = logging.getLogger("leadtriage.cli")

# Each command module has NAME, HELP, add_arguments(parser) and run(args) -> int.
COMMANDS = [demo_cmd, check_cmd, import_cmd, backup_cmd, restore_cmd]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, exit 2
        sys.stderr.write(f"leadtriage: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="leadtriage", description="Turn raw leads into qualified sales conversations.")
    parser.add_argument("--version", action="version", version=f"leadtriage {__version__}")
    parser.add_argument("--db", help="database file (default: your data folder, or $LEADTRIAGE_DB)")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for module in COMMANDS:
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        p.add_argument("--db", help="database file (default: your data folder, or $LEADTRIAGE_DB)")
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    from leadtriage.logs import setup_logging

    setup_logging()
    if args.command is None:
        from leadtriage.ui.app import run_app

        return run_app(args.db)
    try:
        return int(args.run(args) or 0)
    except UserError as exc:
        sys.stderr.write(f"leadtriage: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("leadtriage: interrupted; nothing partial was kept\n")
        return 130
    except Exception:
        log.exception("internal error in %s", args.command)
        sys.stderr.write("leadtriage: internal error; details are in the log file\n")
        return 1

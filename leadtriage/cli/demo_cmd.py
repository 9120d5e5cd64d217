"""`leadtriage demo`: a realistic sample database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leadtriage.cli.output import emit
from leadtriage.paths import resolve_db_path

NAME = "demo"
HELP = "create a realistic, deterministic demo database"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--leads", type=int, default=2000, help="number of leads (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="random seed: the same seed gives the same data")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from leadtriage.demo.generator import BULK_THRESHOLD, build_demo_file, generate
    from leadtriage.errors import UserError
    from leadtriage.safety.opening import open_store

    if args.leads < 1:
        raise UserError("--leads must be at least 1.")
    path = Path(resolve_db_path(args.db))
    progress = None
    if sys.stderr.isatty():
        def progress(done: int, total: int) -> None:
            sys.stderr.write(f"\r{done:,} / {total:,} leads")
            if done == total:
                sys.stderr.write("\n")
    if args.leads >= BULK_THRESHOLD:
        summary = build_demo_file(path, args.leads, args.seed, progress=progress)
    else:
        with open_store(path) as store:
            summary = generate(store, leads=args.leads, seed=args.seed, progress=progress)
    payload = {
        "db": str(path), "leads": summary.leads, "activities": summary.activities,
        "handoffs": summary.handoffs, "by_status": summary.by_status, "seconds": round(summary.seconds, 2),
    }
    emit(args, payload, f"{summary.leads:,} leads, {summary.activities:,} activities, "
         f"{summary.handoffs:,} handoffs written to {path} in {summary.seconds:.1f} s")
    return 0

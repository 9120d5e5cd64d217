"""`leadtriage score`: what the score learned from, how good it is, and a retrain on demand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leadtriage.cli.output import emit
from leadtriage.paths import resolve_db_path

NAME = "score"
HELP = "show what the lead score learned and how well it ranks; --retrain learns again from closed leads"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--retrain", action="store_true", help="train on every closed lead now and re-score open leads")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from leadtriage.errors import UserError
    from leadtriage.safety.opening import open_store
    from leadtriage.scoring.training import history_counts, latest_report, train
    from leadtriage.store.db import inspect_file
    from leadtriage.store.schema import LATEST_VERSION
    from leadtriage.util.progress import Progress

    path = Path(resolve_db_path(args.db))
    if inspect_file(path) is None:
        raise UserError(f"No LeadTriage database at {path}.")
    writer = args.retrain
    store = open_store(path, writer=writer, create=False)
    try:
        if not writer and store.user_version < LATEST_VERSION:
            store.close()
            store = open_store(path, writer=True, create=False)
        if args.retrain:
            progress = Progress(_stderr_progress if sys.stderr.isatty() and not args.json else None)
            report = train(store, progress)
            if progress._callback:
                sys.stderr.write("\n")
        else:
            report = latest_report(store)
            pos, neg = history_counts(store)
            if report is None:
                from leadtriage.scoring.active import MIN_PER_CLASS

                report = {"regime": "rules", "model_id": None, "positives": pos, "negatives": neg,
                          "message": f"No learned score yet: rules in charge. Run `leadtriage score --retrain` "
                                     f"(needs {MIN_PER_CLASS} closed leads of each kind; has {pos} and {neg})."}
            else:
                report = {**report, "history_now": {"positives": pos, "negatives": neg}}
    finally:
        store.close()
    emit(args, report, _human(report))
    return 0


def _human(r: dict) -> str:
    lines = []
    if r.get("message"):
        lines.append(r["message"])
    if r.get("model_id"):
        lines.append(f"Score: {r['regime']} (model {r['model_id']}, trained {r.get('trained_at')}), "
                     f"from {r.get('history', 0):,} closed leads: {r['positives']:,} started a sales cycle, "
                     f"{r['negatives']:,} did not; learned share {r['weight']:.0%}.")
        q = r.get("quality")
        if q and q.get("auc") is not None:
            lines.append(f"Held-out ({r.get('split')}): AUC {q['auc']:.3f} on {q['leads']:,} leads; "
                         f"top 10 % convert at {q['top10_precision']:.1%} vs {q['conversion']:.1%} overall.")
            lift = ", ".join(f"{d['lift']:.1f}" for d in q["deciles"] if d["lift"] is not None)
            lines.append(f"Lift by score decile (best first): {lift}")
        if r.get("top_factors"):
            lines.append("Top factors: " + ", ".join(name for name, _ in r["top_factors"]))
        if r.get("features"):
            lines.append(f"Uses {len(r['features'])} features known at arrival: " + ", ".join(r["features"]))
        if r.get("rescored") is not None:
            lines.append(f"Re-scored {r['rescored']:,} open leads in {r.get('seconds', 0):.1f} s.")
    return "\n".join(lines)


def _stderr_progress(done: int, total: int, message: str) -> None:
    sys.stderr.write("\r" + message[:72].ljust(72))

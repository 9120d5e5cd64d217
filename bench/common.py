"""Shared bench helpers: the cached 1M-lead demo database and result printing."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
BIG_LEADS = int(os.environ.get("BENCH_LEADS", "1000000"))


def _schema_version(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def big_db() -> Path:
    """A 1M-lead demo database at the current schema, built once and reused by every
    bench. Benches that write must work on a copy (see `scratch_copy`). `BENCH_DB`
    points at a prebuilt one; one from an older schema is not used (opening it would
    migrate it, and the timings would measure the migration)."""
    from leadtriage.store.schema import LATEST_VERSION

    prebuilt = os.environ.get("BENCH_DB")
    if prebuilt and Path(prebuilt).exists():
        if _schema_version(Path(prebuilt)) == LATEST_VERSION:
            return Path(prebuilt)
        print(f"  BENCH_DB {prebuilt} has an older schema; using a current one instead", flush=True)
    OUT.mkdir(exist_ok=True)
    path = OUT / f"demo-{BIG_LEADS}-v{LATEST_VERSION}.db"
    if not path.exists():
        print(f"building {BIG_LEADS:,}-lead demo database (once) ...", flush=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "leadtriage", "demo", "--db", str(path), "--leads", str(BIG_LEADS)],
                       check=True)
        print(f"  demo database built in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


RESULTS_ENV = "LEADTRIAGE_BENCH_RESULTS"


def row(name: str, value: str, budget: str = "", verdict: bool | None = None) -> None:
    mark = "" if verdict is None else ("  ok" if verdict else "  OVER BUDGET")
    print(f"  {name:<48} {value:>18}   {budget}{mark}", flush=True)
    results = os.environ.get(RESULTS_ENV)
    if results:
        # The parent process (bench/__main__.py) gathers every row for the summary.
        record = {"bench": os.environ.get("LEADTRIAGE_BENCH_NAME", ""), "name": name.strip(),
                  "value": value, "budget": budget, "verdict": verdict}
        with open(results, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")


def read_results(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]


def print_summary(results: list[dict], failed: list[tuple[str, int]]) -> None:
    """One screen: every figure that has a budget or names its reference, then the
    benches that did not finish."""
    shown = [r for r in results if r["budget"] or r["verdict"] is not None]
    print("\n== summary: figures against their budget or reference ==")
    for r in shown:
        mark = {None: "", True: "ok", False: "OVER"}[r["verdict"]]
        print(f"  {r['bench']:<10} {r['name'][:44]:<44} {r['value'][:26]:>26}  {r['budget'][:30]:<30} {mark}")
    over = sum(1 for r in shown if r["verdict"] is False)
    print(f"  {len(shown)} figures, {over} over budget")
    for name, code in failed:
        print(f"  bench {name} FAILED (exit {code}); its figures above are incomplete")


def scratch_copy(source: Path, name: str) -> Path:
    """A private copy of a bench database for benches that write (SQLite backup API,
    so a WAL file never goes missing)."""
    import sqlite3

    OUT.mkdir(exist_ok=True)
    dest = OUT / name
    for side in ("", "-wal", "-shm"):
        Path(str(dest) + side).unlink(missing_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    dst = sqlite3.connect(dest)
    src.backup(dst)
    dst.close()
    src.close()
    return dest

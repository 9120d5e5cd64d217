"""Shared bench helpers: the cached 1M-lead demo database and result printing."""

from __future__ import annotations

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


def row(name: str, value: str, budget: str = "", verdict: bool | None = None) -> None:
    mark = "" if verdict is None else ("  ok" if verdict else "  OVER BUDGET")
    print(f"  {name:<48} {value:>18}   {budget}{mark}", flush=True)


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

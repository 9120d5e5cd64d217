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


def big_db() -> Path:
    """A 1M-lead demo database, built once and reused by every bench. Benches that
    write must work on a copy (see `scratch_copy`). `BENCH_DB` points at a prebuilt one."""
    if os.environ.get("BENCH_DB"):
        return Path(os.environ["BENCH_DB"])
    OUT.mkdir(exist_ok=True)
    path = OUT / f"demo-{BIG_LEADS}.db"
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

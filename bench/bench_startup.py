"""Cold start to a painted main window on a 1M-lead database (budget 1 s), next to a
bare PySide6 window opened by the same Python in the same run."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.common import big_db, p50_p95, row

RUNS = 5


def _time(args: list[str]) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               LEADTRIAGE_NO_LOG_FILE="1")
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.startup_probe", *args], stdout=subprocess.PIPE,
                            text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "painted":
            elapsed = time.perf_counter() - started
            break
    else:
        raise RuntimeError("probe exited without painting")
    proc.wait(timeout=60)
    return elapsed


def run() -> None:
    db = big_db()
    print("Start-up (cold process, until the window's first paint):")
    bare = [_time(["--bare"]) for _ in range(RUNS)]
    app = [_time(["--app", str(db)]) for _ in range(RUNS)]
    b50, b95 = p50_p95(bare)
    a50, a95 = p50_p95(app)
    row("bare PySide6 window (reference)", f"p50 {b50:.3f} s p95 {b95:.3f} s")
    row("LeadTriage main window, 1M leads", f"p50 {a50:.3f} s p95 {a95:.3f} s", "budget 1 s", a95 <= 1.0)
    row("LeadTriage overhead over bare Qt", f"{a50 - b50:+.3f} s")

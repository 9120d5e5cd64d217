"""`make bench`: every bench_*.py module under bench/, in name order, or the ones
named on the command line (`python -m bench startup import`), then one summary table.

Each bench runs in a process of its own: start-up cost, caches and Qt state never leak
from one bench into the next (a QApplication torn down by the handoff bench made the UI
bench die with "Cannot create a QWidget without QApplication").
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import RESULTS_ENV, print_summary, read_results


def bench_names() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name.removeprefix("bench_") for m in pkgutil.iter_modules([str(here)])
                  if m.name.startswith("bench_"))


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        return run_one(argv[1])
    known = bench_names()
    unknown = [name for name in argv if name not in known]
    if unknown:
        print(f"unknown bench: {', '.join(unknown)} (known: {', '.join(known)})", file=sys.stderr)
        return 2
    wanted = [name for name in known if not argv or name in argv]
    with tempfile.TemporaryDirectory(prefix="leadtriage-bench-") as tmp:
        results = Path(tmp) / "results.jsonl"
        failed = []
        for name in wanted:
            print(f"\n== {name} ==", flush=True)
            env = dict(os.environ, **{RESULTS_ENV: str(results)})
            code = subprocess.run([sys.executable, "-m", "bench", "--one", name], env=env).returncode
            if code != 0:
                failed.append((name, code))
        print_summary(read_results(results), failed)
    return 1 if failed else 0


def run_one(name: str) -> int:
    os.environ["LEADTRIAGE_BENCH_NAME"] = name
    importlib.import_module(f"bench.bench_{name}").run()
    sys.stdout.flush()
    sys.stderr.flush()
    if "PySide6.QtWidgets" in sys.modules:
        # PySide6 can abort while the interpreter finalizes ("none_dealloc", seen after
        # the UI bench), after every figure is printed: leave without finalizing.
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

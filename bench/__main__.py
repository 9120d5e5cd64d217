"""`make bench`: every bench_*.py module under bench/, in name order, or the ones
named on the command line (`python -m bench startup import`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    wanted = set(sys.argv[1:])
    here = Path(__file__).resolve().parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    for name in names:
        if wanted and name.removeprefix("bench_") not in wanted:
            continue
        print(f"\n== {name.removeprefix('bench_')} ==", flush=True)
        importlib.import_module(f"bench.{name}").run()


if __name__ == "__main__":
    main()

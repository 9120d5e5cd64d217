"""`make bench`: every bench_*.py module under bench/, in name order, or the ones
named on the command line (`python -m bench startup import`)."""

from __future__ import annotations

import importlib
import os
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
    if "PySide6.QtWidgets" in sys.modules:
        _shut_down_qt()
        # Even after that, PySide6 can abort while the interpreter finalizes
        # ("none_dealloc", seen after `python -m bench ui`), after every figure is
        # printed: leave without finalizing, so `make bench` does not report a failure.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def _shut_down_qt() -> None:
    """Benches that open windows leave a QApplication behind; tearing it down here,
    in order, closes their windows and timers before the process leaves."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    for widget in app.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    app.processEvents()
    app.shutdown()


if __name__ == "__main__":
    main()

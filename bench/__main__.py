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
    _shut_down_qt()


def _shut_down_qt() -> None:
    """Benches that open windows leave a QApplication behind; tearing it down here,
    in order, avoids PySide6 crashing while the interpreter finalizes."""
    if "PySide6.QtWidgets" not in sys.modules:
        return
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

"""`leadtriage --selftest`: prove that this installation works, end to end, without
touching the user's data.

Used as the smoke test of a built bundle (`make package`) and by support ("run
`leadtriage --selftest` and send me what it prints"). Every step runs against a
throw-away data folder: a demo database is created, the main window is opened
offscreen on it, a lead is opened, one brief is rendered to PDF, and the bundled
pieces the app needs at run time (resources, package metadata, Qt plugins for SVG
icons, QtCharts, SQLite FTS5) are checked. Where a display exists, a child process
also opens Qt on it with the real platform plugin (offscreen proves nothing about a
machine that lacks the X11 libraries); when that fails the missing libraries and the
install command are named. Prints one line per step; exit 0 when all pass, 1 otherwise.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

DEMO_LEADS = 200
SEED = 3


class SelftestError(Exception):
    """A check that ran but found the installation wrong."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SelftestError(message)


class _Run:
    def __init__(self, out: TextIO):
        self.out = out
        self.failed: list[str] = []

    def step(self, name: str, fn: Callable[[], str | None]) -> bool:
        started = time.perf_counter()
        try:
            detail = fn()
        except Exception as exc:  # report every failure, keep going where possible
            self.failed.append(name)
            self.out.write(f"FAIL  {name}: {type(exc).__name__}: {exc}\n")
            if not isinstance(exc, SelftestError):
                traceback.print_exc(file=self.out)
            self.out.flush()
            return False
        ms = (time.perf_counter() - started) * 1000
        self.out.write(f"ok    {name} ({ms:.0f} ms){': ' + detail if detail else ''}\n")
        self.out.flush()
        return True


def run(out: TextIO | None = None, keep: Path | None = None) -> int:
    """Run every check. `keep`: write the demo database and PDF there instead of a
    temporary folder that is deleted afterwards."""
    out = out or sys.stdout
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        return _run_in(Path(keep), out)
    with tempfile.TemporaryDirectory(prefix="leadtriage-selftest-") as tmp:
        return _run_in(Path(tmp), out)


def _run_in(folder: Path, out: TextIO) -> int:
    from leadtriage import APP_NAME, __version__

    started = time.perf_counter()
    out.write(f"{APP_NAME} {__version__} selftest on {sys.platform}, Python {sys.version.split()[0]}"
              f"{' (bundle)' if getattr(sys, 'frozen', False) else ''}\n")
    real_env = dict(os.environ)  # the display as the user has it, for the real-platform step
    # Never the user's data folder, settings or log; never a real display.
    saved_env = {k: os.environ.get(k) for k in ("LEADTRIAGE_HOME", "LEADTRIAGE_DB", "QT_QPA_PLATFORM")}
    os.environ["LEADTRIAGE_HOME"] = str(folder / "home")
    os.environ.pop("LEADTRIAGE_DB", None)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    state: dict = {}
    r = _Run(out)
    try:
        r.step("version from package metadata", lambda: _version(__version__))
        r.step("resources", _resources)
        if r.step("demo database", lambda: _demo(folder, state)):
            if r.step("main window offscreen", lambda: _window(folder, state)):
                r.step("open a lead", lambda: _open_lead(state))
            r.step("brief to PDF", lambda: _brief_pdf(folder, state))
        r.step("Qt modules and plugins", _qt_pieces)
        r.step("real display", lambda: _real_display(real_env))
    finally:
        _teardown(state)
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    seconds = time.perf_counter() - started
    if r.failed:
        out.write(f"selftest FAILED ({len(r.failed)} of the steps: {', '.join(r.failed)}) in {seconds:.1f} s\n")
        return 1
    out.write(f"selftest passed in {seconds:.1f} s\n")
    return 0


# -- steps ---------------------------------------------------------------------------

def _version(version: str) -> str:
    from importlib.metadata import version as meta_version

    _check(meta_version("leadtriage") == version, "package metadata and leadtriage.__version__ differ")
    _check(version[:1].isdigit() and "unknown" not in version, f"no real version: {version!r}")
    return version


def _resources() -> str:
    import json

    from leadtriage.paths import resource, resources_dir

    frameworks = sorted(resource("frameworks").glob("*.json"))
    _check(bool(frameworks), "no qualification frameworks in resources/frameworks")
    for path in frameworks:
        json.loads(path.read_text("utf-8"))
    _check(resource("icons", "leadtriage.svg").is_file(), "app icon missing")
    return f"{resources_dir()} ({len(frameworks)} frameworks)"


def _demo(folder: Path, state: dict) -> str:
    from leadtriage.demo import generate
    from leadtriage.safety.opening import open_store

    store = open_store(folder / "selftest.db")
    state["store"] = store
    summary = generate(store, leads=DEMO_LEADS, seed=SEED)
    count = store.conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    _check(count == DEMO_LEADS, f"{count} leads written, expected {DEMO_LEADS}")
    hits = store.conn.execute("SELECT count(*) FROM leads_fts WHERE leads_fts MATCH 'a*'").fetchone()[0]
    _check(hits > 0, "full-text search index is empty")
    integrity = store.conn.execute("PRAGMA quick_check").fetchone()[0]
    _check(integrity == "ok", f"integrity check: {integrity}")
    return f"{summary.leads} leads, {summary.activities} activities"


def _window(folder: Path, state: dict) -> str:
    from PySide6.QtCore import QSettings

    from leadtriage.ui.app import make_application
    from leadtriage.ui.main_window import MainWindow
    from leadtriage.ui.worker import Worker

    app = make_application()
    state["app"] = app
    worker = Worker(synchronous=True)
    settings = QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(state["store"], worker, settings)
    state["window"] = window
    window.show()
    app.processEvents()
    _check(window.stack.currentWidget() is window.splitter, "main window shows the welcome page, not the queue")
    window.select_view("all")
    rows = window.leads.rowCount()
    _check(rows > 0, "the lead table is empty")
    image = window.grab().toImage()
    _check(not image.isNull() and image.width() > 100, "the window did not paint")
    _check(not app.windowIcon().isNull(), "no window icon")
    return f"{window.windowTitle()!r}, {rows} rows on screen, {image.width()}x{image.height()} px"


def _open_lead(state: dict) -> str:
    window = state["window"]
    window.table.selectRow(0)
    state["app"].processEvents()
    heading = window.panel.heading.text()
    _check(bool(heading.strip()), "the lead panel shows no name")
    state["lead_id"] = window.leads.lead_id(0)
    return f"lead #{state['lead_id']}"


def _brief_pdf(folder: Path, state: dict) -> str:
    from leadtriage.ui.app import make_application

    make_application()  # the app's own QApplication, as when a rep prints from the window
    store = state["store"]
    lead_id = state.get("lead_id") or store.conn.execute(
        "SELECT id FROM leads WHERE status='qualified' ORDER BY id LIMIT 1").fetchone()[0]
    path = folder / "brief.pdf"
    renderer = _render_brief(store, lead_id, path)
    data = path.read_bytes()
    _check(data.startswith(b"%PDF-"), "not a PDF (bad header)")
    _check(b"%%EOF" in data[-1024:], "PDF is truncated (no trailer)")
    _check(b"/Type /Page" in data or b"/Type/Page" in data, "PDF has no page")
    return f"{len(data):,} bytes via {renderer}"


def _render_brief(store, lead_id: int, path: Path) -> str:
    """One brief through the real renderer (the Jinja2 template in resources/, printed
    by QTextDocument + QPdfWriter), so the bundle's templates and PDF path are proven."""
    from datetime import UTC, datetime

    from leadtriage.handoff.brief import collect_brief
    from leadtriage.handoff.pdf import page_size_for, write_pdf
    from leadtriage.handoff.render import render_pdf_html

    brief = collect_brief(store.conn, lead_id, now=datetime.now(UTC))
    write_pdf(render_pdf_html([brief]), path, page_size_for(), title="LeadTriage selftest brief")
    return "leadtriage.handoff"


def _qt_pieces() -> str:
    from PySide6.QtCore import QLibraryInfo
    from PySide6.QtGui import QIcon, QImageReader

    from leadtriage.paths import resource

    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    _check("svg" in formats, "the Qt SVG image plugin is missing")
    _check(not QIcon(str(resource("icons", "leadtriage.svg"))).pixmap(64, 64).isNull(),
           "the SVG app icon does not render")
    import PySide6.QtCharts  # noqa: F401 - the metrics dashboard needs it in the bundle
    import PySide6.QtSvg  # noqa: F401
    return f"Qt {QLibraryInfo.version().toString()}, image formats: {', '.join(sorted(formats))}"


def _real_display(environ: dict[str, str]) -> str:
    """Open Qt with the platform plugin this display needs, in a child process: a
    plugin that cannot load aborts the process (Qt's choice), not this selftest."""
    import subprocess

    from leadtriage.platform_check import check, platform_to_check

    chosen = environ.get("QT_QPA_PLATFORM", "").strip().lower()
    display = environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    if not display or chosen.startswith(("offscreen", "minimal")):
        return "no display here; checked offscreen only"
    command = [sys.executable, *([] if getattr(sys, "frozen", False) else ["-m", "leadtriage"]), "--probe-display"]
    try:
        done = subprocess.run(command, env=environ, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120, check=False)
    except subprocess.TimeoutExpired:
        raise SelftestError(f"Qt did not open display {display} within 120 s") from None
    if done.returncode != 0:
        advice = ""
        if platform_to_check(environ) == "xcb":
            result = check()
            advice = result.message() if not result.ok else ""
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise SelftestError(f"Qt cannot open a window on display {display}: {advice or last}")
    return f"a window opens on {display} with Qt's {done.stdout.strip() or 'default'} platform plugin"


def probe_display() -> int:
    """The child of `_real_display` (`leadtriage --probe-display`): start Qt on the real
    platform, show and close a window, print the plugin's name."""
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([sys.argv[0]])
    window = QWidget()
    window.resize(120, 80)
    window.show()
    app.processEvents()
    window.close()
    sys.stdout.write(app.platformName() + "\n")
    return 0


def _teardown(state: dict) -> None:
    window = state.get("window")
    if window is not None:
        # close(), not hide(): the window's closeEvent stops its timers, which
        # otherwise fire a minute later on the closed store (seen in the test run).
        window.close()
        window.deleteLater()
    store = state.get("store")
    if store is not None:
        store.close()

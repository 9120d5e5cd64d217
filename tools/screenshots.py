"""Render the app's screens with demo data to PNG, offscreen, for the README.

    make screenshots          (= python tools/screenshots.py --out docs/screenshots)

Always: the welcome page (empty database), the queue with a lead open (light and
dark), and the About dialog. Then it discovers the rest, so the set grows as screens
land: every menu action whose label ends in "…" (the desktop convention for "opens a
dialog") is triggered and the dialog it opens is captured and closed (file pickers
and confirmation boxes are skipped), and every dock and tab page of the main window
is captured. Nothing real is touched: a temporary data folder, database and settings.

The README's screenshot section (between the `screenshots:start/end` markers) is
rewritten to show exactly the images produced; stale PNGs are removed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1280, 800)
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
START, END = "<!-- screenshots:start -->", "<!-- screenshots:end -->"


def slug(text: str) -> str:
    text = text.replace("&", "").replace("…", "").replace("...", "")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Shooter:
    def __init__(self, out: Path, tmp: Path):
        from PySide6.QtCore import QSettings

        from leadtriage.ui.app import make_application

        self.out, self.tmp = out, tmp
        self.app = make_application()
        self.settings = QSettings(str(tmp / "ui.ini"), QSettings.Format.IniFormat)
        self.shots: list[tuple[str, str]] = []  # (file name, caption)

    def settle(self, ms: int = 50) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def save(self, widget, name: str, caption: str) -> None:
        self.settle()
        image = widget.grab()
        path = self.out / f"{name}.png"
        if not image.save(str(path), "PNG"):
            raise RuntimeError(f"could not write {path}")
        self.shots.append((path.name, caption))
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  ({caption})")

    def window(self, store):
        from leadtriage.ui.main_window import MainWindow
        from leadtriage.ui.worker import Worker

        window = MainWindow(store, Worker(synchronous=True), self.settings)
        window.resize(*SIZE)
        window.show()
        self.settle()
        return window

    # -- the fixed set -------------------------------------------------------------------

    def welcome(self) -> None:
        from leadtriage.safety.opening import open_store

        with open_store(self.tmp / "empty.db") as store:
            window = self.window(store)
            self.save(window, "welcome", "First start: what the app is for, and how to begin")
            window.close()

    def main_screens(self) -> None:
        from leadtriage.demo import generate
        from leadtriage.safety.opening import open_store
        from leadtriage.scoring.training import train
        from leadtriage.ui.theme import follow_system_scheme

        with open_store(self.tmp / "demo.db") as store:
            generate(store, leads=2000, seed=7, now=NOW)
            train(store, clock=lambda: NOW)  # what the app does by itself once outcomes exist
            window = self.window(store)
            self.open_rich_lead(window)
            self.save(window, "main-queue", "The queue with a lead open: contact card, discovery notes, timeline")
            self.discovered(window)
            follower = follow_system_scheme(self.app)
            follower.apply(_scheme("Dark"))
            self.save(window, "main-queue-dark", "The same on a laptop set to dark mode")
            follower.apply(_scheme("Light"))
            self.about(window, store.path)
            self.import_wizard(window)
            self.export_dialog(window)
            self.dashboard(window)
            window.close()
        self.score_quality()

    def score_quality(self) -> None:
        """The Score quality page on a demo big enough for the learned score to be in
        charge (6,000 leads: a few hundred closed of each kind)."""
        from leadtriage.demo import generate
        from leadtriage.safety.opening import open_store
        from leadtriage.scoring.training import train

        with open_store(self.tmp / "demo-quality.db") as store:
            generate(store, leads=6000, seed=7, now=NOW)
            train(store, clock=lambda: NOW)
            window = self.window(store)
            window.show_dashboard()
            pages = window.dashboard.pages
            pages.setCurrentWidget(window.dashboard.quality_page)
            self.settle(200)
            self.save(window, "score-quality",
                      "Dashboard › Score quality: how well the learned score ranks recent history, and why")
            window.close()

    def import_wizard(self, window) -> None:
        """The wizard on the shipped sample: a German booth PC's cp1252, semicolon export."""
        from leadtriage.paths import resource
        from leadtriage.ui.importing.wizard import ImportWizard

        wizard = ImportWizard(window.store, window.worker, resource("samples", "trade-show-scans.csv"), window)
        wizard.show()
        self.settle()
        self.save(wizard, "import-preview", "Import: preview with the detected encoding and separator")
        wizard.next()
        self.settle()
        self.save(wizard, "import-mapping", "Import: each column mapped from its header, changeable")
        wizard.reject()

    def export_dialog(self, window) -> None:
        from leadtriage.ui.export_dialog import ExportDialog

        window.select_view("qualified")
        dialog = ExportDialog(window.store, window.worker, [window.leads.lead_id(r) for r in range(3)],
                              window.qsettings, window)
        dialog.show()
        self.settle()
        self.save(dialog, "export-briefs", "Leads › Export briefs: briefs, CRM rows and invites for field sales")
        dialog.reject()

    def dashboard(self, window) -> None:
        from datetime import UTC

        window.show_dashboard()
        window.dashboard.now, window.dashboard.tz = NOW, UTC
        window.dashboard.refresh()
        self.settle(200)
        self.save(window, "dashboard", "Dashboard: sales-cycle starts first, then the funnel, costs and sources")

    def open_rich_lead(self, window) -> None:
        """An engaged lead with notes and several touches: the panel at its fullest."""
        window.select_view("engaged")
        best, best_len = 0, -1
        for row in range(min(window.leads.rowCount(), 60)):
            lead_id = window.leads.lead_id(row)
            detail = window.store.conn.execute(
                "SELECT length(coalesce(pain_points,'')) + length(coalesce(motivations,'')) "
                "+ (SELECT count(*) FROM activities WHERE lead_id = leads.id) * 40 FROM leads WHERE id=?",
                (lead_id,)).fetchone()[0]
            if detail > best_len:
                best, best_len = row, detail
        window.table.selectRow(best)

    def about(self, window, db_path: Path) -> None:
        from leadtriage.ui.about import AboutDialog

        dialog = AboutDialog(db_path, window)
        dialog.show()
        self.save(dialog, "about", "Help › About: version and where your files are")
        dialog.close()

    # -- discovered screens ------------------------------------------------------------

    def discovered(self, window) -> None:
        from PySide6.QtWidgets import QDockWidget, QTabWidget

        for dock in window.findChildren(QDockWidget):
            if dock.isVisible() and dock.windowTitle():
                self.save(dock, f"dock-{slug(dock.windowTitle())}", dock.windowTitle())
        for tabs in window.findChildren(QTabWidget):
            if not tabs.isVisible() or tabs.window() is not window:
                continue
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                label = tabs.tabText(i).replace("&", "")
                self.save(window, f"tab-{slug(label)}", label)
            tabs.setCurrentIndex(0)
        for menu_action in window.menuBar().actions():
            menu = menu_action.menu()
            if menu is None:
                continue
            for action in menu.actions():
                text = action.text()
                if text.replace("&", "").startswith(("Import lead list", "Export briefs", "Find lead")):
                    continue  # shown on purpose with data, below
                if action.isEnabled() and not action.menu() and text.rstrip().endswith(("…", "...")):
                    self.dialog_from(window, action, menu_action.text())

    def dialog_from(self, window, action, menu_title: str) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import (
            QApplication,
            QDialog,
            QFileDialog,
            QMessageBox,
            QProgressDialog,
        )

        label = action.text().replace("&", "").rstrip(".… ")
        before = set(QApplication.topLevelWidgets())
        state = {"tries": 0, "done": False}

        def take(widget) -> None:
            state["done"] = True
            if isinstance(widget, (QFileDialog, QMessageBox, QProgressDialog)):
                print(f"  (skipped {label}: opens a {type(widget).__name__})")
            else:
                if widget.width() < 200:
                    widget.adjustSize()
                self.save(widget, slug(label), f"{menu_title.replace('&', '')} › {label}")
            if isinstance(widget, QDialog):
                widget.reject()
            widget.close()

        def poll() -> None:
            if state["done"]:
                return
            widget = QApplication.activeModalWidget()
            if widget is None:
                new = [w for w in QApplication.topLevelWidgets()
                       if w not in before and w.isVisible() and w.isWindow()]
                widget = new[0] if new else None
            if widget is not None:
                take(widget)
                return
            state["tries"] += 1
            if state["tries"] < 40:
                QTimer.singleShot(25, poll)

        QTimer.singleShot(100, poll)
        action.trigger()  # returns when a modal dialog closes, or at once for a window
        if not state["done"]:
            self.settle(300)  # non-modal windows: let poll() find them
        if not state["done"]:
            print(f"  (nothing to capture for {label})")


def _scheme(name: str):
    from PySide6.QtCore import Qt

    return getattr(Qt.ColorScheme, name)


def update_readme(readme: Path, out: Path, shots: list[tuple[str, str]]) -> None:
    text = readme.read_text("utf-8")
    if START not in text or END not in text:
        print(f"  (README has no {START} block; not updated)")
        return
    rel = os.path.relpath(out, readme.parent).replace(os.sep, "/")
    body = "\n".join(f"**{caption}**\n\n![{caption}]({rel}/{name})\n" for name, caption in shots)
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{body}\n{END}{tail}", "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description="Render the app's screens to PNG for the README.")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--readme", default=str(ROOT / "README.md"), help="README to update ('' for none)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["LEADTRIAGE_NO_LOG_FILE"] = "1"
    os.environ.pop("LEADTRIAGE_DB", None)
    os.environ.pop("LEADTRIAGE_COLOR_SCHEME", None)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    # A fixed scratch path: it shows in the About dialog, and a random one would make
    # every run's PNGs differ.
    tmp = Path(tempfile.gettempdir()) / "leadtriage-screenshots"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        os.environ["LEADTRIAGE_HOME"] = str(tmp / "home")
        shooter = Shooter(out, tmp)
        print(f"rendering screenshots to {out}")
        shooter.welcome()
        shooter.main_screens()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    produced = {name for name, _ in shooter.shots}
    for stale in out.glob("*.png"):
        if stale.name not in produced:
            stale.unlink()
    if args.readme:
        update_readme(Path(args.readme), out, shooter.shots)
    print(f"{len(shooter.shots)} screenshots")
    return 0


if __name__ == "__main__":
    sys.exit(main())

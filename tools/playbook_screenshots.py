"""Render the playbook's screens for the README's cadence section, offscreen, with
the demo data (its two cadences included):

    .venv/bin/python tools/playbook_screenshots.py

Writes docs/screenshots/playbook-today.png (Today with due cadence steps),
playbook-call-script.png (a due call step with its script and objections) and
playbook-email-draft.png (the draft of a due e-mail step). Nothing real is touched:
a temporary data folder, database and settings.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LEADTRIAGE_HOME"] = tmp
        os.environ["LEADTRIAGE_NO_LOG_FILE"] = "1"
        from PySide6.QtCore import QEventLoop, QSettings, QTimer

        from leadtriage.demo import generate
        from leadtriage.safety.opening import open_store
        from leadtriage.store import queue
        from leadtriage.ui.app import make_application
        from leadtriage.ui.main_window import MainWindow
        from leadtriage.ui.worker import Worker

        app = make_application()

        def settle(ms: int = 80) -> None:
            loop = QEventLoop()
            QTimer.singleShot(ms, loop.quit)
            loop.exec()

        def save(widget, name: str) -> None:
            settle()
            path = OUT / f"{name}.png"
            if not widget.grab().save(str(path), "PNG"):
                raise RuntimeError(f"could not write {path}")
            print(f"  {path.relative_to(ROOT)}")

        with open_store(Path(tmp) / "demo.db") as store:
            generate(store, leads=2000, seed=7, now=NOW)
            settings = QSettings(str(Path(tmp) / "ui.ini"), QSettings.Format.IniFormat)
            window = MainWindow(store, Worker(synchronous=True), settings, clock=lambda: NOW)
            window.resize(1440, 860)
            window.show()
            window.select_view(queue.TODAY)
            settle()
            band = [r[0] for r in store.conn.execute(
                f"SELECT lead_id FROM enrolments WHERE {queue.CADENCE_BAND.where} ORDER BY due_at, lead_id",
                queue.Moment(NOW).params())]
            while window.leads.row_of(band[0]) < 0 and window.leads.canFetchMore():
                window.leads.fetchMore()
            service = window.playbook.service
            call = next(i for i in band if (d := service.current(i)) and d.step and d.step.kind.phones
                        and d.script and d.verdict.ok)
            while window.leads.row_of(call) < 0 and window.leads.canFetchMore():
                window.leads.fetchMore()
            window.table.selectRow(window.leads.row_of(call))
            top = window.leads.index(max(0, window.leads.row_of(band[0]) - 3), 0)
            window.table.scrollTo(top, window.table.ScrollHint.PositionAtTop)
            settle()
            save(window, "playbook-today")
            window.panel.tabs.setCurrentIndex(0)
            window.playbook.panel.search.setText("quarter")
            save(window.panel, "playbook-call-script")
            window.playbook.panel.search.clear()
            email = next(i for i in band if (d := service.current(i)) and d.step and d.step.kind.value == "email")
            window.open_lead(email)
            window.playbook.open_draft()
            save(window.playbook.dialog, "playbook-email-draft")
            window.playbook.dialog.reject()
            window.close()
        del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

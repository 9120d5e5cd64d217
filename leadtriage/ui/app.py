"""Starting the desktop app: QApplication, the database, the main window."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import leadtriage
from leadtriage import APP_NAME

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from leadtriage.store import Store
    from leadtriage.ui.main_window import MainWindow
    from leadtriage.ui.worker import Worker

log = logging.getLogger(__name__)


@dataclass
class Session:
    app: QApplication
    store: Store
    worker: Worker
    window: MainWindow

    def close(self) -> None:
        self.window.backups.stop()  # a background check of a big file ends early
        self.worker.wait(30000)
        self.window.backups.close()
        self.store.close()


def make_application() -> QApplication:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from leadtriage.paths import resource
    from leadtriage.ui.theme import follow_system_scheme, set_high_dpi_policy

    set_high_dpi_policy()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName("leadtriage")
    icon = resource("icons", "leadtriage.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    follow_system_scheme(app)
    return app


def start(db_arg: str | None = None) -> Session:
    """Open the database and show the main window. Raises `UserError` for a database
    that must not be opened (foreign, too new, busy)."""
    from PySide6.QtCore import QTimer

    from leadtriage.paths import resolve_db_path
    from leadtriage.safety import recovery
    from leadtriage.ui import excepthook
    from leadtriage.ui.backups import show_recovery_report
    from leadtriage.ui.main_window import MainWindow
    from leadtriage.ui.worker import Worker

    app = make_application()
    excepthook.install()
    # A damaged file is checked at open, kept aside and recovered (or a UserError
    # explains why not: the app never silently starts with an empty database).
    store, report = recovery.open_or_recover(resolve_db_path(db_arg))
    worker = Worker(app)
    window = MainWindow(store, worker)
    window.show()
    QTimer.singleShot(0, lambda: _after_first_paint(app, worker, store.user_version))
    if report is not None:
        show_recovery_report(window, report)
    if recovery.needs_background_check(store.path):
        window.backups.check_in_background()
    return Session(app, store, worker, window)


def _after_first_paint(app: QApplication, worker: Worker, schema: int) -> None:
    """Work that must not delay the first paint: the version (importlib.metadata)
    and, in the background, sqlite-utils + pandas, so the first edit does not stall."""
    app.setApplicationVersion(leadtriage.__version__)
    log.info("started %s with schema v%d", leadtriage.__version__, schema)

    def warm_up(_progress) -> None:
        import sqlite_utils  # noqa: F401

    worker.run(warm_up, on_done=lambda _: None, on_error=lambda exc: log.warning("warm-up failed: %s", exc))


def run_app(db_arg: str | None = None) -> int:
    from PySide6.QtWidgets import QMessageBox

    from leadtriage.errors import UserError

    try:
        session = start(db_arg)
    except UserError as exc:
        log.warning("could not open database: %s", type(exc).__name__)
        sys.stderr.write(f"leadtriage: {exc}\n")
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 2
    try:
        return session.app.exec()
    finally:
        session.close()


def main() -> int:
    from leadtriage.logs import setup_logging

    setup_logging()
    return run_app(sys.argv[1] if len(sys.argv) > 1 else None)

"""Starting the desktop app: QApplication, the database, the main window."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadtriage import APP_NAME, __version__

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

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("leadtriage")
    icon = resource("icons", "leadtriage.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def start(db_arg: str | None = None) -> Session:
    """Open the database and show the main window. Raises `UserError` for a database
    that must not be opened (foreign, too new, busy)."""
    from leadtriage.paths import resolve_db_path
    from leadtriage.store import recovery
    from leadtriage.ui import excepthook
    from leadtriage.ui.backups import show_recovery_report
    from leadtriage.ui.main_window import MainWindow
    from leadtriage.ui.worker import Worker

    app = make_application()
    excepthook.install()
    # A damaged file is checked at open, kept aside and recovered (or a UserError
    # explains why not: the app never silently starts with an empty database).
    store, report = recovery.open_or_recover(resolve_db_path(db_arg))
    log.info("started %s with schema v%d", __version__, store.user_version)
    worker = Worker(app)
    window = MainWindow(store, worker)
    window.show()
    if report is not None:
        show_recovery_report(window, report)
    if recovery.needs_background_check(store.path):
        window.backups.check_in_background()
    return Session(app, store, worker, window)


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

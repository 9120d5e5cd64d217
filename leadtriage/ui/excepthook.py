"""A global exception hook: log the traceback and tell the user, never vanish."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from leadtriage.errors import UserError
from leadtriage.logs import scrubbed_traceback
from leadtriage.store.errors import environment_message

log = logging.getLogger("leadtriage.crash")


def install() -> None:
    sys.excepthook = _hook


def _hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    parent = QApplication.activeWindow()
    if isinstance(exc, UserError) or environment_message(exc):
        text = str(exc) if isinstance(exc, UserError) else environment_message(exc)
        log.warning("user-facing error: %s", kind.__name__)
        if QApplication.instance():
            QMessageBox.warning(parent, "LeadTriage", text)
        return
    log.error("unhandled error:\n%s", scrubbed_traceback(exc.with_traceback(tb)))
    if QApplication.instance():
        box = QMessageBox(parent)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("LeadTriage: unexpected error")
        box.setText("Something went wrong. Your saved work is safe; the details are in the log file.")
        box.setDetailedText("".join(traceback.format_exception_only(kind, exc)))
        box.exec()

"""Reminders while the app runs: a callback coming due raises a desktop notification
(the tray's balloon, or a non-modal notice in the window where there is no tray).
The overdue count in the title and sidebar is the queue's own (one definition)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QSystemTrayIcon, QWidget

from leadtriage import APP_NAME
from leadtriage.services.reminders import DueCallback, due_between
from leadtriage.store.db import Store

CHECK_MS = 30_000


class Reminders(QObject):
    notified = Signal(list)  # list[DueCallback]
    # Time moved the queue's time-dependent counts: a callback came due (overdue), or
    # the local day turned (due today, nurture due). Nothing is written then, so no
    # other refresh would notice.
    counts_stale = Signal()

    def __init__(self, store: Store, window: QWidget, clock: Callable[[], datetime], parent=None):
        super().__init__(parent or window)
        self.store = store
        self.window = window
        self.clock = clock
        self.last_check = clock()
        self.notice: QMessageBox | None = None
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
            self.tray.setToolTip(APP_NAME)
            self.tray.show()
        self.timer = QTimer(self, interval=CHECK_MS, timeout=self.check)
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self.tray is not None:
            self.tray.hide()

    def check(self) -> list[DueCallback]:
        now = self.clock()
        # On start, look back a minute so a callback due just now is not missed.
        after = min(self.last_check, now - timedelta(minutes=1))
        due = due_between(self.store, after, now)
        new_day = now.astimezone().date() != self.last_check.astimezone().date()
        self.last_check = now
        if due:
            self._notify(due)
        if due or new_day:
            self.counts_stale.emit()
        return due

    def _notify(self, due: list[DueCallback]) -> None:
        first = due[0]
        title = "Callback due" if len(due) == 1 else f"{len(due)} callbacks due"
        text = f"{first.name or '(no name)'}" + (f", {first.company}" if first.company else "")
        if first.next_action:
            text += f": {first.next_action}"
        if len(due) > 1:
            text += f" (and {len(due) - 1} more)"
        if self.tray is not None:
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10_000)
        else:
            if self.notice is None:
                self.notice = QMessageBox(QMessageBox.Icon.Information, title, "", QMessageBox.StandardButton.Ok,
                                          self.window)
                self.notice.setWindowModality(Qt.WindowModality.NonModal)
                self.notice.setTextFormat(Qt.TextFormat.PlainText)
            self.notice.setWindowTitle(title)
            self.notice.setText(text)
            self.notice.show()
        self.notified.emit(due)

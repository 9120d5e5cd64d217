"""Reminders while the app runs. A callback coming due becomes a notice in the
queue (a band above the lead table, one line per lead, with Open and Snooze): it
never opens a window, so it cannot stack over the import wizard or Settings. Where
the desktop has a tray, a balloon is shown too, but not while a dialog is running.
The overdue count in the title and sidebar is the queue's own (one definition)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from leadtriage import APP_NAME
from leadtriage.services.reminders import DueCallback, due_between
from leadtriage.store.db import Store
from leadtriage.store.timeutil import from_db

CHECK_MS = 30_000
SNOOZE = timedelta(minutes=15)
SHOWN = 4  # lines in the band; the rest are counted ("and 3 more")


def notice_text(d: DueCallback) -> str:
    due = from_db(d.due_at)
    when = due.astimezone().strftime("%H:%M") if due else ""
    text = f"Due {when}: {d.name or '(no name)'}" + (f", {d.company}" if d.company else "")
    return text + (f" — {d.next_action}" if d.next_action else "")


class ReminderBar(QFrame):
    """The due band above the queue: one line per lead, newest last."""

    open_requested = Signal(int)
    snooze_requested = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("reminderBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#reminderBar { background: rgba(230, 160, 20, 0.18); border-radius: 4px; }")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 4, 6, 4)
        self._layout.setSpacing(2)
        self._rows: dict[int, tuple[QWidget, QPushButton, QPushButton]] = {}
        self._order: list[int] = []
        self.more = QLabel()
        self.more.setObjectName("reminderMore")
        self._layout.addWidget(self.more)
        self.hide()

    def lead_ids(self) -> list[int]:
        return list(self._order)

    def open_button(self, lead_id: int) -> QPushButton:
        return self._rows[lead_id][1]

    def snooze_button(self, lead_id: int) -> QPushButton:
        return self._rows[lead_id][2]

    def show_due(self, d: DueCallback) -> None:
        """Add (or update) the lead's line: one notice per lead, however often told."""
        if d.lead_id in self._rows:
            self._rows[d.lead_id][0].findChild(QLabel).setText(notice_text(d))
            return
        line = QWidget()
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel(notice_text(d))
        label.setTextFormat(Qt.TextFormat.PlainText)  # names are data, never markup
        open_button = QPushButton("Open")
        open_button.setObjectName(f"reminderOpen_{d.lead_id}")
        open_button.setAutoDefault(False)
        open_button.clicked.connect(lambda: self.open_requested.emit(d.lead_id))
        snooze = QPushButton(f"Snooze {int(SNOOZE.total_seconds() // 60)} min")
        snooze.setObjectName(f"reminderSnooze_{d.lead_id}")
        snooze.setAutoDefault(False)
        snooze.clicked.connect(lambda: self.snooze_requested.emit(d.lead_id))
        row.addWidget(label, 1)
        row.addWidget(open_button)
        row.addWidget(snooze)
        self._layout.insertWidget(self._layout.count() - 1, line)
        self._rows[d.lead_id] = (line, open_button, snooze)
        self._order.append(d.lead_id)
        self._relayout()

    def remove(self, lead_id: int) -> None:
        if lead_id not in self._rows:
            return
        line = self._rows.pop(lead_id)[0]
        self._order.remove(lead_id)
        line.hide()
        line.deleteLater()
        self._relayout()

    def _relayout(self) -> None:
        for i, lead_id in enumerate(self._order):
            self._rows[lead_id][0].setVisible(i < SHOWN)
        extra = len(self._order) - SHOWN
        self.more.setText(f"… and {extra} more (see Today: Overdue and Due today)" if extra > 0 else "")
        self.more.setVisible(extra > 0)
        self.setVisible(bool(self._order))


class Reminders(QObject):
    notified = Signal(list)  # list[DueCallback]
    open_requested = Signal(int)  # the rep chose Open on a notice
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
        self.bar = ReminderBar()
        self.bar.open_requested.connect(self._open)
        self.bar.snooze_requested.connect(self.snooze)
        self.shown: dict[int, DueCallback] = {}  # lead -> its notice in the bar
        self.snoozed: dict[int, tuple[datetime, DueCallback]] = {}
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
        woken = [d for until, d in self.snoozed.values() if until <= now]
        for d in woken:
            del self.snoozed[d.lead_id]
        if due or woken:
            self.notify([*woken, *(d for d in due if d.lead_id not in self.snoozed)])
        if due or new_day:
            self.counts_stale.emit()
        return due

    def notify(self, due: list[DueCallback]) -> None:
        fresh = [d for d in due if d.lead_id not in self.shown]
        for d in due:
            self.shown[d.lead_id] = d
            self.bar.show_due(d)
        if fresh and self.tray is not None and self.balloon_allowed():
            title = "Callback due" if len(fresh) == 1 else f"{len(fresh)} callbacks due"
            text = notice_text(fresh[0]) + (f" (and {len(fresh) - 1} more)" if len(fresh) > 1 else "")
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10_000)
        if fresh:
            self.notified.emit(fresh)

    @staticmethod
    def balloon_allowed() -> bool:
        """A desktop balloon only while no dialog runs (the wizard, Settings, Qualify):
        it would land on top of it. The line in the due band is there either way."""
        return QApplication.activeModalWidget() is None

    def snooze(self, lead_id: int) -> None:
        """Hide the lead's notice; it comes back after SNOOZE (the lead stays in the
        queue's Overdue band meanwhile)."""
        d = self.shown.pop(lead_id, None)
        self.bar.remove(lead_id)
        if d is not None:
            self.snoozed[lead_id] = (self.clock() + SNOOZE, d)

    def forget(self, lead_id: int) -> None:
        """The lead was worked: no notice for it any more."""
        self.shown.pop(lead_id, None)
        self.bar.remove(lead_id)
        self.snoozed.pop(lead_id, None)

    def _open(self, lead_id: int) -> None:
        self.forget(lead_id)
        self.open_requested.emit(lead_id)

"""Team mode in the window: the status bar's sync line with "Sync now", automatic
sync, and the Team page of Settings (this laptop's state, conflicts to review, and
for a manager the team view). Everything goes through `leadtriage.sync.service`
on the worker; nothing here talks to a database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStatusBar,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leadtriage.sync import service
from leadtriage.ui.worker import Worker

if TYPE_CHECKING:
    from leadtriage.store import Store

log = logging.getLogger(__name__)
CHECK_MS = 30_000  # the line's "2 min ago" moves, and waiting changes go out soon after


def _plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)  # server words and names are data
    return label


class TeamController(QObject):
    """Owns the status bar part and the sync schedule. Inactive off a team."""

    def __init__(self, store: Store, worker: Worker, status_bar: QStatusBar, on_synced: Callable[[], None],
                 *, clock: Callable[[], datetime] = lambda: datetime.now(UTC), parent: QObject | None = None):
        super().__init__(parent)
        self.store, self.worker, self.on_synced, self.clock = store, worker, on_synced, clock
        self.summary = service.summary(store)
        self._running = False
        self.widget = QWidget()
        row = QHBoxLayout(self.widget)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = _plain(QLabel())
        self.label.setObjectName("teamSyncLine")
        self.button = QToolButton()
        self.button.setText("Sync now")
        self.button.clicked.connect(self.sync_now)
        row.addWidget(self.label)
        row.addWidget(self.button)
        self.widget.setVisible(self.summary.joined)
        status_bar.addPermanentWidget(self.widget)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        if self.summary.joined:
            self.timer.start()
            QTimer.singleShot(0, self.sync_now)  # catch up at start
        self.show()

    def show(self) -> None:
        self.label.setText(self.summary.line(self.clock()))
        self.label.setToolTip(self.summary.last_error or "")
        self.button.setEnabled(not self._running)

    def check(self) -> None:
        """Every half minute: refresh the line; sync when it is time (every few
        minutes) or when changes wait and the server was reachable last time."""
        self.summary = service.summary(self.store)
        self.show()
        last = self.summary.last_sync_at
        due = last is None or (self.clock() - last).total_seconds() >= service.AUTO_SYNC_MINUTES * 60
        if due or (self.summary.waiting and not self.summary.offline):
            self.sync_now()

    def sync_now(self) -> None:
        if self._running or not service.summary(self.store).joined:
            return
        self._running = True
        self.label.setText("syncing…")
        self.button.setEnabled(False)

        def done(summary: service.TeamSummary) -> None:
            self._running = False
            self.summary = summary
            self.show()
            self.on_synced()

        def failed(exc: BaseException) -> None:
            self._running = False
            log.error("sync failed: %s", type(exc).__name__)
            self.summary = service.summary(self.store)
            self.show()

        self.worker.run_db(self.store, lambda own, _progress: service.sync_now(own), on_done=done, on_error=failed)

    def stop(self) -> None:
        self.timer.stop()


class TeamPage(QWidget):
    """Settings → Team."""

    def __init__(self, store: Store, worker: Worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.worker = store, worker
        layout = QVBoxLayout(self)
        s = service.summary(store)
        if not s.joined:
            layout.addWidget(_plain(QLabel(
                "This laptop works alone (single-user mode).\n\nTo work on a team's shared queue, your manager "
                "adds you on the team server; then run:\n  leadtriage team join postgresql://YOU@SERVER/TEAM")))
            layout.addStretch(1)
            return
        layout.addWidget(_plain(QLabel(f"{s.user} ({s.role}) on team database {s.database} at {s.host}")))
        self.line = _plain(QLabel(s.line(datetime.now(UTC)) or ""))
        layout.addWidget(self.line)
        if s.last_error:
            layout.addWidget(_plain(QLabel(s.last_error)))
        layout.addWidget(_plain(QLabel("Conflicts to review (the team server decided; the other value is in the "
                                       "lead's timeline):")))
        self.conflicts = QTableWidget(0, 5)
        self.conflicts.setHorizontalHeaderLabels(["Lead", "Name", "Field", "Kept", "Overwritten"])
        self.conflicts.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.conflicts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.conflicts)
        reviewed = QPushButton("Mark all as reviewed")
        reviewed.clicked.connect(self._reviewed)
        layout.addWidget(reviewed)
        self._fill_conflicts()
        if s.role == "manager":
            layout.addWidget(_plain(QLabel("Team (from the server):")))
            self.team = QTableWidget(0, 5)
            self.team.setHorizontalHeaderLabels(["Rep", "Open leads", "Calls today", "Qualified this week",
                                                 "No feedback"])
            self.team.horizontalHeaderItem(4).setToolTip("Handoffs without feedback from field sales")
            self.team.verticalHeader().hide()
            self.team.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            self.team.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            layout.addWidget(self.team)
            self.team_note = _plain(QLabel("loading…"))
            layout.addWidget(self.team_note)
            self._load_team()

    def _fill_conflicts(self) -> None:
        rows = service.conflicts(self.store)
        self.conflicts.setRowCount(len(rows))
        for i, c in enumerate(rows):
            for j, text in enumerate((c.public_id or str(c.lead_id), c.name, c.field, c.kept, c.lost)):
                self.conflicts.setItem(i, j, QTableWidgetItem(text))

    def _reviewed(self) -> None:
        service.mark_conflicts_reviewed(self.store)
        self._fill_conflicts()

    def _load_team(self) -> None:
        def done(rows: list[service.RepLine]) -> None:
            self.team.setRowCount(len(rows))
            for i, r in enumerate(rows):
                for j, v in enumerate((r.rep, r.open_leads, r.calls_today, r.qualified_this_week,
                                       r.handoffs_without_feedback)):
                    self.team.setItem(i, j, QTableWidgetItem(f"{v:,}" if isinstance(v, int) else v))
            self.team_note.setText(f"{len(rows)} reps")

        def failed(exc: BaseException) -> None:
            self.team_note.setText(f"Cannot read the team now: {exc}")

        self.worker.run_db(self.store, lambda own, _progress: service.team_view(own), on_done=done, on_error=failed)

"""Backups in the app: File > Back up now, File > Restore backup…, the periodic
backup timer and the background integrity check of big databases.

Everything slow (writing a backup, counting leads in each backup, restoring, the full
check) runs through the app's Worker on a connection of its own; the UI thread only
starts work and shows results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leadtriage import APP_NAME
from leadtriage.safety import backup as backups
from leadtriage.store.db import Store
from leadtriage.ui.worker import Worker

log = logging.getLogger(__name__)

TICK_MS = 60_000  # how often the timer asks whether a periodic backup is due


@dataclass(frozen=True)
class BackupRow:
    info: backups.BackupInfo
    leads: int | None  # None: the file cannot be read


def load_rows(db_path: Path) -> list[BackupRow]:
    """Backups with their lead counts (opens each file: run it on the worker)."""
    return [BackupRow(info, backups.lead_count(info.path)) for info in backups.list_backups(db_path)]


class BackupTableModel(QAbstractTableModel):
    HEADERS = ("Date", "Why", "Leads", "Size")
    PathRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.rows: list[BackupRow] = []

    def set_rows(self, rows: list[BackupRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == self.PathRole:
            return str(row.info.path)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return row.info.created.strftime("%Y-%m-%d  %H:%M:%S")
            if col == 1:
                return row.info.label
            if col == 2:
                return "unreadable" if row.leads is None else f"{row.leads:,}"
            return _size(row.info.size)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(row.info.path)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        row = self.rows[index.row()]
        if row.leads is None:
            return Qt.ItemFlag.NoItemFlags  # unreadable backups cannot be chosen
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RestoreDialog(QDialog):
    """Lists the backups; the caller restores the chosen one."""

    def __init__(self, db_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Restore backup")
        self.setObjectName("restoreDialog")
        self.model = BackupTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("backupTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.accept() if self.chosen() else None)
        intro = QLabel(
            "Choose the backup to go back to. Your current data is backed up first, so a restore "
            "can itself be undone by restoring that backup."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.status = QLabel("Reading backups…")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = self.buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.restore_button.setEnabled(self.chosen() is not None))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.folder = backups.backups_dir(db_path)
        self.resize(640, 420)

    def set_rows(self, rows: list[BackupRow]) -> None:
        self.model.set_rows(rows)
        if rows:
            self.status.setText(f"{len(rows)} backup{'s' if len(rows) != 1 else ''} in {self.folder}")
            self.table.selectRow(0)
        else:
            self.status.setText(f"No backups yet. They are written to {self.folder}.")

    def chosen(self) -> Path | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return Path(self.model.data(rows[0], BackupTableModel.PathRole))


class BackupController(QObject):
    """Owns the backup actions and the periodic timer for one open store."""

    def __init__(self, window: QWidget, store: Store, worker: Worker, *,
                 on_restored: Callable[[], None], scheduler_factory: Callable[[Store], Any] | None = None):
        super().__init__(window)
        self.window = window
        self.store = store
        self.worker = worker
        self.on_restored = on_restored
        self._scheduler_factory = scheduler_factory
        self._scheduler: Any = None
        self._worker_store: Store | None = None
        self.busy = False
        self.backup_action = QAction("&Back up now", self, triggered=self.back_up_now)
        self.restore_action = QAction("&Restore backup…", self, triggered=self.choose_and_restore)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self.dialog: RestoreDialog | None = None
        self.check_task: Any = None

    # -- the worker side -----------------------------------------------------------

    def _scheduler_for_worker(self) -> Any:
        # Created on first use and then only touched from worker jobs, with a
        # connection of its own (never the UI thread's).
        if self._scheduler is None:
            from leadtriage.safety.schedule import BackupScheduler

            self._worker_store = self.store.for_worker()
            factory = self._scheduler_factory or (lambda s: BackupScheduler(s))
            self._scheduler = factory(self._worker_store)
        return self._scheduler

    def _run(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None], what: str) -> None:
        if self.busy:
            self._status(f"{what} waits: a backup task is already running.")
            return
        self.busy = True
        self.backup_action.setEnabled(False)
        self.restore_action.setEnabled(False)

        def finish() -> None:
            self.busy = False
            self.backup_action.setEnabled(True)
            self.restore_action.setEnabled(True)

        def done(result: Any) -> None:
            finish()
            on_done(result)

        def failed(exc: BaseException) -> None:
            finish()
            from leadtriage.errors import UserError

            if not isinstance(exc, UserError):
                log.error("%s failed: %s", what, type(exc).__name__, exc_info=exc)
            QMessageBox.warning(self.window, APP_NAME, f"{what} failed: {exc}")

        self.worker.run(fn, on_done=done, on_error=failed)

    # -- actions -------------------------------------------------------------------------

    def tick(self) -> None:
        """Timer: a periodic backup when due (the scheduler decides, on the worker)."""
        if self.busy:
            return
        self.busy = True

        def work(_progress: Any) -> Path | None:
            return self._scheduler_for_worker().run_if_due()

        def done(made: Path | None) -> None:
            self.busy = False
            if made is not None:
                self._status("Backed up automatically.")

        def failed(exc: BaseException) -> None:
            self.busy = False
            # Not a modal box every minute: the status bar says it, the log keeps it.
            log.warning("periodic backup failed: %s", type(exc).__name__)
            self._status(f"Automatic backup failed: {exc}", 0)

        self.worker.run(work, on_done=done, on_error=failed)

    def back_up_now(self) -> None:
        self._status("Backing up…", 0)
        self._run(lambda _p: self._scheduler_for_worker().backup_now("manual"),
                  lambda made: self._status(f"Backed up to {made.name}"), "Backing up")

    def choose_and_restore(self) -> None:
        dialog = RestoreDialog(self.store.path, self.window)
        self.dialog = dialog
        self.worker.run(lambda _p: load_rows(self.store.path), on_done=dialog.set_rows,
                        on_error=lambda exc: dialog.status.setText(f"Cannot read the backups: {exc}"))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        chosen = dialog.chosen()
        if chosen is None:
            return
        self.restore(chosen)

    def restore(self, source: Path) -> None:
        answer = QMessageBox.question(
            self.window, "Restore backup",
            f"Go back to the backup {source.name}?\n\nYour current data is backed up first.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._status("Restoring…", 0)

        def work(progress: Any) -> backups.RestoreResult:
            self._scheduler_for_worker()
            assert self._worker_store is not None
            return backups.restore(self._worker_store, source, progress=lambda d, t: progress.report(d, t))

        def done(result: backups.RestoreResult) -> None:
            self._scheduler = None  # re-read the newest backup's state next time
            self.on_restored()
            self._status(f"Restored {result.leads:,} leads from {source.name}")
            QMessageBox.information(
                self.window, "Backup restored",
                f"Restored {result.leads:,} leads from {source.name}."
                + (f"\n\nThe data it replaced was backed up to {result.safety_backup.name}."
                   if result.safety_backup else ""))

        self._run(work, done, "Restoring")

    def check_in_background(self) -> None:
        """Full integrity check of a database too big to check during start-up."""
        from leadtriage.safety import recovery

        def done(problems: list[str]) -> None:
            if not problems:
                return
            recovery.mark_suspect(self.store.path)
            box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME,
                              "The background check found damage in the database file.\n\n"
                              "Quit LeadTriage and start it again: it will keep the damaged file aside "
                              "and recover your data from what is readable and the newest backup. "
                              "Avoid large changes until then.", parent=self.window)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setDetailedText("\n".join(problems[:20]))
            box.exec()

        self.check_task = self.worker.run(
            lambda progress: recovery.find_damage(self.store.path, full=True,
                                                  should_stop=lambda: progress.cancelled),
            on_done=done,
            on_error=lambda exc: log.warning("background check failed: %s", type(exc).__name__))

    def stop(self) -> None:
        """Before the app waits for its worker: no new backups, the check ends early."""
        self.timer.stop()
        if self.check_task is not None:
            self.check_task.cancel()

    def close(self) -> None:
        self.stop()
        if self._worker_store is not None:
            self._worker_store.conn.close()
            self._worker_store = None

    def _status(self, text: str, timeout: int = 8000) -> None:
        status_bar = getattr(self.window, "statusBar", None)
        if callable(status_bar):
            status_bar().showMessage(text, timeout)


def show_recovery_report(parent: QWidget | None, report: Any) -> None:
    recovery_box(parent, report).exec()


def recovery_box(parent: QWidget | None, report: Any) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, f"{APP_NAME}: database repaired",
                      "Your database file was damaged. LeadTriage has repaired it." if report.damaged_copy
                      else "Your database file was missing. LeadTriage has restored it from a backup.",
                      parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText("\n\n".join(report.message().splitlines()[1:]))
    if report.problems:
        box.setDetailedText("What SQLite reported:\n" + "\n".join(report.problems[:20]))
    return box


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)

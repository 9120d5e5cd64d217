"""Export briefs: choose leads, formats and a folder; the export runs on the worker
(progress bar, Cancel), marks the leads handed off and opens the folder when done."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QDateTime, QSettings, QStandardPaths, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from leadtriage import APP_NAME
from leadtriage.errors import UserError
from leadtriage.handoff import (
    ExportRequest,
    ExportResult,
    HandoffExporter,
    qualified_by_field_rep,
    select_leads,
)
from leadtriage.store.db import Store
from leadtriage.ui.worker import TaskHandle, Worker

log = logging.getLogger(__name__)

FORMAT_LABELS = (
    ("pdf", "PDF brief"),
    ("html", "HTML brief"),
    ("md", "Markdown brief"),
    ("ics", "Meeting invite (.ics)"),
    ("csv-salesforce", "Salesforce CSV"),
    ("csv-hubspot", "HubSpot CSV"),
    ("csv-sheet", "Spreadsheet CSV"),
)
DEFAULT_FORMATS = ("pdf", "ics")


class ExportDialog(QDialog):
    exported = Signal(object)  # ExportResult

    def __init__(self, store: Store, worker: Worker, selected_ids: list[int] | None = None,
                 settings: QSettings | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export briefs")
        self.setObjectName("exportDialog")
        self.store = store
        self.worker = worker
        self.selected_ids = list(selected_ids or [])
        self.qsettings = settings or QSettings()
        self.task: TaskHandle | None = None
        self.result: ExportResult | None = None

        # Which leads
        leads_box = QGroupBox("Leads")
        self.choice = QButtonGroup(self)
        self.selection_radio = QRadioButton(f"Selected leads ({len(self.selected_ids):,})")
        self.selection_radio.setEnabled(bool(self.selected_ids))
        per_rep = qualified_by_field_rep(store.conn)
        total = sum(n for _, n in per_rep)
        self.qualified_radio = QRadioButton(f"All qualified leads ({total:,})")
        self.rep_radio = QRadioButton("Qualified leads of field rep")
        self.rep_combo = QComboBox()
        for name, n in per_rep:
            if name:
                self.rep_combo.addItem(f"{name} ({n:,})", name)
        self.rep_radio.setEnabled(self.rep_combo.count() > 0)
        self.rep_combo.setEnabled(False)
        self.rep_radio.toggled.connect(self.rep_combo.setEnabled)
        for button in (self.selection_radio, self.qualified_radio, self.rep_radio):
            self.choice.addButton(button)
        (self.selection_radio if self.selected_ids else self.qualified_radio).setChecked(True)
        rep_row = QHBoxLayout()
        rep_row.addWidget(self.rep_radio)
        rep_row.addWidget(self.rep_combo, 1)
        leads_layout = QVBoxLayout(leads_box)
        leads_layout.addWidget(self.selection_radio)
        leads_layout.addWidget(self.qualified_radio)
        leads_layout.addLayout(rep_row)
        hint = QLabel("Qualified leads are marked handed off; leads already handed off are sent again "
                      "and the resend is recorded.")
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        leads_layout.addWidget(hint)

        # Formats
        formats_box = QGroupBox("Formats")
        grid = QGridLayout(formats_box)
        remembered = self.qsettings.value("export/formats")
        chosen = set(remembered.split(",")) if isinstance(remembered, str) and remembered else set(DEFAULT_FORMATS)
        self.format_boxes: dict[str, QCheckBox] = {}
        for i, (key, label) in enumerate(FORMAT_LABELS):
            box = QCheckBox(label)
            box.setChecked(key in chosen)
            box.toggled.connect(self._update_buttons)
            self.format_boxes[key] = box
            grid.addWidget(box, i % 4, i // 4)
        self.combine_box = QCheckBox("One combined PDF per field rep")
        grid.addWidget(self.combine_box, 4, 0, 1, 2)
        self.meeting_box = QCheckBox("First meeting at")
        self.meeting_edit = QDateTimeEdit()
        self.meeting_edit.setCalendarPopup(True)
        self.meeting_edit.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.meeting_edit.setDateTime(QDateTime.currentDateTime().addDays(2))
        self.meeting_edit.setEnabled(False)
        self.meeting_box.toggled.connect(self.meeting_edit.setEnabled)
        meeting_row = QHBoxLayout()
        meeting_row.addWidget(self.meeting_box)
        meeting_row.addWidget(self.meeting_edit, 1)
        grid.addLayout(meeting_row, 5, 0, 1, 2)

        # Folder
        folder_box = QGroupBox("Folder")
        self.folder_edit = QLineEdit(self._default_folder())
        self.folder_edit.textChanged.connect(self._update_buttons)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout(folder_box)
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)

        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)

        layout = QVBoxLayout(self)
        for widget in (leads_box, formats_box, folder_box, self.progress, self.status):
            layout.addWidget(widget)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self._update_buttons()

    # -- choices ---------------------------------------------------------------------

    def _default_folder(self) -> str:
        remembered = self.qsettings.value("export/folder")
        if isinstance(remembered, str) and remembered:
            return remembered
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return str(Path(docs or Path.home()) / "Lead briefs")

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export briefs to", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def formats(self) -> tuple[str, ...]:
        return tuple(key for key, _ in FORMAT_LABELS if self.format_boxes[key].isChecked())

    def lead_ids(self) -> list[int]:
        if self.selection_radio.isChecked():
            return self.selected_ids
        if self.rep_radio.isChecked():
            return select_leads(self.store.conn, field_rep=self.rep_combo.currentData())
        return select_leads(self.store.conn)

    def meeting_at(self) -> datetime | None:
        if not self.meeting_box.isChecked():
            return None
        return self.meeting_edit.dateTime().toPython().astimezone(UTC)

    def _update_buttons(self) -> None:
        running = self.task is not None
        self.export_button.setEnabled(not running and bool(self.formats()) and bool(self.folder_edit.text().strip()))

    # -- running ---------------------------------------------------------------------

    def start(self) -> None:
        try:
            ids = self.lead_ids()
            if not ids:
                raise UserError("No leads to export for this choice.")
            request = ExportRequest(tuple(ids), self.formats(), Path(self.folder_edit.text().strip()).expanduser(),
                                    combine=self.combine_box.isChecked(), meeting_at=self.meeting_at())
            HandoffExporter(self.store).check(request)  # refuse bad input before any work starts
        except UserError as exc:
            QMessageBox.warning(self, APP_NAME, str(exc))
            return
        self.qsettings.setValue("export/formats", ",".join(request.formats))
        self.qsettings.setValue("export/folder", str(request.folder))

        def work(progress):
            store = self.store.for_worker()
            try:
                return HandoffExporter(store).export(request, progress)
            finally:
                store.conn.close()

        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status.setText(f"Exporting {len(ids):,} leads…")
        self.export_button.setEnabled(False)
        self.task = self.worker.run(work, on_done=self._done, on_error=self._failed,
                                    on_progress=self._progress, on_cancelled=self._cancelled)
        self._update_buttons()

    def _progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(message)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText("Cancelling…")
        else:
            self.reject()

    def _finish(self) -> None:
        self.task = None
        self.progress.setVisible(False)
        self._update_buttons()

    def _done(self, result: ExportResult) -> None:
        self._finish()
        self.result = result
        self.exported.emit(result)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(result.folder)))
        self.accept()

    def _cancelled(self) -> None:
        self._finish()
        self.status.setText("Cancelled: no files were kept and nothing was recorded.")

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, UserError):
            message = str(exc)
        else:
            from leadtriage.logs import scrubbed_traceback

            log.error("export failed:\n%s", scrubbed_traceback(exc))
            message = f"The export failed ({type(exc).__name__}); no files were kept and nothing was recorded."
        self.status.setText(message)
        QMessageBox.warning(self, APP_NAME, message)

    def reject(self) -> None:
        if self.task is not None:  # closing the window while exporting cancels first
            self.task.cancel()
            return
        super().reject()


def summary(result: ExportResult) -> str:
    text = (f"{len(result.files):,} files written to {result.folder}; {len(result.handed_off):,} leads handed off"
            + (f", {len(result.re_exported):,} sent again" if result.re_exported else ""))
    if result.no_meeting:
        text += f"; {len(result.no_meeting):,} without a meeting time got no invite"
    return text


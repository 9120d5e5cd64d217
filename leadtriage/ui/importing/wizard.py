"""The import wizard: preview (encoding / delimiter / sheet changeable), mapping with
a dropdown per column, source / campaign / cost, an exact dry-run summary, then the
import with progress, rows/s and Cancel, and a report linking to the rejects.

All file and database work runs through the app's `Worker` on a second connection
(`store.for_worker()`); the pages only show what the `Importer` service returns.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from leadtriage.importing.mapping import CUSTOM, IGNORE, TARGETS, Mapping
from leadtriage.importing.reader import DamagedLine
from leadtriage.importing.service import Importer, ImportOptions, ImportPlan, ImportResult
from leadtriage.store.db import Store
from leadtriage.store.settings import SettingsStore
from leadtriage.ui.importing.models import RowsModel
from leadtriage.ui.worker import Worker
from leadtriage.util.progress import Progress

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "cp850", "mac-roman"]
DELIMITERS = [(",", "Comma ( , )"), (";", "Semicolon ( ; )"), ("\t", "Tab"), ("|", "Pipe ( | )")]
FILE_FILTER = "Lead lists (*.csv *.tsv *.txt *.xlsx *.xlsm *.xls *.ods);;All files (*)"
PREVIEW_ROWS = 50


def plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _on_worker_store(store: Store, fn: Callable[[Importer, Progress], Any],
                     started: Callable[[Progress], None]) -> Callable[[Progress], Any]:
    """Run `fn` with an Importer on a connection of its own (worker threads never
    share the UI thread's connection)."""

    def work(progress: Progress) -> Any:
        started(progress)
        own = store.for_worker()
        try:
            return fn(Importer(own), progress)
        finally:
            own.conn.close()

    return work


class ImportWizard(QWizard):
    """Emits `imported(result)` after a batch has been written."""

    imported = Signal(object)
    review_duplicates = Signal()

    PREVIEW, MAPPING, DETAILS, RUN = range(4)

    def __init__(self, store: Store, worker: Worker, path: str | Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.worker = store, worker
        self.setWindowTitle("Import a lead list")
        self.setObjectName("importWizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.resize(900, 620)
        self.plan: ImportPlan | None = None
        self.path: Path | None = None
        self.preview_rows: list[tuple[int, list[str]]] = []
        self.running = False
        self.progress: Progress | None = None  # of the running task, for Cancel
        self.error = ""
        self.preview_page = PreviewPage(self)
        self.mapping_page = MappingPage(self)
        self.details_page = DetailsPage(self)
        self.run_page = RunPage(self)
        for page_id, page in enumerate((self.preview_page, self.mapping_page, self.details_page, self.run_page)):
            self.setPage(page_id, page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Close")
        # The import page has its own "Cancel import" while it runs; once it is done
        # Close is the only way out (Close and Cancel side by side asked which undoes it).
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        currency = SettingsStore(store).get("currency")
        if currency:
            self.details_page.cost.setSuffix(f" {currency}")  # costs always carry their currency
        if path:
            self.open_file(path)

    # -- working -----------------------------------------------------------------------

    def run_task(self, fn: Callable[[Importer, Progress], Any], on_done: Callable[[Any], None],
                 on_error: Callable[[BaseException], None], on_progress=None, on_cancelled=None) -> None:
        self.running = True

        def started(progress: Progress) -> None:
            self.progress = progress

        self.worker.run(
            _on_worker_store(self.store, fn, started),
            on_done=lambda result: self._finished(on_done, result),
            on_error=lambda exc: self._finished(on_error, exc),
            on_progress=on_progress,
            on_cancelled=lambda: self._finished(on_cancelled or (lambda _=None: None), None),
        )

    def _finished(self, callback: Callable[[Any], None], value: Any) -> None:
        self.running = False
        self.progress = None
        callback(value)

    def busy(self) -> bool:
        return self.running

    def cancel_task(self) -> bool:
        """Ask the running task to stop; it rolls back at its next progress report."""
        if self.progress is None:
            return False
        self.progress.cancel()
        return True

    def open_file(self, path: str | Path, *, encoding: str | None = None, delimiter: str | None = None,
                  sheet: str | None = None) -> None:
        self.path = Path(path)
        self.preview_page.set_status(f"Reading {Path(path).name}…")

        def prepare(importer: Importer, _progress: Progress) -> tuple[ImportPlan, list]:
            plan = importer.prepare(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
            # The whole file, not only the preview: a stray quote further down is shown
            # here, with its line, before anything is mapped or written.
            plan.table.verify()
            return plan, plan.table.preview(PREVIEW_ROWS)

        def done(value: tuple[ImportPlan, list]) -> None:
            self.plan, self.preview_rows = value
            self.error = ""
            self.preview_page.show_plan(self.plan, self.preview_rows)

        def failed(exc: BaseException) -> None:
            self.plan, self.preview_rows = None, []
            self.error = str(exc) if isinstance(exc, Exception) else repr(exc)
            self.preview_page.show_error(Path(path), self.error, exc if isinstance(exc, DamagedLine) else None)

        self.run_task(prepare, done, failed)

    def reject(self) -> None:
        self.cancel_task()
        super().reject()


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("1. Preview")
        self.setSubTitle("Check that accents and columns look right; change the encoding or separator if not.")
        self.path_label = plain("No file chosen.")
        self.path_label.setObjectName("importPath")
        choose = QPushButton("Choose file…")
        choose.clicked.connect(self.choose_file)
        self.encoding = QComboBox()
        self.encoding.setObjectName("importEncoding")
        self.encoding.addItems(ENCODINGS)
        self.delimiter = QComboBox()
        self.delimiter.setObjectName("importDelimiter")
        for value, label in DELIMITERS:
            self.delimiter.addItem(label, value)
        self.sheet = QComboBox()
        self.sheet.setObjectName("importSheet")
        for combo in (self.encoding, self.delimiter, self.sheet):
            combo.activated.connect(self.reread)
        self.warning = plain("")
        self.warning.setObjectName("importWarning")
        self.warning.setStyleSheet("color: #9a5b00;")
        self.damaged = plain("")
        self.damaged.setObjectName("importDamagedLine")
        self.damaged.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.damaged.setStyleSheet("font-family: monospace; padding: 4px; border: 1px solid #c9a66b;")
        self.damaged.hide()
        self.read_again_button = QPushButton("Read the file again")
        self.read_again_button.setObjectName("importReadAgain")
        self.read_again_button.clicked.connect(self.read_again)
        self.read_again_button.hide()
        self.model = RowsModel()
        self.table = QTableView()
        self.table.setObjectName("importPreview")
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(130)
        self.table.verticalHeader().hide()
        top = QHBoxLayout()
        top.addWidget(self.path_label, 1)
        top.addWidget(choose)
        options = QHBoxLayout()
        self.encoding_label, self.delimiter_label, self.sheet_label = QLabel("Encoding"), QLabel("Separator"), QLabel("Sheet")
        for label, combo in ((self.encoding_label, self.encoding), (self.delimiter_label, self.delimiter),
                             (self.sheet_label, self.sheet)):
            options.addWidget(label)
            options.addWidget(combo)
        options.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(options)
        layout.addWidget(self.warning)
        layout.addWidget(self.damaged)
        layout.addWidget(self.read_again_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.table, 1)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a lead list", "", FILE_FILTER)
        if path:
            self.wiz.open_file(path)

    def reread(self) -> None:
        """Read the same file again with the encoding / separator / sheet chosen here
        (also after a wrong choice left no readable table)."""
        path = self.wiz.path
        if path is None or self.wiz.busy():
            return
        if not self.sheet.isHidden():
            self.wiz.open_file(path, sheet=self.sheet.currentText() or None)
        else:
            self.wiz.open_file(path, encoding=self.encoding.currentText(),
                               delimiter=self.delimiter.currentData())

    def set_status(self, text: str) -> None:
        self.warning.setText(text)

    def show_error(self, path: Path, message: str, damaged: DamagedLine | None = None) -> None:
        self.path_label.setText(str(path))
        self.warning.setText(message)
        if damaged is not None:
            # The line as written, so the user can find it in a text editor or
            # spreadsheet, fix it and read the file again.
            self.damaged.setText(f"Line {damaged.line_no} as written:\n{damaged.line_text[:500]}")
        self.damaged.setVisible(damaged is not None)
        self.read_again_button.setVisible(True)
        self.model.set_rows([], [])
        self.completeChanged.emit()

    def read_again(self) -> None:
        """After the user fixed the file: read it again, detecting everything afresh."""
        if self.wiz.path is not None and not self.wiz.busy():
            self.wiz.open_file(self.wiz.path)

    def show_plan(self, plan: ImportPlan, rows: list[tuple[int, list[str]]]) -> None:
        table = plan.table
        self.path_label.setText(str(plan.path))
        text_file = table.kind == "text"
        for widget in (self.encoding, self.delimiter, self.encoding_label, self.delimiter_label):
            widget.setVisible(text_file)
        for widget in (self.sheet, self.sheet_label):
            widget.setVisible(not text_file)
        if text_file:
            if self.encoding.findText(table.encoding or "") < 0:
                self.encoding.addItem(table.encoding or "")
            self.encoding.setCurrentText(table.encoding or "")
            index = self.delimiter.findData(table.delimiter)
            if index < 0:
                self.delimiter.addItem(repr(table.delimiter), table.delimiter)
                index = self.delimiter.count() - 1
            self.delimiter.setCurrentIndex(index)
        else:
            self.sheet.clear()
            self.sheet.addItems(table.sheets)
            self.sheet.setCurrentText(table.sheet or "")
        self.damaged.hide()
        self.read_again_button.hide()
        notes = []
        if table.legacy_line_count:
            shown = ", ".join(str(n) for n in table.legacy_lines[:10])
            more = f" and {table.legacy_line_count - 10:,} more" if table.legacy_line_count > 10 else ""
            notes.append(f"{table.legacy_line_count:,} line(s) are not valid UTF-8 and were read as Windows-1252 "
                         f"(line {shown}{more}); check the accents on those lines.")
        for earlier in plan.previous_batches:
            notes.append(f"This file was already imported as batch {earlier['id']} on {earlier['finished_at']} "
                         f"UTC. Importing it again merges rather than duplicates, but check that you mean to.")
        if not rows:
            notes.append("The file has a header but no data rows.")
        self.warning.setText("\n".join(notes))
        self.model.set_rows(["Line", *table.labels], [[line, *cells] for line, cells in rows])
        self.table.setColumnWidth(0, 48)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.wiz.plan is not None and not self.wiz.busy()


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("2. Columns")
        self.setSubTitle("Say what each column holds. Columns you keep as custom fields are shown on the lead.")
        self.combos: list[QComboBox] = []
        self.source_label = plain("")
        self.remember = QCheckBox("Remember these choices for lists with the same columns")
        self.remember.setChecked(True)
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid_host)
        layout = QVBoxLayout(self)
        layout.addWidget(self.source_label)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.remember)

    def initializePage(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.combos = []
        for col, text in enumerate(("Column", "Sample values", "Holds")):
            head = plain(text)
            font = head.font()
            font.setBold(True)
            head.setFont(font)
            self.grid.addWidget(head, 0, col)
        samples = self.wiz.preview_rows
        for i, label in enumerate(plan.table.labels):
            values = [cells[i] for _, cells in samples if i < len(cells) and cells[i].strip()][:3]
            sample = plain(" · ".join(v.replace("\n", " ")[:40] for v in values))
            sample.setStyleSheet("color: #5f6368;")
            combo = QComboBox()
            combo.setObjectName(f"mapping{i}")
            combo.addItem("Keep as custom field", CUSTOM)
            combo.addItem("Ignore this column", IGNORE)
            for key, text in TARGETS.items():
                combo.addItem(text, key)
            combo.setCurrentIndex(max(0, combo.findData(plan.mapping.targets[i])))
            combo.currentIndexChanged.connect(self.completeChanged)
            self.combos.append(combo)
            self.grid.addWidget(plain(label), i + 1, 0)
            self.grid.addWidget(sample, i + 1, 1)
            self.grid.addWidget(combo, i + 1, 2)
        self.grid.setColumnStretch(1, 1)
        self.grid.setRowStretch(len(self.combos) + 1, 1)
        self.source_label.setText({
            "profile": "These columns were mapped as you confirmed last time for a list with the same headers.",
            "automatic": "Columns were matched from their headers; check the ones marked custom.",
            "file": "Columns were mapped from a mapping file.",
        }[plan.mapping_source])

    def targets(self) -> list[str]:
        return [c.currentData() for c in self.combos]

    def isComplete(self) -> bool:
        chosen = set(self.targets())
        return bool(chosen & {"full_name", "first_name", "last_name", "company", "email", "phone", "linkedin"})

    def validatePage(self) -> bool:
        assert self.wiz.plan is not None
        self.wiz.plan.mapping = Mapping(self.targets())
        return True


class DetailsPage(QWizardPage):
    """Source, campaign and cost, and the exact dry-run summary before anything is written."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("3. Source and check")
        self.setSubTitle("Where did this list come from? The check below counts exactly what the import will do; "
                         "nothing is written yet.")
        self.source = QLineEdit()
        self.source.setObjectName("importSource")
        self.source.setPlaceholderText("e.g. Trade show, Webinar, List vendor")
        self.campaign = QLineEdit()
        self.campaign.setObjectName("importCampaign")
        self.cost = QDoubleSpinBox()
        self.cost.setObjectName("importCost")
        self.cost.setRange(0, 10_000_000)
        self.cost.setDecimals(2)
        self.cost.setSpecialValueText("—")
        self.check_button = QPushButton("Check again")
        self.check_button.clicked.connect(self.dry_run)
        self.summary = plain("")
        self.summary.setObjectName("importSummary")
        # Without a source the dashboard cannot say which lists turn into sales cycles.
        self.source_hint = plain("")
        self.source_hint.setObjectName("importSourceHint")
        self.source_hint.setWordWrap(True)
        self.source.textChanged.connect(lambda _: self._source_changed())
        self.dry: ImportResult | None = None
        form = QFormLayout()
        form.addRow("Source", self.source)
        form.addRow("", self.source_hint)
        form.addRow("Campaign", self.campaign)
        form.addRow("Cost of the list", self.cost)
        from leadtriage.ui.playbook.import_hook import CadencePicker

        self.cadence = CadencePicker(wizard.store)
        form.addRow("Enrol in cadence", self.cadence)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(12)
        layout.addWidget(self.summary)
        layout.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def initializePage(self) -> None:
        self.wiz.setButtonText(QWizard.WizardButton.NextButton, "Import")
        self._source_changed()
        self.dry_run()

    def source_column(self) -> bool:
        plan = self.wiz.plan
        return plan is not None and "source" in plan.mapping.targets

    def _source_changed(self) -> None:
        if self.source_column():
            self.source.setPlaceholderText("for rows whose source column is empty (optional)")
            self.source_hint.setText("The list has a source column; rows without one get this source.")
        else:
            self.source.setPlaceholderText("e.g. Trade show, Webinar, List vendor")
            self.source_hint.setText("" if self.source.text().strip() else
                                     "Say where this list came from (or go back and map a column to Lead source): "
                                     "the dashboard compares sources by what they turn into.")
        self.completeChanged.emit()

    def cleanupPage(self) -> None:
        self.wiz.setButtonText(QWizard.WizardButton.NextButton, "Next >")

    def options(self, dry_run: bool) -> ImportOptions:
        return ImportOptions(source=self.source.text().strip() or None, campaign=self.campaign.text().strip() or None,
                             cost=self.cost.value() or None, dry_run=dry_run,
                             save_profile=self.wiz.mapping_page.remember.isChecked())

    def dry_run(self) -> None:
        plan = self.wiz.plan
        if plan is None or self.wiz.busy():
            return
        self.dry = None
        self.summary.setText("Checking the list…")
        self.completeChanged.emit()
        options = self.options(dry_run=True)
        options.save_profile = False

        def done(result: ImportResult) -> None:
            self.dry = result
            self.summary.setText(summary_text(result, preview=True))
            self.completeChanged.emit()

        def failed(exc: BaseException) -> None:
            self.summary.setText(f"The check failed: {exc}")
            self.completeChanged.emit()

        def progress(done_rows: int, total: int, _message: str) -> None:
            self.summary.setText(f"Checking the list… {done_rows:,} of about {total:,} rows")

        self.wiz.run_task(lambda importer, p: importer.run(plan, options, p), done, failed, progress)

    def isComplete(self) -> bool:
        has_source = bool(self.source.text().strip()) or self.source_column()
        return has_source and self.dry is not None and not self.wiz.busy()


def summary_text(result: ImportResult, preview: bool) -> str:
    verb = "would be" if preview else "were"
    lines = [
        f"{result.rows:,} rows in {result.file_name}:",
        f"  • {result.inserted:,} new leads",
        f"  • {result.merged:,} merged into leads you already have (empty fields filled, nothing overwritten)",
        f"  • {result.duplicates_flagged:,} possible duplicates, added and listed for your review",
        f"  • {result.rejected:,} rejected (no one to reach and no name or company)",
    ]
    if result.history_positive or result.history_negative:
        lines.append(f"  • history: {result.history_positive:,} started a sales cycle, {result.history_negative:,} "
                     "did not (kept out of the queue; the score learns from them)")
    if result.open_stages:
        lines.append(f"  • {result.open_stages:,} enter the queue at their CRM stage")
    if result.warnings:
        shown = "; ".join(f"line {w['line']}: {w['problem']}" for w in result.warnings[:3])
        more = f" (and {len(result.warnings) - 3:,} more)" if len(result.warnings) > 3 else ""
        lines.append(f"Outcomes not understood, imported without one: {shown}{more}")
    if result.same_file_batches:
        lines.append(f"This file was imported before (batch {', '.join(map(str, result.same_file_batches))}).")
    lines.append(f"These {verb} {'counted without writing anything' if preview else 'written'} "
                 f"in {took(result.seconds, result.rows)}.")
    return "\n".join(lines)


def took(seconds: float, rows: int) -> str:
    """'12 ms', or '12.5 s (80,000 rows a second)': a small list takes milliseconds, and
    a rate over a few milliseconds says nothing ("0.0 s" next to 3,000 rows/s did)."""
    if seconds < 0.001:
        return "less than a millisecond"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s ({rows / seconds:,.0f} rows a second)"


class RunPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("4. Import")
        self.bar = QProgressBar()
        self.bar.setObjectName("importProgress")
        self.rate = plain("")
        self.rate.setObjectName("importRate")
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.setObjectName("importCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.report = plain("")
        self.report.setObjectName("importReport")
        self.rejects_link = QLabel()
        self.rejects_link.setObjectName("importRejectsLink")
        self.rejects_link.setTextFormat(Qt.TextFormat.RichText)  # our own fixed link text, no user data
        self.rejects_link.linkActivated.connect(lambda _link: self.save_rejects())
        self.duplicates_button = QPushButton("Review possible duplicates…")
        self.duplicates_button.clicked.connect(self.wiz.review_duplicates)
        self.result: ImportResult | None = None
        self.running = False
        self.started = 0.0
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.rate)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(12)
        layout.addWidget(self.report)
        layout.addWidget(self.rejects_link)
        layout.addWidget(self.duplicates_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def initializePage(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        self.result = None
        self.report.setText("")
        self.rejects_link.setText("")
        self.duplicates_button.hide()
        self.bar.setRange(0, 0)
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.running = True
        self.started = time.monotonic()
        options = self.wiz.details_page.options(dry_run=False)
        run = self.wiz.details_page.cadence.wrap(lambda importer, p: importer.run(plan, options, p))
        self.wiz.run_task(run, self.done, self.failed, self.progress, self.cancelled)

    def progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.rate.setText(f"{done:,} rows · {done / elapsed:,.0f} rows/s" + (f" · {message}" if not
                                                                            message.endswith("rows") else ""))

    def cancel(self) -> None:
        if self.wiz.cancel_task():
            self.cancel_button.setEnabled(False)
            self.rate.setText("Cancelling… nothing of this import will be kept.")

    def _stop(self) -> None:
        self.running = False
        self.cancel_button.hide()
        self.bar.setRange(0, 1)
        self.completeChanged.emit()

    def done(self, result: ImportResult) -> None:
        self.result = result
        self._stop()
        self.bar.setValue(1)
        self.rate.setText("")  # the report below has the final figures
        self.report.setText(f"Imported as batch {result.batch_id}.\n" + summary_text(result, preview=False)
                            + self.wiz.details_page.cadence.report_text())
        if result.rejected:
            self.rejects_link.setText(f'<a href="rejects">Save the {result.rejected:,} rejected rows as CSV…</a>')
        self.duplicates_button.setVisible(result.duplicates_flagged > 0)
        self.wiz.imported.emit(result)

    def failed(self, exc: BaseException) -> None:
        self._stop()
        self.bar.setValue(0)
        self.report.setText(f"The import stopped and nothing was written: {exc}")

    def cancelled(self, _value: Any = None) -> None:
        self._stop()
        self.bar.setValue(0)
        self.report.setText("Import cancelled. Nothing was written; the database is as it was.")

    def save_rejects(self, dest: str | None = None) -> int:
        if self.result is None or self.result.batch_id is None:
            return 0
        if dest is None:
            suggested = str(Path(self.result.file_name).with_suffix("")) + "-rejected.csv"
            dest, _ = QFileDialog.getSaveFileName(self, "Save rejected rows", suggested, "CSV (*.csv)")
            if not dest:
                return 0
        count = Importer(self.wiz.store).export_rejects(self.result.batch_id, dest)
        self.rate.setText(f"{count:,} rejected rows saved to {dest}")
        return count

    def isComplete(self) -> bool:
        return not self.running

    def validatePage(self) -> bool:
        return not self.running

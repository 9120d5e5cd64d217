"""Field outcomes in the app: entered by hand for one lead (`OutcomeDialog`: only the
outcomes the lead's status allows, a reason where one is needed, amount and date), or
read from the field's file (`OutcomeImportDialog`, File > Import outcomes: a preview
of what would be applied and every line that would not, then Apply). Both go through
`leadtriage.outcomes`, like the `outcomes` command."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leadtriage.errors import UserError
from leadtriage.outcomes import (
    LOST_REASONS,
    REJECT_REASONS,
    allowed_outcomes,
    import_outcomes,
    record_outcome,
)
from leadtriage.outcomes.service import LABELS, OutcomeReport
from leadtriage.services.leads import LeadService
from leadtriage.store.db import Store
from leadtriage.store.settings import SettingsStore
from leadtriage.ui.importing.models import RowsModel
from leadtriage.ui.worker import Worker


class OutcomeDialog(QDialog):
    def __init__(self, store: Store, lead_id: int, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.store = store
        self.lead_id = lead_id
        lead = LeadService(store).get(lead_id)
        name = " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p) or "(no name)"
        self.setWindowTitle(f"Field outcome — {lead['public_id']}")
        heading = QLabel(f"{name}, {lead.get('company') or ''}".strip(", "))
        heading.setTextFormat(Qt.TextFormat.PlainText)  # user text is data

        self.outcome = QComboBox()
        for key in allowed_outcomes(lead["status"]):
            self.outcome.addItem(LABELS[key], key)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.amount = QDoubleSpinBox()
        self.amount.setRange(0, 1_000_000_000)
        self.amount.setDecimals(2)
        self.amount.setGroupSeparatorShown(True)
        self.amount.setSpecialValueText("—")  # 0 = no amount
        currency = SettingsStore(store).get("currency")
        if currency:
            self.amount.setSuffix(f" {currency}")
        self.when = QDateEdit(QDate(today or date.today()))
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd")
        form = QFormLayout()
        form.addRow("Outcome", self.outcome)
        form.addRow("Reason", self.reason)
        form.addRow("Amount", self.amount)
        form.addRow("Date", self.when)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.empty = QLabel("This lead has no handoff waiting for a field outcome.")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.empty)
        layout.addWidget(self.buttons)
        self.empty.setVisible(self.outcome.count() == 0)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(self.outcome.count() > 0)
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        self._outcome_changed()

    def _outcome_changed(self) -> None:
        key = self.outcome.currentData()
        self.reason.clear()
        reasons = REJECT_REASONS if key == "rejected" else LOST_REASONS if key == "lost" else ()
        self.reason.addItems(list(reasons))
        self.reason.setEnabled(bool(reasons))
        if not reasons:
            self.reason.setEditText("")
        self.amount.setEnabled(key in ("opportunity", "won"))

    def save(self) -> None:
        key = self.outcome.currentData()
        amount = self.amount.value() if self.amount.isEnabled() and self.amount.value() > 0 else None
        try:
            record_outcome(
                self.store, self.lead_id, key, reason=self.reason.currentText() if self.reason.isEnabled() else "",
                amount=amount, when=self.when.date().toPython(), rep=SettingsStore(self.store).get("rep_name"),
            )
        except UserError as exc:
            QMessageBox.warning(self, "Field outcome", str(exc))
            return
        self.accept()


def report_text(report: OutcomeReport) -> str:
    """One paragraph, the same figures as the `outcomes` command prints."""
    verb = "would be applied" if report.dry_run else "applied"
    parts = ", ".join(f"{n:,} {LABELS[k].lower()}" for k, n in report.by_outcome.items())
    text = f"{report.rows:,} rows in {report.file}: {report.applied:,} outcomes {verb}"
    text += f" ({parts})" if parts else ""
    text += f", {report.already_recorded:,} already recorded, {len(report.problems):,} not applied"
    text += " (listed below)." if report.problems else "."
    return text


class OutcomeImportDialog(QDialog):
    """File > Import outcomes: choose the field's file, see what would happen (nothing is
    written), then Apply. Emits `applied(lead_ids)` after outcomes were written."""

    applied = Signal(list)

    def __init__(self, store: Store, worker: Worker, parent: QWidget | None = None, *, path: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import field outcomes")
        self.setObjectName("outcomeImport")
        self.resize(760, 460)
        self.store, self.worker = store, worker
        self.path: Path | None = None
        self.preview: OutcomeReport | None = None
        self.result_report: OutcomeReport | None = None
        self.busy = False
        intro = QLabel("A CSV or Excel file from field sales with the lead ID (or e-mail), the outcome "
                       "(accepted, rejected, opportunity, won, lost), and where it applies a reason, amount "
                       "and date. You see what would change before anything is written.")
        intro.setWordWrap(True)
        self.file_label = QLabel("No file chosen.")
        self.file_label.setTextFormat(Qt.TextFormat.PlainText)
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.clicked.connect(lambda: self.choose_file())
        row = QHBoxLayout()
        row.addWidget(self.file_label, 1)
        row.addWidget(self.choose_button)
        self.summary = QLabel("")
        self.summary.setObjectName("outcomeSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # file names and reasons are data
        self.summary.setWordWrap(True)
        self.problems = RowsModel(["Line", "Lead", "Not applied because"], [])
        self.problem_view = QTableView()
        self.problem_view.setModel(self.problems)
        self.problem_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problem_view.verticalHeader().hide()
        self.problem_view.horizontalHeader().setStretchLastSection(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.apply_button = self.buttons.addButton("Apply outcomes", QDialogButtonBox.ButtonRole.ApplyRole)
        self.apply_button.setObjectName("applyOutcomes")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem_view, 1)
        layout.addWidget(self.buttons)
        if path:
            self.choose_file(path)

    def choose_file(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Field outcomes", "",
                                                  "Outcome files (*.csv *.tsv *.txt *.xlsx);;All files (*)")
            if not path:
                return
        self.path = Path(path)
        self.file_label.setText(str(self.path))
        self.preview = self.result_report = None
        self._show(None)
        self.summary.setText("Checking the file…")
        self._run(dry_run=True)

    def apply(self) -> None:
        if self.path is None or self.preview is None or not self.preview.applied or self.busy:
            return
        self.summary.setText("Applying…")
        self._run(dry_run=False)

    def _run(self, dry_run: bool) -> None:
        path, rep = self.path, SettingsStore(self.store).get("rep_name")
        self.busy = True
        self.apply_button.setEnabled(False)
        self.choose_button.setEnabled(False)

        def work(_progress) -> OutcomeReport:
            store = self.store.for_worker()
            try:
                return import_outcomes(store, path, rep=rep, dry_run=dry_run)
            finally:
                store.conn.close()

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.choose_button.setEnabled(True)
            self.summary.setText(str(exc) if isinstance(exc, UserError) else f"The file could not be read: {exc}")

        self.worker.run(work, on_done=lambda report: self._done(report, dry_run), on_error=failed)

    def _done(self, report: OutcomeReport, dry_run: bool) -> None:
        self.busy = False
        self.choose_button.setEnabled(True)
        if dry_run:
            self.preview = report
            self._show(report)
            self.apply_button.setEnabled(report.applied > 0)
            if report.applied:
                self.summary.setText(report_text(report) + " Nothing is written until you apply.")
        else:
            self.result_report = report
            self._show(report)
            self.applied.emit(list(report.lead_ids))

    def _show(self, report: OutcomeReport | None) -> None:
        rows: list[list[Any]] = []
        if report is not None:
            self.summary.setText(report_text(report))
            rows = [[p.line_no, "" if p.reference == f"line {p.line_no}" else p.reference, p.reason]
                    for p in report.problems]
        self.problems.set_rows(["Line", "Lead", "Not applied because"], rows)
        self.problem_view.resizeColumnsToContents()

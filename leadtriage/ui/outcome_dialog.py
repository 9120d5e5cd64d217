"""Entering a field outcome by hand (from the lead workspace): only the outcomes the
lead's status allows, a reason where one is needed, amount and date. Saving goes
through `leadtriage.outcomes.record_outcome`, like an imported outcome."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from leadtriage.errors import UserError
from leadtriage.outcomes import LOST_REASONS, REJECT_REASONS, allowed_outcomes, record_outcome
from leadtriage.outcomes.service import LABELS
from leadtriage.services.leads import LeadService
from leadtriage.store.db import Store
from leadtriage.store.settings import SettingsStore


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

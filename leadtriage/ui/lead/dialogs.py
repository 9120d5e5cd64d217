"""Small dialogs for the status moves that need more than a key press."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
)

from leadtriage.domain.dispositions import DISQUALIFY_REASONS, NURTURE_REASONS
from leadtriage.domain.localtime import DEFAULT_WEEK, WorkWeek
from leadtriage.services.field_reps import FieldRep, suggest_field_rep

# Enter on the Disqualify dialog takes this reason: one that can be undone by a later
# recycle. "Do not call" blocks the lead for good, so it must be chosen on purpose.
DEFAULT_DISQUALIFY_REASON = "No need"


class _Dialog(QDialog):
    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.form.addRow(self.buttons)


class QualifyDialog(_Dialog):
    def __init__(self, reps: list[FieldRep], suggested: int | None, parent=None, *, lead: dict | None = None):
        super().__init__("Qualify: hand to a field rep", parent)
        self.rep = QComboBox()
        self.rep.setObjectName("fieldRep")
        for r in reps:
            self.rep.addItem(f"{r.name} ({r.territory})" if r.territory else r.name, r.id)
        hint = ""
        if lead is not None:
            # The rep whose territory covers the lead, not the first name in the list.
            by_territory = suggest_field_rep(reps, lead)
            if by_territory is not None and by_territory != lead.get("field_rep_id") and lead.get("country"):
                hint = f"Suggested: the territory covers {lead['country']}."
            suggested = by_territory or suggested
        if suggested is not None and self.rep.findData(suggested) >= 0:
            self.rep.setCurrentIndex(self.rep.findData(suggested))
        self.has_meeting = QCheckBox("First meeting booked")
        self.meeting = QDateTimeEdit(QDateTime.currentDateTime().addDays(2))
        self.meeting.setCalendarPopup(True)
        self.meeting.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.meeting.setToolTip("In your time zone; the brief shows it in the prospect's too.")
        self.meeting.setEnabled(False)
        self.has_meeting.toggled.connect(self.meeting.setEnabled)
        self.form.addRow("Field rep", self.rep)
        if hint:
            self.hint = QLabel(hint)
            self.hint.setTextFormat(Qt.TextFormat.PlainText)
            self.hint.setEnabled(False)  # greyed: a note, not a field
            self.form.addRow("", self.hint)
        self.form.addRow(self.has_meeting, self.meeting)
        self.finish()

    def values(self):
        meeting = self.meeting.dateTime().toPython().astimezone() if self.has_meeting.isChecked() else None
        return self.rep.currentData(), meeting


class NurtureDialog(_Dialog):
    """The resurface date, and the quick picks, always fall on a working day: a lead
    resurfacing on a Saturday would wait, unseen, until Monday anyway."""

    def __init__(self, today: date, parent=None, week: WorkWeek = DEFAULT_WEEK):
        super().__init__("Nurture: resurface later", parent)
        self.reason = QComboBox()
        self.reason.setObjectName("nurtureReason")
        self.reason.setEditable(True)
        self.reason.addItems(NURTURE_REASONS)
        self.until = QDateEdit(QDate(week.roll_forward(today + timedelta(days=91))))
        self.until.setObjectName("resurface")
        self.until.setCalendarPopup(True)
        self.until.setMinimumDate(QDate(today + timedelta(days=1)))
        self.until.setDisplayFormat("yyyy-MM-dd")
        quick = QHBoxLayout()
        for label, days in (("1 month", 30), ("3 months", 91), ("6 months", 182)):
            b = QPushButton(label)
            b.setAutoDefault(False)
            on = week.roll_forward(today + timedelta(days=days))
            b.setToolTip(on.strftime("%A %d %B %Y"))
            b.clicked.connect(lambda _=False, on=on: self.until.setDate(QDate(on)))
            quick.addWidget(b)
        self.form.addRow("Reason", self.reason)
        self.form.addRow("Resurface on", self.until)
        self.form.addRow("", quick)
        self.finish()

    def values(self):
        return self.reason.currentText(), self.until.date().toPython()


class DisqualifyDialog(_Dialog):
    def __init__(self, parent=None):
        super().__init__("Disqualify", parent)
        self.reason = QComboBox()
        self.reason.setObjectName("disqualifyReason")
        self.reason.addItems(DISQUALIFY_REASONS)
        self.reason.setCurrentText(DEFAULT_DISQUALIFY_REASON)
        self.form.addRow("Reason", self.reason)
        self.finish()

    def values(self):
        return (self.reason.currentText(),)

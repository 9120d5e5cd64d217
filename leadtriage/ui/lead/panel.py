"""The selected lead: contact card, discovery summary and timeline. Read-only here;
user text is always shown as plain text."""

from __future__ import annotations

import json

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leadtriage.domain.status import LABELS, Status
from leadtriage.store.timeutil import from_db

Index = QModelIndex | QPersistentModelIndex


def plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # user text is data, never markup
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


KIND_LABELS = {"call": "Call", "email": "E-mail", "meeting": "Meeting", "note": "Note", "status": "Status",
               "import": "Import", "handoff": "Handoff", "outcome": "Outcome", "linkedin": "LinkedIn"}


class TimelineModel(QAbstractTableModel):
    HEADERS = ("When", "What", "Notes")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if col == 0:
            moment = from_db(row["occurred_at"])
            return moment.astimezone().strftime("%d %b %Y %H:%M") if moment else ""
        if col == 1:
            what = KIND_LABELS.get(row["kind"], row["kind"])
            if row.get("disposition"):
                what += ": " + row["disposition"].replace("_", " ")
            return what
        return row.get("notes") or ""

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class LeadPanel(QWidget):
    FIELDS = (
        ("public_id", "Lead ID"), ("title", "Title"), ("company", "Company"), ("phone", "Phone"),
        ("email", "E-mail"), ("city", "City"), ("source", "Source"), ("campaign", "Campaign"),
        ("status", "Status"), ("status_reason", "Reason"), ("score", "Score"),
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self.heading = plain_label()
        self.heading.setObjectName("leadHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        card = QGroupBox("Contact")
        form = QFormLayout(card)
        self.values: dict[str, QLabel] = {}
        for key, label in self.FIELDS:
            self.values[key] = plain_label()
            form.addRow(label, self.values[key])
        discovery = QGroupBox("Discovery")
        dform = QFormLayout(discovery)
        self.pains = plain_label()
        self.motivations = plain_label()
        self.plan = plain_label()
        dform.addRow("Pain points", self.pains)
        dform.addRow("Motivations", self.motivations)
        dform.addRow("Buying plan", self.plan)
        self.timeline = TimelineModel(self)
        table = QTableView()
        table.setModel(self.timeline)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setWordWrap(False)
        self.timeline_view = table
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(card)
        layout.addWidget(discovery)
        layout.addWidget(QLabel("Timeline"))
        layout.addWidget(table, 1)
        self.show_lead(None, [])

    def show_lead(self, lead: dict | None, timeline: list[dict]) -> None:
        self.setEnabled(lead is not None)
        if lead is None:
            self.heading.setText("No lead selected")
            for label in self.values.values():
                label.clear()
            for label in (self.pains, self.motivations, self.plan):
                label.clear()
            self.timeline.set_rows([])
            return
        name = " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p) or "(no name)"
        self.heading.setText(name)
        for key, _ in self.FIELDS:
            value = lead.get(key)
            if key == "status" and value:
                value = LABELS.get(Status(value), value)
            self.values[key].setText("" if value is None else str(value))
        self.pains.setText(_pains_text(lead.get("pain_points")))
        self.motivations.setText(lead.get("motivations") or "")
        self.plan.setText(_plan_text(lead.get("buying_plan")))
        self.timeline.set_rows(timeline)


def _loads(text: str | None):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _pains_text(text: str | None) -> str:
    pains = _loads(text) or []
    return "\n".join(f"{p.get('tag', '')}: “{p.get('quote', '')}”" for p in pains if isinstance(p, dict))


def _plan_text(text: str | None) -> str:
    plan = _loads(text) or {}
    if not isinstance(plan, dict):
        return ""
    parts = [plan.get("timeline"), plan.get("budget_status") and f"Budget: {plan['budget_status']}"
             f" ({plan.get('budget_range', '')})", plan.get("decision_process")]
    return "\n".join(p for p in parts if p)

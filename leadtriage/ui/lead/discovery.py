"""Discovery: the prospect's pains in their own words, motivations and the buying
plan, captured the way the field rep will read them on the brief."""

from __future__ import annotations

import json

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leadtriage.leadwork.leads import BUDGET_STATUSES

PAIN_TAGS = ("Manual work", "No visibility", "Reporting effort", "Compliance risk", "Cost", "Legacy system",
             "Slow onboarding", "Customer churn")
MAX_PAINS = 6


def _loads(text: str | None):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class DiscoveryForm(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.pains: list[tuple[QComboBox, QLineEdit]] = []
        pains = QVBoxLayout()
        for i in range(MAX_PAINS):
            tag = QComboBox()
            tag.setEditable(True)
            tag.addItems(["", *PAIN_TAGS])
            tag.setObjectName(f"painTag{i}")
            tag.lineEdit().setPlaceholderText("Tag")
            quote = QLineEdit()
            quote.setObjectName(f"painQuote{i}")
            quote.setPlaceholderText("Their own words")
            row = QHBoxLayout()
            row.addWidget(tag, 1)
            row.addWidget(quote, 3)
            pains.addLayout(row)
            self.pains.append((tag, quote))
        self.motivations = QPlainTextEdit()
        self.motivations.setObjectName("motivations")
        self.motivations.setTabChangesFocus(True)
        self.motivations.setMaximumHeight(60)
        self.timeline = QLineEdit(placeholderText="e.g. Decision by March")
        self.target_date = QLineEdit(placeholderText="YYYY-MM-DD")
        self.budget_status = QComboBox()
        self.budget_status.addItems(["", *BUDGET_STATUSES])
        self.budget_range = QLineEdit(placeholderText="e.g. $20-40k a year")
        self.decision = QPlainTextEdit()
        self.decision.setTabChangesFocus(True)
        self.decision.setMaximumHeight(60)
        self.people = QPlainTextEdit()
        self.people.setTabChangesFocus(True)
        self.people.setPlaceholderText("One per line: Name: role")
        self.people.setMaximumHeight(60)
        self.current = QLineEdit()
        self.competitors = QLineEdit(placeholderText="Comma-separated")
        self.milestone = QLineEdit()
        self.save_button = QPushButton("Save discovery  (Ctrl+S)")
        self.save_button.setObjectName("saveDiscovery")
        form = QFormLayout()
        form.addRow("Pain points", pains)
        form.addRow("Motivations", self.motivations)
        form.addRow("Timeline", self.timeline)
        form.addRow("Target date", self.target_date)
        form.addRow("Budget", self.budget_status)
        form.addRow("Budget range", self.budget_range)
        form.addRow("Decision process", self.decision)
        form.addRow("People and roles", self.people)
        form.addRow("Current solution", self.current)
        form.addRow("Competitors", self.competitors)
        form.addRow("Next milestone", self.milestone)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.save_button)

    def show_lead(self, lead: dict | None) -> None:
        lead = lead or {}
        pains = _loads(lead.get("pain_points")) or []
        for i, (tag, quote) in enumerate(self.pains):
            p = pains[i] if i < len(pains) and isinstance(pains[i], dict) else {}
            tag.setCurrentText(str(p.get("tag") or ""))
            quote.setText(str(p.get("quote") or ""))
        self.motivations.setPlainText(lead.get("motivations") or "")
        plan = _loads(lead.get("buying_plan")) or {}
        plan = plan if isinstance(plan, dict) else {}
        self.timeline.setText(str(plan.get("timeline") or ""))
        self.target_date.setText(str(plan.get("target_date") or ""))
        status = str(plan.get("budget_status") or "")
        if status and self.budget_status.findText(status) < 0:
            self.budget_status.addItem(status)
        self.budget_status.setCurrentText(status)
        self.budget_range.setText(str(plan.get("budget_range") or ""))
        self.decision.setPlainText(str(plan.get("decision_process") or ""))
        people = plan.get("people") or []
        self.people.setPlainText("\n".join(
            f"{p.get('name', '')}: {p.get('role', '')}" for p in people if isinstance(p, dict)))
        self.current.setText(str(plan.get("current_solution") or ""))
        self.competitors.setText(", ".join(str(c) for c in plan.get("competitors") or []))
        self.milestone.setText(str(plan.get("next_milestone") or ""))
        # Show each field from its start (setText leaves the cursor at the end, so a
        # long quote would show only its last words), the whole text on hover.
        for edit in self.findChildren(QLineEdit):
            edit.setCursorPosition(0)
        for _tag, quote in self.pains:
            quote.setToolTip(quote.text())

    def values(self) -> tuple[list[dict], str, dict]:
        pains = [{"tag": t.currentText(), "quote": q.text()} for t, q in self.pains]
        people = []
        for line in self.people.toPlainText().splitlines():
            name, _, role = line.partition(":")
            if line.strip():
                people.append({"name": name.strip(), "role": role.strip()})
        plan = {
            "timeline": self.timeline.text(), "target_date": self.target_date.text(),
            "budget_status": self.budget_status.currentText(), "budget_range": self.budget_range.text(),
            "decision_process": self.decision.toPlainText(), "people": people,
            "current_solution": self.current.text(),
            "competitors": [c.strip() for c in self.competitors.text().split(",")],
            "next_milestone": self.milestone.text(),
        }
        return pains, self.motivations.toPlainText(), plan

"""The qualification checklist of the lead's framework: each criterion met or not,
with the evidence, and a meter against the threshold needed to qualify."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leadtriage.domain.frameworks import Framework


class QualificationForm(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.framework: Framework | None = None
        self.threshold = 0
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.meter = QProgressBar()
        self.meter.setObjectName("completeness")
        self.meter.setFormat("%v of %m met")
        self.needed = QLabel()
        self.needed.setObjectName("qualifyNeeded")
        self.form = QFormLayout()
        self.checks: dict[str, tuple[QCheckBox, QLineEdit]] = {}
        self.save_button = QPushButton("Save checklist  (Ctrl+S)")
        self.save_button.setObjectName("saveQualification")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.meter)
        layout.addWidget(self.needed)
        layout.addLayout(self.form)
        layout.addWidget(self.save_button)
        layout.addStretch(1)

    def set_framework(self, fw: Framework, threshold: int) -> None:
        self.threshold = threshold
        if self.framework is not None and fw.key == self.framework.key:
            return
        self.framework = fw
        self.title.setText(f"{fw.name}: {fw.description}" if fw.description else fw.name)
        while self.form.rowCount():
            self.form.removeRow(0)
        self.checks = {}
        for c in fw.criteria:
            box = QCheckBox(c.label)
            box.setObjectName(f"met_{c.key}")
            box.setToolTip(c.question)
            evidence = QLineEdit()
            evidence.setObjectName(f"evidence_{c.key}")
            evidence.setPlaceholderText(c.question or "Evidence")
            box.toggled.connect(self._update_meter)
            self.form.addRow(box, evidence)
            self.checks[c.key] = (box, evidence)
        self.meter.setMaximum(len(fw.criteria))

    def show_answers(self, qualification: str | None) -> None:
        try:
            answers = json.loads(qualification) if qualification else {}
        except ValueError:
            answers = {}
        for key, (box, evidence) in self.checks.items():
            a = answers.get(key) if isinstance(answers, dict) else None
            a = a if isinstance(a, dict) else {}
            box.setChecked(bool(a.get("met")))
            evidence.setText(str(a.get("evidence") or ""))
        self._update_meter()

    def answers(self) -> dict[str, dict]:
        return {k: {"met": box.isChecked(), "evidence": ev.text()} for k, (box, ev) in self.checks.items()}

    def met(self) -> int:
        return sum(1 for box, _ in self.checks.values() if box.isChecked())

    def _update_meter(self, *_args) -> None:
        met = self.met()
        self.meter.setValue(met)
        if met >= self.threshold:
            self.needed.setText(f"Ready to qualify ({self.threshold} needed).")
        else:
            self.needed.setText(f"{self.threshold - met} more needed to qualify ({self.threshold} of "
                                f"{len(self.checks)}).")
        self.needed.setTextFormat(Qt.TextFormat.PlainText)

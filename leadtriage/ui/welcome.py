"""Shown while the database has no leads: what the app is for, and how to start."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    import_requested = Signal()
    demo_requested = Signal()
    settings_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        title = QLabel("Welcome to LeadTriage")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "LeadTriage is your queue of raw leads: call them, capture their pain points and buying plans, "
            "and decide what to qualify, nurture or drop. Qualified leads go to field sales as briefs, and "
            "their outcomes come back so you can see which sources start real sales cycles."
        )
        intro.setWordWrap(True)
        intro.setMaximumWidth(560)
        self.import_button = QPushButton("Import a lead list…")
        self.demo_button = QPushButton("Load demo data")
        self.settings_button = QPushButton("Settings…")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.import_requested)
        self.demo_button.clicked.connect(self.demo_requested)
        self.settings_button.clicked.connect(self.settings_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.import_button, self.demo_button, self.settings_button):
            b.setMinimumHeight(36)
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.status = QLabel("")
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        for w in (title, intro):
            layout.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addWidget(self.status, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(3)

    def set_busy(self, message: str) -> None:
        self.status.setText(message)
        for b in (self.import_button, self.demo_button):
            b.setEnabled(not message)

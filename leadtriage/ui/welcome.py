"""Shown while the database has no leads: what the app is for, and how to start."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from leadtriage import APP_NAME

INTRO = (
    "LeadTriage is your queue of raw leads: call them, capture their pain points and buying "
    "plans, and decide what to qualify, nurture or drop. Qualified leads go to field sales as "
    "briefs, and their outcomes come back so you can see which sources start real sales cycles."
)
COLUMN_WIDTH = 600


class WelcomePage(QWidget):
    import_requested = Signal()
    demo_requested = Signal()
    settings_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("welcome")
        self.icon = QLabel()
        icon = QGuiApplication.windowIcon()
        if not icon.isNull():
            self.icon.setPixmap(icon.pixmap(96, 96))
        self.title = QLabel(f"Welcome to {APP_NAME}")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.title.setFont(font)
        self.intro = QLabel(INTRO)
        self.intro.setWordWrap(True)
        self.intro.setAlignment(Qt.AlignmentFlag.AlignHCenter)

        self.import_button = QPushButton("Import a lead list…")
        self.demo_button = QPushButton("Load demo data")
        self.settings_button = QPushButton("Settings…")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.import_requested)
        self.demo_button.clicked.connect(self.demo_requested)
        self.settings_button.clicked.connect(self.settings_requested)
        self.actions_grid = QGridLayout()
        self.actions_grid.setHorizontalSpacing(16)
        self.actions_grid.setVerticalSpacing(10)
        self._action_rows: dict[str, tuple[QPushButton, QLabel]] = {}
        for row, (signal, button, text) in enumerate((
            ("import_requested()", self.import_button,
             "A CSV or Excel file from a trade show, webinar, list vendor or web form. "
             "The file itself is never changed."),
            ("demo_requested()", self.demo_button,
             "2,000 realistic leads in every stage, to try the app before your own list."),
            ("settings_requested()", self.settings_button,
             "Your name, phone region, calling hours and the field reps you hand leads to."),
        )):
            button.setMinimumHeight(36)
            button.setMinimumWidth(180)
            hint = QLabel(text)
            hint.setWordWrap(True)
            hint.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            self.actions_grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            self.actions_grid.addWidget(hint, row, 1, Qt.AlignmentFlag.AlignVCenter)
            self._action_rows[signal] = (button, hint)
        self.status = QLabel("")
        self.status.setAlignment(Qt.AlignmentFlag.AlignHCenter)

        column = QWidget()
        column.setFixedWidth(COLUMN_WIDTH)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addSpacing(8)
        inner.addWidget(self.title, 0, Qt.AlignmentFlag.AlignHCenter)
        inner.addSpacing(8)
        inner.addWidget(self.intro)
        inner.addSpacing(24)
        inner.addLayout(self.actions_grid)
        inner.addSpacing(12)
        inner.addWidget(self.status)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addLayout(row)
        layout.addStretch(3)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        self.sync_actions()
        super().showEvent(event)

    def sync_actions(self) -> None:
        """Offer only what this build can do: an action nobody listens to (a screen not
        wired into the main window yet) is hidden rather than a button that does nothing."""
        meta = self.metaObject()
        for signature, (button, hint) in self._action_rows.items():
            wired = self.isSignalConnected(meta.method(meta.indexOfSignal(signature)))
            button.setVisible(wired)
            hint.setVisible(wired)

    def set_busy(self, message: str) -> None:
        self.status.setText(message)
        for b in (self.import_button, self.demo_button):
            b.setEnabled(not message)

"""Search as you type: a line edit that waits ~150 ms after the last keystroke
before asking, so fast typing costs one query rather than one per letter."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit

DEBOUNCE_MS = 150


class SearchBox(QLineEdit):
    search_changed = Signal(str)  # debounced text
    go_down = Signal()  # Down / Enter: move into the results

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("searchBox")
        self.setPlaceholderText("Search name, company, e-mail, phone or lead ID  (Ctrl+F)")
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)
        self._sent = ""
        self.textChanged.connect(lambda _: self._timer.start())

    def flush(self) -> None:
        """Send the current text now (Enter does this; tests too)."""
        self._timer.stop()
        text = self.text()
        if text != self._sent:
            self._sent = text
            self.search_changed.emit(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape and self.text():
            self.clear()
            self.flush()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
            self.flush()
            self.go_down.emit()
            return
        super().keyPressEvent(event)

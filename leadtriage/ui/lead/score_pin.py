"""A rep's own priority for a lead: "Pin…" next to the score. A pinned priority
stays through retrains until the rep clears it; the score shows "(pinned)"."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QInputDialog, QMenu, QToolButton


class ScorePin(QToolButton):
    pin_requested = Signal(object)  # 0-100, or None to clear

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("scorePin")
        self.setText("Pin…")
        self.setToolTip("Set this lead's priority by hand; it stays until you clear it")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self)
        self.pin_action = menu.addAction("Pin priority…", self._ask)
        self.clear_action = menu.addAction("Clear pinned priority", lambda: self.pin_requested.emit(None))
        self.setMenu(menu)
        self._current = 0
        self.set_state(None, 0)

    def set_state(self, pinned: int | None, score: int) -> None:
        self._current = pinned if pinned is not None else score
        self.clear_action.setEnabled(pinned is not None)
        self.setText("Pinned" if pinned is not None else "Pin…")

    def _ask(self) -> None:
        value, ok = QInputDialog.getInt(self, "Pin priority", "Priority for this lead (0-100):",
                                        int(self._current or 0), 0, 100)
        if ok:
            self.pin_requested.emit(value)

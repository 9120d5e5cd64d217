"""Score reason chips: small rounded labels that read well in light and dark themes
(the only fixed colours in the workspace: a mid green / red tint on text in the
palette's own colour)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from leadtriage.scoring.current import PINNED_CHIP
from leadtriage.scoring.learned import is_probability_factor
from leadtriage.ui.lead.flow_layout import FlowLayout

POSITIVE = "background: rgba(46, 160, 67, 0.22); border: 1px solid rgba(46, 160, 67, 0.6);"
NEGATIVE = "background: rgba(218, 54, 51, 0.20); border: 1px solid rgba(218, 54, 51, 0.6);"
NEUTRAL = "background: rgba(128, 128, 128, 0.18); border: 1px solid rgba(128, 128, 128, 0.5);"
MAX_CHIPS = 8


def chip(text: str, style: str = NEUTRAL) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet(f"QLabel {{ {style} border-radius: 8px; padding: 1px 6px; }}")
    return label


class ChipRow(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        # Wraps onto more lines rather than clipping a chip.
        self._layout = FlowLayout(self)

    def texts(self) -> list[str]:
        return [self._layout.itemAt(i).widget().text() for i in range(self._layout.count())]

    def set_chips(self, reasons: list[str]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            item.widget().deleteLater()
        for text in reasons[:MAX_CHIPS]:
            factor = is_probability_factor(text)  # learned: "Source Referral: 3× the average"
            if factor is not None:
                style = POSITIVE if factor else NEGATIVE
            elif text == PINNED_CHIP:
                style = NEUTRAL
            else:  # rules: "Logistics +15", "4 tries, no answer −5"
                style = NEGATIVE if "−" in text.rsplit(" ", 1)[-1] else POSITIVE
            self._layout.addWidget(chip(text, style))
        self._layout.invalidate()

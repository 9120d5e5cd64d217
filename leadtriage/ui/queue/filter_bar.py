"""Filters over the queue: source, campaign, status, owner, score range and
"callable now". Emits a `reads.queue.Filters` whenever the rep changes one."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leadtriage.domain.status import LABELS
from leadtriage.reads.queue import Filters

ANY = "Any"


class FilterBar(QWidget):
    changed = Signal(object)  # Filters

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("filterBar")
        # Two rows, so the bar fits a narrow middle column.
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        first, layout = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(first)
        rows.addLayout(layout)
        self.source = self._combo("Source", first)
        self.campaign = self._combo("Campaign", first)
        self.status = self._combo("Status", first)
        for status, label in LABELS.items():
            self.status.addItem(label, status.value)
        self.owner = self._combo("Owner", first)
        layout.addWidget(QLabel("Score"))
        self.score_min = QSpinBox()
        self.score_max = QSpinBox()
        for box, value, name in ((self.score_min, 0, "Minimum score"), (self.score_max, 100, "Maximum score")):
            box.setRange(0, 100)
            box.setValue(value)
            box.setAccessibleName(name)
            box.setToolTip(name)
            box.valueChanged.connect(self._emit)
            layout.addWidget(box)
        self.callable_now = QCheckBox("Callable now")
        self.callable_now.setToolTip("Only leads inside calling hours in their own time zone, weekdays, "
                                     "with a phone number and not do-not-call")
        self.callable_now.toggled.connect(self._emit)
        layout.addWidget(self.callable_now)
        self.clear_button = QToolButton()
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip("Clear filters")
        self.clear_button.clicked.connect(self.clear)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)
        self._quiet = False
        self.clear_button.setEnabled(False)

    def _combo(self, name: str, layout: QHBoxLayout) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setToolTip(name)
        combo.addItem(f"{name}: {ANY}", None)
        # Shrinkable, so the filter row never dictates the window's minimum width.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(4)
        combo.setMaximumWidth(200)
        combo.currentIndexChanged.connect(self._emit)
        layout.addWidget(combo)
        return combo

    def set_options(self, options: dict[str, list[str]]) -> None:
        """Fill the choices (from `reads.queue.filter_options`), keeping selections."""
        self._quiet = True
        try:
            for combo, key in ((self.source, "sources"), (self.campaign, "campaigns"), (self.owner, "owners")):
                current = combo.currentData()
                while combo.count() > 1:
                    combo.removeItem(1)
                for value in options.get(key, []):
                    combo.addItem(value, value)
                found = combo.findData(current) if current is not None else 0
                combo.setCurrentIndex(max(0, found))
        finally:
            self._quiet = False

    def filters(self) -> Filters:
        def one(combo: QComboBox) -> tuple[str, ...]:
            value = combo.currentData()
            return () if value is None else (value,)

        low, high = self.score_min.value(), self.score_max.value()
        return Filters(
            sources=one(self.source), campaigns=one(self.campaign), statuses=one(self.status),
            owners=one(self.owner), score_min=low if low > 0 else None, score_max=high if high < 100 else None,
            callable_now=self.callable_now.isChecked(),
        )

    def clear(self) -> None:
        self._quiet = True
        try:
            for combo in (self.source, self.campaign, self.status, self.owner):
                combo.setCurrentIndex(0)
            self.score_min.setValue(0)
            self.score_max.setValue(100)
            self.callable_now.setChecked(False)
        finally:
            self._quiet = False
        self._emit()

    def _emit(self, *_args) -> None:
        if self._quiet:
            return
        if self.score_min.value() > self.score_max.value():
            self.score_max.setValue(self.score_min.value())  # re-enters _emit once, with a sane range
            return
        filters = self.filters()
        self.clear_button.setEnabled(filters.active)
        self.changed.emit(filters)

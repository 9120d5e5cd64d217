"""The sidebar: queue views with live counts (and Today's overdue callbacks)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from leadtriage.reads.queue import QUEUE_VIEWS, TODAY, QueueView

Index = QModelIndex | QPersistentModelIndex
# The first nine get Ctrl+1..9.
SIDEBAR_ORDER = ("today", "new", "attempting", "engaged", "nurture_due", "qualified", "handed_off", "all",
                 "disqualified", "rejected", "opportunity", "nurture")


class ViewListModel(QAbstractListModel):
    ViewKeyRole = Qt.ItemDataRole.UserRole + 1
    CountRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent=None):
        super().__init__(parent)
        self.views: list[QueueView] = [QUEUE_VIEWS[k] for k in SIDEBAR_ORDER]
        self.counts: dict[str, int] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.views)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.views):
            return None
        view = self.views[index.row()]
        count = self.counts.get(view.key)
        if role == Qt.ItemDataRole.DisplayRole:
            text = view.label if count is None else f"{view.label}  ({count:,})"
            if view.key == TODAY and self.counts.get("overdue"):
                text += f"\n{self.counts['overdue']:,} overdue"  # own line: fits a narrow sidebar
            return text
        if role == self.ViewKeyRole:
            return view.key
        if role == self.CountRole:
            return count
        if role == Qt.ItemDataRole.ToolTipRole:
            number = self.views.index(view) + 1
            keys = f" (Ctrl+{number})" if number <= 9 else ""
            return (view.description or view.label) + keys
        if view.key == TODAY and self.counts.get("overdue"):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(190, 30, 30))
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return None

    def set_counts(self, counts: dict[str, int]) -> None:
        self.counts.update(counts)
        if self.views:
            self.dataChanged.emit(self.index(0), self.index(len(self.views) - 1))

    def row_of(self, key: str) -> int:
        return next((i for i, v in enumerate(self.views) if v.key == key), 0)

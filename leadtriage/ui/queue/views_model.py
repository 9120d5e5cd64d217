"""The sidebar: queue views with live counts."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from leadtriage.store.queue import VIEWS, View

Index = QModelIndex | QPersistentModelIndex
SIDEBAR_ORDER = ("new", "attempting", "engaged", "nurture", "qualified", "handed_off", "rejected",
                 "opportunity", "all", "disqualified")


class ViewListModel(QAbstractListModel):
    ViewKeyRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self.views: list[View] = [VIEWS[k] for k in SIDEBAR_ORDER]
        self.counts: dict[str, int] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.views)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        view = self.views[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            count = self.counts.get(view.key)
            return view.label if count is None else f"{view.label}  ({count:,})"
        if role == self.ViewKeyRole:
            return view.key
        if role == Qt.ItemDataRole.ToolTipRole:
            return view.label
        return None

    def set_counts(self, counts: dict[str, int]) -> None:
        self.counts = dict(counts)
        if self.views:
            self.dataChanged.emit(self.index(0), self.index(len(self.views) - 1))

    def row_of(self, key: str) -> int:
        return next((i for i, v in enumerate(self.views) if v.key == key), 0)

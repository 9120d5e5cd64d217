"""Small read-only table models for the import screens (plain data in, text out)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class TextTableModel(QAbstractTableModel):
    """A list of rows (lists of text) under a header; cells beyond a ragged row are blank."""

    def __init__(self, headers: list[str] | None = None, rows: list[list[Any]] | None = None, parent=None):
        super().__init__(parent)
        self._headers = list(headers or [])
        self._rows = list(rows or [])

    def set_rows(self, headers: list[str], rows: list[list[Any]]) -> None:
        self.beginResetModel()
        self._headers = list(headers)
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        value = row[index.column()] if index.column() < len(row) else ""
        if role == Qt.ItemDataRole.DisplayRole:
            text = "" if value is None else str(value)
            return text if len(text) <= 200 else text[:200] + "…"
        if role == Qt.ItemDataRole.ToolTipRole and value and len(str(value)) > 40:
            return str(value)[:2000]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if section < len(self._headers) else ""
        return str(section + 1)

    def row_values(self, row: int) -> list[Any]:
        return self._rows[row]

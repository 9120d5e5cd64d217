"""The lead table: a QAbstractTableModel over SQLite, fetched in keyset pages.

Only the rows scrolled into view so far are in memory; `fetchMore` asks the store
for the next page after the last row's sort key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from leadtriage.domain.status import LABELS, Status
from leadtriage.store import queue
from leadtriage.store.queue import LeadRow, View
from leadtriage.store.timeutil import from_db

Index = QModelIndex | QPersistentModelIndex
PAGE = 200


def _when(text: str | None) -> str:
    moment = from_db(text)
    return moment.astimezone().strftime("%d %b %H:%M") if moment else ""


COLUMNS: tuple[tuple[str, Callable[[LeadRow], object]], ...] = (
    ("Name", lambda r: r.name),
    ("Company", lambda r: r.company or ""),
    ("Title", lambda r: r.title or ""),
    ("Status", lambda r: LABELS.get(Status(r.status), r.status)),
    ("Score", lambda r: r.score),
    ("Next action", lambda r: _when(r.next_action_at)),
    ("Last touch", lambda r: _when(r.last_touch_at)),
    ("Source", lambda r: r.source or ""),
    ("Campaign", lambda r: r.campaign or ""),
    ("Lead ID", lambda r: r.public_id),
)


class LeadTableModel(QAbstractTableModel):
    LeadIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, conn: sqlite3.Connection, parent=None):
        super().__init__(parent)
        self._conn = conn
        self._view: View = queue.VIEWS["all"]
        self._rows: list[LeadRow] = []
        self._exhausted = True

    # -- loading ---------------------------------------------------------------------

    def set_view(self, view: View) -> None:
        self.beginResetModel()
        self._view = view
        self._rows = queue.page(self._conn, view, None, PAGE)
        self._exhausted = len(self._rows) < PAGE
        self.endResetModel()

    def reload(self) -> None:
        self.set_view(self._view)

    @property
    def view(self) -> View:
        return self._view

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or not self._rows:
            return
        more = queue.page(self._conn, self._view, self._view.sort_key(self._rows[-1]), PAGE)
        self._exhausted = len(more) < PAGE
        if more:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
            self._rows.extend(more)
            self.endInsertRows()

    # -- Qt model API ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[index.column()][1](row)
        if role == self.LeadIdRole:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()][0] == "Score":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and row.do_not_call:
            return "Do not call"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return None

    def lead_id(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None

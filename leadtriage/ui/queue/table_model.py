"""The lead table: a QAbstractTableModel over SQLite, fetched in keyset pages.

Only the rows scrolled into view so far are in memory; `fetchMore` asks the store
for the next page after the last row's sort key (see `store.queue.plan/fetch`). The
plan is made once per load with a fixed `now`, so paging never shuffles rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication

from leadtriage.domain import localtime
from leadtriage.domain.status import LABELS, Status
from leadtriage.scoring.current import score_tooltip
from leadtriage.store import queue
from leadtriage.store.queue import Cursor, LeadRow, Moment, QueueItem, QueueQuery
from leadtriage.store.timeutil import from_db

Index = QModelIndex | QPersistentModelIndex
PAGE = 100
RELOAD_ROWS = 2000  # a refresh re-reads at most this many rows to keep the rep's place


def utc_now() -> datetime:
    return datetime.now(UTC)


def _when(text: str | None) -> str:
    moment = from_db(text)
    return moment.astimezone().strftime("%d %b %H:%M") if moment else ""


def _status(value: str) -> str:
    try:
        return LABELS[Status(value)]
    except ValueError:
        return value


# (header, sort key or None, display function)
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Priority", "priority"),
    ("Name", "name"),
    ("Company", "company"),
    ("Title", None),
    ("Status", None),
    ("Score", "score"),
    ("Next action", "next_action"),
    ("Last touch", "last_touch"),
    ("Local time", "local_time"),
    ("Source", None),
    ("Campaign", None),
    ("Owner", None),
    ("Lead ID", None),
)
COL = {name: i for i, (name, _) in enumerate(COLUMNS)}
DNC_TEXT = "Do not call: this lead must not be phoned"


def dnc_icon() -> QIcon:
    """A red no-entry sign, drawn once (no bitmap resources to ship)."""
    pixmap = QPixmap(16, 16)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(200, 30, 30))
    painter.drawEllipse(1, 1, 14, 14)
    painter.setPen(QPen(QColor("white"), 2.5))
    painter.drawLine(4, 8, 12, 8)
    painter.end()
    return QIcon(pixmap)


class LeadTableModel(QAbstractTableModel):
    LeadIdRole = Qt.ItemDataRole.UserRole + 1
    BandRole = Qt.ItemDataRole.UserRole + 2
    CallableRole = Qt.ItemDataRole.UserRole + 3

    loaded = Signal()  # after a (re)load: rows, sort or filters changed

    def __init__(self, conn: sqlite3.Connection, parent=None, *, clock: Callable[[], datetime] = utc_now,
                 local_tz=None, calling_hours: localtime.CallingHours = localtime.DEFAULT_HOURS,
                 default_region: str = "US"):
        super().__init__(parent)
        self._conn = conn
        self._clock = clock
        self._local_tz = local_tz
        self.calling_hours = calling_hours
        self.default_region = default_region
        self._query = QueueQuery("all")
        self._moment = Moment(clock(), local_tz, calling_hours)
        self._segments: list[queue.Segment] = []
        self._items: list[QueueItem] = []
        self._cursor: Cursor | None = None
        self._icon: QIcon | None = None

    # -- loading ---------------------------------------------------------------------

    @property
    def query(self) -> QueueQuery:
        return self._query

    def set_query(self, query: QueueQuery, min_rows: int = 0) -> None:
        """Load `query`'s first page, or as many pages as hold `min_rows` rows (a
        refresh keeps as much of the list as the rep had scrolled through)."""
        self.beginResetModel()
        self._query = query
        self._moment = Moment(self._clock(), self._local_tz, self.calling_hours)
        self._segments = queue.plan(self._conn, query, self._moment)
        self._items, self._cursor = queue.fetch(self._conn, self._segments, None, max(PAGE, min_rows))
        self.endResetModel()
        self.loaded.emit()

    def set_view(self, key: str) -> None:
        if key not in queue.QUEUE_VIEWS:
            raise KeyError(f"unknown view {key!r}")
        self.set_query(QueueQuery(key, self._query.sort, self._query.descending, self._query.filters,
                                  self._query.search))

    def set_custom(self, label: str, where: str) -> None:
        """Show an ad-hoc set of leads (a dashboard drill-down), newest first."""
        view = queue.QueueView("custom", label, where, (("id", "DESC"),))
        self.set_query(QueueQuery("custom", "priority", False, self._query.filters, "", custom=view))

    def set_sort(self, key: str, descending: bool) -> None:
        self.set_query(replace(self._query, sort=key, descending=descending))

    def set_filters(self, filters: queue.Filters) -> None:
        self.set_query(replace(self._query, filters=filters))

    def set_search(self, text: str) -> None:
        self.set_query(replace(self._query, search=text))

    def reload(self) -> None:
        # As far as the rep scrolled, up to a bound that keeps a refresh quick.
        self.set_query(self._query, min_rows=min(len(self._items), RELOAD_ROWS))

    def refresh_lead(self, lead_id: int) -> bool:
        """Re-read one lead's row after the rep changed it, in place: the row keeps its
        place (and the selection, and the pages after it) until the next reload; its
        status, score, times and band show what was saved. The row's sort key stays
        as it was read, so the next page still continues after it."""
        row = self.row_of(lead_id)
        if row < 0:
            return False
        fresh = queue.lead_row(self._conn, lead_id)
        if fresh is None:
            return False
        old = self._items[row]
        self._moment = Moment(self._clock(), self._local_tz, self.calling_hours)
        band = self._derived_band(fresh, today=self._query.view == queue.TODAY and not self._query.search.strip()
                                  and self._query.custom is None)
        self._items[row] = QueueItem(fresh, band, old.key)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        return True

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        # Re-entrancy guard: a slot on rowsInserted (a view, Qt's model tester) may ask
        # for more while this insert is still being announced.
        if parent.isValid() or self._cursor is None or getattr(self, "_fetching", False):
            return
        self._fetching = True
        try:
            more, self._cursor = queue.fetch(self._conn, self._segments, self._cursor, PAGE)
            if more:
                first = len(self._items)
                self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
                self._items.extend(more)
                self.endInsertRows()
        finally:
            self._fetching = False

    # -- sorting (header clicks) -----------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or COLUMNS[column][1] is None:
            return  # not a sortable column; the view puts the indicator back
        key = COLUMNS[column][1]
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._query.sort, self._query.descending):
            self.set_sort(key, descending)

    @staticmethod
    def is_sortable(column: int) -> bool:
        return 0 <= column < len(COLUMNS) and COLUMNS[column][1] is not None

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        column = next(i for i, (_, k) in enumerate(COLUMNS) if k == self._query.sort)
        order = Qt.SortOrder.DescendingOrder if self._query.descending else Qt.SortOrder.AscendingOrder
        return column, order

    # -- Qt model API ----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        row = item.row
        name = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, name)
        if role == self.LeadIdRole:
            return row.id
        if role == self.BandRole:
            return item.band
        if role == self.CallableRole:
            return self.is_callable(row)
        if role == Qt.ItemDataRole.DecorationRole and name == "Name" and row.do_not_call:
            if self._icon is None:
                self._icon = dnc_icon()
            return self._icon
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.do_not_call:
                return DNC_TEXT
            if name == "Local time":
                return self._local_tooltip(row)
            if name == "Score":
                return score_tooltip(self._conn, row.id)  # one indexed read, only on hover
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and name == "Score":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if name == "Priority" and self._band(item) == "Overdue":
                return QBrush(QColor(190, 30, 30))
            if name == "Local time" and not self.callable_now(row):
                return QApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.FontRole and name == "Priority" and self._band(item) == "Overdue":
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _band(self, item: QueueItem) -> str:
        """Today's band for the row; in other views the same words, worked out from
        the row, so "Overdue" means the same thing everywhere."""
        if item.band:
            return item.band
        return self._derived_band(item.row)

    def _derived_band(self, row: LeadRow, today: bool = False) -> str:
        if today and row.status == "new" and not row.do_not_call:
            return "New"
        if today and row.status == "attempting" and not row.next_action_at and not row.do_not_call:
            return "Attempt due"
        if not row.next_action_at:
            return ""
        params = self._moment.params()
        callback = row.status in ("engaged", "rejected") or (row.status == "attempting" and row.connects)
        if callback:
            if row.next_action_at < params["now"]:
                return "Overdue"
            return "Due today" if row.next_action_at < params["day_end"] else ""
        if row.status == "attempting" and row.next_action_at <= params["now"]:
            return "Attempt due"
        if row.status == "nurture" and row.next_action_at <= params["now"]:
            return "Resurfacing"
        return ""

    def _display(self, item: QueueItem, name: str):
        row = item.row
        if name == "Priority":
            band = self._band(item)
            return f"{band} · DNC" if row.do_not_call and band else ("DNC" if row.do_not_call else band)
        if name == "Name":
            return row.name
        if name == "Company":
            return row.company or ""
        if name == "Title":
            return row.title or ""
        if name == "Status":
            return _status(row.status)
        if name == "Score":
            return row.score
        if name == "Next action":
            return _when(row.next_action_at)
        if name == "Last touch":
            return _when(row.last_touch_at)
        if name == "Local time":
            local = localtime.local_time(self.zone_of(row), self._clock())
            return local.strftime("%a %H:%M") if local else "?"
        if name == "Source":
            return row.source or ""
        if name == "Campaign":
            return row.campaign or ""
        if name == "Owner":
            return row.owner or ""
        if name == "Lead ID":
            return row.public_id
        return None

    def _local_tooltip(self, row: LeadRow) -> str:
        tz = self.zone_of(row)
        if tz is None:
            return "Time zone unknown (no zone, phone prefix or single-zone country)"
        hours = self.calling_hours
        state = "inside" if self.callable_now(row) else "outside"
        return (f"{tz.key}: {state} calling hours "
                f"({hours.start:%H:%M}–{hours.end:%H:%M}, Monday to Friday, lead's local time)")

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section][1]:
            return "Click to sort (by last name)" if COLUMNS[section][1] == "name" else "Click to sort"
        return None

    # -- questions the window and the workspace ask ------------------------------------

    def lead_id(self, row: int) -> int | None:
        return self._items[row].row.id if 0 <= row < len(self._items) else None

    def lead_row(self, row: int) -> LeadRow | None:
        return self._items[row].row if 0 <= row < len(self._items) else None

    def row_of(self, lead_id: int) -> int:
        return next((i for i, it in enumerate(self._items) if it.row.id == lead_id), -1)

    def zone_of(self, row: LeadRow):
        return localtime.lead_zone(row.timezone, row.phone, row.country, self.default_region)

    @staticmethod
    def is_callable(row: LeadRow | dict) -> bool:
        """May this lead be offered for a call at all? Never when do-not-call, never
        without a phone number. (Whether it is a good *time* is `callable_now`.)"""
        get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
        return not get("do_not_call") and bool(get("phone"))

    def callable_now(self, row: LeadRow) -> bool:
        return self.is_callable(row) and localtime.within_hours(self.zone_of(row), self._clock(),
                                                                self.calling_hours)

    def nobody_callable_reason(self) -> str:
        """Why "Callable now" lists nobody: the weekend, before or after hours, by zone."""
        return localtime.explain_nobody_callable(queue.zones_in_use(self._conn), self._clock(), self.calling_hours)

    def refresh_clock_columns(self) -> None:
        """Local times move on; repaint that column (cheap: no query)."""
        if self._items:
            column = COL["Local time"]
            self.dataChanged.emit(self.index(0, column), self.index(len(self._items) - 1, column))

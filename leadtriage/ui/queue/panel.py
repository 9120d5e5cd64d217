"""The queue column of the main window: search, filters, the lead table, the line
about the list under it, and "next lead".

It tells the window which lead the rep selected (`selection_changed`), opened with
Enter (`activated`), or that the open lead left the list (`open_lead_gone`); the
window decides what opening a lead means (the workspace, the cadence panel).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QSignalBlocker,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leadtriage.domain import localtime
from leadtriage.reads import queue
from leadtriage.ui.queue.filter_bar import FilterBar
from leadtriage.ui.queue.search_box import SearchBox
from leadtriage.ui.queue.table_model import COL, LeadTableModel
from leadtriage.ui.queue.views_model import ViewListModel

log = logging.getLogger(__name__)

COLUMN_WIDTHS = (("Priority", 90), ("Name", 160), ("Company", 170), ("Title", 150), ("Status", 90),
                 ("Score", 50), ("Next action", 105), ("Last touch", 105), ("Local time", 80))


class QueuePanel(QWidget):
    selection_changed = Signal(object)  # the one selected lead's id, or None
    activated = Signal(int)  # Enter or double-click on a row
    open_lead_gone = Signal()  # after a reload, the open lead is no longer listed
    message = Signal(str, int)  # for the status bar: text, milliseconds

    def __init__(self, store, views: ViewListModel, prefs, clock: Callable[[], datetime], parent=None):
        super().__init__(parent)
        self.setObjectName("queueArea")
        self.views = views
        self.open_lead_id: int | None = None  # the window keeps it current
        try:
            hours = localtime.CallingHours.parse(prefs.get("calling_hours_start"), prefs.get("calling_hours_end"))
        except ValueError as exc:
            log.warning("calling hours setting ignored: %s", exc)
            hours = localtime.DEFAULT_HOURS
        self.leads = LeadTableModel(store, self, clock=clock, calling_hours=hours,
                                    default_region=prefs.get("default_region") or "US")
        self.search = SearchBox()
        self.search.search_changed.connect(self.leads.set_search)
        self.search.go_down.connect(self._enter_results)
        self.filters = FilterBar()
        self.filters.changed.connect(self.leads.set_filters)
        self.table = self._build_table()
        self.list_info = QLabel()
        self.list_info.setObjectName("listInfo")
        self.list_info.setTextFormat(Qt.TextFormat.PlainText)
        self.list_info.setWordWrap(True)  # a long explanation wraps instead of widening the window
        self.leads.loaded.connect(self.update_list_info)
        self.leads.loaded.connect(self._keep_open_lead)
        # A new order or view starts at its top. (Left at the bottom, the view would
        # also ask at once for a second page nobody is looking at.)
        self.leads.modelAboutToBeReset.connect(self.table.scrollToTop)
        self.leads.rowsInserted.connect(self.update_list_info)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.list_info)

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("leadTable")
        table.setModel(self.leads)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(26)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._sort_indicator_changed)
        for name, width in COLUMN_WIDTHS:
            table.setColumnWidth(COL[name], width)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.activated.connect(self._activated)
        table.selectionModel().selectionChanged.connect(self._selection_changed)
        return table

    def add_band(self, widget: QWidget) -> None:
        """A band above the search (the reminders' due band)."""
        self.layout().insertWidget(0, widget)

    # -- the list ---------------------------------------------------------------------

    def update_list_info(self, *_args) -> None:
        query = self.leads.query
        shown = self.leads.rowCount()
        more = "+" if self.leads.canFetchMore() else ""
        if query.search.strip():
            if queue.fts_query(query.search) is None and queue.phone_digits(query.search) is None:
                text = "Type at least two letters or digits to search."
            else:
                noun = "match" if shown == 1 and not more else "matches"
                text = f"{shown:,}{more} {noun} in all leads, newest first"
        else:
            view = queue.view_of(query)
            total = self.views.counts.get(view.key)
            text = f"{view.label}: {shown:,}{more} shown"
            if total is not None and not query.filters.active:
                text += f" of {total:,}"
        if query.filters.active:
            text += " (filtered)"
        if query.filters.callable_now and not shown and not query.search.strip():
            text += ". " + self.leads.nobody_callable_reason()
        self.list_info.setText(text)

    def show_view(self, key: str) -> None:
        if self.search.text():
            self.search.blockSignals(True)  # one reload below, not two
            self.search.clear()
            self.search.flush()
            self.search.blockSignals(False)
            self.leads.set_query(queue.QueueQuery(key, self.leads.query.sort, self.leads.query.descending,
                                                  self.leads.query.filters, ""))
        else:
            self.leads.set_view(key)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _enter_results(self) -> None:
        if self.leads.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            self.table.selectRow(0)

    def _sort_indicator_changed(self, column: int, _order: Qt.SortOrder) -> None:
        if not self.leads.is_sortable(column):
            current, order = self.leads.sort_column()
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(current, order)
            header.blockSignals(False)
            self.message.emit("This column cannot be sorted.", 3000)

    # -- selection ----------------------------------------------------------------------

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.selection_changed.emit(self.leads.lead_id(rows[0].row()) if len(rows) == 1 else None)

    def _activated(self, index: QModelIndex) -> None:
        lead_id = self.leads.lead_id(index.row())
        if lead_id is not None:
            self.activated.emit(lead_id)

    def select_next_lead(self) -> int | None:
        """Move to the next row of the current view's order and select it ("save and
        next"). Returns the lead id, or None at the end of the list."""
        current = self.table.currentIndex()
        if current.isValid():
            row = current.row() + 1
        else:
            rows = self.table.selectionModel().selectedRows()
            row = max((r.row() for r in rows), default=-1) + 1
        if row >= self.leads.rowCount() and self.leads.canFetchMore():
            self.leads.fetchMore()
        if row >= self.leads.rowCount():
            self.message.emit("That was the last lead in this list.", 5000)
            return None
        index = self.leads.index(row, max(0, current.column()))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return self.leads.lead_id(row)

    def select_lead(self, lead_id: int) -> bool:
        """Select a listed lead (which opens it); False when it is not listed."""
        row = self.leads.row_of(lead_id)
        if row < 0:
            return False
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(self.leads.index(row, 1), flags)
        self.table.scrollTo(self.leads.index(row, 1))
        return True

    def _keep_open_lead(self) -> None:
        """After a reload the open lead stays selected when it is still listed (without
        opening it again); when it left the list, the window empties its panel."""
        row = self.leads.row_of(self.open_lead_id) if self.open_lead_id is not None else -1
        if row < 0:
            if self.open_lead_id is not None:
                self.open_lead_gone.emit()
            return
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        self.table.selectRow(row)
        selection.blockSignals(False)
        self.table.scrollTo(self.leads.index(row, 0))  # a refresh (F5) keeps the rep's place
        self.table.viewport().update()

    def reselect(self, lead_id: int | None) -> None:
        """Put the selection back on `lead_id` without telling anyone (the rep may not
        leave a lead yet)."""
        for row in range(self.leads.rowCount()):
            if self.leads.lead_id(row) == lead_id:
                blocker = QSignalBlocker(self.table.selectionModel())
                self.table.selectRow(row)
                del blocker
                self.table.viewport().update()
                return

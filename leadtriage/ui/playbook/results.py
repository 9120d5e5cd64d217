"""Cadence results in the app (Cadences › Cadence results…): the figures of
`leadtriage stats --by cadence`, one row per cadence and one per step, computed off
the UI thread."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leadtriage.playbook.stats import CadenceStats
from leadtriage.ui.lead.timeline import plain_label

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Cadence / step", "Reached", "Done", "Connect rate", "Reply rate", "Meetings", "Sales-cycle starts",
           "Median days to 1st connect")


def _rate(v: float | None) -> str:
    return "—" if v is None else f"{v:.0%}"


class CadenceResultsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[bool, tuple]] = []  # (is a cadence row, cells)

    def set_stats(self, stats: list[CadenceStats]) -> None:
        self.beginResetModel()
        self._rows = []
        for c in stats:
            days = "—" if c.median_days_to_first_connect is None else f"{c.median_days_to_first_connect:.1f}"
            self._rows.append((True, (f"{c.name} ({c.enrolled:,} enrolled, {c.active:,} active)", c.enrolled,
                                      c.touches, _rate(c.connect_rate), _rate(c.reply_rate), c.meetings,
                                      c.sales_cycle_starts, days)))
            for s in c.steps:
                days = "—" if s.median_days_to_first_connect is None else f"{s.median_days_to_first_connect:.1f}"
                self._rows.append((False, (f"   {s.position}. {s.title or s.kind}", s.reached, s.done,
                                           _rate(s.connect_rate), _rate(s.reply_rate), s.meetings,
                                           s.sales_cycle_starts, days)))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        heading, cells = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = cells[index.column()]
            return f"{value:,}" if isinstance(value, int) else value
        if role == Qt.ItemDataRole.FontRole and heading:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None


class CadenceResultsView(QWidget):
    """The results table with its note: a page of the dashboard, and the body of the
    Cadences menu's dialog. `load` computes them off the UI thread, each time asked
    (a big database has hundreds of thousands of enrolments)."""

    def __init__(self, store=None, worker=None, parent=None):
        super().__init__(parent)
        self.store, self.worker = store, worker
        self.model = CadenceResultsModel(self)
        self.table = QTableView()
        self.table.setObjectName("cadenceResults")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # whole headings, whole figures
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.note = plain_label("Computing…")
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)

    def load(self) -> None:
        from leadtriage.reads.playbook import cadence_results

        self.note.setText("Computing…")
        self.worker.run_db(self.store, lambda own, _progress: cadence_results(own), on_done=self.show_stats,
                           on_error=lambda exc: self.note.setText(f"Could not compute the results: {exc}"))

    def show_stats(self, stats: list[CadenceStats]) -> None:
        self.model.set_stats(stats)
        self.note.setText("Leads enrolled at any time. Connect and reply rates are of the touches done at each "
                          "step; meetings and sales-cycle starts are credited to the last step done before them."
                          if stats else "No cadences yet: import one from Cadences › Import cadence file…")


class CadenceResultsDialog(QDialog):
    def __init__(self, store, worker, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Cadence results")
        self.resize(900, 480)
        self.view = CadenceResultsView(store, worker, self)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(box)

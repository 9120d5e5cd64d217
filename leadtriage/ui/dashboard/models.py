"""Table models for the dashboard (source quality, activity, follow-ups). Sorting
goes through a QSortFilterProxyModel on SortRole, which holds raw numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from leadtriage.metrics import ActivityRow, FollowUp, GroupStats, RepFollowUps
from leadtriage.store.timeutil import from_db

Index = QModelIndex | QPersistentModelIndex
SortRole = Qt.ItemDataRole.UserRole + 10
MetricRole = Qt.ItemDataRole.UserRole + 11  # the drill-down metric behind a cell, if any
KeyRole = Qt.ItemDataRole.UserRole + 12  # the row's key (group value, rep, ...)


def money(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"


def pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}" if v < 0.1 else f"{v:.0%}"


Column = tuple[str, Callable[[Any], Any], Callable[[Any], str], str | None]


class RowsModel(QAbstractTableModel):
    """Rows of plain objects shown through a column list: (header, value, text, drill metric)."""

    columns: Sequence[Column] = ()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_object(self, row: int) -> Any:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section][0]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft if section == 0 else Qt.AlignmentFlag.AlignRight) | int(
                Qt.AlignmentFlag.AlignVCenter)
        return None

    def key(self, obj: Any) -> Any:
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        obj = self._rows[index.row()]
        header, value, text, metric = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text(value(obj))
        if role == SortRole:
            v = value(obj)
            if v is None:
                return float("-inf")
            return v if isinstance(v, int | float) else str(v).lower()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            v = value(obj)
            right = isinstance(v, int | float) or v is None
            return int(Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft) | int(
                Qt.AlignmentFlag.AlignVCenter)
        if role == MetricRole:
            return metric
        if role == KeyRole:
            return self.key(obj)
        if role == Qt.ItemDataRole.ToolTipRole and metric:
            return "Double-click to list these leads"
        return None


def _int(v: int) -> str:
    return f"{v:,}"


class GroupModel(RowsModel):
    columns: Sequence[Column] = (
        ("Group", lambda g: g.label, str, "leads"),
        ("Leads", lambda g: g.leads, _int, "leads"),
        ("Qualified", lambda g: g.qualified, _int, "qualified"),
        ("Handed off", lambda g: g.handed_off, _int, "handed_off"),
        ("Opportunities", lambda g: g.opportunities, _int, "opportunities"),
        ("Sales-cycle starts", lambda g: g.sales_cycle_starts, _int, "sales_cycle_starts"),
        ("Won", lambda g: g.won, _int, "won"),
        ("Lead → opp.", lambda g: g.rates.get("lead_to_opportunity"), pct, None),
        ("Cost", lambda g: g.cost, money, None),
        ("Cost / lead", lambda g: g.cost_per_lead, money, None),
        ("Cost / qualified", lambda g: g.cost_per_qualified, money, None),
        ("Cost / opportunity", lambda g: g.cost_per_opportunity, money, None),
    )

    # What each count is, on the header's tooltip: two of them look alike.
    HEADER_TIPS = {
        "Leads": "Leads created in the period.",
        "Qualified": "Of the leads created in the period: qualified at some point.",
        "Handed off": "Of the leads created in the period: handed to field sales.",
        "Opportunities": "Of the leads created in the period: those that have become an opportunity so far "
                         "(a cohort; it grows as those leads mature).",
        "Sales-cycle starts": "Opportunities opened in the period (by opportunity date), whatever period their "
                              "lead was created in: the headline number.",
        "Won": "Of the leads created in the period: won.",
        "Cost": "Spend on the leads created in the period (import batch and campaign costs).",
    }

    def __init__(self, parent=None):
        super().__init__(parent)
        self.currency = ""  # the `currency` setting, shown in the cost headers

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            header = self.columns[section][0]
            if role == Qt.ItemDataRole.DisplayRole and header.startswith("Cost") and self.currency:
                return f"{header} ({self.currency})"
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.HEADER_TIPS.get(header.split(" / ")[0] if header.startswith("Cost") else header)
        return super().headerData(section, orientation, role)

    def set_currency(self, currency: str) -> None:
        if currency != self.currency:
            self.currency = currency
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.columns) - 1)

    def key(self, obj: GroupStats) -> str:
        return obj.label


class ActivityModel(RowsModel):
    columns: Sequence[Column] = (
        ("Day", lambda a: a.day, lambda d: d.strftime("%a %d %b"), "calls"),
        ("Rep", lambda a: a.rep, str, "calls"),
        ("Dials", lambda a: a.dials, _int, "calls"),
        ("Connects", lambda a: a.connects, _int, "calls"),
        ("Conversations", lambda a: a.conversations, _int, "calls"),
        ("Meetings set", lambda a: a.meetings_set, _int, "calls"),
    )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == SortRole and index.isValid() and index.column() == 0:
            return self._rows[index.row()].day.toordinal()
        return super().data(index, role)

    def key(self, obj: ActivityRow) -> tuple:
        return (obj.rep, obj.day)


def _local(text: str | None) -> str:
    moment = from_db(text)
    return moment.astimezone().strftime("%d %b %Y") if moment else ""


class RepFollowUpModel(RowsModel):
    columns: Sequence[Column] = (
        ("Field rep", lambda r: r.field_rep, str, "needs_follow_up"),
        ("Waiting", lambda r: r.count, _int, "needs_follow_up"),
        ("Oldest (business days)", lambda r: max((i.business_days for i in r.items), default=0), _int,
         "needs_follow_up"),
        ("E-mail", lambda r: r.email, str, None),
    )

    def key(self, obj: RepFollowUps) -> str:
        return obj.field_rep


class FollowUpModel(RowsModel):
    columns: Sequence[Column] = (
        ("Lead ID", lambda f: f.public_id, str, None),
        ("Name", lambda f: f.name, str, None),
        ("Company", lambda f: f.company, str, None),
        ("Handed off", lambda f: f.handed_off_at, _local, None),
        ("Business days", lambda f: f.business_days, _int, None),
    )

    def key(self, obj: FollowUp) -> int:
        return obj.lead_id

"""The lead's timeline (every touch, change, import and handoff) and the plain-text
label helper the workspace uses for anything a user or an import wrote."""

from __future__ import annotations

import json
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QLabel

from leadtriage.domain.status import LABELS, Status
from leadtriage.store.timeutil import from_db

Index = QModelIndex | QPersistentModelIndex


def plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # user text is data, never markup
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


KIND_LABELS = {"call": "Call", "email": "E-mail", "meeting": "Meeting", "note": "Note", "status": "Status",
               "import": "Import", "handoff": "Handoff", "outcome": "Outcome", "linkedin": "LinkedIn"}


class TimelineModel(QAbstractTableModel):
    # Two columns: in the narrow side panel a third (notes) column was too thin to
    # read; the notes now run under what happened, over the panel's whole width.
    HEADERS = ("When", "What")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 2

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if col == 0:
            moment = from_db(row["occurred_at"])
            if moment is None:
                return ""
            local = moment.astimezone()
            same_year = local.year == datetime.now().astimezone().year
            return local.strftime("%d %b %H:%M" if same_year else "%d %b %Y")
        what = KIND_LABELS.get(row["kind"], row["kind"])
        if row.get("disposition"):
            what += ": " + row["disposition"].replace("_", " ")
        data = _loads(row.get("data"))
        if row["kind"] == "status" and isinstance(data, dict) and data.get("to"):
            what += f": {_status_label(data.get('from'))} → {_status_label(data['to'])}"
        if row["kind"] == "outcome" and isinstance(data, dict):
            what += _outcome_text(data)
        if row.get("duration_s"):
            what += f" ({row['duration_s'] // 60}:{row['duration_s'] % 60:02d})"
        notes = row.get("notes") or ""
        return f"{what}\n{notes}" if notes else what

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


def _loads(text: str | None):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _outcome_text(data: dict) -> str:
    """": opportunity, 48,000" — what field sales reported, with the amount when one
    came back (the number a rep is asked about first)."""
    text = f": {str(data['outcome']).replace('_', ' ')}" if data.get("outcome") else ""
    amount = data.get("amount")
    if isinstance(amount, int | float) and not isinstance(amount, bool):
        text += f", {amount:,.0f}" if float(amount).is_integer() else f", {amount:,.2f}"
    return text


def _status_label(value: str | None) -> str:
    try:
        return LABELS[Status(value)]
    except ValueError:
        return value or "?"

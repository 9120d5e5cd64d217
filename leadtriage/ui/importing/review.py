"""Possible duplicates side by side (merge / keep both), and the import history
with Undo. Both ask the `Importer` service; neither touches SQL."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leadtriage import APP_NAME
from leadtriage.importing.service import Importer
from leadtriage.metrics.money import format_money
from leadtriage.store.db import Store
from leadtriage.store.settings import SettingsStore
from leadtriage.ui.importing.models import RowsModel

COMPARE = [("public_id", "Lead ID"), ("first_name", "First name"), ("last_name", "Last name"), ("title", "Title"),
           ("company", "Company"), ("email", "E-mail"), ("phone", "Phone"), ("city", "City"), ("country", "Country"),
           ("source", "Source"), ("status", "Status"), ("created_at", "Added (UTC)")]


def _name(lead: dict) -> str:
    return " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p) or "(no name)"


class DuplicatesDialog(QDialog):
    """Emits `changed` after a merge or keep decision."""

    changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Possible duplicates")
        self.setObjectName("duplicatesDialog")
        self.resize(900, 520)
        self.importer = Importer(store)
        self.pairs: list[dict[str, Any]] = []
        self.list_model = RowsModel()
        self.list_view = QTableView()
        self.list_view.setObjectName("duplicatesList")
        self.list_view.setModel(self.list_model)
        self.list_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.verticalHeader().hide()
        self.list_view.horizontalHeader().setStretchLastSection(True)
        self.compare_model = RowsModel()
        self.compare_view = QTableView()
        self.compare_view.setObjectName("duplicatesCompare")
        self.compare_view.setModel(self.compare_model)
        self.compare_view.verticalHeader().hide()
        self.compare_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.merge_button = QPushButton("Merge into the existing lead")
        self.merge_button.setObjectName("mergeButton")
        self.keep_button = QPushButton("Keep both")
        self.keep_button.setObjectName("keepButton")
        self.merge_button.clicked.connect(lambda: self.decide("merge"))
        self.keep_button.clicked.connect(lambda: self.decide("keep"))
        self.empty = QLabel("No possible duplicates are waiting for review.")
        buttons = QHBoxLayout()
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.compare_view, 1)
        right_layout.addLayout(buttons)
        splitter = QSplitter()
        splitter.addWidget(self.list_view)
        splitter.addWidget(right)
        splitter.setSizes([300, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        layout.addWidget(close)
        self.list_view.selectionModel().selectionChanged.connect(self._selected)
        self.reload()

    def reload(self) -> None:
        self.pairs = self.importer.pending_duplicates()
        self.list_model.set_rows(["New lead", "Looks like", "Similarity"], [
            [_name(p["new"]), f"{_name(p['existing'])} · {p['existing'].get('company') or ''}",
             f"{p['similarity']:.0f} %"] for p in self.pairs])
        self.empty.setVisible(not self.pairs)
        if self.pairs:
            self.list_view.selectRow(0)
        else:
            self.compare_model.set_rows(["Field", "New", "Existing"], [])
        self._update_buttons()

    def current(self) -> dict[str, Any] | None:
        rows = self.list_view.selectionModel().selectedRows()
        return self.pairs[rows[0].row()] if rows else None

    def _selected(self, _a: QItemSelection, _b: QItemSelection) -> None:
        pair = self.current()
        if pair is None:
            self.compare_model.set_rows(["Field", "New", "Existing"], [])
        else:
            self.compare_model.set_rows(["Field", "New lead", "Existing lead"], [
                [label, pair["new"].get(key) or "", pair["existing"].get(key) or ""] for key, label in COMPARE])
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.current() is not None
        self.merge_button.setEnabled(has)
        self.keep_button.setEnabled(has)

    def decide(self, decision: str) -> None:
        pair = self.current()
        if pair is None:
            return
        self.importer.resolve_duplicate(pair["id"], decision)
        self.changed.emit()
        self.reload()


class ImportHistoryDialog(QDialog):
    """Past imports, newest first, with Undo for a whole batch."""

    changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import history")
        self.setObjectName("importHistory")
        self.resize(860, 420)
        self.importer = Importer(store)
        self.batches: list[dict[str, Any]] = []
        self.model = RowsModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.undo_button = QPushButton("Undo this import…")
        self.undo_button.setObjectName("undoImport")
        self.undo_button.clicked.connect(self.undo_selected)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        box.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(box)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.reload()

    def reload(self) -> None:
        self.batches = self.importer.batches()
        currency = SettingsStore(self.importer.store).get("currency")
        self.model.set_rows(
            ["Batch", "File", "Source", "Campaign", f"Cost ({currency})" if currency else "Cost", "Rows", "New",
             "Merged", "Flagged", "Rejected", "When (UTC)", "Undone"],
            [[b["id"], b["file_name"], b["source"] or "", b["campaign"] or "",
              format_money(b["cost"]) if b["cost"] else "", b["rows"], b["inserted"], b["merged"],
              b["duplicates_flagged"], b["rejected"], b["finished_at"], b["undone_at"] or ""] for b in self.batches])
        self._update()

    def selected(self) -> dict[str, Any] | None:
        rows = self.view.selectionModel().selectedRows()
        return self.batches[rows[0].row()] if rows else None

    def _update(self) -> None:
        batch = self.selected()
        self.undo_button.setEnabled(batch is not None and not batch["undone_at"])

    def undo_selected(self, confirm: bool = True) -> str | None:
        batch = self.selected()
        if batch is None:
            return None
        if confirm:
            preview = self.importer.undo_preview(batch["id"])
            answer = QMessageBox.question(self, APP_NAME, self._confirmation(batch, preview))
            if answer != QMessageBox.StandardButton.Yes:
                return None
        report = self.importer.undo_batch(batch["id"])
        text = report.summary(self._money)
        if report.kept:
            text += "\n\nKept:\n" + self._kept_lines(report.kept)
        self.changed.emit()
        self.reload()
        if confirm:
            box = QMessageBox(QMessageBox.Icon.Information, APP_NAME, text, parent=self)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.exec()
        return text

    def _money(self, amount: float) -> str:
        return format_money(amount, SettingsStore(self.importer.store).get("currency"))

    @staticmethod
    def _kept_lines(kept: list[tuple[str, str]]) -> str:
        """One line per reason, with its count and the first few lead IDs."""
        by_reason: dict[str, list[str]] = {}
        for pid, why in kept:
            by_reason.setdefault(why, []).append(pid)
        return "\n".join(f"• {len(pids):,} {why}: " + ", ".join(pids[:6])
                         + (f" and {len(pids) - 6:,} more" if len(pids) > 6 else "")
                         for why, pids in by_reason.items())

    def _confirmation(self, batch: dict[str, Any], preview) -> str:
        """What the undo removes, what stays and why, and the cost it takes along: the
        rep decides with the numbers in front of them."""
        def leads(n: int) -> str:
            return f"{n:,} lead{'' if n == 1 else 's'}"

        lines = [f"Undo import batch {batch['id']} ({batch['file_name']})?", "",
                 f"• Removed: {leads(preview.removed).replace('lead', 'new lead', 1)} that nobody has worked "
                 "since the import."]
        if preview.reverted:
            lines.append(f"• Put back: {leads(preview.reverted)} you already had lose the empty fields this "
                         "import filled in.")
        if preview.cost:
            where = f" (campaign “{preview.campaign}”)" if preview.campaign else ""
            lines.append(f"• Cost: {self._money(preview.cost)} comes off the spend{where}; cost per qualified "
                         "lead and per opportunity no longer count it.")
        if preview.kept:
            lines += ["", f"Stays: {leads(len(preview.kept))} a rep has been at, kept as they are:",
                      self._kept_lines(preview.kept)]
        return "\n".join(lines)

"""Handing leads to field sales and taking their verdicts back, on the main window:
Leads ▸ Export briefs… (Ctrl+E, also on the toolbar), Leads ▸ Record field outcome…
for the open lead, and File ▸ Import outcomes… for a file of them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence


class FieldSalesPart(QObject):
    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.outcome_dialog = None
        self.export_dialog = None
        self.outcomes_action = QAction("Import &outcomes…", window, triggered=lambda: self.import_outcomes())
        self.outcomes_action.setStatusTip("Outcomes from field sales (accepted, rejected, opportunity, won, lost)")
        file_menu = window.file_menu
        file_menu.insertAction(file_menu.actions()[1] if len(file_menu.actions()) > 1 else None,
                               self.outcomes_action)
        self.export_action = QAction("Export &briefs…", window, triggered=self.export_briefs)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setStatusTip("Hand qualified leads to field sales: briefs, CRM rows, invites")
        window.leads_menu.addAction(self.export_action)
        window.importing.toolbar.addAction(self.export_action)
        self.record_outcome_action = QAction("Record field &outcome…", window, triggered=self.record_outcome)
        window.leads_menu.addAction(self.record_outcome_action)

    def import_outcomes(self, path: str | None = None) -> None:
        """The field's verdicts from a file, previewed before anything is applied."""
        from leadtriage.ui.outcome_dialog import OutcomeImportDialog

        w = self.window
        dialog = OutcomeImportDialog(w.store, w.worker, w, path=path)

        def applied(lead_ids: list) -> None:
            w.refresh()
            if w.panel.lead and w.panel.lead["id"] in lead_ids:
                w.panel.reload()

        dialog.applied.connect(applied)
        self.outcome_dialog = dialog
        dialog.open()

    def record_outcome(self) -> None:
        """One outcome by hand, for the open lead."""
        from leadtriage.ui.outcome_dialog import OutcomeDialog

        w = self.window
        lead = w.panel.lead
        if lead is None:
            w.statusBar().showMessage("Open a lead first: the outcome is recorded for the open lead.", 5000)
            return
        dialog = OutcomeDialog(w.store, lead["id"], w, today=w.clock().astimezone().date())

        def saved() -> None:
            w.panel.reload()
            w.refresh()

        dialog.accepted.connect(saved)
        self.outcome_dialog = dialog
        dialog.open()

    def export_briefs(self) -> None:
        """The export dialog, with the leads selected in the queue preselected."""
        from leadtriage.ui.export_dialog import ExportDialog, summary

        w = self.window
        rows = w.table.selectionModel().selectedRows()
        selected = [i for i in (w.leads.lead_id(r.row()) for r in rows) if i is not None]
        dialog = ExportDialog(w.store, w.worker, selected, w.qsettings, w)

        def exported(result) -> None:
            w.refresh()
            w.statusBar().showMessage(summary(result), 8000)

        dialog.exported.connect(exported)
        self.export_dialog = dialog
        dialog.open()

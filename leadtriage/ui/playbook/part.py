"""The playbook's part of the main window, assembled here so the window only calls
in: the due-step panel in the call tab, the e-mail draft, the Cadences menu
(import and export files, bulk actions on the selected leads, each undone as one
step by Edit > Undo) and advancing the cadence when the workspace logs a touch."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox

from leadtriage.errors import UserError
from leadtriage.playbook.model import StepKind
from leadtriage.playbook.service import PlaybookService
from leadtriage.playbook.templates import TemplateRefused, draft
from leadtriage.ui.lead.dialogs import DisqualifyDialog, NurtureDialog
from leadtriage.ui.playbook.email_dialog import EmailDraftDialog
from leadtriage.ui.playbook.step_panel import CadenceStepPanel

log = logging.getLogger(__name__)


class PlaybookPart(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.service = PlaybookService(window.store, window.lead_service)
        self.lead_id: int | None = None
        self.dialog = None  # the open dialog (tests reach it here)
        self.panel = CadenceStepPanel()
        workspace = window.panel
        workspace.call.layout().insertWidget(0, self.panel)
        workspace.changed.connect(self._lead_changed)
        self.panel.draft_requested.connect(self.open_draft)
        self.panel.done_requested.connect(self.complete_step)
        self.panel.pause_toggled.connect(self.toggle_pause)
        self.panel.reply_requested.connect(self.record_reply)
        self.panel.nurture_requested.connect(self.decide_nurture)
        self.panel.no_response_requested.connect(self.decide_no_response)
        self.panel.skip_requested.connect(self.skip_step)
        for keys, slot in (("Alt+M", self.open_draft), ("Alt+K", self.complete_step)):
            QShortcut(QKeySequence(keys), workspace, slot, context=Qt.ShortcutContext.WindowShortcut)
        self._build_menu()

    # -- the lead in the workspace ----------------------------------------------------------

    def show_lead(self, lead_id: int | None) -> None:
        self.lead_id = lead_id
        due, history, script, source = None, "", None, ""
        if lead_id is not None:
            try:
                due = self.service.hold_if_not_allowed(lead_id)
                if due is None:
                    history = self.service.history_text(lead_id)
                    script = self.service.source_script(lead_id)
                    source = self.window.panel.lead.get("source") or "" if self.window.panel.lead else ""
            except Exception:  # the panel is a help; a broken cadence must not stop calling
                log.exception("cadence step for lead %s could not be shown", lead_id)
        self.panel.show_step(due, history, script, source)

    def _lead_changed(self, lead_id: int) -> None:
        """The workspace logged something: a call or touch that does the due step moves
        the cadence on (before "save and next" opens the next lead)."""
        try:
            if self.service.sync(lead_id):
                self.window.statusBar().showMessage("Cadence: moved to the next step.", 4000)
        except UserError as exc:
            self.window.statusBar().showMessage(str(exc), 6000)
        if lead_id == self.lead_id:
            self.show_lead(lead_id)

    def _after(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 6000)
        if self.lead_id is not None:
            self.window.panel.reload()
            self.show_lead(self.lead_id)
        self.window.refresh_counts()
        self.window._update_undo()

    def _run(self, action) -> bool:
        try:
            action()
            return True
        except UserError as exc:
            QMessageBox.warning(self.window, "Cadence", str(exc))
            return False

    # -- working the due step ----------------------------------------------------------------

    def open_draft(self) -> None:
        due = self.panel.due
        if due is None or due.step is None or due.step.kind is not StepKind.EMAIL:
            return
        template = self.service.template(due.step.template)
        if template is None:
            self.window.statusBar().showMessage(f"The template “{due.step.template}” is missing.", 6000)
            return
        lead = self.service.leads.get(due.lead_id)
        try:
            d = draft(template.subject, template.body, lead, self.service.settings.get("rep_name"))
        except TemplateRefused as exc:
            QMessageBox.warning(self.window, "E-mail template", f"The template cannot be used: {exc}")
            return
        self.dialog = EmailDraftDialog(d, self.window)
        lead_id = due.lead_id
        self.dialog.sent.connect(lambda subject: self._run(lambda: self.service.confirm_email(lead_id, subject))
                                 and self._after("E-mail logged; the cadence moved on."))
        self.dialog.open()

    def complete_step(self) -> None:
        due = self.panel.due
        if due is None or due.step is None or due.step.kind not in (StepKind.LINKEDIN, StepKind.TASK):
            return
        notes = self.window.panel.call.notes.toPlainText() or None
        if self._run(lambda: self.service.complete_step(due.lead_id, notes)):
            self.window.panel.call.notes.clear()
            self._after(f"Done: {due.step.label}.")

    def skip_step(self) -> None:
        due = self.panel.due
        if due is not None and self._run(lambda: self.service.skip_step(due.lead_id)):
            self._after(f"Skipped: {due.step.label if due.step else 'step'}.")

    def toggle_pause(self) -> None:
        due = self.panel.due
        if due is None:
            return
        if due.paused:
            self._run(lambda: self.service.resume([due.lead_id])) and self._after("Cadence resumed.")
        else:
            self._run(lambda: self.service.pause([due.lead_id])) and self._after("Cadence paused.")

    def record_reply(self) -> None:
        due = self.panel.due
        if due is not None and self._run(lambda: self.service.record_reply(due.lead_id)):
            self._after("Reply recorded; the cadence is paused.")

    def decide_nurture(self) -> None:
        due = self.panel.due
        if due is None:
            return
        dialog = NurtureDialog(self.service.clock().astimezone().date(), self.window, self.service.leads.work_week())
        if dialog.exec():
            reason, until = dialog.values()
            if self._run(lambda: self.service.decide(due.lead_id, nurture_until=until, reason=reason)):
                self._after("Nurtured; the cadence ended (out of steps).")

    def decide_no_response(self) -> None:
        due = self.panel.due
        if due is not None and self._run(lambda: self.service.decide(due.lead_id)):
            self._after("Disqualified: no response; the cadence ended (out of steps).")

    # -- the Cadences menu: files and bulk actions --------------------------------------------

    def _build_menu(self) -> None:
        bar = self.window.menuBar()
        self.menu = QMenu("&Cadences", self.window)
        # Before Leads (or Help): the Leads menu stays next to Help, where reps find it.
        bar.insertMenu(self.window.leads_menu.menuAction(), self.menu)
        self.import_action = QAction("&Import cadence file…", self.window, triggered=lambda: self.import_file())
        self.export_action = QAction("&Export cadence…", self.window, triggered=self.export_file)
        self.enrol_action = QAction("E&nrol selected leads…", self.window, triggered=lambda: self.bulk_enrol())
        self.pause_action = QAction("&Pause selected leads' cadence", self.window, triggered=self.bulk_pause)
        self.reassign_action = QAction("&Reassign selected leads…", self.window, triggered=lambda: self.bulk_reassign())
        self.nurture_action = QAction("N&urture selected leads…", self.window, triggered=self.bulk_nurture)
        self.disqualify_action = QAction("&Disqualify selected leads…", self.window, triggered=self.bulk_disqualify)
        self.bulk_actions = [self.enrol_action, self.pause_action, self.reassign_action, self.nurture_action,
                             self.disqualify_action]
        self.cap_action = QAction("&Touches per lead per week…", self.window, triggered=self.set_cap)
        self.results_action = QAction("Cadence &results…", self.window, triggered=self.show_results)
        for action in (self.results_action, self.import_action, self.export_action, self.cap_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        for action in self.bulk_actions:
            self.menu.addAction(action)
        table = self.window.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for action in self.bulk_actions:
            table.addAction(action)

    def show_results(self) -> None:
        """Per cadence and step, computed off the UI thread (a big database has
        hundreds of thousands of enrolments)."""
        from leadtriage.ui.playbook.results import CadenceResultsDialog

        self.dialog = CadenceResultsDialog(self.window.store, self.window.worker, self.window)
        self.dialog.view.load()
        self.dialog.open()

    def set_cap(self) -> None:
        """The weekly touch cap (a setting in the registry; kept here, beside the cadences it governs)."""
        current = int(self.service.settings.get("cadence_touches_per_week") or 0)
        value, ok = QInputDialog.getInt(
            self.window, "Touches per lead per week",
            "At most this many calls, e-mails and LinkedIn messages to one lead in any 7 days\n"
            "(a cadence step beyond it waits; 0: no limit):", current, 0, 50)
        if ok:
            self.service.settings.set("cadence_touches_per_week", value)
            self.window.statusBar().showMessage(f"At most {value} touches per lead per week." if value
                                                else "No weekly touch limit.", 5000)

    def selected_ids(self) -> list[int]:
        rows = self.window.table.selectionModel().selectedRows()
        return [i for i in (self.window.leads.lead_id(r.row()) for r in rows) if i is not None]

    def import_file(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, "Import cadence file", "",
                                                  "Cadence files (*.yaml *.yml *.json)")
            if not path:
                return
        names: list[str] = []
        if self._run(lambda: names.extend(self.service.import_file(path))):
            self.window.statusBar().showMessage(f"Imported: {', '.join(names)}", 6000)

    def export_file(self) -> None:
        names = self.service.cadence_names()
        if not names:
            self.window.statusBar().showMessage("No cadences yet; import a cadence file first.", 5000)
            return
        name, ok = QInputDialog.getItem(self.window, "Export cadence", "Cadence", names, 0, False)
        if not ok:
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "Export cadence", f"{name}.yaml",
                                              "YAML (*.yaml);;JSON (*.json)")
        if path:
            fmt = "json" if path.lower().endswith(".json") else "yaml"
            Path(path).write_text(self.service.export(name, fmt), "utf-8")
            self.window.statusBar().showMessage(f"Exported {name} to {Path(path).name}", 6000)

    def _bulk(self, run) -> None:
        ids = self.selected_ids()
        if not ids:
            self.window.statusBar().showMessage("Select leads in the list first.", 4000)
            return
        result = []
        if self._run(lambda: result.append(run(ids))):
            self.window.leads.reload()
            self._after(result[0].text() + " (Edit ▸ Undo takes it back)")

    def bulk_enrol(self, cadence: str | None = None) -> None:
        if not cadence:
            names = self.service.cadence_names()
            if not names:
                self.window.statusBar().showMessage("No cadences yet; import a cadence file first.", 5000)
                return
            cadence, ok = QInputDialog.getItem(self.window, "Enrol in a cadence", "Cadence", names, 0, False)
            if not ok:
                return
        self._bulk(lambda ids: self.service.bulk_enrol(ids, cadence))

    def bulk_pause(self) -> None:
        self._bulk(self.service.bulk_pause)

    def bulk_reassign(self, owner: str | None = None) -> None:
        if not owner:
            owner, ok = QInputDialog.getText(self.window, "Reassign", "New owner (rep's name)")
            if not ok:
                return
        self._bulk(lambda ids: self.service.bulk_reassign(ids, owner))

    def bulk_nurture(self) -> None:
        dialog = NurtureDialog(self.service.clock().astimezone().date(), self.window, self.service.leads.work_week())
        if dialog.exec():
            reason, until = dialog.values()
            self._bulk(lambda ids: self.service.bulk_nurture(ids, until, reason))

    def bulk_disqualify(self) -> None:
        dialog = DisqualifyDialog(self.window)
        if dialog.exec():
            (reason,) = dialog.values()
            self._bulk(lambda ids: self.service.bulk_disqualify(ids, reason))

    # -- undo ---------------------------------------------------------------------------

    def undo_label(self) -> str | None:
        last = self.service.last_bulk()
        return last[1] if last else None

    def undo_last(self) -> bool:
        """Undo the newest change when it is a bulk action (False: not ours)."""
        label = self.service.undo_bulk() if self.service.last_bulk() else None
        if label is None:
            return False
        self.window.leads.reload()
        self._after(f"Undone: {label}")
        return True

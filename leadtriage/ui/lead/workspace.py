"""The lead workspace: everything about one lead and everything the rep does with
it, keyboard first. Widgets here never touch SQL: they call LeadService and show
the plain dicts it returns."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from leadtriage.domain import localtime
from leadtriage.domain.status import LABELS, Status, can_move
from leadtriage.errors import UserError
from leadtriage.services.field_reps import FieldRepService
from leadtriage.services.leads import LeadService
from leadtriage.store import queue
from leadtriage.ui.lead.call_panel import CALL_KEY, CallPanel
from leadtriage.ui.lead.chips import ChipRow, chip
from leadtriage.ui.lead.contact_card import ContactCard
from leadtriage.ui.lead.dialogs import DisqualifyDialog, NurtureDialog, QualifyDialog
from leadtriage.ui.lead.discovery import DiscoveryForm
from leadtriage.ui.lead.qualification import QualificationForm
from leadtriage.ui.lead.score_pin import ScorePin
from leadtriage.ui.lead.timeline import TimelineModel, plain_label

SHORTCUTS: tuple[tuple[str, str], ...] = (
    (CALL_KEY, "Start a call (timer runs until you save)"),
    ("N, V, B, G, W, I, C, T, M, D, X", "Call outcome, one key (as listed on the buttons; editable in Settings)"),
    ("(any key after an outcome)", "Goes into the call notes: once an outcome is chosen the notes box has "
                                   "the focus, and letters or digits typed there never change the outcome; "
                                   "a key that is no outcome key starts the notes too"),
    ("Tab", "Leave the notes (then 1-5 picks the next step)"),
    ("1 / 2 / 3 / 4 / 5", "Next step: in 2 hours / next working day 9:00 / in 3 working days / next week / a date "
                          "(outside the notes)"),
    ("Ctrl+Return", "Save the call and open the next lead"),
    ("Ctrl+S", "Save the call, discovery or checklist (the open tab)"),
    ("Ctrl+Shift+E / L / M / O", "Log an e-mail / LinkedIn message / meeting / note (with the notes typed)"),
    ("Alt+Q", "Qualify (hand to a field rep)"),
    ("Alt+U", "Nurture with a reason and a resurface date"),
    ("Alt+I", "Disqualify with a reason"),
    ("Alt+R", "Recycle into the working queue"),
    ("Ctrl+Shift+1 … 5", "Workspace tabs: call, contact, discovery, checklist, timeline"),
    ("Escape (in a field)", "Put back the saved value"),
)


class LeadWorkspace(QWidget):
    changed = Signal(int)  # a lead changed: counts, table, title may need a refresh
    next_requested = Signal()

    def __init__(self, service: LeadService, reps: FieldRepService,
                 clock: Callable[[], datetime] | None = None, parent=None):
        super().__init__(parent)
        self.service = service
        self.reps = reps
        self.clock = clock or service.clock
        self.lead: dict | None = None
        self.active_dialog: QDialog | None = None

        self.heading = plain_label()
        self.heading.setObjectName("leadHeading")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        self.subheading = plain_label()
        self.status_chip = chip("")
        self.score_label = QLabel()
        self.score_label.setObjectName("score")
        bold = self.score_label.font()
        bold.setBold(True)
        self.score_label.setFont(bold)
        self.chips = ChipRow()
        self.pin = ScorePin()
        self.pin.pin_requested.connect(self._pin_score)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_chip)
        status_row.addWidget(self.score_label)
        status_row.addWidget(self.pin)
        status_row.addWidget(self.chips, 1)
        status_row.setAlignment(self.status_chip, Qt.AlignmentFlag.AlignTop)
        status_row.setAlignment(self.score_label, Qt.AlignmentFlag.AlignTop)
        status_row.setAlignment(self.pin, Qt.AlignmentFlag.AlignTop)

        self.call = CallPanel(self.clock)
        self.call.save_requested.connect(self.save_call)
        self.call.touch_requested.connect(self.log_touch)
        self.card = ContactCard(self._edit_field)
        self.card.edited.connect(self._after_change)
        self.values = self.card.values
        self.discovery = DiscoveryForm()
        self.discovery.save_button.clicked.connect(self.save_discovery)
        self.checklist = QualificationForm()
        self.checklist.save_button.clicked.connect(self.save_qualification)
        self.timeline = TimelineModel(self)
        self.timeline_view = QTableView()
        self.timeline_view.setObjectName("timeline")
        self.timeline_view.setModel(self.timeline)
        # The side panel is narrow: text wraps and each row grows to show it whole
        # (an elided timeline told the rep nothing).
        self.timeline_view.verticalHeader().hide()
        self.timeline_view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.timeline_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.timeline_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.timeline_view.setWordWrap(True)
        self.timeline_view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.timeline_view.setVerticalScrollMode(QTableView.ScrollMode.ScrollPerPixel)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("workspaceTabs")
        self.tabs.addTab(_scroll(self.call), "Call")
        self.tabs.addTab(_scroll(self.card), "Contact")
        self.tabs.addTab(_scroll(self.discovery), "Discovery")
        self.tabs.addTab(_scroll(self.checklist), "Checklist")
        self.tabs.addTab(self.timeline_view, "Timeline")

        self.message = QLabel()
        self.message.setObjectName("workspaceMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        moves = QGridLayout()
        self.qualify_button = QPushButton("Qualify…  (Alt+Q)", clicked=self.ask_qualify)
        self.nurture_button = QPushButton("Nurture…  (Alt+U)", clicked=self.ask_nurture)
        self.disqualify_button = QPushButton("Disqualify…  (Alt+I)", clicked=self.ask_disqualify)
        self.recycle_button = QPushButton("Recycle  (Alt+R)", clicked=self.recycle)
        for i, b in enumerate((self.qualify_button, self.nurture_button, self.disqualify_button,
                               self.recycle_button)):
            b.setAutoDefault(False)
            moves.addWidget(b, 0, i)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        layout.addLayout(status_row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(moves)

        QShortcut(QKeySequence(CALL_KEY), self, self.start_call, context=Qt.ShortcutContext.WindowShortcut)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save_current_tab,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for keys, slot in (("Alt+Q", self.ask_qualify), ("Alt+U", self.ask_nurture), ("Alt+I", self.ask_disqualify),
                           ("Alt+R", self.recycle)):
            QShortcut(QKeySequence(keys), self, slot, context=Qt.ShortcutContext.WindowShortcut)
        for i in range(self.tabs.count()):
            QShortcut(QKeySequence(f"Ctrl+Shift+{i + 1}"), self, lambda i=i: self.tabs.setCurrentIndex(i),
                      context=Qt.ShortcutContext.WindowShortcut)
        self.show_lead(None)

    # -- showing a lead ---------------------------------------------------------------

    def load(self, lead_id: int | None) -> None:
        if lead_id is None:
            self.show_lead(None)
            return
        conn = self.service.store.conn
        self.show_lead(queue.lead_detail(conn, lead_id), queue.timeline(conn, lead_id))

    def reload(self) -> None:
        self.load(self.lead["id"] if self.lead else None)

    def show_lead(self, lead: dict | None, timeline: list[dict] | None = None, keep_call: bool = False) -> None:
        self.lead = lead
        self.setEnabled(lead is not None)
        self.call.set_dispositions(self.service.dispositions())
        self.card.show_lead(lead)
        self.discovery.show_lead(lead)
        self.timeline.set_rows(timeline or [])
        if lead is None:
            self.call.local_label.clear()
            self.card.local_label.clear()
            self.heading.setText("No lead selected")
            self.subheading.clear()
            self.status_chip.clear()
            self.status_chip.hide()  # an empty chip drew as a stray circle
            self.score_label.clear()
            self.chips.set_chips([])
            self.call.reset("", False, lead=False)
            self.message.clear()
            self._offer_moves()
            return
        name = " ".join(p for p in (lead.get("first_name"), lead.get("last_name")) if p) or "(no name)"
        self.heading.setText(name)
        self.subheading.setText(" at ".join(p for p in (lead.get("title"), lead.get("company")) if p))
        status = Status(lead["status"])
        reason = f": {lead['status_reason']}" if lead.get("status_reason") else ""
        self.status_chip.setText(LABELS[status] + reason)
        self.status_chip.show()
        pinned = lead.get("score_pinned")
        self.score_label.setText(f"Score {lead.get('score') or 0}" + (" (pinned)" if pinned is not None else ""))
        self.pin.set_state(pinned, lead.get("score") or 0)
        try:
            reasons = json.loads(lead.get("score_reasons") or "[]")
        except ValueError:
            reasons = []
        self.chips.set_chips([str(r) for r in reasons] if isinstance(reasons, list) else [])
        self.call.set_days(self.service.work_week(), self.service.lead_zone(lead))
        self.refresh_local_time()
        if not keep_call:
            self.call.reset(lead.get("phone") or lead.get("phone_raw") or "", self.callable)
            self.message.clear()
        fw = self.service.framework_for(lead)
        self.checklist.set_framework(fw, self.service.qualify_threshold(lead))
        self.checklist.show_answers(lead.get("qualification"))
        self._offer_moves()

    def refresh_local_time(self) -> None:
        """The lead's clock and whether it is calling time there (Call and Contact tabs)."""
        if self.lead is None:
            return
        text = localtime.describe_local(self.service.lead_zone(self.lead), self.clock(), self.service.calling_hours())
        self.call.local_label.setText(text)
        self.card.local_label.setText(text)

    @property
    def callable(self) -> bool:
        return self.lead is not None and not self.lead.get("do_not_call")

    def _offer_moves(self) -> None:
        """Only the moves the lifecycle allows from here are offered."""
        status = Status(self.lead["status"]) if self.lead else None
        offers = {
            self.qualify_button: status is not None and can_move(status, Status.QUALIFIED),
            self.nurture_button: status is not None and can_move(status, Status.NURTURE),
            self.disqualify_button: status is not None and can_move(status, Status.DISQUALIFIED),
            self.recycle_button: self.lead is not None and self.service.recycle_target(self.lead) is not None,
        }
        for button, ok in offers.items():
            button.setVisible(ok)
            button.setEnabled(ok)

    # -- leaving ----------------------------------------------------------------------

    def can_leave(self) -> bool:
        """False (with the reason shown) while a call is running without an outcome."""
        if self.call.in_call:
            self.tabs.setCurrentIndex(0)
            self.call.show_error("Choose the call's outcome and save it before moving on.")
            return False
        return True

    # -- actions ----------------------------------------------------------------------

    def start_call(self) -> None:
        if not self.isEnabled():
            return
        self.tabs.setCurrentIndex(0)
        if not self.callable:
            self.call.show_error("This lead is on the do-not-call list.")
            return
        self.call.start_call()

    def save_current_tab(self) -> None:
        page = self.tabs.currentIndex()
        if page == 2:
            self.save_discovery()
        elif page == 3:
            self.save_qualification()
        elif page == 0:
            self.save_call(False)

    def save_call(self, and_next: bool) -> bool:
        if self.lead is None:
            return False
        d = self.call.disposition
        if d is None:
            if not self.call.in_call and and_next:
                self.next_requested.emit()  # nothing started: just move on
                return True
            self.call.show_error("Choose an outcome first (one key: "
                                 + ", ".join(f"{x.shortcut} {x.label}" for x in self.service.dispositions()[:3])
                                 + " …).")
            return False
        if not self._run(lambda: self.service.log_call(
                self.lead["id"], d.key, self.call.notes.toPlainText(), self.call.duration(), self.call.next_step())):
            return False
        self.call.reset("", self.callable)
        self.reload()
        self.message.setText(f"Saved: {d.label}.")
        self.changed.emit(self.lead["id"])
        if and_next:
            self.next_requested.emit()
        return True

    def log_touch(self, kind: str) -> None:
        if self.lead is None:
            return
        if self._run(lambda: self.service.log_touch(self.lead["id"], kind, self.call.notes.toPlainText(),
                                                    self.call.next_step())):
            self.call.notes.clear()
            self._after_change()
            self.message.setText(f"Logged: {kind.replace('linkedin', 'LinkedIn message')}.")

    def save_discovery(self) -> None:
        if self.lead is not None and self._run(lambda: self.service.save_discovery(self.lead["id"], *self.discovery.values())):
            self._after_change(keep_call=True)
            self.message.setText("Discovery saved.")

    def save_qualification(self) -> None:
        if self.lead is not None and self._run(lambda: self.service.save_qualification(self.lead["id"], self.checklist.answers())):
            self._after_change(keep_call=True)
            self.message.setText("Checklist saved.")

    def _edit_field(self, field: str, text: str) -> None:
        self.service.edit_field(self.lead["id"], field, text)

    def ask_qualify(self) -> None:
        if self.lead is None or not self.qualify_button.isEnabled():
            return
        if self.checklist.met() != self.service.qualification_progress(self.lead)[0]:
            self.save_qualification()  # the rep ticked boxes and went straight for Qualify
        met, threshold, total = self.service.qualification_progress(self.lead)
        if met < threshold:
            self.tabs.setCurrentIndex(3)
            self.message.setText(f"Not yet: {met} of {total} criteria met, {threshold} needed.")
            return
        reps = self.reps.list(include_inactive=False)
        if not reps:
            self.message.setText("Add a field rep in Settings first.")
            return
        dialog = QualifyDialog(reps, self.lead.get("field_rep_id"), self, lead=self.lead)
        self._open(dialog, lambda rep, meeting: self.service.qualify(self.lead["id"], rep, meeting), "Qualified.")

    def ask_nurture(self) -> None:
        if self.lead is not None and self.nurture_button.isEnabled():
            dialog = NurtureDialog(self.clock().astimezone().date(), self, self.service.work_week())
            self._open(dialog, lambda reason, until: self.service.nurture(self.lead["id"], reason, until),
                       self._nurtured_text)

    def ask_disqualify(self) -> None:
        if self.lead is not None and self.disqualify_button.isEnabled():
            self._open(DisqualifyDialog(self), lambda reason: self.service.disqualify(self.lead["id"], reason),
                       "Disqualified.")

    def recycle(self) -> None:
        if self.lead is not None and self.recycle_button.isEnabled() and self._run(lambda: self.service.recycle(self.lead["id"])):
            self._after_change()
            self.message.setText("Recycled into the working queue.")

    # -- helpers ----------------------------------------------------------------------

    def _nurtured_text(self) -> str:
        """The resurface date as saved: a weekend date moved on to a working day."""
        until = (self.lead or {}).get("nurture_until")
        try:
            return f"Moved to nurture; resurfaces {date.fromisoformat(until):%a %d %b %Y}."
        except (TypeError, ValueError):
            return "Moved to nurture."

    def _open(self, dialog, apply: Callable, done_text: str | Callable[[], str]) -> None:
        """Window-modal, not blocking: the result is applied when the dialog is accepted."""
        self.active_dialog = dialog

        def accepted() -> None:
            if self._run(lambda: apply(*dialog.values())):
                self._after_change()
                self.message.setText(done_text() if callable(done_text) else done_text)

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: setattr(self, "active_dialog", None))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _run(self, action: Callable) -> bool:
        try:
            action()
        except UserError as exc:
            self.message.setText(str(exc))
            if self.tabs.currentIndex() == 0:
                self.call.show_error(str(exc))
            return False
        return True

    def _pin_score(self, value: int | None) -> None:
        if self.lead is not None:
            self.service.pin_score(self.lead["id"], value)
            self._after_change()

    def _after_change(self, keep_call: bool = False) -> None:
        if self.lead is None:
            return
        conn = self.service.store.conn
        lead_id = self.lead["id"]
        self.show_lead(queue.lead_detail(conn, lead_id), queue.timeline(conn, lead_id), keep_call=True)
        self.changed.emit(lead_id)

    def shortcut_help(self) -> tuple[tuple[str, str], ...]:
        return SHORTCUTS


def _scroll(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area

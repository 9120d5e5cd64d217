"""The due cadence step above the call panel: which step, why it waits if it does,
the script with the lead's fields merged, and the cadence's objection answers,
searchable as the rep types during the call. Shows only what it is given (a
`DueStep`); the part that owns it asks the service."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from leadtriage.playbook.model import StepKind
from leadtriage.playbook.service import DueStep
from leadtriage.playbook.templates import MERGE_FIELDS, Rendered
from leadtriage.ui.lead.timeline import plain_label


class CadenceStepPanel(QFrame):
    draft_requested = Signal()
    done_requested = Signal()
    pause_toggled = Signal()
    reply_requested = Signal()
    nurture_requested = Signal()
    no_response_requested = Signal()
    skip_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("cadenceStep")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.due: DueStep | None = None
        self.heading = plain_label()
        self.heading.setObjectName("cadenceHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.state = plain_label()
        self.state.setObjectName("cadenceState")
        self.script = QPlainTextEdit()
        self.script.setObjectName("cadenceScript")
        self.script.setReadOnly(True)
        self.script.setMaximumHeight(110)
        self.script.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # the call's keys stay with the outcomes
        self.search = QLineEdit()
        self.search.setObjectName("objectionSearch")
        self.search.setPlaceholderText("Objection? Type a word: “budget”, “tool”, “e-mail”…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.objections = QListWidget()
        self.objections.setObjectName("objections")
        self.objections.setWordWrap(True)
        self.objections.setMaximumHeight(120)
        self.objections.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.no_match = plain_label("No objection matches; try another word.")
        self.no_match.setObjectName("noObjection")

        self.draft_button = QPushButton("Draft e-mail…  (Alt+M)", clicked=self.draft_requested.emit)
        self.draft_button.setObjectName("cadenceDraft")
        self.done_button = QPushButton("Mark step done  (Alt+K)", clicked=self.done_requested.emit)
        self.done_button.setObjectName("cadenceDone")
        self.pause_button = QPushButton("Pause", clicked=self.pause_toggled.emit)
        self.pause_button.setObjectName("cadencePause")
        self.reply_button = QPushButton("They replied", clicked=self.reply_requested.emit)
        self.reply_button.setObjectName("cadenceReply")
        self.nurture_button = QPushButton("Nurture with a date…", clicked=self.nurture_requested.emit)
        self.no_response_button = QPushButton("Disqualify: no response", clicked=self.no_response_requested.emit)
        self.no_response_button.setObjectName("cadenceNoResponse")
        self.skip_button = QPushButton("Skip this step", clicked=self.skip_requested.emit)
        self.skip_button.setObjectName("cadenceSkip")
        buttons = QHBoxLayout()
        for b in (self.draft_button, self.done_button, self.nurture_button, self.no_response_button,
                  self.skip_button, self.reply_button, self.pause_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.heading)
        layout.addWidget(self.state)
        layout.addWidget(self.script)
        layout.addLayout(buttons)
        layout.addWidget(self.search)
        layout.addWidget(self.objections)
        layout.addWidget(self.no_match)
        self.show_step(None)

    def show_step(self, due: DueStep | None, history: str = "", source_script: Rendered | None = None,
                  source: str = "") -> None:
        """The due step; or, for a lead in no cadence, its source's call script and
        the cadences it went through."""
        self.due = due
        self.setVisible(due is not None or bool(history) or source_script is not None)
        if due is None:
            self.heading.setText(f"Call script for {source} leads" if source_script else "Earlier cadences")
            self.state.setText(f"Earlier cadences: {history}" if history and source_script else history)
            self.state.setVisible(bool(history))
            for w in (self.script, self.search, self.objections, self.no_match, self.draft_button, self.done_button,
                      self.skip_button, self.nurture_button, self.no_response_button, self.reply_button,
                      self.pause_button):
                w.hide()
            if source_script is not None:
                self._show_script(source_script)
            return
        self.state.show()
        self.pause_button.show()
        self.heading.setText(due.heading)
        self.state.setText(self._state_text(due))
        if due.script_error:
            self.script.setPlainText(due.script_error)
            self._fit_script()
        else:
            self._show_script(due.script)
        kind = due.step.kind if due.step else None
        self.draft_button.setVisible(kind is StepKind.EMAIL)
        self.done_button.setVisible(kind in (StepKind.LINKEDIN, StepKind.TASK))
        self.skip_button.setVisible(due.step is not None and due.verdict.blocked)
        self.nurture_button.setVisible(due.decision)
        self.no_response_button.setVisible(due.decision)
        self.pause_button.setText("Resume" if due.paused else "Pause")
        self.reply_button.setVisible(due.index > 0)
        self.objections.clear()
        for o in due.objections:
            item = QListWidgetItem(f"“{o.objection}”\n→ {o.answer}")
            item.setData(Qt.ItemDataRole.UserRole, f"{o.objection} {o.answer}".casefold())
            self.objections.addItem(item)
        self.search.setVisible(bool(due.objections))
        self.objections.setVisible(bool(due.objections))
        self.no_match.hide()
        self._filter(self.search.text())

    def _show_script(self, script: Rendered | None) -> None:
        text = ""
        if script is not None:
            text = script.text
            if script.missing:
                text += "\n\n(No value for: " + ", ".join(MERGE_FIELDS.get(n, n) for n in script.missing) + ")"
        self.script.setPlainText(text)
        self._fit_script()

    def _fit_script(self) -> None:
        self.script.setVisible(bool(self.script.toPlainText()))
        lines = min(8, self.script.toPlainText().count("\n") + 2)  # as tall as the script, up to 8 lines
        self.script.setFixedHeight(lines * self.script.fontMetrics().lineSpacing() + 14)

    @staticmethod
    def _state_text(due: DueStep) -> str:
        if due.paused:
            return due.wait_reason or "Paused"
        parts = []
        if due.due_at is not None:
            parts.append("Due " + due.due_at.astimezone().strftime("%a %d %b %H:%M"))
        if not due.verdict.ok:
            when = due.verdict.wait_until
            parts.append(f"Waits: {due.verdict.reason}" + (
                f" (until {when.astimezone().strftime('%a %d %b %H:%M')})" if when else ""))
        elif due.wait_reason:
            parts.append(due.wait_reason)
        return " · ".join(parts)

    def _filter(self, text: str) -> None:
        words = text.casefold().split()
        shown = 0
        for i in range(self.objections.count()):
            item = self.objections.item(i)
            hay = item.data(Qt.ItemDataRole.UserRole)
            hide = bool(words) and not all(w in hay for w in words)
            item.setHidden(hide)
            shown += not hide
        self.no_match.setVisible(self.objections.count() > 0 and not shown)

    def visible_objections(self) -> list[str]:
        return [self.objections.item(i).text() for i in range(self.objections.count())
                if not self.objections.item(i).isHidden()]

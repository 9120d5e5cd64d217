"""The call panel: Call starts a timer, one key picks the outcome, digits pick the
next step, Ctrl+Return saves and opens the next lead. An outcome is required
before the call can be saved or the rep can move on."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateTimeEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leadtriage.domain.dispositions import Disposition
from leadtriage.domain.localtime import DEFAULT_WEEK, WorkWeek
from leadtriage.services.calls import QUICK_PICKS, next_step_at, retry_at

CALL_KEY = "Ctrl+D"
SAVE_NEXT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


class CallPanel(QWidget):
    save_requested = Signal(bool)  # True: and go to the next lead
    touch_requested = Signal(str)  # email / linkedin / meeting / note

    def __init__(self, clock: Callable[[], datetime], parent=None):
        super().__init__(parent)
        self.clock = clock
        self.started: float | None = None
        self.disposition: Disposition | None = None
        self.pick: str | None = None
        self._dispositions: tuple[Disposition, ...] = ()
        self.week: WorkWeek = DEFAULT_WEEK
        self.lead_tz = None  # the lead's zone: next steps avoid its days off too

        self.phone = QLabel()
        self.phone.setObjectName("callPhone")
        self.phone.setTextFormat(Qt.TextFormat.PlainText)
        self.phone.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.phone.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.phone.setFont(font)
        self.call_button = QPushButton(f"Call  ({CALL_KEY})")
        self.call_button.setObjectName("callButton")
        self.call_button.clicked.connect(self.start_call)
        self.timer_label = QLabel("")
        self.timer_label.setObjectName("callTimer")
        self.ticker = QTimer(self, interval=1000, timeout=self._tick)
        top = QHBoxLayout()
        top.addWidget(self.phone, 1)
        top.addWidget(self.timer_label)
        top.addWidget(self.call_button)
        self.local_label = QLabel()
        self.local_label.setObjectName("leadLocalTime")
        self.local_label.setTextFormat(Qt.TextFormat.PlainText)
        self.local_label.setWordWrap(True)

        self.dnc = QLabel("On the do-not-call list: this lead is never offered for a call.")
        self.dnc.setObjectName("dncNotice")
        self.dnc.setWordWrap(True)
        self.dnc.setStyleSheet("QLabel { background: rgba(218, 54, 51, 0.20); border-radius: 4px; padding: 4px; }")

        self.outcomes = QWidget()
        self.outcome_grid = QGridLayout(self.outcomes)
        self.outcome_grid.setContentsMargins(0, 0, 0, 0)
        self.outcome_group = QButtonGroup(self)
        self.outcome_group.setExclusive(True)
        self._outcome_shortcuts: list[QShortcut] = []

        self.notes = QPlainTextEdit()
        self.notes.setObjectName("callNotes")
        self.notes.setPlaceholderText("Notes: what they said, in their words")
        self.notes.setTabChangesFocus(True)
        self.notes.setMaximumHeight(110)

        picks = QGridLayout()
        self.pick_group = QButtonGroup(self)
        for i, pick in enumerate(QUICK_PICKS):
            button = QPushButton(f"{pick.shortcut}  {pick.label}")
            button.setCheckable(True)
            button.setObjectName(f"pick_{pick.key}")
            self.pick_group.addButton(button)
            button.clicked.connect(lambda _=False, key=pick.key: self.choose_pick(key))
            picks.addWidget(button, i // 2, i % 2)  # two columns: fits the side panel
            QShortcut(QKeySequence(pick.shortcut), self, lambda key=pick.key: self.choose_pick(key),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.date_button = QPushButton("5  A date…")
        self.date_button.setCheckable(True)
        self.pick_group.addButton(self.date_button)
        self.date_button.clicked.connect(lambda: self.choose_pick("date"))
        QShortcut(QKeySequence("5"), self, lambda: self.choose_pick("date"),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        picks.addWidget(self.date_button, 2, 0)
        self.date_edit = QDateTimeEdit()
        self.date_edit.setObjectName("nextStepDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.date_edit.dateTimeChanged.connect(self._show_next)
        self.date_edit.hide()
        self.next_label = QLabel()
        self.next_label.setObjectName("nextStep")

        self.error = QLabel()
        self.error.setObjectName("callError")
        self.error.setWordWrap(True)
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.clicked.connect(lambda: self.save_requested.emit(False))
        self.save_next_button = QPushButton("Save and next  (Ctrl+Return)")
        self.save_next_button.setObjectName("saveNext")
        self.save_next_button.setDefault(True)
        self.save_next_button.clicked.connect(lambda: self.save_requested.emit(True))
        for keys in SAVE_NEXT_KEYS:
            QShortcut(QKeySequence(keys), self, lambda: self.save_requested.emit(True),
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.save_next_button)

        other = QGridLayout()
        other.addWidget(QLabel("Log instead:"), 0, 0)
        for kind, label, key in (("email", "E-mail", "E"), ("linkedin", "LinkedIn", "L"), ("meeting", "Meeting", "M"),
                                 ("note", "Note", "O")):
            button = QPushButton(label)
            QShortcut(QKeySequence(f"Ctrl+Shift+{key}"), self, lambda k=kind: self.touch_requested.emit(k),
                      context=Qt.ShortcutContext.WindowShortcut)
            button.setObjectName(f"log_{kind}")
            button.setToolTip(f"Log a {label.lower()} with the notes above (Ctrl+Shift+{key})")
            button.clicked.connect(lambda _=False, k=kind: self.touch_requested.emit(k))
            other.addWidget(button, 0 if kind in ("email", "linkedin") else 1,
                            1 + ("email", "linkedin", "meeting", "note").index(kind) % 2)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.local_label)
        layout.addWidget(self.dnc)
        layout.addWidget(QLabel("Outcome (one key):"))
        layout.addWidget(self.outcomes)
        layout.addWidget(self.notes)
        layout.addWidget(QLabel("Next step:"))
        layout.addLayout(picks)
        layout.addWidget(self.date_edit)
        layout.addWidget(self.next_label)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addLayout(other)
        layout.addStretch(1)

    # -- set-up -----------------------------------------------------------------------

    def set_dispositions(self, dispositions: tuple[Disposition, ...]) -> None:
        if dispositions == self._dispositions:
            return
        self._dispositions = dispositions
        for button in self.outcome_group.buttons():
            self.outcome_group.removeButton(button)
            button.deleteLater()
        for shortcut in self._outcome_shortcuts:
            shortcut.setEnabled(False)
            shortcut.deleteLater()
        self._outcome_shortcuts = []
        for i, d in enumerate(dispositions):
            button = QPushButton(f"{d.shortcut}  {d.label}")
            button.setCheckable(True)
            button.setObjectName(f"outcome_{d.key}")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _=False, disp=d: self.choose(disp))
            self.outcome_group.addButton(button)
            self.outcome_grid.addWidget(button, i // 2, i % 2)
            self._outcome_shortcuts.append(
                QShortcut(QKeySequence(d.shortcut), self, lambda disp=d: self.choose(disp),
                          context=Qt.ShortcutContext.WidgetWithChildrenShortcut))

    def set_days(self, week: WorkWeek, lead_tz) -> None:
        """The working week and the lead's zone that next steps are planned in."""
        self.week, self.lead_tz = week, lead_tz
        self._show_next()

    def reset(self, phone: str, callable_: bool, *, lead: bool = True) -> None:
        """A new lead (or the call just saved): nothing chosen, no timer. With no lead
        at all (`lead=False`) nothing can be called, but there is no do-not-call
        lead either: the banner stays hidden."""
        self.ticker.stop()
        self.started = None
        self.disposition = None
        self.pick = None
        self.timer_label.clear()
        self.notes.clear()
        self.error.clear()
        for group in (self.outcome_group, self.pick_group):
            group.setExclusive(False)
            for b in group.buttons():
                b.setChecked(False)
            group.setExclusive(True)
        self.date_edit.hide()
        self.phone.setText(phone or "No phone number")
        self.dnc.setVisible(lead and not callable_)
        self.call_button.setEnabled(callable_ and bool(phone))
        self.outcomes.setEnabled(callable_)
        for s in self._outcome_shortcuts:
            s.setEnabled(callable_)
        self.save_button.setEnabled(callable_)
        self.save_next_button.setEnabled(callable_)
        self._show_next()

    def keyPressEvent(self, event) -> None:
        """A printable key that no button took (not an outcome or next-step key) starts
        the notes: it goes into the notes box, which keeps the focus."""
        text = event.text()
        plain = not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                         | Qt.KeyboardModifier.MetaModifier)
        if plain and text and text.isprintable() and self.notes.isEnabled() and self.outcomes.isEnabled():
            self.notes.setFocus(Qt.FocusReason.OtherFocusReason)
            self.notes.moveCursor(QTextCursor.MoveOperation.End)
            self.notes.insertPlainText(text)
            return
        super().keyPressEvent(event)

    # -- the call ---------------------------------------------------------------------

    @property
    def in_call(self) -> bool:
        return self.started is not None

    def start_call(self) -> None:
        if not self.call_button.isEnabled():
            return
        if self.started is None:
            self.started = time.monotonic()
            self.ticker.start()
            self._tick()
        self.error.clear()
        first = self.outcome_group.buttons()[0] if self.outcome_group.buttons() else None
        if first is not None:
            first.setFocus()

    def duration(self) -> int | None:
        return None if self.started is None else int(time.monotonic() - self.started)

    def _tick(self) -> None:
        seconds = self.duration() or 0
        self.timer_label.setText(f"{seconds // 60:02d}:{seconds % 60:02d}")

    def choose(self, d: Disposition) -> None:
        if not self.outcomes.isEnabled():
            return
        self.disposition = d
        for button in self.outcome_group.buttons():
            button.setChecked(button.objectName() == f"outcome_{d.key}")
        self.error.clear()
        self._show_next()
        # The rep's next keys are the notes: with focus left on the outcome buttons,
        # every letter that is also an outcome key would re-pick the outcome. In the
        # notes box they are text (a text field takes plain keys before shortcuts).
        self.notes.setFocus(Qt.FocusReason.OtherFocusReason)
        self.notes.moveCursor(QTextCursor.MoveOperation.End)

    def choose_pick(self, key: str) -> None:
        self.pick = key
        for button in self.pick_group.buttons():
            button.setChecked(button.objectName() == f"pick_{key}" or (key == "date" and button is self.date_button))
        self.date_edit.setVisible(key == "date")
        if key == "date":
            if self.date_edit.dateTime() < QDateTime.currentDateTime():
                self.date_edit.setDateTime(QDateTime(next_step_at("tomorrow", self.clock(), self.week, self.lead_tz)))
            self.date_edit.setFocus()
        self._show_next()

    def next_step(self) -> datetime | None:
        """The chosen next step, or None to use the outcome's usual retry."""
        if self.pick is None:
            return None
        if self.pick == "date":
            return self.date_edit.dateTime().toPython().astimezone()
        return next_step_at(self.pick, self.clock(), self.week, self.lead_tz)

    def _show_next(self, *_args) -> None:
        when = self.next_step()
        if when is None and self.disposition is not None and self.disposition.retry_hours and \
                not self.disposition.disqualifies:
            when = retry_at(self.clock(), self.disposition.retry_hours, self.week, self.lead_tz)
        if self.disposition is not None and self.disposition.disqualifies:
            self.next_label.setText("Next: none (the lead leaves the queue)")
        elif when is None:
            self.next_label.setText("Next: choose one (1-5), or none")
        else:
            self.next_label.setText("Next: " + when.astimezone().strftime("%a %d %b %H:%M"))

    def show_error(self, text: str) -> None:
        self.error.setText(text)

"""Contact card: who, where, how to reach them. Fields edit in place (Return saves,
Escape puts the old value back); a bad value is kept in the box with the reason
shown, so nothing typed is lost."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leadtriage.services.fields import EDITABLE, InvalidField
from leadtriage.ui.lead.timeline import plain_label


class FieldEdit(QLineEdit):
    """A lead field edited in place."""

    commit = Signal(str, str)  # field, text

    def __init__(self, field: str, parent=None):
        super().__init__(parent)
        self.field = field
        self.setObjectName(f"field_{field}")
        self._saved = ""
        self.setFrame(False)
        self.returnPressed.connect(self._commit)
        self.editingFinished.connect(self._commit)

    def set_value(self, text: str) -> None:
        self._saved = text
        self.setText(text)
        self.setCursorPosition(0)

    def _commit(self) -> None:
        if self.text() != self._saved:
            self.commit.emit(self.field, self.text())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text() != self._saved:
            self.setText(self._saved)
            return
        super().keyPressEvent(event)


class ContactCard(QWidget):
    edited = Signal()

    FIELDS = ("first_name", "last_name", "title", "company", "phone", "email", "website", "linkedin",
              "industry", "employees", "country", "city")
    READ_ONLY = (("public_id", "Lead ID"), ("source", "Source"), ("campaign", "Campaign"),
                 ("owner", "Owner"), ("created_at", "Created"))

    def __init__(self, save: Callable[[str, str], None], parent=None):
        super().__init__(parent)
        self._save = save
        self._lead: dict | None = None
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.local_label = plain_label()
        self.local_label.setObjectName("contactLocalTime")
        form.addRow("Their time", self.local_label)
        self.values: dict[str, QLineEdit | QLabel] = {}
        for field in self.FIELDS:
            edit = FieldEdit(field)
            edit.commit.connect(self._commit)
            self.values[field] = edit
            row: QWidget = edit
            if field in ("phone", "email"):
                row = self._with_buttons(edit, field)
            form.addRow(EDITABLE[field], row)
        for key, label in self.READ_ONLY:
            self.values[key] = plain_label()
            form.addRow(label, self.values[key])
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.hide()
        self.custom = QGroupBox("From the import")
        self.custom_form = QFormLayout(self.custom)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.custom)
        layout.addStretch(1)

    def _with_buttons(self, edit: QLineEdit, field: str) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        copy = QToolButton(text="Copy")
        copy.setObjectName(f"copy_{field}")
        copy.setToolTip(f"Copy the {EDITABLE[field].lower()} to the clipboard")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self._value(field)))
        link = QToolButton(text="Dial" if field == "phone" else "Write")
        link.setObjectName(f"open_{field}")
        link.setToolTip("Open in your phone app (tel:)" if field == "phone" else "Open in your mail app (mailto:)")
        link.clicked.connect(lambda: self.open_link(field))
        row.addWidget(copy)
        row.addWidget(link)
        return box

    def _value(self, field: str) -> str:
        return str((self._lead or {}).get(field) or "")

    def link_for(self, field: str) -> QUrl | None:
        value = self._value(field)
        if not value:
            return None
        return QUrl(("tel:" if field == "phone" else "mailto:") + value)

    def open_link(self, field: str) -> None:
        url = self.link_for(field)
        if url is not None:
            QDesktopServices.openUrl(url)

    def _commit(self, field: str, text: str) -> None:
        try:
            self._save(field, text)
        except InvalidField as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        self.edited.emit()

    def show_lead(self, lead: dict | None) -> None:
        self._lead = lead
        self.error.hide()
        for key, widget in self.values.items():
            value = (lead or {}).get(key)
            text = "" if value is None else (f"{value:,}" if key == "employees" else str(value))
            if isinstance(widget, FieldEdit):
                widget.set_value(text)
            else:
                widget.setText(text)
        while self.custom_form.rowCount():
            self.custom_form.removeRow(0)
        try:
            custom = json.loads((lead or {}).get("custom_fields") or "{}")
        except ValueError:
            custom = {}
        if isinstance(custom, dict):
            for name, value in list(custom.items())[:40]:
                self.custom_form.addRow(plain_label(str(name)[:60]), plain_label(str(value)[:500]))
        self.custom.setVisible(bool(self.custom_form.rowCount()))

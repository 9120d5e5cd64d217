"""The e-mail draft: the template rendered for this lead (in the sandbox), editable,
opened in the rep's own mail program (mailto:, or an .eml draft when it is long);
the touch is logged only when the rep confirms it was sent. A merge field with no
value is named above the text, and sending needs the rep to confirm they read it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
)

from leadtriage.playbook.templates import MAILTO_LIMIT, Draft, mailto_url, write_eml
from leadtriage.ui.lead.timeline import plain_label


class EmailDraftDialog(QDialog):
    sent = Signal(str)  # the subject, once the rep confirms

    def __init__(self, draft: Draft, parent=None, *, open_url=QDesktopServices.openUrl, folder: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("E-mail draft")
        self.setObjectName("emailDraft")
        self.resize(560, 440)
        self._open_url = open_url
        self._folder = folder
        self.opened = False
        self.to = QLineEdit(draft.to)
        self.to.setReadOnly(True)
        self.subject = QLineEdit(draft.subject)
        self.subject.setObjectName("draftSubject")
        self.body = QPlainTextEdit(draft.body)
        self.body.setObjectName("draftBody")
        self.warning = plain_label()
        self.warning.setObjectName("draftWarning")
        self.warning.setStyleSheet("QLabel { background: rgba(218, 54, 51, 0.20); border-radius: 4px; padding: 4px; }")
        self.checked = QCheckBox("I have read the draft and filled in what is missing")
        self.checked.setObjectName("draftChecked")
        if draft.missing:
            self.warning.setText("No value for this lead: " + ", ".join(draft.missing_labels)
                                 + ". Those places are empty in the text below; fill them in before sending.")
        self.warning.setVisible(bool(draft.missing))
        self.checked.setVisible(bool(draft.missing))
        self._needs_check = bool(draft.missing)
        self.checked.toggled.connect(self._update)

        self.open_button = QPushButton("Open in my mail program")
        self.open_button.setObjectName("draftOpen")
        self.open_button.clicked.connect(self.open_in_mail)
        self.eml_button = QPushButton("Save as .eml draft…")
        self.eml_button.clicked.connect(self.save_eml)
        self.sent_button = QPushButton("I sent it")
        self.sent_button.setObjectName("draftSent")
        self.sent_button.clicked.connect(self.confirm_sent)
        self.status = plain_label()
        box = QDialogButtonBox()
        box.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        box.addButton(self.eml_button, QDialogButtonBox.ButtonRole.ActionRole)
        box.addButton(self.sent_button, QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(QDialogButtonBox.StandardButton.Cancel)
        box.rejected.connect(self.reject)

        form = QFormLayout(self)
        form.addRow(self.warning)
        form.addRow("To", self.to)
        form.addRow("Subject", self.subject)
        form.addRow(self.body)
        form.addRow(self.checked)
        form.addRow(self.status)
        form.addRow(box)
        self._update()

    def current(self) -> Draft:
        return Draft(self.to.text(), " ".join(self.subject.text().split()), self.body.toPlainText(), ())

    def _update(self) -> None:
        ready = not self._needs_check or self.checked.isChecked()
        self.open_button.setEnabled(ready and bool(self.to.text()))
        self.eml_button.setEnabled(ready and bool(self.to.text()))
        self.sent_button.setEnabled(ready and self.opened)

    def open_in_mail(self) -> None:
        url = mailto_url(self.current())
        if len(url) > MAILTO_LIMIT:
            self.status.setText("This draft is too long for a mailto: link; save it as an .eml draft instead.")
            return
        self._open_url(QUrl(url))
        self.opened = True
        self.status.setText("Opened in your mail program. Send it there, then confirm here.")
        self._update()

    def save_eml(self) -> None:
        folder = self._folder or Path(QFileDialog.getExistingDirectory(self, "Save the draft in"))
        if not str(folder) or not folder.is_dir():
            return
        path = write_eml(self.current(), folder, f"{self.to.text()} {self.subject.text()}")
        self._open_url(QUrl.fromLocalFile(str(path)))
        self.opened = True
        self.status.setText(f"Saved as {path.name}. Send it from your mail program, then confirm here.")
        self._update()

    def confirm_sent(self) -> None:
        self.sent.emit(self.current().subject)
        self.accept()

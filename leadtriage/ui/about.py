"""Help > About: what this is, which version, and where its files are (what support
asks first). The version comes from the package metadata, i.e. pyproject.toml."""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from leadtriage import APP_NAME, __version__

TAGLINE = "Turn raw leads into qualified sales conversations."


def version_text() -> str:
    return f"{APP_NAME} {__version__}"


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class AboutDialog(QDialog):
    def __init__(self, db_path: Path | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        icon = QGuiApplication.windowIcon()
        self.icon_label = QLabel()
        if not icon.isNull():
            self.icon_label.setPixmap(icon.pixmap(72, 72))
        self.title = _plain(version_text())
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        tagline = _plain(TAGLINE)
        heading = QVBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(tagline)
        heading.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(12)
        top.addLayout(heading, 1)

        from leadtriage.paths import data_dir, log_dir

        self.details = {
            "Version": __version__,
            "Qt": f"{qVersion()} (PySide6 {pyside_version})",
            "Python": f"{platform.python_version()} on {platform.system()} {platform.machine()}",
            "Database": str(db_path) if db_path else "—",
            "Data folder": str(data_dir()),
            "Log": str(log_dir() / "leadtriage.log"),
        }
        form = QFormLayout()
        for key, value in self.details.items():
            form.addRow(f"{key}:", _plain(value))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(buttons)
        if not icon.isNull():
            self.setWindowIcon(QIcon(icon))

    def details_text(self) -> str:
        return "\n".join([version_text(), *(f"{k}: {v}" for k, v in self.details.items())])

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())

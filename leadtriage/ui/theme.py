"""Look and feel that follows the laptop: High-DPI scaling and the system's light or
dark colour scheme.

Qt 6 scales for High-DPI screens by itself; the one choice left is how fractional
factors (125 %, 150 %) are rounded, and that must be made before the QApplication
exists. For the colour scheme, Qt 6.5+ reports what the system prefers
(`QStyleHints.colorScheme`). Native styles do not all draw dark palettes (the
Windows styles ignore them), so a dark system gets the Fusion style with a dark
palette; a light one gets the platform's own style and palette back.

`LEADTRIAGE_COLOR_SCHEME=dark|light` overrides the system (screenshots, support).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

ENV_OVERRIDE = "LEADTRIAGE_COLOR_SCHEME"


def set_high_dpi_policy() -> None:
    """Fractional scale factors pass through unrounded: crisp text at 125 % and 150 %.
    Only effective (and only allowed) before the QGuiApplication is created."""
    if QGuiApplication.instance() is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)


def system_scheme(app: QGuiApplication) -> Qt.ColorScheme:
    override = os.environ.get(ENV_OVERRIDE, "").strip().lower()
    if override == "dark":
        return Qt.ColorScheme.Dark
    if override == "light":
        return Qt.ColorScheme.Light
    return app.styleHints().colorScheme()


def dark_palette() -> QPalette:
    """A calm dark palette: enough contrast for a day of calls, links still visible."""
    p = QPalette()
    window, base, alt = QColor(45, 45, 48), QColor(30, 30, 32), QColor(40, 40, 43)
    text, dim = QColor(230, 230, 230), QColor(130, 130, 135)
    highlight = QColor(42, 130, 218)
    groups = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
    for group in groups:
        p.setColor(group, QPalette.ColorRole.Window, window)
        p.setColor(group, QPalette.ColorRole.WindowText, text)
        p.setColor(group, QPalette.ColorRole.Base, base)
        p.setColor(group, QPalette.ColorRole.AlternateBase, alt)
        p.setColor(group, QPalette.ColorRole.ToolTipBase, QColor(60, 60, 64))
        p.setColor(group, QPalette.ColorRole.ToolTipText, text)
        p.setColor(group, QPalette.ColorRole.PlaceholderText, dim)
        p.setColor(group, QPalette.ColorRole.Text, text)
        p.setColor(group, QPalette.ColorRole.Button, window)
        p.setColor(group, QPalette.ColorRole.ButtonText, text)
        p.setColor(group, QPalette.ColorRole.BrightText, QColor(255, 90, 90))
        p.setColor(group, QPalette.ColorRole.Link, QColor(100, 170, 255))
        p.setColor(group, QPalette.ColorRole.LinkVisited, QColor(170, 140, 255))
        p.setColor(group, QPalette.ColorRole.Highlight, highlight)
        p.setColor(group, QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
        p.setColor(group, QPalette.ColorRole.Light, QColor(70, 70, 74))
        p.setColor(group, QPalette.ColorRole.Midlight, QColor(58, 58, 62))
        p.setColor(group, QPalette.ColorRole.Mid, QColor(38, 38, 40))
        p.setColor(group, QPalette.ColorRole.Dark, QColor(22, 22, 24))
        p.setColor(group, QPalette.ColorRole.Shadow, QColor(0, 0, 0))
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(disabled, role, dim)
    p.setColor(disabled, QPalette.ColorRole.Window, window)
    p.setColor(disabled, QPalette.ColorRole.Button, window)
    p.setColor(disabled, QPalette.ColorRole.Base, window)
    p.setColor(disabled, QPalette.ColorRole.Highlight, QColor(80, 80, 84))
    p.setColor(disabled, QPalette.ColorRole.HighlightedText, dim)
    return p


class SchemeFollower(QObject):
    """Applies the current scheme now and again whenever the system switches."""

    def __init__(self, app: QApplication):
        super().__init__(app)
        self.app = app
        self.native_style = app.style().name()
        self.current: Qt.ColorScheme | None = None
        app.styleHints().colorSchemeChanged.connect(self._changed)
        self.apply(system_scheme(app))

    def _changed(self, _scheme: Qt.ColorScheme) -> None:
        self.apply(system_scheme(self.app))

    def apply(self, scheme: Qt.ColorScheme) -> None:
        if scheme == self.current:
            return
        was_dark, self.current = self.current == Qt.ColorScheme.Dark, scheme
        if scheme == Qt.ColorScheme.Dark:
            self.app.setStyle(QStyleFactory.create("Fusion"))
            self.app.setPalette(dark_palette())
        elif was_dark:
            # Back to what the platform gave us: its style, and its own palette (an
            # empty palette resolves nothing, so the platform theme's colours return).
            self.app.setStyle(QStyleFactory.create(self.native_style))
            self.app.setPalette(QPalette())
        # Widgets with a style sheet (chips) keep the colours they were polished with;
        # setting the sheet again makes them resolve the new palette.
        for widget in self.app.allWidgets():
            sheet = widget.styleSheet()
            if sheet:
                widget.setStyleSheet(sheet)

    @property
    def is_dark(self) -> bool:
        return self.current == Qt.ColorScheme.Dark


def follow_system_scheme(app: QApplication) -> SchemeFollower:
    """Install (once) the follower on `app`; later calls return the same one."""
    existing = app.findChild(SchemeFollower)
    if existing is not None:
        return existing
    return SchemeFollower(app)

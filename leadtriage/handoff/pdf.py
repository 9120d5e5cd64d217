"""PDF briefs printed by Qt itself (QTextDocument + QPdfWriter): no browser engine,
no extra dependency, and the same fonts the app shows.

Page size follows the locale (Letter where it is the paper standard, A4 elsewhere)
unless the `page_size` setting says otherwise. In a process without a Qt
application (the command line) a QGuiApplication on the offscreen platform is
created on first use: QTextDocument needs one for fonts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLocale, QMarginsF, QSizeF
from PySide6.QtGui import (
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
    QTextOption,
)

# Territories whose paper standard is US Letter; everywhere else uses A4.
_LETTER = {
    QLocale.Country.UnitedStates, QLocale.Country.Canada, QLocale.Country.Mexico, QLocale.Country.Philippines,
    QLocale.Country.Chile, QLocale.Country.Colombia, QLocale.Country.Venezuela, QLocale.Country.Guatemala,
    QLocale.Country.PuertoRico, QLocale.Country.CostaRica, QLocale.Country.Panama, QLocale.Country.ElSalvador,
    QLocale.Country.DominicanRepublic, QLocale.Country.Nicaragua,
}
RESOLUTION = 96  # layout units only: text and rules stay vector graphics
MARGINS_MM = QMarginsF(14, 12, 14, 12)

_app: QGuiApplication | None = None


def ensure_gui_app() -> None:
    """A QGuiApplication for fonts, made once when the process has none (the CLI).
    Always the offscreen platform: it never shows a window, and must work over SSH."""
    global _app
    if QGuiApplication.instance() is None:
        _app = QGuiApplication([sys.argv[0] if sys.argv else "leadtriage", "-platform", "offscreen"])


def page_size_for(setting: str = "", locale: QLocale | None = None) -> QPageSize:
    choice = (setting or "").strip().lower()
    if choice == "letter":
        return QPageSize(QPageSize.PageSizeId.Letter)
    if choice == "a4":
        return QPageSize(QPageSize.PageSizeId.A4)
    territory = (locale or QLocale.system()).territory()
    return QPageSize(QPageSize.PageSizeId.Letter if territory in _LETTER else QPageSize.PageSizeId.A4)


def write_pdf(html: str, path: Path, page_size: QPageSize, title: str = "") -> None:
    """Print one rich-text document to `path` (one or many pages)."""
    ensure_gui_app()
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setCreator("LeadTriage")
    writer.setTitle(title)
    writer.setPageLayout(QPageLayout(page_size, QPageLayout.Orientation.Portrait, MARGINS_MM,
                                     QPageLayout.Unit.Millimeter))
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    option = QTextOption()
    # A 5,000-character word without spaces wraps instead of running off the page.
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    doc.setDefaultTextOption(option)
    # Lay out with the printer's metrics, so point sizes are points on paper.
    doc.documentLayout().setPaintDevice(writer)
    doc.setHtml(html)
    rect = writer.pageLayout().paintRectPixels(RESOLUTION)
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    del writer  # closes and flushes the file


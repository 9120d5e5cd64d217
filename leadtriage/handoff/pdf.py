"""PDF briefs printed by Qt itself (QTextDocument + QPdfWriter): no browser engine,
no extra dependency, and the same fonts the app shows.

Page size follows the locale (Letter where it is the paper standard, A4 elsewhere)
unless the `page_size` setting says otherwise. In a process without a Qt
application (the command line) a QGuiApplication on the offscreen platform is
created on first use: QTextDocument needs one for fonts.
"""

from __future__ import annotations

import os
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
    global _app
    if QGuiApplication.instance() is None:
        if not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _app = QGuiApplication([sys.argv[0] if sys.argv else "leadtriage"])


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


# -- many PDFs: both cores ---------------------------------------------------------------
#
# Printing one brief costs ~25 ms of CPU in Qt (text shaping, drawing, font subsetting)
# and holds the GIL-free C++ side of one core. Big batches go to a small pool of
# worker processes (each with its own offscreen QGuiApplication); small ones print
# in this process, where starting workers would cost more than it saves.

POOL_THRESHOLD = 40
_IN_FLIGHT_PER_WORKER = 8


def _page_key(size: QPageSize) -> str:
    return "letter" if size.id() == QPageSize.PageSizeId.Letter else "a4"


def _init_worker() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    ensure_gui_app()


def _print_job(html: str, path: str, page_key: str, title: str) -> str:
    write_pdf(html, Path(path), page_size_for(page_key), title)
    return path


class PdfPrinter:
    """`submit()` PDFs, then `finish()`; `on_printed(n)` reports each one done.
    Uses worker processes when `expected` is large and the machine has the cores."""

    def __init__(self, page_size: QPageSize, expected: int, on_printed=None, workers: int | None = None):
        self.page_size = page_size
        self.on_printed = on_printed or (lambda n: None)
        self.printed = 0
        cores = os.cpu_count() or 1
        workers = workers if workers is not None else min(2, cores)
        self._pool = None
        self._pending: list = []
        if workers > 1 and expected >= POOL_THRESHOLD:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_worker)
            self._limit = workers * _IN_FLIGHT_PER_WORKER

    def submit(self, html: str, path: Path, title: str = "") -> None:
        if self._pool is None:
            write_pdf(html, path, self.page_size, title)
            self._done()
            return
        self._pending.append(self._pool.submit(_print_job, html, str(path), _page_key(self.page_size), title))
        while len(self._pending) >= self._limit:
            self._pending.pop(0).result()
            self._done()

    def finish(self) -> None:
        try:
            while self._pending:
                self._pending.pop(0).result()
                self._done()
        finally:
            self.close()

    def close(self) -> None:
        """Stop workers; queued jobs are dropped (used on cancel and on errors)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._pending.clear()

    def _done(self) -> None:
        self.printed += 1
        self.on_printed(self.printed)

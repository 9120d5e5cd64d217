"""PDF briefs printed by Qt itself (QTextDocument + QPdfWriter): no browser engine,
no extra dependency, and the same fonts the app shows.

Page size follows the locale (Letter where it is the paper standard, A4 elsewhere)
unless the `page_size` setting says otherwise. In a process without a Qt
application (the command line) a QGuiApplication on the offscreen platform is
created on first use: QTextDocument needs one for fonts.

Many briefs at once go through `PdfPrinter`, which shares them with one helper
process when the batch is big (see there).
"""

from __future__ import annotations

import logging
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

from leadtriage.util import processes

# Territories whose paper standard is US Letter; everywhere else uses A4.
_LETTER = {
    QLocale.Country.UnitedStates, QLocale.Country.Canada, QLocale.Country.Mexico, QLocale.Country.Philippines,
    QLocale.Country.Chile, QLocale.Country.Colombia, QLocale.Country.Venezuela, QLocale.Country.Guatemala,
    QLocale.Country.PuertoRico, QLocale.Country.CostaRica, QLocale.Country.Panama, QLocale.Country.ElSalvador,
    QLocale.Country.DominicanRepublic, QLocale.Country.Nicaragua,
}
RESOLUTION = 96  # layout units only: text and rules stay vector graphics
MARGINS_MM = QMarginsF(14, 12, 14, 12)

log = logging.getLogger(__name__)

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
    # Lay out with the printer's metrics, so point sizes are points on paper, and
    # on the page size from the start: setting it after setHtml lays out twice.
    doc.documentLayout().setPaintDevice(writer)
    rect = writer.pageLayout().paintRectPixels(RESOLUTION)
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.setHtml(html)
    doc.print_(writer)
    del writer  # closes and flushes the file



# -- many PDFs: this process and one helper ----------------------------------------------
#
# A brief costs ~15-20 ms of CPU inside Qt (layout, drawing, font subsetting), and
# PySide keeps the GIL during those calls, so threads cannot share the work out. For
# a big batch a helper process (spawn: this process may run Qt threads; offscreen
# QGuiApplication of its own) prints whenever it has room in its queue, and this
# process prints the rest while it also collects, renders and names the files. Small
# batches print here alone: starting the helper costs ~0.5 s of CPU.

HELPER_THRESHOLD = 40  # PDFs in one export before a helper is worth starting
_HELPER_QUEUE = 2  # briefs sent to the helper and not yet done; when full, print here


def _page_key(size: QPageSize) -> str:
    return "letter" if size.id() == QPageSize.PageSizeId.Letter else "a4"


def _helper_main(conn, page_key: str) -> None:
    """The helper process: print (html, path, title) jobs until told to stop. Answers
    each with None or the error text. Ends by itself when the exporting process is
    gone (the pipe closes)."""
    ensure_gui_app()
    page_size = page_size_for(page_key)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        html, path, title = job
        try:
            write_pdf(html, Path(path), page_size, title)
        except Exception as exc:  # reported to the exporting process, which fails the export
            conn.send(f"{type(exc).__name__}: {exc}")
        else:
            conn.send(None)


class PdfPrinter:
    """Prints one PDF per `print()` call; `finish()` waits until every file is written.
    `close()` always runs last (use `with`): it stops the helper at once, so after a
    cancel or an error nothing writes any more and the export can remove its files."""

    def __init__(self, page_size: QPageSize, expected: int, helper: bool | None = None):
        self.page_size = page_size
        self._sent: list[tuple[str, str, str]] = []  # jobs the helper has not answered yet, oldest first
        self._process = self._conn = None
        if helper is None:
            helper = expected >= HELPER_THRESHOLD and processes.spare_core()
        if helper:
            self._conn, child = processes.context().Pipe()
            # None: no process to be had (limits, memory): print here, as for small batches.
            self._process = processes.start_helper(_helper_main, (child, _page_key(page_size)),
                                                   name="leadtriage-pdf", what="PDF")
            if self._process is None:
                self._conn.close()
            child.close()

    @property
    def parallel(self) -> bool:
        return self._process is not None

    def print(self, html: str, path: Path, title: str = "") -> None:
        self._collect(wait=False)
        if self._process is not None and len(self._sent) < _HELPER_QUEUE:
            job = (html, str(path), title)
            try:
                self._conn.send(job)
            except OSError:  # the helper is gone: print here
                self._helper_failed()
            else:
                self._sent.append(job)
                return
        write_pdf(html, path, self.page_size, title)

    def finish(self) -> None:
        self._collect(wait=True)

    def _collect(self, wait: bool) -> None:
        while self._sent and (wait or self._conn.poll()):
            try:
                error = self._conn.recv()
            except (EOFError, OSError):
                self._helper_failed()
                return
            html, path, title = self._sent.pop(0)
            if error:
                raise RuntimeError(f"Printing {Path(path).name} failed: {error}")

    def _helper_failed(self) -> None:
        """The helper could not start or died: its unanswered briefs are printed here
        (same files, rewritten from the start), and so is everything after them."""
        log.warning("PDF helper process stopped; printing in this process")
        unanswered, self._sent = self._sent, []
        self.close()
        for html, path, title in unanswered:
            write_pdf(html, Path(path), self.page_size, title)

    def close(self) -> None:
        if self._process is not None:
            process, self._process = self._process, None
            process.terminate()  # its queued briefs are dropped; a half-written file is the export's to remove
            process.join()
            self._conn.close()
        self._sent.clear()

    def __enter__(self) -> PdfPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Import entry points on the main window: File ▸ Import… (Ctrl+O) and the toolbar,
the welcome page's button, and dropping a file on the window. Kept here so the
main window only assembles parts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from leadtriage.importing.reader import SPREADSHEET_SUFFIXES
from leadtriage.ui.importing.review import DuplicatesDialog, ImportHistoryDialog
from leadtriage.ui.importing.wizard import ImportWizard
from leadtriage.ui.worker import Worker

if TYPE_CHECKING:  # the UI only hands the Store on, to read sides and services
    from leadtriage.store.db import Store

IMPORTABLE = {".csv", ".tsv", ".txt", ".tab", *SPREADSHEET_SUFFIXES}


class ImportActions(QObject):
    def __init__(self, window: QMainWindow, store: Store, worker: Worker, file_menu: QMenu, on_change):
        super().__init__(window)
        self.window, self.store, self.worker, self.on_change = window, store, worker, on_change
        self.wizard: ImportWizard | None = None
        self.dialog = None
        self.import_action = QAction("&Import lead list…", window)
        self.import_action.setObjectName("importAction")
        self.import_action.setShortcut(QKeySequence.StandardKey.Open)
        self.import_action.setStatusTip("Import a CSV, TSV, TXT or Excel/ODS lead list")
        self.import_action.triggered.connect(lambda: self.open_wizard())
        self.duplicates_action = QAction("Review possible &duplicates…", window)
        self.duplicates_action.triggered.connect(self.open_duplicates)
        self.history_action = QAction("Import &history and undo…", window)
        self.history_action.triggered.connect(self.open_history)
        first = file_menu.actions()[0] if file_menu.actions() else None
        file_menu.insertAction(first, self.import_action)
        file_menu.insertAction(first, self.duplicates_action)
        file_menu.insertAction(first, self.history_action)
        file_menu.insertSeparator(first)
        self.toolbar = QToolBar("Main", window)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.addAction(self.import_action)
        window.addToolBar(self.toolbar)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def open_wizard(self, path: str | Path | None = None) -> ImportWizard:
        if self.wizard is not None and self.wizard.isVisible():
            if path and not self.wizard.busy():
                self.wizard.restart()
                self.wizard.open_file(path)
            self.wizard.raise_()
            return self.wizard
        self.wizard = ImportWizard(self.store, self.worker, path, self.window)
        self.wizard.imported.connect(lambda _result: self.on_change())
        self.wizard.review_duplicates.connect(self.open_duplicates)
        self.wizard.open()
        return self.wizard

    def open_duplicates(self) -> DuplicatesDialog:
        dialog = DuplicatesDialog(self.store, self.window)
        dialog.changed.connect(self.on_change)
        dialog.open()
        self.dialog = dialog
        return dialog

    def open_history(self) -> ImportHistoryDialog:
        dialog = ImportHistoryDialog(self.store, self.window)
        dialog.changed.connect(self.on_change)
        dialog.open()
        self.dialog = dialog
        return dialog

    # -- dropping a file on the window ---------------------------------------------------

    @staticmethod
    def _dropped_file(event: QDragEnterEvent | QDropEvent) -> Path | None:
        mime = event.mimeData()
        if not mime.hasUrls():
            return None
        files = [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()]
        if len(files) != 1 or files[0].suffix.lower() not in IMPORTABLE:
            return None
        return files[0]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self._dropped_file(event) is not None:  # type: ignore[arg-type]
                event.acceptProposedAction()  # type: ignore[attr-defined]
                return True
        elif kind == QEvent.Type.Drop:
            path = self._dropped_file(event)  # type: ignore[arg-type]
            if path is not None:
                event.acceptProposedAction()  # type: ignore[attr-defined]
                self.open_wizard(path)
                return True
        return super().eventFilter(watched, event)

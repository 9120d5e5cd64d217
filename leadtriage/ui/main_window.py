"""The main window assembles the parts: sidebar of views, lead table, lead panel,
welcome page. Each part owns its behaviour; this class wires them together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QItemSelectionModel,
    QSettings,
    QSignalBlocker,
    QTimer,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTableView,
)

import leadtriage
from leadtriage import APP_NAME
from leadtriage.services.field_reps import FieldRepService
from leadtriage.services.leads import LeadService
from leadtriage.services.reminders import overdue_count
from leadtriage.store import queue
from leadtriage.store.db import Store
from leadtriage.store.settings import SettingsStore
from leadtriage.ui.lead.workspace import LeadWorkspace
from leadtriage.ui.queue.table_model import LeadTableModel
from leadtriage.ui.queue.views_model import ViewListModel
from leadtriage.ui.reminders import Reminders
from leadtriage.ui.settings_dialog import SettingsDialog
from leadtriage.ui.shortcuts_dialog import ShortcutsDialog
from leadtriage.ui.welcome import WelcomePage
from leadtriage.ui.worker import Worker

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, store: Store, worker: Worker, settings: QSettings | None = None,
                 clock: Callable[[], datetime] | None = None):
        super().__init__()
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.worker = worker
        self.qsettings = settings or QSettings()
        self.setWindowTitle(f"{APP_NAME} — {store.path.name}")
        # The version costs an importlib.metadata import: after the first paint.
        QTimer.singleShot(0, self._title_with_version)
        self.setObjectName("MainWindow")

        self.views = ViewListModel(self)
        self.sidebar = QListView()
        self.sidebar.setModel(self.views)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sidebar.setMaximumWidth(240)

        self.leads = LeadTableModel(store.conn, self)
        self.table = QTableView()
        self.table.setObjectName("leadTable")
        self.table.setModel(self.leads)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)

        self.panel = self._make_workspace()
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)

        self.welcome = WelcomePage()
        self.welcome.demo_requested.connect(self.load_demo)
        self.welcome.settings_requested.connect(self.open_settings)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.splitter)
        self.setCentralWidget(self.stack)

        self.sidebar.selectionModel().currentChanged.connect(lambda cur, _: self.show_view(cur.data(ViewListModel.ViewKeyRole)))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._build_menus()
        self._build_workspace_parts()
        self.statusBar()
        self.refresh()
        self.sidebar.setCurrentIndex(self.views.index(self.views.row_of("new")))
        self._restore_layout()

    # -- parts -----------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.demo_action = QAction("Load &demo data", self, triggered=self.load_demo)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, triggered=self.close)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        file_menu.addAction(quit_action)
        view_menu = self.menuBar().addMenu("&View")
        refresh = QAction("&Refresh", self, triggered=self.refresh)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        view_menu.addAction(refresh)
        view_menu.addSeparator()
        for number, view in enumerate(self.views.views[:9], start=1):
            action = QAction(view.label, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, key=view.key: self.select_view(key))
            view_menu.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(QAction(f"&About {APP_NAME}", self, triggered=self.about))

    def _title_with_version(self) -> None:
        # Called after the first paint: the version lookup costs ~0.1 s.
        self._version = leadtriage.__version__
        self._update_title()

    def _update_title(self) -> None:
        name = f"{APP_NAME} {self._version}" if getattr(self, "_version", None) else APP_NAME
        overdue = getattr(self, "_overdue", 0)
        suffix = f" — {overdue:,} overdue" if overdue else ""
        self.setWindowTitle(f"{name} — {self.store.path.name}{suffix}")

    # -- behaviour -------------------------------------------------------------------

    def refresh(self) -> None:
        counts = queue.counts_by_status(self.store.conn)
        self.views.set_counts(counts)
        has_leads = counts.get("all", 0) > 0
        self.stack.setCurrentWidget(self.splitter if has_leads else self.welcome)
        self.demo_action.setEnabled(not has_leads)
        if has_leads:
            self.leads.reload()

    def select_view(self, key: str) -> None:
        self.sidebar.setCurrentIndex(self.views.index(self.views.row_of(key)))

    def show_view(self, key: str | None) -> None:
        if key:
            self.leads.set_view(queue.VIEWS[key])
            self.panel.load(None)

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        lead_id = self.leads.lead_id(rows[0].row()) if len(rows) == 1 else None
        self.open_lead(lead_id)

    def open_lead(self, lead_id: int | None) -> None:
        current = self.panel.lead["id"] if self.panel.lead else None
        if lead_id != current and not self.panel.can_leave():
            self._reselect(current)  # a call is running without an outcome: stay
            return
        self.panel.load(lead_id)

    # -- lead workspace: undo, settings, reminders, shortcuts ---------------------------------

    def _make_workspace(self) -> LeadWorkspace:
        settings = SettingsStore(self.store)
        self.lead_service = LeadService(self.store, rep=settings.get("rep_name"), clock=self.clock)
        self.field_reps = FieldRepService(self.store)
        workspace = LeadWorkspace(self.lead_service, self.field_reps, self.clock)
        workspace.changed.connect(self._lead_changed)
        workspace.next_requested.connect(self.select_next_lead)
        return workspace

    def _build_workspace_parts(self) -> None:
        bar = self.menuBar()
        view_action = next(a for a in bar.actions() if a.text() == "&View")
        edit_menu = QMenu("&Edit", self)
        bar.insertMenu(view_action, edit_menu)
        self.undo_action = QAction("&Undo", self, triggered=self.undo)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        edit_menu.addAction(self.undo_action)
        edit_menu.aboutToShow.connect(self._update_undo)
        edit_menu.addSeparator()
        self.settings_action = QAction("&Settings…", self, triggered=self.open_settings)
        self.settings_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Preferences),
                                           QKeySequence("Ctrl+,")])
        edit_menu.addAction(self.settings_action)
        help_menu = next(a.menu() for a in bar.actions() if a.text() == "&Help")
        self.shortcuts_action = QAction("&Keyboard shortcuts", self, triggered=self.show_shortcuts)
        self.shortcuts_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        help_menu.insertAction(help_menu.actions()[0], self.shortcuts_action)
        self.reminders = Reminders(self.store, self, self.clock)
        self.reminders.overdue_changed.connect(self._show_overdue)
        self.reminders.check()
        self._update_undo()

    def _show_overdue(self, count: int) -> None:
        self._overdue = count
        self._update_title()

    def _update_undo(self) -> None:
        last = self.lead_service.last_undoable()
        self.undo_action.setText(f"&Undo {last.label}" if last else "&Undo")
        self.undo_action.setEnabled(last is not None)

    def undo(self) -> None:
        change = self.lead_service.undo()
        if change is None:
            self.statusBar().showMessage("Nothing to undo.", 3000)
        else:
            self.statusBar().showMessage(f"Undone: {change.label}", 5000)
            if self.panel.lead and self.panel.lead["id"] == change.lead_id:
                self.panel.reload()
            self._lead_changed(change.lead_id)

    def _lead_changed(self, _lead_id: int) -> None:
        self.views.set_counts(queue.counts_by_status(self.store.conn))
        self._show_overdue(overdue_count(self.store, self.clock()))
        self._update_undo()

    def _reselect(self, lead_id: int | None) -> None:
        for row in range(self.leads.rowCount()):
            if self.leads.lead_id(row) == lead_id:
                blocker = QSignalBlocker(self.table.selectionModel())
                self.table.selectRow(row)
                del blocker
                self.table.viewport().update()
                return

    def select_next_lead(self) -> None:
        """Open the lead below the current one in the table (a simple version; the
        queue decides the order)."""
        rows = self.table.selectionModel().selectedRows()
        row = rows[-1].row() + 1 if rows else 0
        if row >= self.leads.rowCount() and self.leads.canFetchMore():
            self.leads.fetchMore()
        if row < self.leads.rowCount():
            # not selectRow(): with Ctrl still held from Ctrl+Return it would extend the selection
            flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            index = self.leads.index(row, 0)
            self.table.selectionModel().setCurrentIndex(index, flags)
            self.table.scrollTo(index)
        else:
            self.statusBar().showMessage("End of the list.", 5000)

    def open_settings(self) -> None:
        dialog = SettingsDialog(SettingsStore(self.store), self.field_reps, self)
        if dialog.exec():
            self.lead_service.rep = SettingsStore(self.store).get("rep_name")
            self.lead_service.reload_settings()
            self.panel.reload()

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self._shortcut_rows(), self).exec()

    def _shortcut_rows(self) -> list[tuple[str, str]]:
        rows = []
        for action in self.findChildren(QAction):
            keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
            if keys:
                rows.append((keys, action.text().replace("&", "")))
        return rows + list(self.panel.shortcut_help())

    def load_demo(self) -> None:
        from leadtriage.demo import generate

        self.welcome.set_busy("Creating demo data…")
        self.demo_action.setEnabled(False)

        def work(progress):
            store = self.store.for_worker()
            try:
                return generate(store, leads=2000, progress=lambda d, t: progress.report(d, t))
            finally:
                store.conn.close()

        def done(summary) -> None:
            self.welcome.set_busy("")
            self.statusBar().showMessage(f"Demo data loaded: {summary.leads:,} leads", 5000)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.welcome.set_busy("")
            self.refresh()
            QMessageBox.warning(self, APP_NAME, f"Demo data could not be created: {exc}")

        self.worker.run(work, on_done=done, on_error=failed)

    def about(self) -> None:
        from leadtriage.ui.about import AboutDialog

        AboutDialog(self.store.path, self).exec()

    # -- layout memory ---------------------------------------------------------------

    def _restore_layout(self) -> None:
        geometry = self.qsettings.value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = self.qsettings.value("main/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = self.qsettings.value("main/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([200, 700, 380])
        header = self.qsettings.value("main/table_header")
        if isinstance(header, QByteArray):
            self.table.horizontalHeader().restoreState(header)

    def save_layout(self) -> None:
        self.qsettings.setValue("main/geometry", self.saveGeometry())
        self.qsettings.setValue("main/state", self.saveState())
        self.qsettings.setValue("main/splitter", self.splitter.saveState())
        self.qsettings.setValue("main/table_header", self.table.horizontalHeader().saveState())

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.worker.wait(10000)
        super().closeEvent(event)




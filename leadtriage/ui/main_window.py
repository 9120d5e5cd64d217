"""The main window assembles the parts: sidebar of views, lead table, lead panel,
welcome page. Each part owns its behaviour; this class wires them together."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QItemSelection, QSettings
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QListView,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTableView,
)

from leadtriage import APP_NAME, __version__
from leadtriage.store import queue
from leadtriage.store.db import Store
from leadtriage.ui.lead.panel import LeadPanel
from leadtriage.ui.queue.table_model import LeadTableModel
from leadtriage.ui.queue.views_model import ViewListModel
from leadtriage.ui.welcome import WelcomePage
from leadtriage.ui.worker import Worker

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, store: Store, worker: Worker, settings: QSettings | None = None):
        super().__init__()
        self.store = store
        self.worker = worker
        self.qsettings = settings or QSettings()
        self.setWindowTitle(f"{APP_NAME} — {store.path.name}")
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

        self.panel = LeadPanel()
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)

        self.welcome = WelcomePage()
        self.welcome.demo_requested.connect(self.load_demo)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.splitter)
        self.setCentralWidget(self.stack)

        self.sidebar.selectionModel().currentChanged.connect(lambda cur, _: self.show_view(cur.data(ViewListModel.ViewKeyRole)))
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._build_menus()
        self._build_import_actions()
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
        self._build_backup_part(file_menu)
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

    def _build_backup_part(self, file_menu) -> None:
        # Backups own their actions, timer and dialogs (leadtriage.ui.backups).
        from leadtriage.ui.backups import BackupController

        self.backups = BackupController(self, self.store, self.worker, on_restored=self.refresh)
        file_menu.addAction(self.backups.backup_action)
        file_menu.addAction(self.backups.restore_action)

    def _build_import_actions(self) -> None:
        # Import lives in its own part: File ▸ Import… (Ctrl+O), toolbar, drop a file,
        # the welcome page's button, duplicates review and import history.
        from leadtriage.ui.importing.actions import ImportActions

        self.importing = ImportActions(self, self.store, self.worker, self.menuBar().actions()[0].menu(),
                                       on_change=self.refresh)
        self.welcome.import_requested.connect(lambda: self.importing.open_wizard())

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
            self.panel.show_lead(None, [])

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        lead_id = self.leads.lead_id(rows[0].row()) if len(rows) == 1 else None
        self.open_lead(lead_id)

    def open_lead(self, lead_id: int | None) -> None:
        if lead_id is None:
            self.panel.show_lead(None, [])
            return
        self.panel.show_lead(queue.lead_detail(self.store.conn, lead_id), queue.timeline(self.store.conn, lead_id))

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
        QMessageBox.about(
            self, f"About {APP_NAME}",
            f"{APP_NAME} {__version__}\n\nTurn raw leads into qualified sales conversations.\n\n"
            f"Database: {self.store.path}",
        )

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
        self.backups.stop()
        self.worker.wait(10000)
        self.backups.close()
        super().closeEvent(event)




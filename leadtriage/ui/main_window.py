"""The main window assembles the parts: sidebar of views, search and filters over
the lead table, the lead panel, the welcome page. Each part owns its behaviour; this
class wires them together."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
)

import leadtriage
from leadtriage import APP_NAME
from leadtriage.leadwork.field_reps import FieldRepService
from leadtriage.leadwork.leads import LeadService
from leadtriage.reads import queue
from leadtriage.store.settings import SettingsStore
from leadtriage.ui.lead.workspace import LeadWorkspace
from leadtriage.ui.queue.panel import QueuePanel
from leadtriage.ui.queue.table_model import utc_now
from leadtriage.ui.queue.views_model import ViewListModel
from leadtriage.ui.reminders import Reminders
from leadtriage.ui.settings_dialog import SettingsDialog
from leadtriage.ui.shortcuts_dialog import ShortcutsDialog
from leadtriage.ui.welcome import WelcomePage
from leadtriage.ui.worker import Worker

if TYPE_CHECKING:  # the UI only hands the Store on, to read sides and services
    from leadtriage.store.db import Store

log = logging.getLogger(__name__)
TICK_MS = 60_000  # counts and local times move with the clock


class MainWindow(QMainWindow):
    def __init__(self, store: Store, worker: Worker, settings: QSettings | None = None, *, clock=utc_now):
        super().__init__()
        self.store = store
        self.worker = worker
        self.qsettings = settings or QSettings()
        self.clock = clock
        self.setObjectName("MainWindow")
        self._counts_job = None
        self._version = ""
        self._update_title()
        # The version costs an importlib.metadata import: after the first paint.
        QTimer.singleShot(0, self._title_with_version)

        self.views = ViewListModel(self)
        self.sidebar = QListView()
        self.sidebar.setModel(self.views)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sidebar.setMaximumWidth(280)
        self.sidebar.setSpacing(2)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self._build_queue()

        self.panel = self._make_workspace()  # the right-hand slot
        self.splitter = QSplitter()
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.queue_area)
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

        self.sidebar.selectionModel().currentChanged.connect(
            lambda cur, _: self.show_view(cur.data(ViewListModel.ViewKeyRole)))
        self.queue_panel.selection_changed.connect(self.open_lead)
        self._build_menus()
        self._build_import_actions()
        self._build_workspace_parts()
        self._build_dashboard()
        from leadtriage.ui.field_sales import FieldSalesPart  # export briefs, outcomes back

        self.field_sales = FieldSalesPart(self)
        from leadtriage.ui.playbook.part import (
            PlaybookPart,  # cadences: due step, e-mail draft, bulk actions
        )

        self.playbook = PlaybookPart(self)
        self.statusBar()
        self._build_team_part()
        self.refresh()
        self.sidebar.setCurrentIndex(self.views.index(self.views.row_of(queue.TODAY)))
        self._restore_layout()
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()

    # -- parts -----------------------------------------------------------------------

    def _build_queue(self) -> None:
        """The middle column (ui/queue/panel.py): search, filters, the lead table."""
        q = self.queue_panel = QueuePanel(self.store, self.views, SettingsStore(self.store), self.clock)
        # Its parts by their old names: other parts (cadences, import, shortcuts) use them.
        self.queue_area, self.leads, self.table = q, q.leads, q.table
        self.search, self.filters, self.list_info = q.search, q.filters, q.list_info
        q.message.connect(lambda text, msecs: self.statusBar().showMessage(text, msecs))
        q.open_lead_gone.connect(lambda: self.open_lead(None))
        q.activated.connect(self._activated)

    def _build_menus(self) -> None:
        # Parts add their actions to these menus, held by reference (a label may change).
        self.file_menu = file_menu = self.menuBar().addMenu("&File")
        self.demo_action = QAction("Load &demo data", self, triggered=self.load_demo)
        file_menu.addAction(self.demo_action)
        file_menu.addSeparator()
        self._build_backup_part(file_menu)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, triggered=self.close)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        file_menu.addAction(quit_action)
        self.edit_menu = edit_menu = self.menuBar().addMenu("&Edit")
        self.find_action = QAction("&Find lead…", self, triggered=self.focus_search)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        edit_menu.addAction(self.find_action)
        self.view_menu = view_menu = self.menuBar().addMenu("&View")
        refresh = QAction("&Refresh", self, triggered=self.refresh)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        view_menu.addAction(refresh)
        clear = QAction("Clear &filters", self, triggered=self.filters.clear)
        view_menu.addAction(clear)
        view_menu.addSeparator()
        self.view_actions: list[QAction] = []
        for number, view in enumerate(self.views.views, start=1):
            action = QAction(view.label, self)
            if number <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, key=view.key: self.select_view(key))
            view_menu.addAction(action)
            self.view_actions.append(action)
        self.go_menu = go_menu = self.menuBar().addMenu("&Go")
        self.next_action = QAction("&Next lead", self, triggered=self.select_next_lead)
        self.next_action.setShortcut(QKeySequence("Ctrl+J"))
        go_menu.addAction(self.next_action)
        self.leads_menu = self.menuBar().addMenu("&Leads")  # export and outcomes fill it
        self.help_menu = help_menu = self.menuBar().addMenu("&Help")
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

        self.importing = ImportActions(self, self.store, self.worker, self.file_menu,
                                       on_change=self.refresh)
        self.welcome.import_requested.connect(lambda: self.importing.open_wizard())

    # -- behaviour -------------------------------------------------------------------

    def refresh(self) -> None:
        counts = self.leads.reads.counts_by_status()
        self.views.set_counts(counts)
        has_leads = counts.get("all", 0) > 0
        self.stack.setCurrentWidget(self.splitter if has_leads else self.welcome)
        self.demo_action.setEnabled(not has_leads)
        if has_leads:
            self.refresh_counts()
            self._load_filter_options()
            self.leads.reload()
            self.retrainer.check()  # enough newly closed leads: learn again in the background

    def refresh_counts(self) -> None:
        """Status counts come straight from the trigger-kept table (instant); the
        time-dependent ones (Today, overdue, nurture due) are index scans of tens of
        milliseconds on a big database, so they run off the UI thread."""
        self.views.set_counts(self.leads.reads.counts_by_status())
        if self._counts_job is not None:
            return  # one in flight is enough; it reads fresh data
        moment = queue.Moment(self.clock())

        def done(counts: dict[str, int]) -> None:
            self._counts_job = None
            self.views.set_counts(counts)
            self._update_title()
            self.queue_panel.update_list_info()

        def failed(exc: BaseException) -> None:
            self._counts_job = None
            log.warning("queue counts failed: %s", exc)

        self._counts_job = True  # set before run: a synchronous worker finishes inside run()
        handle = self.worker.run_db(self.store, lambda own, _progress: queue.queue_counts(own, moment),
                                    on_done=done, on_error=failed)
        if self._counts_job is True:
            self._counts_job = handle

    def _load_filter_options(self) -> None:
        self.worker.run_db(self.store, lambda own, _progress: queue.filter_options(own),
                           on_done=self.filters.set_options,
                           on_error=lambda exc: log.warning("filter options failed: %s", exc))

    def _on_tick(self) -> None:
        if self.stack.currentWidget() is self.splitter:
            self.refresh_counts()
            self.leads.refresh_clock_columns()
            self.panel.refresh_local_time()

    def _title_with_version(self) -> None:
        self._version = leadtriage.__version__
        self._update_title()

    def _update_title(self) -> None:
        name = f"{APP_NAME} {self._version}" if self._version else APP_NAME
        title = f"{name} — {self.store.path.name}"
        overdue = self.views.counts.get("overdue", 0) if hasattr(self, "views") else 0
        if overdue:
            title += f" — {overdue:,} overdue"
        self.setWindowTitle(title)

    def select_view(self, key: str) -> None:
        self.sidebar.setCurrentIndex(self.views.index(self.views.row_of(key)))

    def show_view(self, key: str | None) -> None:
        if key:
            self.queue_panel.show_view(key)
            self.open_lead(None)

    def focus_search(self) -> None:
        self.queue_panel.focus_search()

    def _activated(self, lead_id: int) -> None:
        """Enter (or double-click) on a row: open it and move into the lead."""
        self.open_lead(lead_id)
        self.panel.setFocus(Qt.FocusReason.OtherFocusReason)

    def select_next_lead(self) -> int | None:
        """Move to the next row of the current view's order and open it ("save and
        next"). Returns the lead id, or None at the end of the list."""
        return self.queue_panel.select_next_lead()

    def open_lead(self, lead_id: int | None) -> None:
        current = self.panel.lead["id"] if self.panel.lead else None
        if lead_id != current and not self.panel.can_leave():
            self.queue_panel.reselect(current)  # a call is running without an outcome: stay
            return
        self.queue_panel.open_lead_id = lead_id
        self.panel.load(lead_id)
        self.playbook.show_lead(lead_id)

    # -- lead workspace: undo, settings, reminders, shortcuts ---------------------------------

    def show_lead(self, lead_id: int) -> None:
        """Open a lead from outside the list (a reminder): selected in the table when
        it is listed there, else opened in the panel alone."""
        self.stack.setCurrentWidget(self.splitter)
        if not self.queue_panel.select_lead(lead_id):
            self.open_lead(lead_id)

    def _make_workspace(self) -> LeadWorkspace:
        settings = SettingsStore(self.store)
        self.lead_service = LeadService(self.store, rep=settings.get("rep_name"), clock=self.clock)
        self.field_reps = FieldRepService(self.store)
        workspace = LeadWorkspace(self.lead_service, self.field_reps, self.clock)
        workspace.changed.connect(self._lead_changed)
        workspace.next_requested.connect(self.select_next_lead)
        return workspace

    def _build_workspace_parts(self) -> None:
        edit_menu = self.edit_menu
        self.undo_action = QAction("&Undo", self, triggered=self.undo)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        first = edit_menu.actions()[0]
        edit_menu.insertAction(first, self.undo_action)
        edit_menu.insertSeparator(first)
        edit_menu.aboutToShow.connect(self._update_undo)
        edit_menu.addSeparator()
        self.settings_action = QAction("&Settings…", self, triggered=self.open_settings)
        self.settings_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Preferences),
                                           QKeySequence("Ctrl+,")])
        edit_menu.addAction(self.settings_action)
        help_menu = self.help_menu
        self.shortcuts_action = QAction("&Keyboard shortcuts", self, triggered=self.show_shortcuts)
        self.shortcuts_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        help_menu.insertAction(help_menu.actions()[0], self.shortcuts_action)
        # Reminders raise desktop notices; the overdue count in the title and the
        # sidebar comes from the queue's own counts, so both always agree.
        self.reminders = Reminders(self.store, self, self.clock)
        self.reminders.counts_stale.connect(self.refresh_counts)
        self.reminders.open_requested.connect(self.show_lead)
        # A lead that just came due shows it in its row too ("Due today" -> "Overdue").
        self.reminders.notified.connect(lambda due: [self.leads.refresh_lead(d.lead_id) for d in due])
        self.queue_panel.add_band(self.reminders.bar)  # the due band, above the list
        self.reminders.check()
        self._update_undo()

    def _update_undo(self) -> None:
        last = self.lead_service.last_undoable()
        bulk = self.playbook.undo_label() if hasattr(self, "playbook") else None
        label = bulk or (last.label if last else None)
        self.undo_action.setText(f"&Undo {label}" if label else "&Undo")
        self.undo_action.setEnabled(label is not None)

    def undo(self) -> None:
        if self.playbook.undo_last():  # a bulk action on a selection: one step
            return
        change = self.lead_service.undo()
        if change is None:
            self.statusBar().showMessage("Nothing to undo.", 3000)
        else:
            self.statusBar().showMessage(f"Undone: {change.label}", 5000)
            if self.panel.lead and self.panel.lead["id"] == change.lead_id:
                self.panel.reload()
            self._lead_changed(change.lead_id)

    def _lead_changed(self, lead_id: int) -> None:
        self.leads.refresh_lead(lead_id)  # in place: the rep keeps their place in the list
        self.reminders.forget(lead_id)  # worked: its callback notice has done its job
        self.refresh_counts()
        self._update_undo()

    def _build_team_part(self) -> None:
        """Team mode: the sync line in the status bar, Sync now, automatic sync."""
        from leadtriage.ui.team import TeamController

        self.team = TeamController(self.store, self.worker, self.statusBar(), self.refresh, parent=self)

    def open_settings(self) -> None:
        from leadtriage.ui.team import TeamPage

        dialog = SettingsDialog(SettingsStore(self.store), self.field_reps, self,
                                extra_pages=((TeamPage(self.store, self.worker), "&Team"),))
        if dialog.exec():
            self.lead_service.rep = SettingsStore(self.store).get("rep_name")
            self.lead_service.reload_settings()
            self.panel.reload()

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self._shortcut_rows(), self).exec()

    def _shortcut_rows(self) -> list[tuple[str, str]]:
        rows = []
        for action in self.findChildren(QAction):
            # A standard key the platform leaves unbound (Preferences on Linux) is an
            # empty sequence: left out, so Settings reads "Ctrl+," and not ", Ctrl+,".
            names = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts() if not k.isEmpty()]
            keys = " or ".join(dict.fromkeys(names))
            if keys:
                rows.append((keys, action.text().replace("&", "")))
        return rows + list(self.panel.shortcut_help())

    def load_demo(self) -> None:
        from leadtriage.demo import generate

        self.welcome.set_busy("Creating demo data…")
        self.demo_action.setEnabled(False)

        def work(own, progress):
            return generate(own, leads=2000, progress=lambda d, t: progress.report(d, t))

        def done(summary) -> None:
            self.welcome.set_busy("")
            self.statusBar().showMessage(f"Demo data loaded: {summary.leads:,} leads", 5000)
            self.refresh()

        def failed(exc: BaseException) -> None:
            self.welcome.set_busy("")
            self.refresh()
            QMessageBox.warning(self, APP_NAME, f"Demo data could not be created: {exc}")

        self.worker.run_db(self.store, work, on_done=done, on_error=failed)

    def about(self) -> None:
        from leadtriage.ui.about import AboutDialog

        AboutDialog(self.store.path, self).exec()

    # -- dashboard and drill-down ------------------------------------------------------

    def _build_dashboard(self) -> None:
        """A Dashboard entry (View menu, Ctrl+Shift+D: Ctrl+D starts a call); the view
        itself is made on first use."""
        self.dashboard = None
        self.dashboard_action = QAction("&Dashboard", self, triggered=self.show_dashboard)
        self.dashboard_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
        view_menu = self.view_menu
        view_menu.insertAction(view_menu.actions()[0], self.dashboard_action)
        view_menu.insertSeparator(view_menu.actions()[1])
        self.queue_action = QAction("Lead &queue", self, triggered=lambda: self.stack.setCurrentWidget(self.splitter))
        self.queue_action.setShortcut(QKeySequence("Ctrl+L"))
        view_menu.insertAction(view_menu.actions()[1], self.queue_action)
        from leadtriage.ui.score_retrainer import ScoreRetrainer

        self.retrainer = ScoreRetrainer(self.store, self.worker, self, on_done=self.refresh)

    def show_dashboard(self) -> None:
        from leadtriage.ui.dashboard import DashboardView

        if self.dashboard is None:
            self.dashboard = DashboardView(self.store, self.worker, self)
            self.dashboard.leads_requested.connect(lambda f: self.show_leads(f, f.title))
            self.dashboard.quality_page.retrained.connect(lambda _report: self.refresh())
            self.stack.addWidget(self.dashboard)
            self.dashboard.refresh()
        self.stack.setCurrentWidget(self.dashboard)

    def show_leads(self, selection, title: str) -> None:
        """Show a chosen set of leads in the table: a list of lead ids, or a metrics
        drill-down filter (`LeadFilter`) for sets too big to list."""
        from leadtriage.metrics.drilldown import LeadFilter, chosen_leads

        if not isinstance(selection, LeadFilter):
            selection = chosen_leads(title, selection)
        self.sidebar.selectionModel().clearSelection()
        self.sidebar.setCurrentIndex(self.views.index(-1))
        self.leads.set_custom(title, selection)
        self.open_lead(None)
        self.stack.setCurrentWidget(self.splitter)
        self.statusBar().showMessage(title)

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
        # Nothing may wake up and query the store once the window is closed.
        self._tick.stop()
        self.team.stop()
        self.reminders.stop()
        self.save_layout()
        self.backups.stop()
        self.worker.wait(10000)
        self.backups.close()
        super().closeEvent(event)

"""The dashboard view. It asks `leadtriage.metrics.compute` for one `Dashboard`
(off the UI thread, through the Worker) and shows it; every number drills down by
emitting `leads_requested(LeadFilter)`, which the main window shows in the lead table."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QMarginsF, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leadtriage.metrics import (
    STAGE_LABELS,
    STAGES,
    Dashboard,
    custom,
    preset,
)
from leadtriage.metrics.drilldown import LeadFilter, drilldown
from leadtriage.reads.dashboard import compute_dashboard, first_day
from leadtriage.store.settings import SettingsStore
from leadtriage.ui.dashboard.charts import ACCENT, ACCENT_2, GOOD, BarChart
from leadtriage.ui.dashboard.models import (
    ActivityModel,
    FollowUpModel,
    GroupModel,
    KeyRole,
    MetricRole,
    RepFollowUpModel,
    SortRole,
    money,
    pct,
)
from leadtriage.ui.worker import Worker

if TYPE_CHECKING:  # the UI only hands the Store on, to read sides and services
    from leadtriage.store.db import Store

log = logging.getLogger(__name__)

PERIODS = (("week", "This week"), ("month", "This month"), ("quarter", "This quarter"), ("all", "All time"),
           ("custom", "Custom…"))
GROUPS = (("source", "Source"), ("campaign", "Campaign"), ("rep", "Rep"))

STYLE = """
#dashboardContent { background: #f6f8fa; }
QFrame#card { background: white; border: 1px solid #d0d7de; border-radius: 8px; }
QLabel#cardTitle { color: #57606a; font-size: 9pt; font-weight: 600; text-transform: uppercase; }
QLabel#cardValue { color: #24292f; font-size: 20pt; font-weight: 600; }
QLabel#cardNote { color: #57606a; font-size: 8.5pt; }
QLabel#headlineValue { color: #1f6feb; font-size: 46pt; font-weight: 700; }
QLabel#headlineTitle { color: #24292f; font-size: 13pt; font-weight: 600; }
QLabel#sectionTitle { color: #24292f; font-size: 11pt; font-weight: 600; }
QPushButton#drill { border: none; text-align: left; padding: 0; }
QPushButton#drill:hover { text-decoration: underline; }
QTableView { background: white; border: none; gridline-color: #eaeef2; }
"""


def _plain(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if name:
        label.setObjectName(name)
    return label


class Card(QFrame):
    """A white card with a title; optional big clickable value."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setObjectName("card")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(14, 10, 14, 12)
        self.layout_.setSpacing(4)
        self.title = _plain(title, "sectionTitle")
        self.layout_.addWidget(self.title)


# What the look-alike numbers count (tooltips; the cards' notes say it in short).
KPI_TIPS = {
    "starts": "Sales-cycle starts: opportunities opened in the period (by opportunity date), whatever period "
              "their lead was created in. Click for the leads.",
    "opportunities": "Leads created in this period that have become opportunities so far: a cohort, so it grows "
                     "as this period's leads mature. Sales-cycle starts (the headline) counts opportunities "
                     "opened in the period instead, from leads of any period.",
    "leads": "Leads created in the period.",
    "qualified": "Of the leads created in the period: qualified at some point.",
    "won": "Of the leads created in the period: won, with the amount won.",
    "cpl": "Spend on this period's leads (import and campaign costs) per lead.",
    "cpq": "Spend on this period's leads per qualified lead.",
    "cpo": "Spend on this period's leads per opportunity among them.",
}


class Kpi(QFrame):
    clicked = Signal()

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setObjectName("card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 10, 14, 10)
        box.setSpacing(2)
        self.title = _plain(title.upper(), "cardTitle")
        self.value = _plain("—", "cardValue")
        self.note = _plain("", "cardNote")
        box.addWidget(self.title)
        box.addWidget(self.value)
        box.addWidget(self.note)
        self.drill_metric: str | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set(self, value: str, note: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt name
        if event.button() == Qt.MouseButton.LeftButton and self.drill_metric:
            self.clicked.emit()
        super().mouseReleaseEvent(event)


def _table(model, stretch_first: bool = True) -> tuple[QTableView, QSortFilterProxyModel]:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch_first:
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return view, proxy


class DashboardView(QWidget):
    """Emits `leads_requested` with a LeadFilter whenever the user opens a number."""

    leads_requested = Signal(object)
    computed = Signal(object)  # the Dashboard, after each refresh

    def __init__(self, store: Store, worker: Worker, parent=None, *, now: datetime | None = None, tz=None):
        super().__init__(parent)
        self.store = store
        self.worker = worker
        self.now = now  # fixed in tests
        self.tz = tz
        self.dashboard: Dashboard | None = None
        self.currency = ""
        self._task = None
        self._generation = 0
        self.setObjectName("dashboard")
        self.setStyleSheet(STYLE)

        top = self._build_top_bar()
        self._build_headline()
        kpi_row = self._build_kpis()
        funnel = self._build_funnel()
        self._build_quality_table()
        speed = self._build_speed()
        activity = self._build_activity()
        self._build_follow_up()
        self._assemble(top, kpi_row, funnel, speed, activity)

    def _build_top_bar(self) -> QHBoxLayout:
        """Period, grouping, status, Refresh and Export."""
        self.period_box = QComboBox()
        for key, label in PERIODS:
            self.period_box.addItem(label, key)
        self.period_box.setCurrentIndex(2)  # this quarter
        self.since_edit, self.until_edit = QDateEdit(), QDateEdit()
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setVisible(False)
        self.group_box = QComboBox()
        for key, label in GROUPS:
            self.group_box.addItem(f"By {label.lower()}", key)
        self.refresh_button = QPushButton("Refresh")
        self.export_button = QToolButton()
        self.export_button.setText("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for label, kind in (("CSV…", "csv"), ("Excel workbook (XLSX)…", "xlsx"), ("Picture (PNG)…", "png"),
                            ("PDF…", "pdf")):
            action = QAction(label, menu)
            action.triggered.connect(lambda _=False, k=kind: self.export_dialog(k))
            menu.addAction(action)
        self.export_button.setMenu(menu)
        self.status = _plain("", "cardNote")
        top = QHBoxLayout()
        title = _plain("Dashboard", "headlineTitle")
        top.addWidget(title)
        top.addSpacing(16)
        top.addWidget(self.period_box)
        top.addWidget(self.since_edit)
        top.addWidget(self.until_edit)
        top.addWidget(self.group_box)
        top.addStretch(1)
        top.addWidget(self.status)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)
        return top

    def _build_headline(self) -> None:
        """Sales-cycle starts, big, beside the weekly opportunities chart."""
        self.headline_value = QPushButton("—")
        self.headline_value.setObjectName("drill")
        self.headline_value.setFlat(True)
        self.headline_value.setCursor(Qt.CursorShape.PointingHandCursor)
        self.headline_value.setStyleSheet("font-size: 46pt; font-weight: 700; color: #1f6feb; text-align: left;")
        self.headline_value.clicked.connect(lambda: self._drill("sales_cycle_starts"))
        self.headline_value.setToolTip(KPI_TIPS["starts"])
        self.headline_note = _plain("", "cardNote")
        self.headline_note.setWordWrap(True)
        self.headline_sub = _plain("", "cardNote")
        self.headline_sub.setWordWrap(True)
        headline_left = QVBoxLayout()
        headline_left.addWidget(_plain("SALES-CYCLE STARTS", "cardTitle"))
        headline_left.addWidget(self.headline_value)
        headline_left.addWidget(self.headline_note)
        headline_left.addWidget(self.headline_sub)
        headline_left.addStretch(1)
        self.weekly_chart = BarChart()
        self.weekly_chart.setMinimumHeight(250)
        self.weekly_chart.bar_clicked.connect(self._weekly_clicked)
        headline = Card("")
        headline.title.hide()
        row = QHBoxLayout()
        row.addLayout(headline_left, 1)
        chart_box = QVBoxLayout()
        chart_box.addWidget(_plain("Opportunities opened per week", "cardTitle"))
        chart_box.addWidget(self.weekly_chart, 1)
        row.addLayout(chart_box, 3)
        headline.layout_.addLayout(row)
        self.headline = headline

    def _build_kpis(self) -> QHBoxLayout:
        self.kpis: dict[str, Kpi] = {}
        kpi_row = QHBoxLayout()
        for key, title, metric in (
            ("leads", "Raw leads", "leads"), ("qualified", "Qualified", "qualified"),
            ("opportunities", "Opportunities", "opportunities"), ("won", "Won", "won"),
            ("cpl", "Cost per lead", "leads"), ("cpq", "Cost per qualified", "qualified"),
            ("cpo", "Cost per opportunity", "opportunities"),
        ):
            kpi = Kpi(title)
            kpi.setToolTip(KPI_TIPS.get(key, ""))
            kpi.drill_metric = metric
            kpi.clicked.connect(lambda m=metric: self._drill(m))
            self.kpis[key] = kpi
            kpi_row.addWidget(kpi)
        return kpi_row

    def _build_funnel(self) -> Card:
        """The funnel card (returned) and the source comparison card."""
        self.funnel_chart = BarChart(horizontal=True)
        self.funnel_chart.setMinimumHeight(300)
        self.funnel_chart.bar_clicked.connect(self._funnel_clicked)
        funnel = Card("Funnel — leads created in the period, by furthest stage")
        funnel.layout_.addWidget(self.funnel_chart)
        self.funnel_rates = _plain("", "cardNote")
        self.funnel_rates.setWordWrap(True)
        funnel.layout_.addWidget(self.funnel_rates)
        self.compare_chart = BarChart(horizontal=True)
        self.compare_chart.setMinimumHeight(300)
        self.compare_chart.bar_clicked.connect(self._compare_clicked)
        self.compare = Card("Source comparison — qualified leads and opportunities")
        self.compare.layout_.addWidget(self.compare_chart)
        self._compare_groups: list[str] = []
        return funnel

    def _build_quality_table(self) -> None:
        self.group_model = GroupModel(self)
        self.group_table, self.group_proxy = _table(self.group_model)
        self.group_table.setMinimumHeight(240)
        self.group_table.doubleClicked.connect(self._group_cell)
        self.quality = Card("Source quality — sortable; double-click any number for its leads")
        self.quality.layout_.addWidget(self.group_table)

    def _build_speed(self) -> Card:
        speed = Card("Speed to lead")
        self.speed_kpis = {k: Kpi(t) for k, t in (("median", "Median to first touch"), ("1h", "Within 1 hour"),
                                                   ("24h", "Within 24 hours"))}
        self.speed_kpis["1h"].drill_metric = "touched_1h"
        self.speed_kpis["24h"].drill_metric = "touched_24h"
        self.speed_kpis["median"].drill_metric = "touched"
        for kpi in self.speed_kpis.values():
            kpi.clicked.connect(lambda m=kpi.drill_metric: self._drill(m))
        speed_row = QHBoxLayout()
        for kpi in self.speed_kpis.values():
            speed_row.addWidget(kpi)
        speed.layout_.addLayout(speed_row)
        speed.layout_.addWidget(_plain("Untouched leads by age (all periods)", "cardTitle"))
        self.untouched_grid = QGridLayout()
        speed.layout_.addLayout(self.untouched_grid)
        speed.layout_.addStretch(1)
        self.untouched_buttons: list[QPushButton] = []
        return speed

    def _build_activity(self) -> Card:
        self.activity_model = ActivityModel(self)
        self.activity_table, self.activity_proxy = _table(self.activity_model, stretch_first=False)
        self.activity_table.horizontalHeader().setStretchLastSection(True)
        self.activity_table.doubleClicked.connect(self._activity_cell)
        activity = Card("Activity per rep and day")
        activity.layout_.addWidget(self.activity_table)
        return activity

    def _build_follow_up(self) -> None:
        self.rep_model = RepFollowUpModel(self)
        self.rep_table, self.rep_proxy = _table(self.rep_model)
        self.rep_table.setMaximumHeight(150)
        self.rep_table.doubleClicked.connect(self._rep_cell)
        self.rep_table.selectionModel().currentRowChanged.connect(lambda cur, _: self._rep_selected(cur))
        self.follow_model = FollowUpModel(self)
        self.follow_table, self.follow_proxy = _table(self.follow_model, stretch_first=False)
        self.follow_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.follow = Card("Needs follow-up — handoffs without field feedback")
        self.follow_note = _plain("", "cardNote")
        self.follow.layout_.addWidget(self.follow_note)
        self.follow.layout_.addWidget(self.rep_table)
        self.follow.layout_.addWidget(self.follow_table)

    def _assemble(self, top: QHBoxLayout, kpi_row: QHBoxLayout, funnel: Card, speed: Card, activity: Card) -> None:
        """The figures page in a grid, and the two pages in tabs."""
        self.content = QWidget()
        self.content.setObjectName("dashboardContent")
        grid = QGridLayout(self.content)
        grid.setContentsMargins(16, 12, 16, 16)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        grid.addLayout(top, 0, 0, 1, 2)
        grid.addWidget(self.headline, 1, 0, 1, 2)
        grid.addLayout(kpi_row, 2, 0, 1, 2)
        grid.addWidget(funnel, 3, 0)
        grid.addWidget(self.compare, 3, 1)
        grid.addWidget(self.quality, 4, 0, 1, 2)
        grid.addWidget(speed, 5, 0)
        grid.addWidget(activity, 5, 1)
        grid.addWidget(self.follow, 6, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.content)
        # Two pages: the figures, and whether the score's order can be trusted.
        from leadtriage.ui.dashboard.quality import ScoreQualityView

        self.quality_page = ScoreQualityView(self.store, self.worker)
        self.pages = QTabWidget()
        self.pages.setObjectName("dashboardPages")
        self.pages.setDocumentMode(True)
        self.pages.addTab(scroll, "Sources and funnel")
        self.pages.addTab(self.quality_page, "Score quality")
        # Per cadence and step: which planned touches reach people and start sales cycles.
        from leadtriage.ui.playbook.results import CadenceResultsView

        self.cadence_page = CadenceResultsView(self.store, self.worker)
        self.pages.addTab(self.cadence_page, "Cadences")
        self.pages.currentChanged.connect(self._page_shown)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self.period_box.currentIndexChanged.connect(self._period_changed)
        self.group_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.since_edit.dateChanged.connect(lambda _: self._custom_changed())
        self.until_edit.dateChanged.connect(lambda _: self._custom_changed())
        self.refresh_button.clicked.connect(self.refresh)

    # -- computing -----------------------------------------------------------------------

    def today(self) -> date:
        from leadtriage.metrics.period import local_today

        return local_today(self.now, self.tz)

    def period(self):
        key = self.period_box.currentData()
        if key == "custom":
            since = self.since_edit.date().toPython()
            until = self.until_edit.date().toPython()
            return custom(min(since, until), max(since, until))
        earliest = first_day(self.store) if key == "all" else None
        return preset(key, self.today(), earliest)

    @property
    def by(self) -> str:
        return self.group_box.currentData()

    def _page_shown(self, index: int) -> None:
        page = self.pages.widget(index)
        if page in (self.quality_page, self.cadence_page):
            page.load()  # computed when looked at, not with every refresh of the figures

    def refresh(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._generation += 1
        generation = self._generation
        period, by = self.period(), self.by
        feedback_days = SettingsStore(self.store).get("feedback_days")
        self.currency = SettingsStore(self.store).get("currency")
        now, tz = self.now, self.tz
        self.status.setText("Computing…")
        self.refresh_button.setEnabled(False)

        def work(own, progress):
            return compute_dashboard(own, period, by, feedback_days=feedback_days, now=now, tz=tz, progress=progress)

        def failed(exc: BaseException) -> None:
            self.refresh_button.setEnabled(True)
            self.status.setText("Could not compute the dashboard")
            log.error("dashboard computation failed: %s", exc)
            QMessageBox.warning(self, "Dashboard", f"The dashboard could not be computed: {exc}")

        def cancelled() -> None:
            self.refresh_button.setEnabled(True)

        def done(dash: Dashboard) -> None:
            if generation == self._generation:  # an older, superseded request is dropped
                self.show_dashboard(dash)

        self._task = self.worker.run_db(self.store, work, on_done=done, on_error=failed, on_cancelled=cancelled)

    def _period_changed(self) -> None:
        custom_period = self.period_box.currentData() == "custom"
        for edit in (self.since_edit, self.until_edit):
            edit.setVisible(custom_period)
        if custom_period:
            current = self.dashboard.period if self.dashboard else preset("month", self.today())
            self.since_edit.blockSignals(True)
            self.until_edit.blockSignals(True)
            self.since_edit.setDate(QDate(current.since))
            self.until_edit.setDate(QDate(current.until))
            self.since_edit.blockSignals(False)
            self.until_edit.blockSignals(False)
        self.refresh()

    def _custom_changed(self) -> None:
        if self.period_box.currentData() == "custom":
            self.refresh()

    # -- showing -------------------------------------------------------------------------

    def show_dashboard(self, dash: Dashboard) -> None:
        self.dashboard = dash
        self.refresh_button.setEnabled(True)
        t = dash.totals
        weeks = max(1.0, dash.period.days / 7)
        self.headline_value.setText(f"{t.sales_cycle_starts:,}")
        self.headline_note.setText(f"{dash.period.label}: opportunities opened in the period, whatever period "
                                   "their lead came from")
        self.headline_sub.setText(
            f"{t.sales_cycle_starts / weeks:,.{0 if t.sales_cycle_starts / weeks >= 100 else 1}f} a week · {t.won:,} won from this period's leads"
            f" · {t.rates['lead_to_opportunity'] and pct(t.rates['lead_to_opportunity']) or '—'} of leads become "
            "opportunities")
        self.weekly_chart.set_data(
            [p.week.strftime("%d %b") for p in dash.weekly],
            [("Sales-cycle starts", [p.starts for p in dash.weekly], ACCENT)],
        )
        cur = self.currency

        def cash(v: float | None) -> str:  # every cost with its currency
            return f"{cur} {money(v)}" if cur and v is not None else money(v)

        self.kpis["leads"].set(f"{t.leads:,}", f"{t.attempted:,} attempted · {t.connected:,} connected")
        self.kpis["qualified"].set(f"{t.qualified:,}", f"{pct(t.rates['qualified_rate'])} of connected")
        self.kpis["opportunities"].set(f"{t.opportunities:,}", f"from this period's leads · "
                                                                f"{pct(t.rates['opportunities_rate'])} of accepted")
        self.kpis["won"].set(f"{t.won:,}", f"{cash(t.won_amount)} won")
        self.kpis["cpl"].set(cash(t.cost_per_lead), f"spend {cash(t.cost)} on this period's leads")
        self.kpis["cpq"].set(cash(t.cost_per_qualified), "the number to compare sources by")
        self.kpis["cpo"].set(cash(t.cost_per_opportunity),
                             "unattributed spend " + cash(dash.unattributed_cost) if dash.unattributed_cost else
                             "per sales conversation started")
        self.group_model.set_currency(cur)

        counts = [getattr(t, s) for s in STAGES]
        rev = list(reversed(range(len(STAGES))))
        self.funnel_chart.set_data(
            [STAGE_LABELS[STAGES[i]] for i in rev], [("Leads", [counts[i] for i in rev], ACCENT)],
        )
        self.funnel_rates.setText("  →  ".join(
            f"{STAGE_LABELS[s]} {pct(t.rates[f'{s}_rate'])}" for s in STAGES[1:]))

        top_groups = dash.groups[:8]
        self._compare_groups = [g.label for g in reversed(top_groups)]
        self.compare.title.setText(f"{self.group_box.currentText()[3:].capitalize()} comparison — qualified leads "
                                   "and opportunities")
        self.compare_chart.set_data(
            [g[:28] for g in self._compare_groups],
            [("Qualified", [g.qualified for g in reversed(top_groups)], ACCENT_2),
             ("Opportunities", [g.opportunities for g in reversed(top_groups)], GOOD)],
            legend=True,
        )
        self.group_model.set_rows(dash.groups)
        rows_height = 26 + 24 * max(3, len(dash.groups))
        self.group_table.setMinimumHeight(min(rows_height, 420))
        self.group_table.setMaximumHeight(min(rows_height, 420) + 2)
        self.group_table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
        self.quality.title.setText(f"{self.group_box.currentText()[3:].capitalize()} quality — sortable; "
                                   "double-click any number for its leads")

        s = dash.speed
        self.speed_kpis["median"].set(_duration(s.median_seconds), f"{s.touched:,} leads touched")
        self.speed_kpis["1h"].set(pct(s.share_1h), f"{s.within_1h:,} leads")
        self.speed_kpis["24h"].set(pct(s.share_24h), f"{s.within_24h:,} leads")
        for button in self.untouched_buttons:
            button.deleteLater()
        self.untouched_buttons = []
        for col, (label, n) in enumerate(dash.untouched):
            button = QPushButton(f"{n:,}\n{label}")
            button.setToolTip(f"List the {n:,} untouched leads aged {label.lower()}")
            button.clicked.connect(lambda _=False, b=label: self._drill("untouched", bucket=b))
            button.setMinimumHeight(48)
            self.untouched_grid.addWidget(button, 0, col)
            self.untouched_buttons.append(button)

        self.activity_model.set_rows(dash.activity)
        self.activity_table.sortByColumn(0, Qt.SortOrder.DescendingOrder)

        self.rep_model.set_rows(list(dash.followups.values()))
        self.rep_table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.follow_note.setText(
            f"{dash.followup_count:,} handoffs pending for {dash.feedback_days} business days or more"
            if dash.followup_count else f"Every handoff older than {dash.feedback_days} business days has feedback.")
        self.follow_model.set_rows([])
        if dash.followups:
            self.rep_table.selectRow(0)
        self.status.setText(f"Computed in {dash.seconds:.2f} s")
        self.computed.emit(dash)

    # -- drill-down ----------------------------------------------------------------------

    def _drill(self, metric: str, group: str | None = None, **extra) -> None:
        if self.dashboard is None:
            return
        feedback = self.dashboard.feedback_days
        f: LeadFilter = drilldown(metric, self.dashboard.period, self.by if group is not None else None, group,
                                  tz=self.tz, now=self.now, feedback_days=feedback, **extra)
        self.leads_requested.emit(f)

    def _weekly_clicked(self, index: int, _set: int) -> None:
        if self.dashboard is None or not (0 <= index < len(self.dashboard.weekly)):
            return
        week = self.dashboard.weekly[index].week
        f = drilldown("sales_cycle_starts", custom(week, week + timedelta(days=6)), tz=self.tz)
        self.leads_requested.emit(LeadFilter(f"Sales-cycle starts, week of {week:%d %b %Y}", f.where, f.params))

    def _funnel_clicked(self, index: int, _set: int) -> None:
        stages = list(reversed(STAGES))
        if 0 <= index < len(stages):
            self._drill(stages[index])

    def _compare_clicked(self, index: int, set_index: int) -> None:
        if 0 <= index < len(self._compare_groups):
            self._drill("qualified" if set_index == 0 else "opportunities", self._compare_groups[index])

    def _group_cell(self, proxy_index) -> None:
        metric = proxy_index.data(MetricRole)
        if metric:
            self._drill(metric, proxy_index.data(KeyRole))

    def _activity_cell(self, proxy_index) -> None:
        rep, day = proxy_index.data(KeyRole)
        self._drill("calls", rep=rep, day=day)

    def _rep_cell(self, proxy_index) -> None:
        self._drill("needs_follow_up", rep=proxy_index.data(KeyRole))

    def _rep_selected(self, proxy_index) -> None:
        if not proxy_index.isValid():
            self.follow_model.set_rows([])
            return
        source = self.rep_proxy.mapToSource(proxy_index)
        self.follow_model.set_rows(self.rep_model.row_object(source.row()).items)
        self.follow_table.sortByColumn(4, Qt.SortOrder.DescendingOrder)

    # -- export --------------------------------------------------------------------------

    def export_dialog(self, kind: str) -> None:
        if self.dashboard is None:
            return
        filters = {"csv": "CSV (*.csv)", "xlsx": "Excel workbook (*.xlsx)", "png": "PNG picture (*.png)",
                   "pdf": "PDF (*.pdf)"}
        name = f"leadtriage-dashboard-{self.dashboard.period.since}-{self.dashboard.period.until}.{kind}"
        path, _ = QFileDialog.getSaveFileName(self, "Export dashboard", str(Path.home() / name), filters[kind])
        if path:
            try:
                self.export(kind, Path(path))
            except OSError as exc:
                QMessageBox.warning(self, "Export", f"Could not write {path}: {exc.strerror or exc}")

    def export(self, kind: str, path: Path) -> Path:
        from leadtriage.metrics import export as ex

        if self.dashboard is None:
            raise RuntimeError("nothing computed yet")
        if kind == "csv":
            return ex.write_csv(self.dashboard, path, self.currency)
        if kind == "xlsx":
            return ex.write_xlsx(self.dashboard, path, self.currency)
        picture = self.content.grab()
        if kind == "png":
            if not picture.save(str(path), "PNG"):
                raise OSError(f"could not save {path}")
            return path
        if kind == "pdf":
            writer = QPdfWriter(str(path))
            writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
            writer.setPageOrientation(QPageLayout.Orientation.Portrait)
            writer.setPageMargins(QMarginsF(8, 8, 8, 8), QPageLayout.Unit.Millimeter)
            writer.setResolution(150)
            writer.setTitle(f"LeadTriage dashboard — {self.dashboard.period.label}")
            painter = QPainter(writer)
            page = painter.viewport()
            scaled = picture.scaled(page.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                    Qt.TransformationMode.SmoothTransformation)
            painter.drawPixmap(0, 0, scaled)
            painter.end()
            return path
        raise ValueError(kind)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"

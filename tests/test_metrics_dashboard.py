"""The dashboard opens offscreen with demo data, shows the computed numbers, drills
down to the right leads, sorts, exports, and the main window shows a drill-down."""

from __future__ import annotations

from datetime import UTC

import pytest
from PySide6.QtCore import Qt

from leadtriage.metrics import compute
from leadtriage.metrics.drilldown import count, drilldown, lead_ids
from leadtriage.ui.dashboard import DashboardView
from leadtriage.ui.dashboard.models import GroupModel, SortRole
from leadtriage.ui.worker import Worker
from tests.conftest import FIXED_NOW


@pytest.fixture
def dashboard(qtbot, demo_store):
    view = DashboardView(demo_store, Worker(synchronous=True), now=FIXED_NOW, tz=UTC)
    qtbot.addWidget(view)
    view.resize(1300, 900)
    view.refresh()
    assert view.dashboard is not None
    return view


def test_headline_and_cards_show_the_computed_numbers(dashboard, demo_store):
    expected = compute(demo_store.conn, dashboard.period(), "source", now=FIXED_NOW, tz=UTC)
    assert dashboard.headline_value.text() == f"{expected.totals.sales_cycle_starts:,}"
    assert dashboard.kpis["leads"].value.text() == f"{expected.totals.leads:,}"
    assert dashboard.kpis["qualified"].value.text() == f"{expected.totals.qualified:,}"
    assert dashboard.group_model.rowCount() == len(expected.groups)
    assert dashboard.status.text().startswith("Computed in")


def test_every_headline_number_drills_down_to_its_leads(dashboard, demo_store, qtbot):
    with qtbot.waitSignal(dashboard.leads_requested) as blocker:
        dashboard.headline_value.click()
    f = blocker.args[0]
    assert count(demo_store.conn, f) == dashboard.dashboard.totals.sales_cycle_starts
    with qtbot.waitSignal(dashboard.leads_requested) as blocker:
        qtbot.mouseClick(dashboard.kpis["qualified"], Qt.MouseButton.LeftButton)
    assert count(demo_store.conn, blocker.args[0]) == dashboard.dashboard.totals.qualified


def test_source_table_sorts_and_drills(dashboard, demo_store, qtbot):
    proxy = dashboard.group_proxy
    proxy.sort(1, Qt.SortOrder.DescendingOrder)  # leads
    leads = [proxy.index(r, 1).data(SortRole) for r in range(proxy.rowCount())]
    assert leads == sorted(leads, reverse=True)
    proxy.sort(11, Qt.SortOrder.AscendingOrder)  # cost per opportunity, blanks first
    costs = [proxy.index(r, 11).data(SortRole) for r in range(proxy.rowCount())]
    assert costs == sorted(costs)
    index = proxy.index(0, 2)  # qualified of the first row
    group = dashboard.dashboard.groups[proxy.mapToSource(index).row()]
    with qtbot.waitSignal(dashboard.leads_requested) as blocker:
        dashboard.group_table.doubleClicked.emit(index)
    assert count(demo_store.conn, blocker.args[0]) == group.qualified


def test_group_model_passes_the_model_tester(qtmodeltester, dashboard):
    model = GroupModel()
    model.set_rows(dashboard.dashboard.groups)
    qtmodeltester.check(model)


def test_grouping_and_period_switch(dashboard):
    dashboard.group_box.setCurrentIndex(1)  # campaign
    assert dashboard.dashboard.by == "campaign"
    dashboard.period_box.setCurrentIndex(3)  # all time
    assert dashboard.dashboard.totals.leads == 600
    dashboard.period_box.setCurrentIndex(4)  # custom
    assert dashboard.since_edit.isVisibleTo(dashboard)


def test_follow_up_list_per_field_rep(dashboard, demo_store, qtbot):
    dash = dashboard.dashboard
    assert dashboard.rep_model.rowCount() == len(dash.followups)
    if dash.followups:
        first = dashboard.rep_proxy.index(0, 0)
        assert dashboard.follow_model.rowCount() > 0
        with qtbot.waitSignal(dashboard.leads_requested) as blocker:
            dashboard.rep_table.doubleClicked.emit(first)
        rep = first.data()
        assert count(demo_store.conn, blocker.args[0]) == dash.followups[rep].count


def test_exports(dashboard, tmp_path):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    csv_path = dashboard.export("csv", tmp_path / "d.csv")
    assert "Sales-cycle starts" in csv_path.read_text("utf-8-sig")
    wb = load_workbook(dashboard.export("xlsx", tmp_path / "d.xlsx"))
    assert wb.sheetnames[:2] == ["Summary", "By source"]
    png = dashboard.export("png", tmp_path / "d.png")
    assert png.read_bytes()[:4] == b"\x89PNG"
    pdf = dashboard.export("pdf", tmp_path / "d.pdf")
    assert len(PdfReader(str(pdf)).pages) == 1


def test_main_window_shows_a_drill_down(qtbot, demo_store, qsettings):
    from leadtriage.ui.main_window import MainWindow

    window = MainWindow(demo_store, Worker(synchronous=True), qsettings)
    qtbot.addWidget(window)
    window.show_dashboard()
    assert window.stack.currentWidget() is window.dashboard
    window.dashboard.now, window.dashboard.tz = FIXED_NOW, UTC
    window.dashboard.refresh()
    with qtbot.waitSignal(window.dashboard.leads_requested):
        qtbot.mouseClick(window.dashboard.kpis["won"], Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.splitter
    won = set(lead_ids(demo_store.conn, drilldown("won", window.dashboard.dashboard.period, tz=UTC)))
    while window.leads.canFetchMore():
        window.leads.fetchMore()
    shown = {window.leads.lead_id(r) for r in range(window.leads.rowCount())}
    assert shown == won
    window.show_leads([1, 2, 3], "Three leads")
    assert {window.leads.lead_id(r) for r in range(window.leads.rowCount())} == {1, 2, 3}


def test_export_escapes_formulas(dashboard, tmp_path):
    from leadtriage.metrics.export import safe_cell

    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("-5") == "'-5" and safe_cell(5) == 5 and safe_cell("Web form") == "Web form"

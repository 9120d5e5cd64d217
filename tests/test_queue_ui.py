"""The queue on screen: models under qtmodeltester, and the rep's keyboard flows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from leadtriage.store import queue
from leadtriage.store.queue import Filters, QueueQuery
from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.queue.table_model import COL, DNC_TEXT, PAGE, LeadTableModel
from leadtriage.ui.queue.views_model import ViewListModel
from leadtriage.ui.worker import Worker
from tests.conftest import FIXED_NOW
from tests.queue_data import add, at


def make_window(qtbot, store, qsettings) -> MainWindow:
    window = MainWindow(store, Worker(synchronous=True), qsettings, clock=lambda: FIXED_NOW)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()  # keyboard focus and shortcuts need an active window
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


def test_models_pass_qt_model_tester(qtmodeltester, demo_store):
    # One tester per model, attached after the load: Qt's tester runs fetchMore from
    # inside its own modelReset handler and then trips over its own bookkeeping.
    for query in (QueueQuery(queue.TODAY), QueueQuery("all", "local_time", True), QueueQuery("all", "company", True),
                  QueueQuery("all", search="anders"), QueueQuery("new", filters=Filters(callable_now=True))):
        model = LeadTableModel(demo_store, clock=lambda: FIXED_NOW)
        model.set_query(query)
        qtmodeltester.check(model)
        assert model.rowCount() > 0
        model.fetchMore()
    views = ViewListModel()
    views.set_counts(queue.queue_counts(demo_store.conn, queue.Moment(FIXED_NOW)))
    qtmodeltester.check(views)


def test_window_opens_on_today_with_counts_and_overdue_in_title(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    counts = queue.queue_counts(demo_store.conn, queue.Moment(FIXED_NOW))
    assert window.leads.query.view == queue.TODAY
    assert counts["overdue"] > 0
    assert f"{counts['overdue']:,} overdue" in window.windowTitle()
    today = window.views.data(window.views.index(window.views.row_of(queue.TODAY)))
    assert f"({counts['today']:,})" in today and "overdue" in today
    assert window.leads.index(0, COL["Priority"]).data() == "Overdue"


def test_ctrl_f_then_typing_shows_results(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    window.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search
    surname = demo_store.conn.execute("SELECT last_name FROM leads WHERE id = 7").fetchone()[0]
    qtbot.keyClicks(window.search, surname[:4])
    qtbot.waitUntil(lambda: window.leads.query.search == surname[:4], timeout=2000)  # debounced
    assert window.leads.rowCount() > 0
    names = {window.leads.lead_row(r).last_name for r in range(window.leads.rowCount())}
    assert surname in names
    assert "matches in all leads" in window.list_info.text()
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert window.search.text() == "" and window.leads.query.search == ""


def test_arrow_down_and_enter_open_a_lead(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    window.table.setFocus()
    window.table.setCurrentIndex(window.leads.index(0, 1))
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    second = window.leads.lead_id(1)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    name = demo_store.conn.execute("SELECT first_name || ' ' || last_name FROM leads WHERE id = ?",
                                   (second,)).fetchone()[0]
    assert window.panel.heading.text() == name
    assert window.table.currentIndex().row() == 1


def test_enter_in_search_moves_to_the_first_result(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    window.focus_search()
    company = demo_store.conn.execute("SELECT company FROM leads WHERE id = 42").fetchone()[0]
    qtbot.keyClicks(window.search, company)
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.table.hasFocus()
    assert window.panel.heading.text() != "No lead selected"


def test_ctrl_number_switches_views(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    for number, key in ((2, "new"), (5, queue.NURTURE_DUE), (8, "all"), (9, "disqualified"), (1, queue.TODAY)):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        assert window.leads.query.view == key


def test_select_next_lead_walks_the_view_order_across_pages(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    window.select_view("all")
    window.table.selectRow(0)
    seen = [window.leads.lead_id(0)]
    for _ in range(PAGE + 3):  # crosses into the second page
        seen.append(window.select_next_lead())
    expected = [r[0] for r in demo_store.conn.execute(f"SELECT id FROM leads ORDER BY id DESC LIMIT {PAGE + 4}")]
    assert seen == expected
    heading = demo_store.conn.execute("SELECT first_name || ' ' || last_name FROM leads WHERE id = ?",
                                      (seen[-1],)).fetchone()[0]
    assert window.panel.heading.text() == heading


def test_header_click_sorts_and_unsortable_columns_refuse(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    window.select_view("new")
    header = window.table.horizontalHeader()
    header.setSortIndicator(COL["Score"], Qt.SortOrder.DescendingOrder)
    assert window.leads.query.sort == "score" and window.leads.query.descending
    scores = [window.leads.lead_row(r).score for r in range(window.leads.rowCount())]
    assert scores == sorted(scores, reverse=True)
    header.setSortIndicator(COL["Title"], Qt.SortOrder.AscendingOrder)
    assert window.leads.query.sort == "score"
    assert header.sortIndicatorSection() == COL["Score"]


def test_filter_bar_filters_the_table(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    window.select_view("all")
    bar = window.filters
    assert bar.source.count() > 2  # options loaded through the worker
    bar.source.setCurrentIndex(bar.source.findData("Web form"))
    assert window.leads.query.filters.sources == ("Web form",)
    assert {window.leads.lead_row(r).source for r in range(window.leads.rowCount())} == {"Web form"}
    bar.callable_now.setChecked(True)
    rows = [window.leads.lead_row(r) for r in range(window.leads.rowCount())]
    assert rows and all(window.leads.callable_now(r) for r in rows)
    bar.clear()
    assert window.leads.query.filters == Filters()


def test_do_not_call_is_marked_and_never_callable(qtbot, store, qsettings):
    dnc = add(store, first_name="Dana", status="attempting", do_not_call=1, next_action_at=at(hours=-1))
    ok = add(store, first_name="Olga", status="attempting", next_action_at=at(hours=-1))
    window = make_window(qtbot, store, qsettings)
    assert [window.leads.lead_id(r) for r in range(window.leads.rowCount())] == [ok]  # Today skips DNC
    window.select_view("attempting")
    model = window.leads
    row = model.row_of(dnc)
    assert model.index(row, COL["Name"]).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(row, COL["Name"]).data(Qt.ItemDataRole.ToolTipRole) == DNC_TEXT
    assert "DNC" in model.index(row, COL["Priority"]).data()
    assert model.is_callable(model.lead_row(row)) is False
    assert model.is_callable(model.lead_row(model.row_of(ok))) is True
    assert model.is_callable({"do_not_call": 1, "phone": "+4930123"}) is False
    # Monday 14:00 UTC is 15:00 in Berlin: inside the default hours.
    assert model.index(model.row_of(ok), COL["Local time"]).data() == "Mon 15:00"


def test_reload_keeps_the_open_lead_or_clears_it(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    window.select_view("all")
    window.table.selectRow(3)
    lead = window.leads.lead_id(3)
    window.leads.reload()
    assert window.table.selectionModel().selectedRows()[0].row() == window.leads.row_of(lead)
    window.search.setText("zzzz-no-such-lead")
    window.search.flush()
    assert window.leads.rowCount() == 0
    assert window.panel.heading.text() == "No lead selected"

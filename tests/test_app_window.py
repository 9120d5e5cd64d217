from PySide6.QtCore import Qt

from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.queue.table_model import PAGE, LeadTableModel
from leadtriage.ui.worker import Worker


def make_window(qtbot, store, qsettings):
    worker = Worker(synchronous=True)
    window = MainWindow(store, worker, qsettings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_empty_database_shows_welcome_and_loads_demo(qtbot, store, qsettings):
    window = make_window(qtbot, store, qsettings)
    assert window.stack.currentWidget() is window.welcome
    qtbot.mouseClick(window.welcome.demo_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.splitter
    assert window.views.counts["all"] == 2000
    assert window.leads.rowCount() > 0


def test_window_shows_demo_data_and_opens_a_lead(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    assert window.stack.currentWidget() is window.splitter
    window.select_view("all")
    assert window.leads.rowCount() == min(PAGE, 600)
    label = window.views.data(window.views.index(window.views.row_of("all")))
    assert "600" in label
    window.table.selectRow(0)
    lead_id = window.leads.lead_id(0)
    name = demo_store.conn.execute("SELECT first_name || ' ' || last_name FROM leads WHERE id=?",
                                   (lead_id,)).fetchone()[0]
    assert window.panel.heading.text() == name
    assert window.panel.timeline.rowCount() >= 1


def test_table_fetches_more_pages_without_loading_everything(qtbot, demo_store):
    model = LeadTableModel(demo_store.conn)
    model.set_view("all")
    assert model.rowCount() == PAGE
    while model.canFetchMore():
        model.fetchMore()
    ids = [model.lead_id(r) for r in range(model.rowCount())]
    assert len(ids) == 600 == len(set(ids))


def test_user_text_is_shown_as_plain_text(qtbot, store, qsettings, make_lead):
    make_lead(1, first_name="<b>Bold</b>", last_name=None, company="<script>alert(1)</script>", motivations="<i>x</i>")
    window = make_window(qtbot, store, qsettings)
    window.select_view("new")
    window.table.selectRow(0)
    assert window.panel.heading.textFormat() == Qt.TextFormat.PlainText
    assert window.panel.heading.text() == "<b>Bold</b>"
    assert window.panel.values["company"].text() == "<script>alert(1)</script>"


def test_window_layout_is_remembered(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    window.resize(701, 503)
    window.splitter.setSizes([150, 300, 240])
    expected = window.size()
    window.close()
    again = make_window(qtbot, demo_store, qsettings)
    assert again.size() == expected and expected.width() == 701
    assert again.splitter.sizes()[0] == 150


def test_second_app_copy_is_told_and_first_is_untouched(qtbot, store, db_path, monkeypatch, capsys):
    import sys

    from PySide6.QtWidgets import QMessageBox

    from leadtriage.ui import app as app_module

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # start() installs the app's hook
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    with store.transaction() as db:
        db["field_reps"].insert({"name": "Dana"})
    assert app_module.run_app(str(db_path)) == 2
    assert shown and "already open" in shown[0]
    assert "already open" in capsys.readouterr().err
    assert store.conn.execute("SELECT count(*) FROM field_reps").fetchone()[0] == 1

"""The export dialog: choose leads, formats and folder; export on the worker; the
folder opens; the main window's action passes the table selection."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from leadtriage.ui.export_dialog import ExportDialog
from leadtriage.ui.worker import Worker
from tests.handoff_helpers import insert_lead


@pytest.fixture
def opened(monkeypatch):
    urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toLocalFile()) or True)
    return urls


def make(qtbot, store, qsettings, selected=None):
    dialog = ExportDialog(store, Worker(synchronous=True), selected, qsettings)
    qtbot.addWidget(dialog)
    return dialog


def test_exports_selected_leads_and_opens_folder(qtbot, store, qsettings, tmp_path, opened):
    a, b = insert_lead(store), insert_lead(store, first_name="Bo")
    dialog = make(qtbot, store, qsettings, [a])
    assert dialog.selection_radio.isChecked() and "(1)" in dialog.selection_radio.text()
    for key, box in dialog.format_boxes.items():
        box.setChecked(key in ("md", "csv-hubspot"))
    dialog.folder_edit.setText(str(tmp_path / "briefs"))
    with qtbot.waitSignal(dialog.exported):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.result is not None and len(dialog.result.handed_off) == 1
    assert sorted(p.suffix for p in (tmp_path / "briefs").iterdir()) == [".csv", ".md"]
    assert opened == [str((tmp_path / "briefs").resolve())]
    statuses = dict(store.conn.execute("SELECT id, status FROM leads"))
    assert statuses == {a: "handed_off", b: "qualified"}
    assert qsettings.value("export/formats") == "md,csv-hubspot"


def test_per_field_rep_choice(qtbot, store, qsettings, tmp_path, opened):
    with store.transaction():
        store.conn.execute("INSERT INTO field_reps (name, email) VALUES ('Sophie Carter', 's@example.com')")
    sophie = store.conn.execute("SELECT id FROM field_reps WHERE name = 'Sophie Carter'").fetchone()[0]
    mine = insert_lead(store, field_rep_id=sophie)
    other = insert_lead(store)
    dialog = make(qtbot, store, qsettings)
    assert dialog.qualified_radio.isChecked() and not dialog.selection_radio.isEnabled()
    dialog.rep_radio.setChecked(True)
    dialog.rep_combo.setCurrentIndex(dialog.rep_combo.findData("Sophie Carter"))
    assert dialog.lead_ids() == [mine]
    dialog.folder_edit.setText(str(tmp_path))
    with qtbot.waitSignal(dialog.exported):
        dialog.start()
    statuses = dict(store.conn.execute("SELECT id, status FROM leads"))
    assert statuses == {mine: "handed_off", other: "qualified"}


def test_refused_lead_shows_a_message_and_writes_nothing(qtbot, store, qsettings, tmp_path, monkeypatch, opened):
    early = insert_lead(store, status="engaged")
    messages = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: messages.append(text))
    dialog = make(qtbot, store, qsettings, [early])
    dialog.folder_edit.setText(str(tmp_path / "out"))
    dialog.start()
    assert messages and "only qualified" in messages[0]
    assert not (tmp_path / "out").exists() and opened == []
    assert dialog.task is None and dialog.export_button.isEnabled()


def test_no_format_disables_export(qtbot, store, qsettings):
    insert_lead(store)
    dialog = make(qtbot, store, qsettings)
    for box in dialog.format_boxes.values():
        box.setChecked(False)
    assert not dialog.export_button.isEnabled()
    dialog.format_boxes["pdf"].setChecked(True)
    assert dialog.export_button.isEnabled()


def test_main_window_action_passes_the_selection(qtbot, demo_store, qsettings, tmp_path, opened):
    from leadtriage.ui.main_window import MainWindow

    window = MainWindow(demo_store, Worker(synchronous=True), qsettings)
    qtbot.addWidget(window)
    window.select_view("qualified")
    window.table.selectRow(0)
    lead_id = window.leads.lead_id(0)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus.index("&Leads") == len(menus) - 2  # before Help
    window.field_sales.export_action.trigger()
    dialog = window.field_sales.export_dialog
    assert dialog.selected_ids == [lead_id] and dialog.selection_radio.isChecked()
    for key, box in dialog.format_boxes.items():
        box.setChecked(key == "md")
    dialog.folder_edit.setText(str(tmp_path))
    with qtbot.waitSignal(dialog.exported):
        dialog.start()
    assert demo_store.conn.execute("SELECT status FROM leads WHERE id = ?", (lead_id,)).fetchone()[0] == "handed_off"
    assert "1 leads handed off" in window.statusBar().currentMessage()


def test_pdf_export_on_a_real_worker_thread(qtbot, store, qsettings, tmp_path, opened):
    """QTextDocument + QPdfWriter off the UI thread, as in the app (no Qt warnings)."""
    lead = insert_lead(store)
    worker = Worker()
    dialog = ExportDialog(store, worker, [lead], qsettings)
    qtbot.addWidget(dialog)
    for key, box in dialog.format_boxes.items():
        box.setChecked(key == "pdf")
    dialog.folder_edit.setText(str(tmp_path))
    with qtbot.waitSignal(dialog.exported, timeout=30000):
        dialog.start()
    worker.wait()
    (path,) = dialog.result.files
    assert path.suffix == ".pdf" and path.stat().st_size > 1000

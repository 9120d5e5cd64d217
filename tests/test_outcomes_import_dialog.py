"""File > Import outcomes: the field's file, previewed with its problem lines, then applied."""

from __future__ import annotations

from PySide6.QtCore import Qt

from leadtriage.domain.public_id import format_public_id
from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.worker import Worker
from tests.conftest import FIXED_NOW
from tests.metrics_fixture import add_handoff, add_lead


def _outcomes_file(tmp_path):
    path = tmp_path / "field.csv"
    path.write_text("Lead ID,Outcome,Reason,Amount,Date\n"
                    f"{format_public_id(1)},opportunity,,36000,2026-11-20\n"
                    f"{format_public_id(2)},rejected,,,2026-11-20\n"
                    "LT-NOPE9,won,,5000,2026-11-20\n", encoding="utf-8")
    return path


def test_import_outcomes_from_the_file_menu_previews_then_applies(qtbot, store, qsettings, tmp_path):
    for lead in (1, 2):
        add_lead(store, lead, created="2026-11-01 09:00:00", status="handed_off")
        add_handoff(store, lead, handed="2026-11-03 09:00:00")
    window = MainWindow(store, Worker(synchronous=True), qsettings, clock=lambda: FIXED_NOW)
    qtbot.addWidget(window)
    window.show()
    file_menu = window.menuBar().actions()[0].menu()
    assert "Import outcomes…" in [a.text().replace("&", "") for a in file_menu.actions()]
    window.import_outcomes(str(_outcomes_file(tmp_path)))
    dialog = window.outcome_dialog
    qtbot.waitUntil(lambda: dialog.preview is not None)
    assert "3 rows" in dialog.summary.text() and "1 outcomes would be applied" in dialog.summary.text()
    rows = [[dialog.problems.data(dialog.problems.index(r, c)) for c in range(3)]
            for r in range(dialog.problems.rowCount())]
    assert [r[:2] for r in rows] == [["3", format_public_id(2)], ["4", "LT-NOPE9"]]  # each line, with its lead
    assert "without a reason" in rows[0][2] and rows[1][2]
    assert store.conn.execute("SELECT status FROM leads WHERE id = 1").fetchone()[0] == "handed_off"  # preview only
    assert dialog.apply_button.isEnabled()
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_report is not None)
    assert store.conn.execute("SELECT status FROM leads WHERE id = 1").fetchone()[0] == "opportunity"
    assert store.conn.execute("SELECT amount FROM handoffs WHERE lead_id = 1").fetchone()[0] == 36000
    assert "1 outcomes applied" in dialog.summary.text() and not dialog.apply_button.isEnabled()


def test_a_file_with_nothing_to_apply_cannot_be_applied(qtbot, store, qsettings, tmp_path):
    from leadtriage.ui.outcome_dialog import OutcomeImportDialog

    path = tmp_path / "bad.csv"
    path.write_text("Lead ID,Outcome\nLT-NOPE9,won\n", encoding="utf-8")
    dialog = OutcomeImportDialog(store, Worker(synchronous=True), path=str(path))
    qtbot.addWidget(dialog)
    assert dialog.preview is not None and dialog.preview.applied == 0
    assert not dialog.apply_button.isEnabled() and dialog.problems.rowCount() == 1
    unreadable = tmp_path / "empty.csv"
    unreadable.write_bytes(b"")
    dialog.choose_file(str(unreadable))
    assert dialog.preview is None and dialog.summary.text() and not dialog.apply_button.isEnabled()


def test_one_outcome_is_recorded_for_the_open_lead_from_the_leads_menu(qtbot, store, qsettings):
    add_lead(store, 1, created="2026-11-01 09:00:00", status="handed_off")
    add_handoff(store, 1, handed="2026-11-03 09:00:00")
    window = MainWindow(store, Worker(synchronous=True), qsettings, clock=lambda: FIXED_NOW)
    qtbot.addWidget(window)
    window.show()
    window.select_view("all")  # the lead stays listed whatever its status
    window.open_lead(1)
    window.record_outcome_action.trigger()
    dialog = window.outcome_dialog
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("accepted"))
    dialog.save()
    assert store.conn.execute("SELECT status FROM leads WHERE id = 1").fetchone()[0] == "accepted"
    assert window.panel.lead["status"] == "accepted"

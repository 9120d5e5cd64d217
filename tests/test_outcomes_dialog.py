"""The hand-entry outcome dialog offers only allowed outcomes and saves through the service."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialog

from leadtriage.ui.outcome_dialog import OutcomeDialog
from tests.metrics_fixture import add_handoff, add_lead


def test_dialog_records_an_opportunity(qtbot, store):
    add_lead(store, 1, created="2026-11-01 09:00:00", status="handed_off", first_touch="2026-11-01 10:00:00")
    add_handoff(store, 1, handed="2026-11-03 09:00:00")
    dialog = OutcomeDialog(store, 1, today=date(2026, 11, 20))
    qtbot.addWidget(dialog)
    assert [dialog.outcome.itemData(i) for i in range(dialog.outcome.count())] == [
        "accepted", "rejected", "opportunity", "won", "lost"]
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("opportunity"))
    assert not dialog.reason.isEnabled() and dialog.amount.isEnabled()
    dialog.amount.setValue(36000)
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    row = store.conn.execute("SELECT outcome, amount, substr(opportunity_at, 1, 10) FROM handoffs").fetchone()
    assert row == ("opportunity", 36000.0, "2026-11-20")
    assert store.conn.execute("SELECT status FROM leads WHERE id = 1").fetchone()[0] == "opportunity"


def test_dialog_for_a_lead_without_handoff_offers_nothing(qtbot, store):
    add_lead(store, 1, created="2026-11-01 09:00:00", status="engaged")
    dialog = OutcomeDialog(store, 1)
    qtbot.addWidget(dialog)
    assert dialog.outcome.count() == 0 and not dialog.empty.isHidden()


def test_rejection_needs_a_reason_and_offers_the_usual_ones(qtbot, store, monkeypatch):
    add_lead(store, 1, created="2026-11-01 09:00:00", status="handed_off")
    add_handoff(store, 1, handed="2026-11-03 09:00:00")
    dialog = OutcomeDialog(store, 1)
    qtbot.addWidget(dialog)
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("rejected"))
    assert dialog.reason.count() > 0
    warnings = []
    monkeypatch.setattr("leadtriage.ui.outcome_dialog.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    dialog.reason.setEditText("  ")
    dialog.save()
    assert warnings and "reason" in warnings[0]
    assert store.conn.execute("SELECT status FROM leads WHERE id = 1").fetchone()[0] == "handed_off"
    dialog.reason.setEditText("Wrong territory")
    dialog.save()
    assert store.conn.execute("SELECT status, status_reason FROM leads WHERE id = 1").fetchone() == (
        "rejected", "Wrong territory")

"""What a rep and a manager see of the learned score: chips, the pin, the queue's
tooltip, the Score quality page, and the retrain a rep starts from it."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from leadtriage.importing.service import Importer, ImportOptions
from leadtriage.scoring.training import train
from leadtriage.ui.dashboard.quality import ScoreQualityView
from leadtriage.ui.lead.chips import NEGATIVE, POSITIVE, ChipRow
from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.worker import Worker
from tests.test_learned_score import synthetic


def trained_store(store, tmp_path):
    Importer(store).import_file(synthetic(tmp_path / "h.csv", 1500, seed=1), ImportOptions())
    Importer(store).import_file(synthetic(tmp_path / "n.csv", 40, seed=3, with_outcome=False, start=7000),
                                ImportOptions())
    return train(store)


def test_learned_factor_chips_are_coloured_for_and_against(qtbot):
    row = ChipRow()
    qtbot.addWidget(row)
    row.set_chips(["Source Referral: 3.2× the average", "Plan interest None: 0.5× the average", "Logistics +15"])
    styles = [row._layout.itemAt(i).widget().styleSheet() for i in range(3)]
    assert POSITIVE in styles[0] and NEGATIVE in styles[1] and POSITIVE in styles[2]


def test_quality_page_shows_the_held_out_figures(qtbot, store, tmp_path):
    report = trained_store(store, tmp_path)
    view = ScoreQualityView(store, Worker(synchronous=True))
    qtbot.addWidget(view)
    view.load()
    assert f"AUC {report['quality']['auc']:.2f}" in view.headline.text()
    assert "best-scored tenth converted at" in view.summary.text()
    assert view.factors.rowCount() == len(report["factor_changes"]) > 0
    assert view.factors.item(0, 2).text() == "new in the top 10"


def test_quality_page_before_any_training_says_the_rules_are_in_charge(qtbot, store):
    view = ScoreQualityView(store, Worker(synchronous=True))
    qtbot.addWidget(view)
    view.load()
    assert view.headline.text() == "Rules score in charge"
    assert "at least 50 closed leads of each kind" in view.summary.text()


def test_retrain_now_runs_in_a_child_and_shows_the_new_model(qtbot, store, tmp_path):
    trained_store(store, tmp_path)
    Importer(store).import_file(synthetic(tmp_path / "more.csv", 300, seed=9, start=30000), ImportOptions())
    view = ScoreQualityView(store, Worker(synchronous=True))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.retrained, timeout=60000) as signal:
        qtbot.mouseClick(view.retrain_button, Qt.MouseButton.LeftButton)
    assert signal.args[0]["model_id"] == 2
    assert view.report["model_id"] == 2 and view.report["history"] == 1800


def test_workspace_pins_and_clears_a_priority_and_the_queue_explains_scores(qtbot, store, tmp_path, qsettings,
                                                                            monkeypatch):
    trained_store(store, tmp_path)
    window = MainWindow(store, Worker(synchronous=True), qsettings)
    qtbot.addWidget(window)
    window.select_view("new")
    lead_id = window.leads.lead_id(0)
    window.open_lead(lead_id)
    ws = window.panel
    assert any("× the average" in c for c in ws.chips.texts())
    from leadtriage.ui.queue.table_model import COLUMNS

    tip = window.leads.data(window.leads.index(0, [c[0] for c in COLUMNS].index("Score")), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Score ") and "× the average" in tip
    monkeypatch.setattr("leadtriage.ui.lead.score_pin.QInputDialog.getInt", lambda *a, **k: (99, True))
    ws.pin.pin_action.trigger()
    assert ws.score_label.text() == "Score 99 (pinned)" and ws.pin.text() == "Pinned"
    row = store.conn.execute("SELECT score, score_pinned, score_reasons FROM leads WHERE id = ?", (lead_id,)).fetchone()
    assert row[:2] == (99, 99) and json.loads(row[2])[0] == "Priority pinned by a rep"
    ws.pin.clear_action.trigger()
    assert "(pinned)" not in ws.score_label.text()
    assert store.conn.execute("SELECT score_pinned FROM leads WHERE id = ?", (lead_id,)).fetchone() == (None,)

"""The learned score: regimes, calibration, explanations, atomic retrains, pins."""

from __future__ import annotations

import csv
import json
import math
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from leadtriage.cli import main
from leadtriage.importing.service import Importer, ImportOptions
from leadtriage.safety.opening import open_store
from leadtriage.scoring.active import load_active
from leadtriage.scoring.fast import FastScorer
from leadtriage.scoring.features import READ_COLUMNS
from leadtriage.scoring.learned import Model
from leadtriage.scoring.training import train
from leadtriage.services.leads import LeadService

# The true chance is additive on the log-odds scale: base + source + plan.
BASE = -2.5
SOURCES = {"Referral": 1.2, "Web form": 0.3, "List vendor": -1.0}
PLAN = {"Premium": 2.0, "Basic": 0.4, "None": 0.0}


def true_chance(source: str, plan: str) -> float:
    return 1 / (1 + math.exp(-(BASE + SOURCES[source] + PLAN[plan])))


def synthetic(path: Path, n: int, seed: int = 5, with_outcome: bool = True, start: int = 0) -> Path:
    """Leads whose chance of converting is known: by source, and by a custom
    'Plan interest' column (the planted signal)."""
    rnd = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Email", "Company", "Lead Source", "Plan interest", "Visits", *(["Outcome"] if with_outcome else [])])
        for i in range(start, start + n):
            source = rnd.choice(list(SOURCES))
            plan = rnd.choices(list(PLAN), weights=(1, 3, 6))[0]
            p = true_chance(source, plan)
            row = [f"p{i}@firm{i}.example.com", f"Firm {i}", source, plan, str(rnd.randint(0, 40))]
            if with_outcome:
                row.append("won" if rnd.random() < p else "lost")
            w.writerow(row)
    return path


def open_leads(store) -> list[dict]:
    cur = store.conn.execute(f"SELECT id, score, score_reasons, {', '.join(READ_COLUMNS)} FROM leads "
                             "WHERE status = 'new' ORDER BY id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_rules_stay_in_charge_below_the_minimum_history(store, tmp_path):
    Importer(store).import_file(synthetic(tmp_path / "h.csv", 60), ImportOptions())
    Importer(store).import_file(synthetic(tmp_path / "n.csv", 30, seed=9, with_outcome=False, start=1000),
                                ImportOptions())
    before = [(r["score"], r["score_reasons"]) for r in open_leads(store)]
    report = train(store)
    assert report["regime"] == "rules" and report["model_id"] is None
    assert "needs at least 50 closed leads of each kind" in report["message"]
    assert [(r["score"], r["score_reasons"]) for r in open_leads(store)] == before
    assert load_active(store.conn) is None


def test_blended_between_the_minimum_and_full_history(store, tmp_path):
    # ~100 positives: a third of the way from 50 to 200 per class
    Importer(store).import_file(synthetic(tmp_path / "h.csv", 800, seed=2), ImportOptions())
    Importer(store).import_file(synthetic(tmp_path / "n.csv", 50, seed=3, with_outcome=False, start=5000),
                                ImportOptions())
    rules = {r["id"]: r["score"] for r in open_leads(store)}
    report = train(store)
    assert report["regime"] == "blended" and 0 < report["weight"] < 1
    active = load_active(store.conn)
    for lead in open_leads(store):
        p = active.scorer.score(tuple(lead[c] for c in READ_COLUMNS))[0]
        expected = report["weight"] * 100 * p + (1 - report["weight"]) * rules[lead["id"]]
        assert abs(lead["score"] - expected) <= 0.5 + 1e-9


def test_calibrated_on_a_set_with_known_rates(store, tmp_path):
    Importer(store).import_file(synthetic(tmp_path / "h.csv", 6000, seed=4), ImportOptions())
    Importer(store).import_file(synthetic(tmp_path / "n.csv", 3000, seed=8, with_outcome=False, start=90000),
                                ImportOptions())
    report = train(store)
    assert report["regime"] == "learned"
    # Predicted chance per group of new leads against the rate the generator used
    groups: dict[tuple[str, str], list[int]] = {}
    for lead in open_leads(store):
        plan = json.loads(lead["custom_fields"])["Plan interest"]
        groups.setdefault((lead["source"], plan), []).append(lead["score"])
    for (source, plan), scores in groups.items():
        true = 100 * true_chance(source, plan)
        mean = sum(scores) / len(scores)
        assert abs(mean - true) < 5, (source, plan, mean, true)
    q = report["quality"]
    assert q["auc"] > 0.7 and abs(q["predicted"] - q["conversion"]) < 0.04


def test_explanations_name_the_planted_signal(store, tmp_path):
    Importer(store).import_file(synthetic(tmp_path / "h.csv", 4000, seed=6), ImportOptions())
    Importer(store).import_file(synthetic(tmp_path / "n.csv", 400, seed=7, with_outcome=False, start=50000),
                                ImportOptions())
    train(store)
    leads = open_leads(store)
    premium = [lead for lead in leads if json.loads(lead["custom_fields"])["Plan interest"] == "Premium"]
    vendor = [lead for lead in leads if lead["source"] == "List vendor"]
    chips = json.loads(premium[0]["score_reasons"])
    assert any(c.startswith("Plan interest Premium: ") and c.endswith("× the average") for c in chips), chips
    against = json.loads(vendor[0]["score_reasons"])
    assert any(c.startswith("Source List vendor: 0.") for c in against), against
    # The queue sorts by it: Premium referrals first
    assert max(lead["score"] for lead in leads) == max(lead["score"] for lead in premium)


def test_fast_scorer_agrees_with_the_model(store, tmp_path):
    Importer(store).import_file(synthetic(tmp_path / "h.csv", 1500, seed=1), ImportOptions())
    train(store)
    model = load_active(store.conn).model
    fast = FastScorer(model)
    cur = store.conn.execute(f"SELECT {', '.join(READ_COLUMNS)} FROM leads LIMIT 300")
    for row in cur:
        lead = dict(zip(READ_COLUMNS, row, strict=True))
        p, chips = fast.score(row)
        assert abs(p - model.probability(lead)) < 1e-9
        assert chips == model.explain(lead)


def test_a_foreign_model_that_is_not_plain_numbers_is_never_used(store, tmp_path):
    Importer(store).import_file(synthetic(tmp_path / "h.csv", 1500, seed=1), ImportOptions())
    train(store)
    with store.transaction():
        store.conn.execute("UPDATE score_models SET model = ?",
                           (json.dumps({"format": "pickle", "payload": "gASV..."}),))
    assert load_active(store.conn) is None
    with pytest.raises(ValueError):
        Model.from_json({"format": "leadtriage-logit-1", "intercept": "__import__('os')", "features": []})


def test_score_command_reports_and_retrains(tmp_path, db_path, capsys):
    assert main(["import", str(synthetic(tmp_path / "h.csv", 40, seed=3)), "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert main(["score", "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["regime"] == "rules"  # too little history yet
    assert main(["import", str(synthetic(tmp_path / "h2.csv", 2000, seed=5, start=100)), "--db", str(db_path)]) == 0
    assert "Score learned again from 2,040 closed leads" in capsys.readouterr().out
    assert main(["score", "--db", str(db_path), "--retrain", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["regime"] == "learned" and report["quality"]["auc"] > 0.6
    assert len(report["quality"]["deciles"]) == 10 and report["top_factors"]
    assert main(["score", "--db", str(db_path)]) == 0
    assert "Held-out" in capsys.readouterr().out


def test_pinned_priority_is_kept_until_cleared(store, tmp_path):
    Importer(store).import_file(synthetic(tmp_path / "h.csv", 1500, seed=1), ImportOptions())
    Importer(store).import_file(synthetic(tmp_path / "n.csv", 5, seed=3, with_outcome=False, start=7000),
                                ImportOptions())
    lead_id = open_leads(store)[0]["id"]
    svc = LeadService(store)
    svc.pin_score(lead_id, 97)
    train(store)
    lead = svc.get(lead_id)
    assert lead["score"] == 97 and json.loads(lead["score_reasons"])[0] == "Priority pinned by a rep"
    svc.pin_score(lead_id, None)
    lead = svc.get(lead_id)
    assert lead["score"] != 97 and "Priority pinned by a rep" not in json.loads(lead["score_reasons"])


_CHILD = """
import sys, time
from leadtriage.util.progress import Progress
from leadtriage.scoring.training import train
from leadtriage.safety.opening import open_store

def report(done, total, message):
    if message.startswith("saving scores") and done > 0:
        print("WRITING", flush=True)
        time.sleep(60)

with open_store(sys.argv[1]) as store:
    train(store, Progress(report))
"""


def test_a_retrain_killed_midway_leaves_the_old_model_and_scores(tmp_path, db_path):
    with open_store(db_path) as store:
        Importer(store).import_file(synthetic(tmp_path / "h.csv", 1500, seed=1), ImportOptions())
        Importer(store).import_file(synthetic(tmp_path / "n.csv", 25000, seed=3, with_outcome=False, start=9000),
                                    ImportOptions())
        train(store)
        # New history changes what the next training learns
        Importer(store).import_file(synthetic(tmp_path / "h2.csv", 1500, seed=21, start=200000), ImportOptions())
        before_models = store.conn.execute("SELECT id, model FROM score_models").fetchall()
        before = store.conn.execute("SELECT id, score, score_reasons FROM leads ORDER BY id").fetchall()
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(db_path)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    try:
        assert child.stdout.readline().strip() == "WRITING"  # inside the transaction, some rows written
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        child.stdout.close()
    with open_store(db_path) as store:
        assert store.integrity_check() == ["ok"] or store.integrity_check() == []
        assert store.conn.execute("SELECT id, model FROM score_models").fetchall() == before_models
        assert store.conn.execute("SELECT id, score, score_reasons FROM leads ORDER BY id").fetchall() == before
        # and a retrain that is left alone does change them
        train(store)
        assert store.conn.execute("SELECT count(*) FROM score_models").fetchone()[0] == len(before_models) + 1


def test_demo_outcomes_depend_on_source_title_and_size_so_the_score_learns(store):
    from datetime import UTC, datetime

    from leadtriage.demo import generate

    generate(store, leads=6000, seed=7, now=datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    report = train(store)
    assert report["regime"] in ("learned", "blended") and report["quality"]["auc"] > 0.6
    top = [name for name, _ in report["top_factors"][:5]]
    assert {"Source", "Seniority", "Employees"} <= set(top)
    chips = [c for (r,) in store.conn.execute("SELECT score_reasons FROM leads WHERE status = 'new' LIMIT 200")
             for c in json.loads(r)]
    assert any(c.startswith(("Employees ", "Seniority ", "Source ")) and "× the average" in c for c in chips)


def test_retrainer_starts_after_enough_newly_closed_leads(qtbot, store, tmp_path, qsettings):
    from leadtriage.ui.main_window import MainWindow
    from leadtriage.ui.score_retrainer import EVERY
    from leadtriage.ui.worker import Worker

    Importer(store).import_file(synthetic(tmp_path / "h.csv", 1500, seed=1), ImportOptions())
    train(store)
    window = MainWindow(store, Worker(synchronous=True), qsettings)
    qtbot.addWidget(window)
    retrainer = window.retrainer
    assert not retrainer.due()
    Importer(store).import_file(synthetic(tmp_path / "more.csv", EVERY, seed=2, start=50000), ImportOptions())
    assert retrainer.due()
    assert not retrainer.check()  # a synchronous (test) worker never retrains inside a refresh
    with qtbot.waitSignal(retrainer.finished, timeout=60000) as done:
        retrainer.start()  # the same child process the app starts from check()
    assert done.args[0]["model_id"] == 2 and done.args[0]["history"] == 1500 + EVERY
    assert not retrainer.due()
    assert "Score retrained on" in window.statusBar().currentMessage()


def test_command_line_import_of_history_learns_before_the_next_list(tmp_path, db_path, capsys):
    """The benchmark's path: history in, new leads in, and the new leads carry the learned score."""
    assert main(["import", str(synthetic(tmp_path / "h.csv", 3000, seed=4)), "--db", str(db_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["score"]["regime"] == "learned" and out["score"]["auc"] > 0.6
    assert main(["import", str(synthetic(tmp_path / "n.csv", 300, seed=8, with_outcome=False, start=90000)),
                 "--db", str(db_path)]) == 0
    with open_store(db_path) as store:
        leads = open_leads(store)
        explained = [lead for lead in leads if any("× the average" in c for c in json.loads(lead["score_reasons"]))]
        assert len(explained) > 0.8 * len(leads)
        premium = [lead["score"] for lead in leads if json.loads(lead["custom_fields"])["Plan interest"] == "Premium"]
        none = [lead["score"] for lead in leads if json.loads(lead["custom_fields"])["Plan interest"] == "None"]
        assert sum(premium) / len(premium) > 2 * sum(none) / len(none)


def test_undoing_the_history_puts_the_rules_back(store, tmp_path):
    history = Importer(store).import_file(synthetic(tmp_path / "h.csv", 1500, seed=1), ImportOptions())
    Importer(store).import_file(synthetic(tmp_path / "n.csv", 20, seed=3, with_outcome=False, start=7000),
                                ImportOptions())
    rules = {r["id"]: (r["score"], r["score_reasons"]) for r in open_leads(store)}
    train(store)
    assert load_active(store.conn) is not None
    assert {r["id"]: (r["score"], r["score_reasons"]) for r in open_leads(store)} != rules
    Importer(store).undo_batch(history.batch_id)
    report = train(store)
    assert report["regime"] == "rules" and report["rescored"] == 20
    assert load_active(store.conn) is None
    assert {r["id"]: (r["score"], r["score_reasons"]) for r in open_leads(store)} == rules


def test_cancelling_a_background_retrain_kills_the_child_and_keeps_the_old_model(store, tmp_path):
    from leadtriage.scoring.background import run_in_child
    from leadtriage.util.progress import Cancelled, Progress

    Importer(store).import_file(synthetic(tmp_path / "h.csv", 1500, seed=1), ImportOptions())
    train(store)
    Importer(store).import_file(synthetic(tmp_path / "h2.csv", 300, seed=2, start=9000), ImportOptions())
    before = store.conn.execute("SELECT id, model FROM score_models").fetchall()
    scores = store.conn.execute("SELECT id, score, score_reasons FROM leads ORDER BY id").fetchall()
    progress = Progress(lambda done, total, message: progress.cancel())
    with pytest.raises(Cancelled):
        run_in_child(store.path, progress)
    assert store.conn.execute("SELECT id, model FROM score_models").fetchall() == before
    assert store.conn.execute("SELECT id, score, score_reasons FROM leads ORDER BY id").fetchall() == scores
    report = run_in_child(store.path, Progress())  # and one left alone finishes
    assert report["model_id"] == before[-1][0] + 1

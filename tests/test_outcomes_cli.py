"""`leadtriage outcomes` and `leadtriage stats`: JSON shape and exit codes."""

from __future__ import annotations

import json

import pytest

from leadtriage.cli import main
from leadtriage.domain.public_id import format_public_id
from leadtriage.safety.opening import open_store
from tests.metrics_fixture import add_handoff, add_lead, build


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def small_db(db_path):
    with open_store(db_path) as store:
        build(store)
    return db_path


def test_stats_json_shape(capsys, small_db):
    code, out, err = run(capsys, "stats", "--db", str(small_db), "--since", "2026-11-01", "--until", "2026-11-23",
                         "--json")
    assert code == 0, err
    payload = json.loads(out)
    keys = {"leads", "attempted", "connected", "qualified", "handed_off", "accepted", "sales_cycle_starts", "won",
            "cost_per_lead", "cost_per_qualified", "cost_per_opportunity", "attempted_rate", "connected_rate",
            "qualified_rate", "handed_off_rate", "accepted_rate", "won_rate", "lead_to_opportunity"}
    assert keys <= payload["totals"].keys()
    assert payload["totals"]["leads"] == 7 and payload["totals"]["cost_per_qualified"] == 325.0
    assert payload["by"] == "source"
    assert {g["key"] for g in payload["groups"]} == {"Trade show", "List vendor", "Webinar"}
    assert all(keys <= g.keys() for g in payload["groups"])


def test_stats_by_campaign_and_rep(capsys, small_db):
    code, out, _ = run(capsys, "stats", "--db", str(small_db), "--by", "campaign", "--since", "2026-11-01",
                       "--until", "2026-11-23", "--json")
    assert code == 0
    assert {g["label"] for g in json.loads(out)["groups"]} == {"Expo", "Webinar", "(none)"}
    code, out, _ = run(capsys, "stats", "--db", str(small_db), "--by", "rep", "--json")
    assert code == 0
    assert {g["key"] for g in json.loads(out)["groups"]} == {"Alex", "Sam"}


def test_stats_human_output(capsys, small_db):
    code, out, _ = run(capsys, "stats", "--db", str(small_db), "--since", "2026-11-01", "--until", "2026-11-23")
    assert code == 0
    assert "sales-cycle starts" in out and "Trade show" in out


@pytest.mark.parametrize("argv", [
    ["--since", "yesterday"],
    ["--since", "2026-11-10", "--until", "2026-11-01"],
    ["--by", "colour"],
    ["--period", "week", "--since", "2026-11-01"],
])
def test_stats_bad_input_exits_2(capsys, small_db, argv):
    code_or_exit = None
    try:
        code_or_exit = main(["stats", "--db", str(small_db), *argv])
    except SystemExit as exc:
        code_or_exit = exc.code
    _, err = capsys.readouterr()
    assert code_or_exit == 2
    assert len(err.strip().splitlines()) == 1


def test_stats_missing_db_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "stats", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "No LeadTriage database" in err


def test_outcomes_json_and_exit_codes(capsys, db_path, tmp_path):
    with open_store(db_path) as store:
        add_lead(store, 1, created="2026-11-01 09:00:00", status="handed_off")
        add_handoff(store, 1, handed="2026-11-03 09:00:00")
    src = tmp_path / "o.csv"
    src.write_text(f"Lead ID,Outcome,Amount,Date\n{format_public_id(1)},opportunity,9000,2026-11-10\nLT-XXXXXX,won,1,2026-11-10\n",
                   encoding="utf-8")
    before = src.read_bytes()
    code, out, err = run(capsys, "outcomes", str(src), "--db", str(db_path), "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["rows"] == 2 and payload["applied"] == 1 and payload["problems"] == 1
    assert payload["problem_rows"][0]["line"] == 3
    assert src.read_bytes() == before  # the source file is never modified
    code, _, err = run(capsys, "outcomes", str(tmp_path / "missing.csv"), "--db", str(db_path))
    assert code == 2 and len(err.strip().splitlines()) == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Phone\nA,1\n", encoding="utf-8")
    code, _, err = run(capsys, "outcomes", str(bad), "--db", str(db_path))
    assert code == 2 and "no outcome column" in err

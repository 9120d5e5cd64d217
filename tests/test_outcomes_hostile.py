"""Outcome files, report dates and export folders someone else prepared (issue 14,
items 8, 9, 10, 16): implausible dates and amounts are reported per line, two
different amounts for one opportunity are a contradiction, stats refuses days it
cannot compute with, a link planted in an export folder is refused, and nothing of
it puts a lead's name in the log."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leadtriage.cli import main
from leadtriage.domain.public_id import format_public_id
from leadtriage.errors import UserError
from leadtriage.outcomes import import_outcomes, record_outcome
from leadtriage.safety.opening import open_store
from tests.handoff_helpers import insert_lead
from tests.metrics_fixture import add_handoff, add_lead, build

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
P = {i: format_public_id(i) for i in range(1, 6)}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def leads(store):
    for i in range(1, 6):
        add_lead(store, i, created="2026-11-01 09:00:00", status="handed_off", email=f"p{i}@example.com")
        add_handoff(store, i, handed="2026-11-03 09:00:00")
    return store


def _problems(report) -> dict[int, str]:
    return {p.line_no: p.reason for p in report.problems}


def test_implausible_dates_and_amounts_are_reported_per_line(leads, tmp_path: Path):
    src = tmp_path / "outcomes.csv"
    src.write_text("Lead ID,Outcome,Amount,Date\n"
                   f"{P[1]},opportunity,5000,0001-01-01\n"
                   f"{P[2]},opportunity,5000,01.01.0001\n"
                   f"{P[3]},opportunity,5000,9999-12-31\n"
                   f"{P[4]},opportunity,100000000000000000000000,2026-11-20\n"
                   f"{P[5]},opportunity,12000,2026-11-20\n", encoding="utf-8")
    report = import_outcomes(leads, src, clock=lambda: NOW)
    problems = _problems(report)
    assert report.applied == 1 and set(problems) == {2, 3, 4, 5}
    assert "implausible date 0001-01-01" in problems[2] and "implausible date 0001-01-01" in problems[3]
    assert "implausible date 9999-12-31" in problems[4] and "implausible amount" in problems[5]
    assert leads.conn.execute("SELECT count(*) FROM handoffs WHERE opportunity_at IS NOT NULL").fetchone()[0] == 1


def test_two_opportunity_rows_with_different_amounts_are_a_contradiction(leads, tmp_path: Path):
    src = tmp_path / "outcomes.csv"
    src.write_text("Lead ID,Outcome,Amount,Date\n"
                   f"{P[1]},opportunity,5000,2026-11-20\n"
                   f"{P[1]},opportunity,50000,2026-11-20\n"
                   f"{P[2]},opportunity,7000,2026-11-20\n"
                   f"{P[2]},opportunity,7000,2026-11-20\n", encoding="utf-8")
    report = import_outcomes(leads, src, clock=lambda: NOW)
    problems = _problems(report)
    assert set(problems) == {2, 3} and all("different opportunity amounts" in r for r in problems.values())
    assert report.applied == 1 and report.already_recorded == 1  # the same row twice is no contradiction
    assert leads.conn.execute("SELECT amount FROM handoffs WHERE lead_id = 1").fetchone()[0] is None


def test_outcomes_cli_with_year_one_is_a_report_not_an_internal_error(leads, db_path, tmp_path: Path, capsys):
    leads.close()
    src = tmp_path / "outcomes.csv"
    src.write_text(f"Lead ID,Outcome,Date\n{P[1]},accepted,0001-01-01\n", encoding="utf-8")
    code, out, err = run(capsys, "outcomes", str(src), "--db", str(db_path), "--json")
    assert code == 0, err
    assert json.loads(out)["problem_rows"][0]["reason"].startswith("implausible date 0001-01-01")


def test_record_outcome_refuses_non_finite_and_implausible_values(leads):
    for amount, when in ((float("inf"), None), (float("nan"), None), (1e23, None), (None, datetime(1, 1, 1).date())):
        with pytest.raises(UserError, match="Cannot record this outcome"):
            record_outcome(leads, 1, "opportunity", amount=amount, when=when, clock=lambda: NOW)
    assert leads.conn.execute("SELECT opportunity_at FROM handoffs WHERE lead_id = 1").fetchone()[0] is None


@pytest.mark.parametrize("args", [("--since", "0001-01-01"), ("--until", "9999-12-31"), ("--since", "9999-12-31")])
def test_stats_refuses_days_it_cannot_compute_with(db_path, capsys, args):
    with open_store(db_path) as store:
        build(store)
    code, out, err = run(capsys, "stats", "--db", str(db_path), *args, "--json")
    assert code == 2 and out == "" and "must be a day between 1970-01-01 and 2199-12-31" in err


def test_stats_json_stays_valid_json_with_an_infinite_cost_in_the_database(tmp_path: Path, db_path, capsys):
    src = tmp_path / "list.csv"
    src.write_text("name,email\nAnn Lee,ann@example.com\n", encoding="utf-8")
    assert run(capsys, "import", str(src), "--db", str(db_path), "--campaign", "Expo", "--cost", "10")[0] == 0
    with open_store(db_path) as store, store.transaction():
        # A database made elsewhere (or by an older version that took --cost inf).
        store.conn.execute("UPDATE campaigns SET cost = 1e999")
        store.conn.execute("UPDATE import_batches SET cost = 1e999")
    code, out, err = run(capsys, "stats", "--db", str(db_path), "--json")
    assert code == 0, err
    constants: list[str] = []
    payload = json.loads(out, parse_constant=constants.append)
    assert constants == [] and payload["totals"]["cost"] is None


def test_export_refuses_a_link_planted_at_the_file_name_and_logs_no_name(store, db_path, tmp_path: Path, capsys,
                                                                       caplog):
    ids = format_public_id(insert_lead(store, first_name="Zoraida", last_name="Quennell"))
    store.close()
    first = tmp_path / "first"
    assert run(capsys, "export", "--db", str(db_path), "--format", "md", "--out", str(first))[0] == 0
    name = next(first.iterdir()).name
    assert "Zoraida" in name
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    trap = tmp_path / "trap"
    trap.mkdir()
    (trap / name).symlink_to(victim)
    with caplog.at_level(logging.DEBUG):
        code, out, err = run(capsys, "export", "--db", str(db_path), "--ids", ids, "--format", "md",
                             "--out", str(trap))
    assert code == 2 and "holds a link where an export file would go" in err
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert [p.name for p in trap.iterdir()] == [name]  # nothing else was left behind
    assert "Zoraida" not in caplog.text and "Quennell" not in caplog.text


def test_internal_errors_are_logged_without_their_message(tmp_path: Path, capsys, caplog, monkeypatch):
    """A bug in the import path must not copy a cell of the file into the log."""
    from leadtriage.importing import service

    cell = "Zor" + "aida Quen" + "nell <zq@" + "example.com>"  # not in this source line: tracebacks quote code

    def broken(*_a, **_k):
        raise ValueError(f"could not parse {cell!r}")

    monkeypatch.setattr(service.BatchWriter, "write", broken)
    src = tmp_path / "list.csv"
    src.write_text("name,email\nZoraida Quennell,zq@example.com\n", encoding="utf-8")
    with caplog.at_level(logging.DEBUG):
        code, _, err = run(capsys, "import", str(src), "--db", str(tmp_path / "l.db"))
    assert code == 1 and "internal error" in err
    assert "ValueError" in caplog.text and "broken" in caplog.text  # where it happened is kept
    assert "Zoraida" not in caplog.text and "zq@example.com" not in caplog.text

"""Field outcomes in: matching, contradictions, bad cells, XLSX, and what each
outcome does to the lead, its handoff and its timeline."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from leadtriage.domain.public_id import format_public_id
from leadtriage.errors import UserError
from leadtriage.outcomes import (
    allowed_outcomes,
    import_outcomes,
    parse_amount,
    parse_date,
    record_outcome,
)
from tests.metrics_fixture import add_handoff, add_lead

P = {i: format_public_id(i) for i in range(1, 9)}
P5_lower = P[5].lower()

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def clock():
    return NOW


@pytest.fixture
def leads(store):
    """Leads 1-5 handed off (pending), lead 6 qualified but never handed off."""
    for i in range(1, 6):
        add_lead(store, i, created="2026-11-01 09:00:00", status="handed_off", qualified_at="2026-11-02 09:00:00",
                 email=f"person{i}@example.com")
        add_handoff(store, i, handed="2026-11-03 09:00:00")
    add_lead(store, 6, created="2026-11-01 09:00:00", status="qualified", email="six@example.com")
    add_lead(store, 7, created="2026-11-01 09:00:00", status="handed_off", email="twin@example.com")
    add_lead(store, 8, created="2026-11-01 09:00:00", status="handed_off", email="twin@example.com")
    return store


def write(tmp_path, text, name="outcomes.csv"):
    path = tmp_path / name
    path.write_text(text.format(P=P, P5_lower=P5_lower, missing=format_public_id(999)), encoding="utf-8")
    return path


def lead(store, lead_id):
    cur = store.conn.execute("SELECT status, status_reason FROM leads WHERE id = ?", (lead_id,))
    return cur.fetchone()


def handoff(store, lead_id):
    return store.conn.execute(
        "SELECT outcome, outcome_reason, amount, opportunity_at, outcome_at FROM handoffs WHERE lead_id = ?",
        (lead_id,)).fetchone()


def test_each_outcome_moves_lead_and_handoff(leads, tmp_path):
    path = write(tmp_path, (
        "Lead ID,Outcome,Reason,Amount,Date\n"
        "{P[1]},Accepted,,,2026-11-10\n"
        "{P[2]},Rejected,Too small for field sales,,2026-11-10\n"
        "{P[3]},Opportunity created,,\"$24,000\",2026-11-11\n"
        "{P[4]},Closed won,,18k,2026-11-12\n"
        "{P5_lower},lost,Chose a competitor,,2026-11-13\n"
    ))
    report = import_outcomes(leads, path, clock=clock, make_backup=False)
    assert report.applied == 5 and not report.problems
    assert lead(leads, 1)[0] == "accepted" and handoff(leads, 1)[0] == "accepted"
    # a rejection goes back to the rep's queue with the reason, due now
    assert lead(leads, 2) == ("rejected", "Too small for field sales")
    assert leads.conn.execute("SELECT next_action_at FROM leads WHERE id = 2").fetchone()[0] == "2026-11-23 14:00:00"
    assert handoff(leads, 2)[:2] == ("rejected", "Too small for field sales")
    h3 = handoff(leads, 3)
    assert lead(leads, 3)[0] == "opportunity" and h3[0] == "opportunity" and h3[2] == 24000.0
    assert h3[3][:10] == "2026-11-11"
    # won goes through opportunity; the opportunity date is the won date when none was reported
    h4 = handoff(leads, 4)
    assert lead(leads, 4)[0] == "won" and h4[0] == "won" and h4[2] == 18000.0 and h4[3][:10] == "2026-11-12"
    assert lead(leads, 5)[0] == "lost" and handoff(leads, 5)[1] == "Chose a competitor"
    # every outcome is on the timeline
    kinds = leads.conn.execute("SELECT lead_id, data FROM activities WHERE kind = 'outcome' ORDER BY lead_id").fetchall()
    assert [k[0] for k in kinds] == [1, 2, 3, 4, 5]
    assert json.loads(kinds[3][1])["outcome"] == "won"


def test_unknown_ids_email_fallback_and_never_handed_off(leads, tmp_path):
    path = write(tmp_path, (
        "Lead ID;E-mail;Result;Date\n"
        "{missing};person1@example.com;accepted;2026-11-10\n"  # ID given but unknown: not guessed by e-mail
        ";PERSON2@example.com;accepted;2026-11-10\n"  # e-mail fallback, any case
        ";nobody@example.com;accepted;2026-11-10\n"
        ";twin@example.com;accepted;2026-11-10\n"  # two leads share it
        "{P[6]};;accepted;2026-11-10\n"  # never handed off
        ";;accepted;2026-11-10\n"
        "LT-00003X;;accepted;2026-11-10\n"  # a typo: the check symbol does not match
    ))
    report = import_outcomes(leads, path, clock=clock, make_backup=False)
    assert report.applied == 1 and lead(leads, 2)[0] == "accepted"
    reasons = {p.line_no: p.reason for p in report.problems}
    assert "unknown lead ID" in reasons[2]
    assert "no lead with e-mail" in reasons[4]
    assert "several leads" in reasons[5]
    assert "never handed off" in reasons[6]
    assert "no lead ID or e-mail" in reasons[7]
    assert "not a valid lead ID" in reasons[8]
    assert lead(leads, 1)[0] == "handed_off" and lead(leads, 6)[0] == "qualified"


def test_contradictory_rows_are_reported_not_applied(leads, tmp_path):
    path = write(tmp_path, (
        "Lead ID,Outcome,Reason,Amount,Date\n"
        "{P[1]},won,,5000,2026-11-10\n"
        "{P[1]},rejected,Wrong territory,,2026-11-11\n"
        "{P[2]},won,,5000,2026-11-10\n"
        "{P[2]},lost,Price,,2026-11-12\n"
        "{P[3]},opportunity,,,2026-11-15\n"
        "{P[3]},won,,100,2026-11-10\n"  # won before the opportunity existed
        "{P[4]},accepted,,,2026-11-10\n"
        "{P[4]},opportunity,,9000,2026-11-12\n"  # a proper sequence in one file
    ))
    report = import_outcomes(leads, path, clock=clock, make_backup=False)
    assert sorted(p.line_no for p in report.problems) == [2, 3, 4, 5, 6, 7]
    assert all("contradictory" in p.reason for p in report.problems)
    assert [lead(leads, i)[0] for i in (1, 2, 3)] == ["handed_off"] * 3
    assert lead(leads, 4)[0] == "opportunity" and report.applied == 2


def test_bad_dates_amounts_and_outcomes(leads, tmp_path):
    path = write(tmp_path, (
        "Lead ID,Outcome,Reason,Amount,Date\n"
        "{P[1]},accepted,,,03/04/2026\n"
        "{P[2]},won,,lots,2026-11-10\n"
        "{P[3]},maybe,,,2026-11-10\n"
        "{P[4]},accepted,,,\n"
        "{P[5]},rejected,,,2026-11-10\n"
    ))
    report = import_outcomes(leads, path, clock=clock, make_backup=False)
    assert report.applied == 0
    reasons = {p.line_no: p.reason for p in report.problems}
    assert "unreadable date" in reasons[2]
    assert "unreadable amount" in reasons[3]
    assert "unknown outcome 'maybe'" in reasons[4]
    assert reasons[5] == "no date"
    assert "without a reason" in reasons[6]
    assert all(lead(leads, i)[0] == "handed_off" for i in range(1, 6))


def test_importing_twice_changes_nothing_more(leads, tmp_path):
    path = write(tmp_path, "Lead ID,Outcome,Amount,Date\n{P[1]},opportunity,5000,2026-11-10\n")
    assert import_outcomes(leads, path, clock=clock, make_backup=False).applied == 1
    again = import_outcomes(leads, path, clock=clock, make_backup=False)
    assert again.applied == 0 and again.already_recorded == 1 and not again.problems
    assert leads.conn.execute("SELECT count(*) FROM activities WHERE kind = 'outcome'").fetchone()[0] == 1


def test_state_conflicts_are_reported(leads, tmp_path):
    record_outcome(leads, 1, "won", amount=1000, when=date(2026, 11, 9), clock=clock)
    path = write(tmp_path, "Lead ID,Outcome,Reason,Date\n{P[1]},lost,Price,2026-11-10\n")
    report = import_outcomes(leads, path, clock=clock, make_backup=False)
    assert report.applied == 0 and "cannot be marked lost" in report.problems[0].reason
    assert lead(leads, 1)[0] == "won"


def test_dry_run_changes_nothing(leads, tmp_path):
    path = write(tmp_path, "Lead ID,Outcome,Date\n{P[1]},accepted,2026-11-10\n")
    report = import_outcomes(leads, path, clock=clock, dry_run=True, make_backup=False)
    assert report.applied == 1 and report.dry_run
    assert lead(leads, 1)[0] == "handed_off"
    assert leads.conn.execute("SELECT count(*) FROM activities WHERE kind = 'outcome'").fetchone()[0] == 0


def test_xlsx_file(leads, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Lead ID", "Outcome", "Amount", "Date"])
    ws.append([P[3], "Opportunity", 12500, datetime(2026, 11, 11)])
    ws.append([P[4], "Won", "7,500.00", "2026-11-12"])
    path = tmp_path / "outcomes.xlsx"
    wb.save(path)
    report = import_outcomes(leads, path, clock=clock, make_backup=False)
    assert report.applied == 2, report.problems
    assert handoff(leads, 3)[2] == 12500.0 and handoff(leads, 4)[2] == 7500.0


def test_file_without_outcome_column_is_refused(leads, tmp_path):
    path = write(tmp_path, "Lead ID,Date\n{P[1]},2026-11-10\n")
    with pytest.raises(UserError, match="no outcome column"):
        import_outcomes(leads, path, clock=clock, make_backup=False)


def test_outcomes_feed_the_metrics(leads, tmp_path):
    from leadtriage.metrics import compute, custom

    path = write(tmp_path, "Lead ID,Outcome,Amount,Date\n{P[3]},opportunity,5000,2026-11-11\n")
    import_outcomes(leads, path, clock=clock, make_backup=False)
    d = compute(leads.conn, custom(date(2026, 11, 1), date(2026, 11, 23)), "source", now=NOW, tz=UTC)
    assert d.totals.sales_cycle_starts == 1 and d.totals.opportunities == 1


@pytest.mark.parametrize(("text", "value"), [
    ("5000", 5000.0), ("5,000.50", 5000.5), ("5.000,50", 5000.5), ("€ 12 000", 12000.0), ("$18k", 18000.0),
    ("1.2m", 1200000.0), ("12,5", 12.5), ("", None), ("EUR 300", 300.0),
])
def test_parse_amount(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["-5", "ten", "5 apples", "1e9"])
def test_parse_amount_refuses(text):
    with pytest.raises(ValueError):
        parse_amount(text)


def test_parse_date():
    assert parse_date("2026-11-10") == date(2026, 11, 10)
    assert parse_date("2026-11-10 00:00:00") == date(2026, 11, 10)
    assert parse_date("10.11.2026") == date(2026, 11, 10)
    for bad in ("10/11/2026", "2026-02-30", "yesterday"):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_record_outcome_by_hand(leads):
    assert allowed_outcomes("handed_off") == ["accepted", "rejected", "opportunity", "won", "lost"]
    assert allowed_outcomes("opportunity") == ["won", "lost"]
    assert allowed_outcomes("qualified") == []
    with pytest.raises(UserError, match="reason"):
        record_outcome(leads, 1, "rejected", clock=clock)
    with pytest.raises(UserError, match="never handed off"):
        record_outcome(leads, 6, "accepted", clock=clock)
    record_outcome(leads, 1, "rejected", reason="Wrong territory", when=date(2026, 11, 20), rep="Alex", clock=clock)
    assert lead(leads, 1) == ("rejected", "Wrong territory")
    row = leads.conn.execute("SELECT notes, rep FROM activities WHERE kind = 'outcome' AND lead_id = 1").fetchone()
    assert row == ("Wrong territory", "Alex")


def test_an_outcome_dated_before_the_lead_was_created_is_refused(leads, tmp_path):
    """It used to be applied and then drop out of every period's figures."""
    path = write(tmp_path, "Lead ID,Outcome,Date\n{P[1]},Opportunity created,2026-10-15\n{P[2]},Accepted,2026-11-10\n")
    report = import_outcomes(leads, path, clock=clock, make_backup=False)
    assert report.applied == 1
    assert [(p.line_no, p.reason) for p in report.problems] == [
        (2, f"The outcome for lead {P[1]} is dated 2026-10-15, before the lead was created (2026-11-01); "
            "check the date.")]
    assert lead(leads, 1)[0] == "handed_off"
    with pytest.raises(UserError, match="before the lead was created"):
        record_outcome(leads, 3, "won", when=date(2026, 10, 1), clock=clock)

"""Importing history: per-row source, campaign, original date and outcome, the CRM
status vocabularies, and what a bad value does to the batch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leadtriage.cli import main
from leadtriage.errors import UserError
from leadtriage.importing.history import parse_outcome_value
from leadtriage.importing.mapping import auto_map, load_mapping_file
from leadtriage.importing.service import Importer, ImportOptions
from leadtriage.safety.opening import open_store


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def rows(store, sql: str, params: tuple = ()) -> list[tuple]:
    return store.conn.execute(sql, params).fetchall()


@pytest.mark.parametrize(("header", "target"), [
    ("Lead Source", "source"), ("LeadSource", "source"), ("Original Source", "source"), ("Quelle", "source"),
    ("Herkunft", "source"), ("Origine", "source"), ("Fuente", "source"),
    ("Outcome", "outcome"), ("Converted", "outcome"), ("Lead Status", "outcome"), ("Status", "outcome"),
    ("Result", "outcome"), ("Statut", "outcome"), ("Estado del lead", "outcome"),
    ("Created Date", "created_at"), ("Erstellt am", "created_at"), ("Date de création", "created_at"),
    ("Campaign", "campaign"), ("Kampagne", "campaign"), ("Campaña", "campaign"),
])
def test_history_headers_map_automatically(header, target):
    assert auto_map(["Email", header]) == ["email", target]


@pytest.mark.parametrize(("value", "status", "closed", "positive"), [
    ("Open - Not Contacted", "new", False, None),
    ("Working - Contacted", "engaged", False, None),
    ("Closed - Converted", "opportunity", True, True),
    ("Closed - Not Converted", "disqualified", True, False),
    ("NEW", "new", False, None), ("OPEN", "new", False, None), ("IN_PROGRESS", "engaged", False, None),
    ("OPEN_DEAL", "opportunity", True, True), ("UNQUALIFIED", "disqualified", True, False),
    ("ATTEMPTED_TO_CONTACT", "attempting", False, None), ("CONNECTED", "engaged", False, None),
    ("BAD_TIMING", "nurture", False, None),
    ("won", "won", True, True), ("Closed Won", "won", True, True), ("customer", "won", True, True),
    ("yes", "opportunity", True, True), ("TRUE", "opportunity", True, True), ("1", "opportunity", True, True),
    ("lost", "disqualified", True, False), ("junk", "disqualified", True, False), ("0", "disqualified", True, False),
    ("Gewonnen", "won", True, True), ("Verloren", "disqualified", True, False), ("perdu", "disqualified", True, False),
    ("Ganado", "won", True, True), ("Nicht kontaktiert", "new", False, None),
])
def test_crm_status_vocabulary(value, status, closed, positive):
    outcome = parse_outcome_value(value)
    assert outcome is not None, value
    assert (outcome.status, outcome.closed, outcome.positive) == (status, closed, positive)


def test_unknown_outcome_values_are_none():
    assert parse_outcome_value("maybe later perhaps?") is None
    assert parse_outcome_value("") is None


HISTORY = (
    "Name,Email,Company,Lead Source,Campaign,Created Date,Status\n"
    "Ann One,ann@a.example.com,A,Google,Spring,2025-01-10,Closed - Converted\n"
    "Bob Two,bob@b.example.com,B,google,Spring,2025-01-11,Closed - Not Converted\n"
    "Cy Three,cy@c.example.com,C,Referral,,2025-02-01,Working - Contacted\n"
    "Di Four,di@d.example.com,D,,,2025-02-02,frobnicated\n"
    "Ed Five,ed@e.example.com,E,Referral,Summer,2025-03-01,won\n"
)


def test_history_rows_land_as_history_and_open_stages(store, tmp_path):
    result = Importer(store).import_file(write(tmp_path, "crm.csv", HISTORY),
                                         ImportOptions(source="CRM export", campaign="Default"))
    assert (result.history_positive, result.history_negative, result.open_stages) == (2, 1, 1)
    assert result.warnings == [{"line": 5, "problem": "unknown outcome 'frobnicated': imported without an outcome"}]
    got = {r[0]: r[1:] for r in rows(store, "SELECT email, status, source, campaign, substr(created_at, 1, 10) "
                                             "FROM leads")}
    assert got["ann@a.example.com"] == ("opportunity", "Google", "Spring", "2025-01-10")
    # 'google' is the same source as 'Google': one spelling
    assert got["bob@b.example.com"] == ("disqualified", "Google", "Spring", "2025-01-11")
    assert got["cy@c.example.com"] == ("engaged", "Referral", "Default", "2025-02-01")
    # no source or campaign in the row: the import's defaults; unknown outcome: a new lead
    assert got["di@d.example.com"] == ("new", "CRM export", "Default", "2025-02-02")
    assert got["ed@e.example.com"][0] == "won"
    # History never enters the working queue: the Today list reads new/attempting/... only
    from leadtriage.store.queue import counts_by_status

    counts = counts_by_status(store.conn)
    assert counts.get("new", 0) == 1
    # Started sales cycles count in the source figures (a handoff record, marked as imported)
    assert rows(store, "SELECT l.email, h.outcome, h.by_rep FROM handoffs h JOIN leads l ON l.id = h.lead_id "
                       "ORDER BY l.email") == [("ann@a.example.com", "opportunity", "(imported history)"),
                                               ("ed@e.example.com", "won", "(imported history)")]


def test_history_counts_in_source_figures_and_undo_removes_it(store, tmp_path):
    from datetime import date

    from leadtriage.metrics.compute import compute
    from leadtriage.metrics.period import Period

    result = Importer(store).import_file(write(tmp_path, "crm.csv", HISTORY), ImportOptions())
    period = Period(date(2025, 1, 1), date(2025, 12, 31), "2025")
    by_source = {g.label: g for g in compute(store.conn, period, by="source").groups}
    assert by_source["Google"].leads == 2 and by_source["Google"].opportunities == 1
    assert by_source["Referral"].won == 1
    report = Importer(store).undo_batch(result.batch_id)
    assert report.removed == 5 and not report.kept
    assert rows(store, "SELECT count(*) FROM handoffs") == [(0,)]


def test_mapping_file_names_source_and_outcome(tmp_path, db_path):
    path = write(tmp_path, "h.csv", "E-mail,Where from,Won?\nx@x.example.com,Webinar,yes\ny@y.example.com,Webinar,no\n")
    mapping = write(tmp_path, "map.json", json.dumps({"Where from": "source", "Won?": "outcome"}))
    assert main(["import", str(path), "--db", str(db_path), "--mapping", str(mapping), "--json"]) == 0
    with open_store(db_path) as store:
        assert rows(store, "SELECT email, source, status FROM leads ORDER BY email") == [
            ("x@x.example.com", "Webinar", "opportunity"), ("y@y.example.com", "Webinar", "disqualified")]
    # every column not named keeps its automatic guess
    assert load_mapping_file(json.dumps({"Won?": "outcome"}), ["E-mail", "Won?"]).targets == ["email", "outcome"]


@pytest.mark.parametrize(("csv_text", "message"), [
    ("Email,Created,Outcome\na@a.example.com,2025-01-01,won\nb@b.example.com,31/31/2025,won\n",
     "Line 3: the created date cannot be read"),
    ("Email,Created,Outcome,Close Date\na@a.example.com,2025-03-01,won,2025-02-01\n",
     "Line 2: the outcome is dated 2025-02-01, before the lead was created (2025-03-01)"),
    ("Email,Created\na@a.example.com,2999-01-01\n", "Line 2: the created date 2999-01-01 is in the future"),
])
def test_bad_history_values_refuse_the_whole_batch(tmp_path, db_path, capsys, csv_text, message):
    path = write(tmp_path, "bad.csv", csv_text)
    assert main(["import", str(path), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Nothing was imported" in err
    with open_store(db_path) as store:
        assert rows(store, "SELECT count(*) FROM leads") == [(0,)]
        assert rows(store, "SELECT count(*) FROM import_batches") == [(0,)]


def test_bad_value_raises_user_error_in_the_service(store, tmp_path):
    path = write(tmp_path, "bad.csv", "Email,Created\na@a.example.com,soon\n")
    with pytest.raises(UserError, match="Line 2"):
        Importer(store).import_file(path, ImportOptions())


def test_sources_differing_in_case_are_folded_to_the_most_common_spelling(store, tmp_path):
    """A database from before the fix: 'google' and 'GOOGLE' beside 'Google'."""
    from datetime import date

    from leadtriage.metrics.compute import compute
    from leadtriage.metrics.period import Period
    from leadtriage.store.schema import fold_source_case

    Importer(store).import_file(write(tmp_path, "a.csv", "Email,Source\na@a.example.com,Google\n"
                                      "b@b.example.com,Google\nc@c.example.com,Referral\n"), ImportOptions())
    with store.transaction():  # what an older version could leave behind
        store.conn.execute("INSERT INTO leads (public_id, email, source, status, created_at, updated_at) "
                           "SELECT 'X' || id, 'x' || id || '@x.example.com', 'google', 'new', created_at, updated_at "
                           "FROM leads WHERE id = 1")
        fold_source_case(store.conn)
    assert rows(store, "SELECT source, count(*) FROM leads GROUP BY source ORDER BY source") == [
        ("Google", 3), ("Referral", 1)]
    today = date.today()
    groups = compute(store.conn, Period(today, today, "today"), by="source").groups
    assert sorted(g.label for g in groups) == ["Google", "Referral"]
    # and a new list's 'GOOGLE' joins them
    Importer(store).import_file(write(tmp_path, "b.csv", "Email,Source\nd@d.example.com,GOOGLE\n"), ImportOptions())
    assert rows(store, "SELECT count(*) FROM leads WHERE source = 'Google'") == [(4,)]


def test_a_history_row_for_a_lead_already_here_is_merged_and_said_so(store, tmp_path):
    Importer(store).import_file(write(tmp_path, "a.csv", "Email,Name\nann@a.example.com,Ann One\n"), ImportOptions())
    result = Importer(store).import_file(write(tmp_path, "b.csv", "Email,Status\nann@a.example.com,won\n"
                                               "new@n.example.com,won\nnew@n.example.com,lost\n"), ImportOptions())
    assert (result.merged, result.history_positive, result.history_negative) == (2, 1, 0)
    assert [w["line"] for w in result.warnings] == [2, 4]
    assert "same person as lead " in result.warnings[0]["problem"]
    assert "same person as an earlier line of this file" in result.warnings[1]["problem"]
    assert rows(store, "SELECT email, status FROM leads ORDER BY id") == [
        ("ann@a.example.com", "new"), ("new@n.example.com", "won")]
    assert rows(store, "SELECT count(*) FROM handoffs") == [(1,)]

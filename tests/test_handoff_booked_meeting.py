"""The meeting booked when qualifying is the meeting of every format; the CRM status
says what happened; every activity carries its rep."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

from leadtriage.services.field_reps import FieldRepService
from leadtriage.services.leads import LeadService
from leadtriage.store.schema import LATEST_VERSION
from tests.conftest import FIXED_NOW
from tests.handoff_helpers import export, insert_lead

MEETING = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _qualified_in_the_app(store) -> int:
    lead = insert_lead(store, status="engaged", qualified_at=None, field_rep_id=None)
    rep = FieldRepService(store).save("Ingrid Lindqvist", "ingrid@example.com", "DACH")
    LeadService(store, rep="Alex Morgan", clock=lambda: FIXED_NOW).qualify(lead, rep, MEETING)
    return lead


def test_the_meeting_ticked_in_the_qualify_dialog_is_in_every_format(store, tmp_path):
    from icalendar import Calendar

    lead = _qualified_in_the_app(store)
    result = export(store, [lead], ["ics", "md", "csv-salesforce", "csv-sheet"], tmp_path)
    assert result.no_meeting == []
    ics = next(p for p in result.files if p.suffix == ".ics")
    (event,) = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert event.decoded("dtstart") == MEETING
    md = next(p for p in result.files if p.suffix == ".md").read_text("utf-8")
    assert "Tue 1 Dec 2026 10:30 (Europe/Berlin)" in md
    assert "calls the prospect within two business days" not in md
    sheet = next(p for p in result.files if "sheet" in p.name)
    (row,) = csv.DictReader(sheet.read_text("utf-8-sig").splitlines())
    assert row["First meeting (UTC)"] == "2026-12-01 09:30:00"
    crm = next(p for p in result.files if "salesforce" in p.name)
    (row,) = csv.DictReader(crm.read_text("utf-8").splitlines())
    assert "First meeting (UTC): 2026-12-01 09:30:00" in row["Description"]
    # the handoff records it, so a later re-export shows it too
    assert store.conn.execute("SELECT meeting_at FROM handoffs WHERE lead_id = ?", (lead,)).fetchone()[0] \
        == "2026-12-01 09:30:00"


def test_a_meeting_given_at_export_replaces_the_booked_one(store, tmp_path):
    lead = _qualified_in_the_app(store)
    later = datetime(2026, 12, 3, 14, 0, tzinfo=UTC)
    export(store, [lead], ["md"], tmp_path / "a", meeting_at=later)
    result = export(store, [lead], ["md", "ics"], tmp_path / "b")
    md = next(p for p in result.files if p.suffix == ".md").read_text("utf-8")
    assert "Thu 3 Dec 2026 15:00 (Europe/Berlin)" in md


def test_crm_lead_status_follows_the_lead(store, tmp_path):
    lead = insert_lead(store)  # qualified: reached and worked
    result = export(store, [lead], ["csv-salesforce", "csv-hubspot"], tmp_path)
    salesforce = next(p for p in result.files if "salesforce" in p.name)
    (row,) = csv.DictReader(salesforce.read_text("utf-8").splitlines())
    assert row["Lead Status"] == "Working - Contacted"
    hubspot = next(p for p in result.files if "hubspot" in p.name)
    (row,) = csv.DictReader(hubspot.read_text("utf-8").splitlines())
    assert row["Lead Status"] == "Connected"
    won = insert_lead(store, status="won", email="won@example.com")
    result = export(store, [won], ["csv-salesforce"], tmp_path / "won")
    (row,) = csv.DictReader(result.files[0].read_text("utf-8").splitlines())
    assert row["Lead Status"] == "Closed - Converted"


def test_calls_logged_without_a_name_in_settings_carry_the_rep(store):
    lead = insert_lead(store, status="engaged")
    svc = LeadService(store, rep="", clock=lambda: FIXED_NOW)  # as the app starts before demo data set a name
    svc.log_call(lead, "no_answer")
    from leadtriage.store.settings import SettingsStore
    SettingsStore(store).set("rep_name", "Alex Morgan")
    svc.log_call(lead, "conversation")
    reps = [r[0] for r in store.conn.execute("SELECT rep FROM activities WHERE lead_id = ? AND kind <> 'import' "
                                             "ORDER BY id", (lead,))]
    import getpass

    # the helper's own call, then: no name anywhere -> this computer's user; then the name set later
    assert reps == ["Alex Morgan", getpass.getuser(), "Alex Morgan"]


def test_upgrade_fills_missing_reps_and_booked_meetings(store):
    from leadtriage.store.schema import MIGRATIONS, _activity_reps, _booked_meetings

    assert {_booked_meetings, _activity_reps} <= set(MIGRATIONS)  # they run on every upgrade
    lead = insert_lead(store, status="qualified", next_action_at="2026-12-01 09:30:00",
                       next_action="Field meeting with Dana Whitfield")
    with store.transaction():
        # As an older version left them: no booked meeting, calls without a rep.
        store.conn.execute("UPDATE leads SET booked_meeting_at = NULL, latest_meeting_at = NULL")
        store.conn.execute("INSERT INTO activities (lead_id, kind, disposition, occurred_at) "
                           "VALUES (?, 'call', 'no_answer', '2026-11-21 10:00:00')", (lead,))
        store.conn.execute("INSERT INTO activities (lead_id, kind, occurred_at) "
                           "VALUES (?, 'import', '2026-11-01 10:00:00')", (lead,))
    with store.transaction():  # the steps themselves (run again: they must not depend on their number)
        _booked_meetings(store.db)
        _activity_reps(store.db)
    assert store.conn.execute("SELECT rep FROM activities WHERE kind = 'call'").fetchall() == [
        ("Alex Morgan",), ("Alex Morgan",)]  # the helper's call had it; the older call gets it
    assert store.conn.execute("SELECT rep FROM activities WHERE kind = 'import'").fetchall() == [(None,)]
    assert store.conn.execute("SELECT booked_meeting_at, latest_meeting_at FROM leads").fetchone() == (
        "2026-12-01 09:30:00", "2026-12-01 09:30:00")
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


def test_no_rep_is_guessed_when_the_database_has_several(store):
    from leadtriage.store.schema import _activity_reps

    lead = insert_lead(store)
    with store.transaction():
        store.conn.execute("UPDATE leads SET owner = 'Someone Else' WHERE id = ?", (lead,))
        store.conn.execute("INSERT INTO activities (lead_id, kind, occurred_at) VALUES (?, 'call', '2026-11-21')",
                           (lead,))
        _activity_reps(store.db)
    assert store.conn.execute("SELECT count(*) FROM activities WHERE rep IS NULL").fetchone()[0] == 1

"""Qualify and Disqualify as a rep meets them: Enter must not block a lead for good,
and the suggested field rep is the one whose territory covers the lead."""

import json

from PySide6.QtCore import Qt

from leadtriage.services.field_reps import FieldRepService, suggest_field_rep
from tests.test_workspace_flows import add_leads, lead, make_window

BANT_MET = json.dumps({k: {"met": True, "evidence": f"{k} said so"} for k in ("budget", "authority", "need", "timeline")})


def _reps(store):
    svc = FieldRepService(store)
    ids = {
        "dana": svc.save("Dana Whitfield", territory="US East"),
        "marcus": svc.save("Marcus Oyelaran", territory="US Central & West"),
        "ingrid": svc.save("Ingrid Lindqvist", territory="Nordics & DACH"),
        "pierre": svc.save("Pierre Moreau", territory="France & Benelux"),
        "javier": svc.save("Javier Ortega", territory="Iberia & Canada"),
    }
    return svc, ids


def test_enter_on_disqualify_does_not_put_the_lead_on_do_not_call(qtbot, store, qsettings):
    add_leads(store, status="engaged")
    window = make_window(qtbot, store, qsettings, "engaged")
    qtbot.keyClick(window.panel, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # Disqualify…
    dialog = window.panel.active_dialog
    assert dialog is not None and dialog.reason.currentText() != "Do not call"
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    after = lead(store, 1)
    assert after["status"] == "disqualified" and after["status_reason"] == "No need"
    assert not after["do_not_call"]
    assert window.panel.recycle_button.isEnabled()  # it can come back later


def test_qualify_suggests_the_rep_whose_territory_covers_a_german_lead(qtbot, store, qsettings):
    add_leads(store, status="engaged", country="DE", timezone="Europe/Berlin", qualification=BANT_MET)
    _svc, reps = _reps(store)
    window = make_window(qtbot, store, qsettings, "engaged")
    qtbot.keyClick(window.panel, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    dialog = window.panel.active_dialog
    assert dialog is not None
    assert dialog.rep.currentText() == "Ingrid Lindqvist (Nordics & DACH)"
    assert dialog.hint.text() == "Suggested: the territory covers DE."
    qtbot.keyClick(dialog.rep, Qt.Key.Key_Return)
    assert lead(store, 1)["field_rep_id"] == reps["ingrid"]


def test_territory_matching_by_country_group_and_part_of_the_country(store):
    svc, reps = _reps(store)
    listed = svc.list()
    cases = [
        ({"country": "CH"}, "ingrid"),
        ({"country": "NL"}, "pierre"),
        ({"country": "ES"}, "javier"),
        ({"country": "CA"}, "javier"),
        ({"country": "US", "timezone": "America/New_York"}, "dana"),
        ({"country": "US", "timezone": "America/Los_Angeles"}, "marcus"),
        ({"country": "US", "timezone": "America/Chicago"}, "marcus"),
    ]
    for lead_fields, expected in cases:
        assert suggest_field_rep(listed, lead_fields) == reps[expected], lead_fields
    assert suggest_field_rep(listed, {"country": "JP"}) is None  # nobody covers it: no guess
    assert suggest_field_rep(listed, {"country": "DE", "field_rep_id": reps["dana"]}) == reps["dana"]  # kept
    svc.save("Ingrid Lindqvist", territory="Nordics & DACH", active=False, rep_id=reps["ingrid"])
    assert suggest_field_rep(svc.list(), {"country": "DE"}) is None  # inactive reps are not offered


def test_a_meeting_ticked_when_qualifying_becomes_the_invite(qtbot, store, qsettings, tmp_path):
    from datetime import UTC, datetime

    from icalendar import Calendar
    from PySide6.QtCore import QDateTime, QTimeZone

    from tests.handoff_helpers import export

    add_leads(store, status="engaged", country="DE", timezone="Europe/Berlin", qualification=BANT_MET,
              email="lead1@example.com")
    _reps(store)
    window = make_window(qtbot, store, qsettings, "engaged")
    qtbot.keyClick(window.panel, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    dialog = window.panel.active_dialog
    dialog.has_meeting.setFocus()
    qtbot.keyClick(dialog.has_meeting, Qt.Key.Key_Space)
    meeting = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    dialog.meeting.setDateTime(QDateTime.fromSecsSinceEpoch(int(meeting.timestamp()), QTimeZone.utc()).toLocalTime())
    qtbot.keyClick(dialog.rep, Qt.Key.Key_Return)
    assert lead(store, 1)["status"] == "qualified"
    result = export(store, [1], ["ics"], tmp_path)
    assert result.no_meeting == []
    (event,) = Calendar.from_ical(result.files[0].read_bytes()).walk("VEVENT")
    assert event.decoded("dtstart") == meeting

"""Call logging and the other lead moves: what each does to the lead, and what is refused."""

from datetime import date, timedelta

import pytest

from leadtriage.domain.status import TransitionError
from leadtriage.services.calls import dispositions_from_setting, next_step_at
from leadtriage.services.field_reps import FieldRepService
from leadtriage.services.fields import InvalidField
from leadtriage.services.leads import LeadService, Refused
from leadtriage.store.settings import SettingsStore
from leadtriage.store.timeutil import to_db
from tests import conftest
from tests.conftest import FIXED_NOW

NOW = to_db(FIXED_NOW)


def add_lead(store, lead_id=1, **fields):
    return conftest.add_lead(store, lead_id, **fields)


@pytest.fixture
def service(store):
    add_lead(store)
    return LeadService(store, rep="Alex", clock=lambda: FIXED_NOW)


def acts(service, kind=None):
    sql = "SELECT kind, disposition, notes, rep FROM activities"
    rows = service.store.conn.execute(sql + " ORDER BY id").fetchall()
    return [r for r in rows if kind is None or r[0] == kind]


def test_first_no_answer_counts_an_attempt_and_moves_new_to_attempting(service):
    result = service.log_call(1, "no_answer", duration_s=25)
    lead = service.get(1)
    assert (lead["status"], lead["attempts"], lead["connects"]) == ("attempting", 1, 0)
    assert lead["first_touch_at"] == lead["last_touch_at"] == NOW
    # no next step chosen: the outcome's usual retry (no answer: a day later)
    assert lead["next_action_at"] == "2026-11-24 14:00:00" == result.next_action_at
    assert lead["next_action"] == "Next call attempt"
    assert acts(service) == [("call", "no_answer", None, "Alex"), ("status", None, None, "Alex")]


def test_second_attempt_keeps_first_touch_and_status(service, store):
    service.log_call(1, "no_answer")
    later = LeadService(store, clock=lambda: FIXED_NOW + timedelta(hours=5))
    later.log_call(1, "busy")
    lead = later.get(1)
    assert lead["attempts"] == 2 and lead["status"] == "attempting"
    assert lead["first_touch_at"] == NOW and lead["last_touch_at"] == "2026-11-23 19:00:00"
    assert lead["next_action_at"] == "2026-11-23 21:00:00"  # busy: try again in two hours
    assert len(acts(service, "status")) == 1


def test_conversation_counts_a_connect_engages_and_takes_the_chosen_next_step(service):
    when = FIXED_NOW + timedelta(days=3)
    service.log_call(1, "conversation", notes="Routes on a whiteboard", duration_s=600, next_step=when)
    lead = service.get(1)
    assert (lead["status"], lead["attempts"], lead["connects"]) == ("engaged", 1, 1)
    assert lead["next_action_at"] == to_db(when) and lead["next_action"] == "Call back"
    assert acts(service, "call") == [("call", "conversation", "Routes on a whiteboard", "Alex")]


def test_do_not_call_disqualifies_with_that_reason_and_blocks_further_calls(service):
    service.log_call(1, "do_not_call")
    lead = service.get(1)
    assert lead["status"] == "disqualified" and lead["status_reason"] == "Do not call"
    assert lead["do_not_call"] == 1 and lead["next_action_at"] is None
    with pytest.raises(Refused, match="do-not-call"):
        service.log_call(1, "no_answer")
    assert service.get(1)["attempts"] == 1
    with pytest.raises(Refused):
        service.recycle(1)


def test_unknown_disposition_is_refused_and_nothing_written(service):
    with pytest.raises(Exception, match="not one of the call outcomes"):
        service.log_call(1, "teleported")
    assert acts(service) == [] and service.get(1)["attempts"] == 0


def test_a_call_is_undone_in_one_step(service):
    service.log_call(1, "conversation")
    service.undo()
    lead = service.get(1)
    assert (lead["status"], lead["attempts"], lead["connects"], lead["first_touch_at"]) == ("new", 0, 0, None)


def test_custom_disposition_setting_is_used(service, store):
    SettingsStore(store).set("dispositions", ["No answer", {"label": "Sent to voicemail box", "retry_hours": 6},
                                              {"label": "Demo booked", "connected": True, "conversation": True}])
    service.reload_settings()
    labels = [(d.label, d.shortcut) for d in service.dispositions()]
    assert labels == [("No answer", "N"), ("Sent to voicemail box", "S"), ("Demo booked", "D")]
    service.log_call(1, "demo_booked")
    assert service.get(1)["status"] == "engaged"


def test_bad_disposition_setting_is_explained():
    with pytest.raises(ValueError, match="already taken"):
        dispositions_from_setting([{"label": "A", "shortcut": "N"}, {"label": "B", "shortcut": "N"}])
    with pytest.raises(ValueError, match="one letter"):
        dispositions_from_setting([{"label": "A", "shortcut": "NN"}])


def test_email_linkedin_meeting_and_note(service):
    service.log_touch(1, "note", "Found them on the expo list")
    assert service.get(1)["status"] == "new" and service.get(1)["last_touch_at"] is None
    service.log_touch(1, "email", "Intro mail")
    assert service.get(1)["status"] == "attempting" and service.get(1)["last_touch_at"] == NOW
    service.log_touch(1, "linkedin", "Connection request")
    service.log_touch(1, "meeting", "Coffee at the expo")
    lead = service.get(1)
    assert (lead["status"], lead["connects"], lead["attempts"]) == ("engaged", 1, 0)
    assert [k for k, *_ in acts(service) if k != "status"] == ["note", "email", "linkedin", "meeting"]
    with pytest.raises(Exception, match="needs some text"):
        service.log_touch(1, "note", "  ")


def _engage(service):
    service.log_call(1, "conversation")


def _add_rep(store, active=True):
    return FieldRepService(store).save("Dana Whitfield", "dana@example.com", "US East", active=active)


def test_qualify_needs_threshold_and_field_rep(service, store):
    _engage(service)
    rep = _add_rep(store)
    with pytest.raises(Refused, match="0 of 4 criteria"):
        service.qualify(1, rep)
    answers = {"budget": {"met": True, "evidence": "Budget approved for 2027"},
               "authority": {"met": True, "evidence": "Talking to the COO"},
               "need": {"met": True, "evidence": "Two planners every morning"}}
    with pytest.raises(InvalidField, match="Timeline is marked met"):
        service.save_qualification(1, {**answers, "timeline": {"met": True, "evidence": ""}})
    service.save_qualification(1, answers)
    with pytest.raises(Refused, match="field rep"):
        service.qualify(1, None)
    meeting = FIXED_NOW + timedelta(days=4)
    service.qualify(1, rep, meeting)
    lead = service.get(1)
    assert lead["status"] == "qualified" and lead["field_rep_id"] == rep
    assert lead["qualified_at"] == NOW and lead["next_action_at"] == to_db(meeting)
    assert lead["next_action"] == "Field meeting with Dana Whitfield"


def test_qualify_refused_from_new_and_for_inactive_rep(service, store):
    rep = _add_rep(store, active=False)
    with pytest.raises(TransitionError):
        service.qualify(1, rep)
    _engage(service)
    SettingsStore(store).set("qualify_threshold", 1)
    service.save_qualification(1, {"need": {"met": True, "evidence": "Whiteboard planning"}})
    with pytest.raises(Refused, match="no longer"):
        service.qualify(1, rep)


def test_nurture_sets_resurface_date_and_next_action(service):
    _engage(service)
    back = date(2027, 2, 15)
    service.nurture(1, "Budget not yet approved", back)
    lead = service.get(1)
    assert lead["status"] == "nurture" and lead["status_reason"] == "Budget not yet approved"
    assert lead["nurture_until"] == "2027-02-15"
    assert lead["next_action_at"] == to_db(next_step_at("tomorrow", FIXED_NOW).replace(
        year=2027, month=2, day=15))
    with pytest.raises(Refused, match="after today"):
        service.nurture(1, "x", FIXED_NOW.date())


def test_disqualify_needs_a_listed_reason_and_recycle_brings_it_back(service):
    with pytest.raises(Refused, match="from the list"):
        service.disqualify(1, "Did not like their voice")
    service.disqualify(1, "No need")
    assert service.get(1)["status"] == "disqualified" and service.get(1)["next_action_at"] is None
    service.recycle(1)
    lead = service.get(1)
    assert lead["status"] == "new" and lead["next_action_at"] == NOW


def test_recycle_refused_where_not_allowed(service):
    with pytest.raises(Refused, match="cannot be recycled"):
        service.recycle(1)


def test_several_moves_undo_in_reverse_order(service):
    service.log_call(1, "no_answer")
    service.log_call(1, "conversation")
    service.nurture(1, "Early research", date(2027, 1, 10))
    statuses = []
    while service.undo():
        statuses.append(service.get(1)["status"])
    assert statuses == ["engaged", "attempting", "new"]
    assert service.get(1)["attempts"] == 0 and service.get(1)["nurture_until"] is None


def test_field_edits_are_validated_and_normalised(service, store):
    SettingsStore(store).set("default_region", "DE")
    service.edit_field(1, "phone", "030 23125000")
    assert service.get(1)["phone"] == "+493023125000"
    service.edit_field(1, "email", "Ana.Silva@Example.COM")
    assert service.get(1)["email"] == "Ana.Silva@example.com"
    with pytest.raises(InvalidField, match="not a phone number"):
        service.edit_field(1, "phone", "call me maybe")
    with pytest.raises(InvalidField, match="E-mail"):
        service.edit_field(1, "email", "ana@@example")
    with pytest.raises(InvalidField, match="line breaks"):
        service.edit_field(1, "company", "A\nB")
    assert service.get(1)["phone"] == "+493023125000"
    service.undo()
    assert service.get(1)["email"] is None


def test_discovery_is_cleaned_and_checked(service):
    service.save_discovery(1, [{"tag": " Manual  work ", "quote": "Whiteboard every morning"}, {"tag": "", "quote": ""}],
                           "New COO", {"timeline": "Q2", "target_date": "2027-04-30", "budget_status": "Approved",
                                       "people": [{"name": "Kim", "role": "CFO"}], "competitors": ["RouteMax", ""]})
    import json
    lead = service.get(1)
    assert json.loads(lead["pain_points"]) == [{"tag": "Manual work", "quote": "Whiteboard every morning"}]
    plan = json.loads(lead["buying_plan"])
    assert plan["people"] == [{"name": "Kim", "role": "CFO"}] and plan["competitors"] == ["RouteMax"]
    with pytest.raises(InvalidField, match="Target date"):
        service.save_discovery(1, [], None, {"target_date": "next spring"})
    with pytest.raises(InvalidField, match="short tag"):
        service.save_discovery(1, [{"tag": "", "quote": "It hurts"}], None, {})


def test_score_is_recomputed_when_the_lead_changes(service):
    service.edit_field(1, "city", "Porto")
    before = service.get(1)["score"]
    assert before == 5  # created this month
    service.edit_field(1, "industry", "Logistics")
    lead = service.get(1)
    assert lead["score"] == before + 15 and "Logistics +15" in lead["score_reasons"]


def test_field_rep_service(store):
    reps = FieldRepService(store)
    rid = reps.save("Dana", "dana@example.com", "East")
    with pytest.raises(Exception, match="already a field rep"):
        reps.save("Dana")
    with pytest.raises(Exception, match="E-mail of Bo"):
        reps.save("Bo", "not-an-email")
    reps.save("Dana W.", "dana@example.com", "East", active=False, rep_id=rid)
    assert [(r.name, r.active) for r in reps.list()] == [("Dana W.", False)]
    assert reps.list(include_inactive=False) == []

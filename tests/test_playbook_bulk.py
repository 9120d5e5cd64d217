"""Bulk actions on a queue selection, each undone as one step (Edit > Undo finds it)."""

from __future__ import annotations

from datetime import date

import pytest

from leadtriage.errors import UserError
from tests.playbook_helpers import playbook
from tests.queue_data import add


def snapshot(store, ids):
    marks = ",".join("?" * len(ids))
    leads = store.conn.execute(
        f"SELECT id, status, status_reason, owner, nurture_until, next_action_at, next_action, do_not_call, "
        f"in_cadence FROM leads WHERE id IN ({marks}) ORDER BY id", ids).fetchall()
    enrolments = store.conn.execute(
        f"SELECT * FROM enrolments WHERE lead_id IN ({marks}) ORDER BY id", ids).fetchall()
    return leads, enrolments


@pytest.fixture
def selection(store):
    service, clock = playbook(store)
    ids = [add(store, email=f"b{i}@x.test", status="attempting" if i % 2 else "new") for i in range(4)]
    service.enrol(ids[:2], "Inbound")  # half of them already in the cadence
    return service, ids


@pytest.mark.parametrize("action", ["enrol", "pause", "reassign", "nurture", "disqualify"])
def test_each_bulk_action_is_undone_as_one_step(store, selection, action):
    service, ids = selection
    before = snapshot(store, ids)
    run = {
        "enrol": lambda: service.bulk_enrol(ids, "Inbound"),
        "pause": lambda: service.bulk_pause(ids),
        "reassign": lambda: service.bulk_reassign(ids, "Sam"),
        "nurture": lambda: service.bulk_nurture(ids, date(2027, 2, 1), "Budget not yet approved"),
        "disqualify": lambda: service.bulk_disqualify(ids, "No need"),
    }[action]
    result = run()
    assert result.done == {"enrol": 2, "pause": 2}.get(action, 4)
    assert snapshot(store, ids) != before
    # The bulk action is the newest undoable change, and one undo puts everything back.
    assert service.last_bulk() == (result.id, result.label)
    assert service.undo_bulk() == result.label
    assert snapshot(store, ids) == before
    assert service.last_bulk() is None
    assert service.leads.last_undoable() is None or service.leads.last_undoable().label != result.label


def test_nurture_exits_the_cadence_and_undo_brings_it_back(store, selection):
    service, ids = selection
    service.bulk_nurture(ids, date(2027, 2, 1), "Budget not yet approved")
    reasons = store.conn.execute("SELECT exit_reason FROM enrolments ORDER BY id").fetchall()
    assert reasons == [("nurtured",), ("nurtured",)]
    service.undo_bulk()
    assert store.conn.execute("SELECT count(*) FROM enrolments WHERE ended_at IS NULL").fetchone()[0] == 2
    assert store.conn.execute("SELECT count(*) FROM leads WHERE in_cadence = 1").fetchone()[0] == 2


def test_refused_leads_are_counted_not_half_changed(store, selection):
    service, ids = selection
    won = add(store, status="won")
    result = service.bulk_disqualify([*ids, won], "No need")
    assert result.done == 4 and sum(result.skipped.values()) == 1
    assert store.conn.execute("SELECT status FROM leads WHERE id = ?", (won,)).fetchone()[0] == "won"


def test_an_empty_selection_is_refused(store, selection):
    service, _ = selection
    with pytest.raises(UserError):
        service.bulk_pause([])

"""Finding a lead by the phone number as a person says it (issue 15, item 10): the
national form with its trunk 0, with spaces, the international form with spaces,
or only the last digits; through an index, never a scan."""

from __future__ import annotations

import re
from datetime import UTC

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadtriage.services.leads import LeadService
from leadtriage.store import queue
from leadtriage.store.queue import Filters, Moment, QueueQuery
from tests.queue_data import NOW, add


def search(conn, text: str, filters: Filters | None = None) -> list[int]:
    segments = queue.plan(conn, QueueQuery("all", search=text, filters=filters or Filters()), Moment(NOW, UTC))
    cursor, out = None, []
    while True:
        items, cursor = queue.fetch(conn, segments, cursor, 2)
        out += [i.row.id for i in items]
        if cursor is None:
            return out


def test_a_berlin_number_is_found_the_ways_people_write_it(store):
    berlin = add(store, first_name="Jonas", phone="+49305525372")
    add(store, first_name="Other", phone="+4940123456")
    add(store, first_name="Nophone", phone=None)
    for text in ("+49305525372", "030 5525372", "030/5525372", "+49 30 5525372", "0049 30 5525372",
                 "5525372", "(030) 552-5372", "49305525372"):
        assert search(store.conn, text) == [berlin], text


def test_us_number_by_national_form_and_last_four(store):
    ny = add(store, first_name="Annette", phone="+12125550100")
    add(store, first_name="Other", phone="+12125550199")
    assert search(store.conn, "(212) 555-0100") == [ny]
    assert search(store.conn, "0100") == [ny]
    assert sorted(search(store.conn, "212 555")) == sorted([ny, ny + 1])


def test_digits_also_find_a_lead_id_once(store):
    lead = add(store, first_name="Ida", phone="+4930777001", public_id="LT-07770")
    assert search(store.conn, "07770") == [lead]  # the ID and no duplicate row
    assert search(store.conn, "777001") == [lead]


def test_an_edited_number_is_searched_by_its_new_digits(store):
    lead = add(store, first_name="Mara", phone="+4930111222")
    LeadService(store).edit_field(lead, "phone", "+44 20 7946 0018")
    assert search(store.conn, "030 111222") == []
    assert search(store.conn, "020 7946 0018") == [lead]
    with store.transaction():
        store.conn.execute("DELETE FROM leads WHERE id = ?", (lead,))
    assert search(store.conn, "7946 0018") == []


def test_phone_search_keeps_filters(store):
    a = add(store, first_name="A", phone="+49305525372", source="Fair")
    add(store, first_name="B", phone="+49305525372", source="Web")
    assert search(store.conn, "5525372", Filters(sources=("Fair",))) == [a]


def test_phone_search_reads_an_index(store):
    add(store, phone="+49305525372")
    segments = queue.plan(store.conn, QueueQuery("all", search="030 5525372"), Moment(NOW, UTC))
    seg = segments[0]
    sql = f"EXPLAIN QUERY PLAN SELECT leads.id FROM {seg.from_sql} WHERE {seg.where}"
    plan = " ".join(r[-1] for r in store.conn.execute(sql, {**seg.params}))
    assert "VIRTUAL TABLE INDEX" in plan and not re.search(r"SCAN leads(\s|$)", plan)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tail=st.text(alphabet="0123456789", min_size=3, max_size=9).filter(lambda t: t[0] != "0"))
def test_found_exactly_when_the_digits_are_in_the_number(store, tail):
    numbers = ["+49305525372", "+12125550100", "+442079460018", "+33142685300"]
    if not store.conn.execute("SELECT count(*) FROM leads").fetchone()[0]:
        for n in numbers:
            add(store, first_name="P", phone=n)
    found = {store.conn.execute("SELECT phone FROM leads WHERE id = ?", (i,)).fetchone()[0]
             for i in search(store.conn, tail)}
    assert found == {n for n in numbers if tail in n}


def test_upgrading_a_database_indexes_its_numbers_and_name_sort(demo_store, db_path):
    from leadtriage.safety.opening import open_store
    from leadtriage.store.schema import LATEST_VERSION
    from tests.first_week_helpers import rewind_first_week

    conn = demo_store.conn
    lead_id, phone = conn.execute("SELECT id, phone FROM leads WHERE phone LIKE '+49%' LIMIT 1").fetchone()
    with demo_store.transaction():
        rewind_first_week(conn)  # back to the schema before these versions
    demo_store.close()
    with open_store(db_path) as upgraded:
        assert upgraded.user_version == LATEST_VERSION
        national = "0" + phone[3:]
        assert lead_id in search(upgraded.conn, national)
        indexes = {r[0] for r in upgraded.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"idx_leads_queue_band", "idx_leads_status_last_name"} <= indexes
        assert not {"idx_leads_queue_due", "idx_leads_queue_due_cadence"} & indexes

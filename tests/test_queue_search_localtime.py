"""Search over the FTS index (hostile input included) and each lead's local time /
"callable now" against calling hours across time zones."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadtriage.domain import localtime
from leadtriage.domain.localtime import CallingHours
from leadtriage.store import queue
from leadtriage.store.queue import Filters, Moment, QueueQuery
from tests.queue_data import NOW, add


def search(conn, text: str, filters: Filters | None = None) -> list[int]:
    filters = filters or Filters()
    segments = queue.plan(conn, QueueQuery("all", search=text, filters=filters), Moment(NOW, UTC))
    items, cursor, out = [], None, []
    while True:
        items, cursor = queue.fetch(conn, segments, cursor, 2)
        out += [i.row.id for i in items]
        if cursor is None:
            return out


@pytest.fixture
def people(store):
    return {
        "anna": add(store, first_name="Anna", last_name="Schmidt", company="Spedition Müller GmbH",
                    email="anna.schmidt@mueller.de"),
        "annette": add(store, first_name="Annette", last_name="Zhou", company="Acme Corp", phone="+12125550100"),
        "bob": add(store, first_name="Bob", last_name="O'Neil", company='The "Quoted" Co', email="bob@q.example"),
        "jose": add(store, first_name="José", last_name="Núñez", company="Ñandú S.A."),
    }


def test_search_is_prefix_and_all_words(store, people):
    assert search(store.conn, "ann") == [people["annette"], people["anna"]]  # newest first
    assert search(store.conn, "anna sch") == [people["anna"]]
    assert search(store.conn, "spedi mül") == [people["anna"]]
    assert search(store.conn, "jose nunez") == [people["jose"]]  # diacritics folded
    assert search(store.conn, "+1 2125550") == [people["annette"]]  # spaces in a number are fine
    assert search(store.conn, "+12125550") == [people["annette"]]
    assert search(store.conn, "anna.schmidt@muel") == [people["anna"]]
    assert search(store.conn, "nobody-here") == []


def test_search_applies_filters(store, people):
    with store.transaction() as db:
        db["leads"].update(people["anna"], {"source": "Web form"})
    assert search(store.conn, "ann", Filters(sources=("Web form",))) == [people["anna"]]


@pytest.mark.parametrize("text", ['"', '""', "*", "-", ":", "a:b", 'O"Neil', "NEAR(anna", "anna OR", "AND",
                                  "^anna", "(", ")", "'", "\\", "anna*", "- - -", "col:anna", "\x00", "🙂"])
def test_hostile_search_text_never_raises(store, people, text):
    result = search(store.conn, text)
    assert isinstance(result, list)


def test_quoted_names_are_found_by_their_words(store, people):
    assert search(store.conn, 'O"Neil') == [people["bob"]]
    assert search(store.conn, '"quoted" co') == [people["bob"]]


def test_too_short_input_searches_nothing(store, people):
    assert queue.fts_query("a") is None and queue.fts_query("  ") is None
    assert queue.plan(store.conn, QueueQuery("all", search="a"), Moment(NOW, UTC)) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=30))
def test_any_text_is_a_valid_match_expression(store, text):
    expression = queue.fts_query(text)
    if expression is not None:
        store.conn.execute("SELECT count(*) FROM leads_fts WHERE leads_fts MATCH ?", (expression,)).fetchone()


# -- local time ------------------------------------------------------------------------

MONDAY_14_UTC = NOW  # Berlin 15:00, New York 09:00, Los Angeles 06:00, Tokyo 23:00
HOURS = CallingHours(time(9, 0), time(17, 30))


@pytest.mark.parametrize(("zone", "callable_"), [
    ("Europe/Berlin", True), ("America/New_York", True), ("America/Los_Angeles", False), ("Asia/Tokyo", False),
])
def test_calling_hours_in_the_leads_own_zone(zone, callable_):
    assert localtime.within_hours(localtime.zone(zone), MONDAY_14_UTC, HOURS) is callable_


def test_calling_hours_edges_weekends_and_overnight():
    ny = localtime.zone("America/New_York")
    assert localtime.within_hours(ny, datetime(2026, 11, 23, 14, 0, tzinfo=UTC), HOURS)  # 09:00 start inclusive
    assert not localtime.within_hours(ny, datetime(2026, 11, 23, 13, 59, tzinfo=UTC), HOURS)
    assert not localtime.within_hours(ny, datetime(2026, 11, 23, 22, 30, tzinfo=UTC), HOURS)  # 17:30 end exclusive
    assert not localtime.within_hours(ny, datetime(2026, 11, 28, 15, 0, tzinfo=UTC), HOURS)  # Saturday
    night = CallingHours.parse("22:00", "02:00")
    assert night.contains(datetime(2026, 11, 24, 23, 0)) and night.contains(datetime(2026, 11, 24, 1, 0))
    assert not night.contains(datetime(2026, 11, 24, 12, 0))
    with pytest.raises(ValueError, match="Calling hours start"):
        CallingHours.parse("nine", "17:00")


def test_daylight_saving_changes_the_local_hour():
    ny = localtime.zone("America/New_York")
    summer = datetime(2026, 7, 6, 13, 30, tzinfo=UTC)  # 09:30 EDT
    winter = datetime(2026, 1, 5, 13, 30, tzinfo=UTC)  # 08:30 EST
    assert localtime.within_hours(ny, summer, HOURS) and not localtime.within_hours(ny, winter, HOURS)


def test_zone_comes_from_stored_zone_then_phone_then_country():
    assert localtime.lead_zone("Asia/Tokyo", "+4930123456", "DE").key == "Asia/Tokyo"
    assert localtime.lead_zone(None, "+4930123456", None).key == "Europe/Berlin"
    assert localtime.lead_zone(None, "+12125550100", "US").key == "America/New_York"  # area code
    assert localtime.lead_zone(None, "(212) 555-0100", None, "US").key == "America/New_York"  # default region
    assert localtime.lead_zone("Not/AZone", None, "FR").key == "Europe/Paris"
    assert localtime.lead_zone(None, None, "US") is None  # several clocks: unknown, not a guess
    assert localtime.lead_zone(None, "garbage", None) is None


def test_callable_now_filter_respects_zones_hours_and_dnc(store):
    berlin = add(store, timezone="Europe/Berlin")
    add(store, timezone="America/Los_Angeles", phone="+14155550100", country="US")
    add(store, timezone="Europe/Berlin", do_not_call=1)
    add(store, timezone="Europe/Berlin", phone=None)
    paris_by_country = add(store, timezone=None, country="FR", phone="+33140000000")
    add(store, timezone=None, country="US", phone="+12125550100")  # country spans zones: not offered
    hours = CallingHours(time(9), time(17, 30))
    segments = queue.plan(store.conn, QueueQuery("all", filters=Filters(callable_now=True)),
                          Moment(MONDAY_14_UTC, UTC, hours))
    assert sorted(i.row.id for i in queue.fetch(store.conn, segments, None, 100)[0]) == [berlin, paris_by_country]
    late = Moment(datetime(2026, 11, 23, 20, 0, tzinfo=UTC), UTC, hours)  # Berlin 21:00, LA 12:00
    segments = queue.plan(store.conn, QueueQuery("all", filters=Filters(callable_now=True)), late)
    assert [i.row.timezone for i in queue.fetch(store.conn, segments, None, 100)[0]] == ["America/Los_Angeles"]

"""Queue order on hand-made data: Today's work order, keyset paging for every sort
(NULLs included), the trigger-kept counts."""

from __future__ import annotations

from datetime import UTC

import pytest

from leadtriage.store import queue
from leadtriage.store.queue import Filters, Moment, QueueQuery
from tests.queue_data import NOW, add, at

MOMENT = Moment(NOW, UTC)


def all_rows(conn, query: QueueQuery, page: int = 3, moment: Moment = MOMENT):
    segments = queue.plan(conn, query, moment)
    items, cursor = [], None
    while True:
        got, cursor = queue.fetch(conn, segments, cursor, page)
        items += got
        if cursor is None:
            return items


def ids(items) -> list[int]:
    return [i.row.id for i in items]


def test_today_is_the_work_order(store):
    # Created in scrambled order so ids cannot explain the result.
    new_low = add(store, status="new", score=20, created_at=at(days=-1))
    attempt_due_old = add(store, status="attempting", next_action_at=at(hours=-30))
    overdue_late = add(store, status="engaged", next_action_at=at(hours=-1), connects=1)
    nurture_due = add(store, status="nurture", next_action_at=at(days=-2), nurture_until=at(days=-2)[:10])
    due_today = add(store, status="engaged", next_action_at=at(hours=3), connects=1)
    new_high_older = add(store, status="new", score=80, created_at=at(days=-5))
    new_high_newer = add(store, status="new", score=80, created_at=at(days=-2))
    overdue_early = add(store, status="rejected", next_action_at=at(days=-3))
    callback_attempting = add(store, status="attempting", connects=1, next_action_at=at(hours=-5))
    attempt_never_scheduled = add(store, status="attempting")
    attempt_due_recent = add(store, status="attempting", next_action_at=at(hours=-1))
    nurture_by_date_only = add(store, status="nurture", nurture_until=at()[:10])
    # Not in Today: future attempts, tomorrow's callback, nurture not yet due,
    # engaged without a next step, do-not-call, qualified, disqualified.
    add(store, status="attempting", next_action_at=at(hours=2))
    add(store, status="engaged", next_action_at=at(days=1), connects=1)
    add(store, status="nurture", next_action_at=at(days=20), nurture_until=at(days=20)[:10])
    add(store, status="engaged")
    add(store, status="new", score=99, do_not_call=1)
    add(store, status="engaged", next_action_at=at(hours=-2), do_not_call=1)
    add(store, status="qualified", score=95)
    add(store, status="disqualified")

    items = all_rows(store.conn, QueueQuery(queue.TODAY))
    assert ids(items) == [
        overdue_early, callback_attempting, overdue_late,  # overdue callbacks, oldest first
        due_today,  # callbacks due later today
        new_high_newer, new_high_older, new_low,  # new by score, newest first among equals
        attempt_never_scheduled, attempt_due_old, attempt_due_recent,  # attempts due
        nurture_by_date_only, nurture_due,  # nurture resurfacing
    ]
    assert [i.band for i in items] == ["Overdue"] * 3 + ["Due today"] + ["New"] * 3 + ["Attempt due"] * 3 + [
        "Resurfacing"] * 2
    counts = queue.queue_counts(store.conn, MOMENT)
    assert counts["today"] == 12
    assert counts["overdue"] == 3 and counts["due_today"] == 1
    assert counts["nurture_due"] == 2


def test_nurture_comes_back_in_today_on_its_date(store):
    lead = add(store, status="nurture", next_action_at=at(days=3), nurture_until=at(days=3)[:10])
    assert lead not in ids(all_rows(store.conn, QueueQuery(queue.TODAY)))
    later = Moment(NOW.replace(day=NOW.day + 3), UTC)
    assert lead in ids(all_rows(store.conn, QueueQuery(queue.TODAY), moment=later))


def test_due_today_ends_at_the_reps_local_midnight(store):
    from zoneinfo import ZoneInfo

    # 23:30 UTC is still Monday in New York (18:30) but Tuesday in Berlin (00:30).
    lead = add(store, status="engaged", next_action_at=at(hours=9.5), connects=1)
    ny = Moment(NOW, ZoneInfo("America/New_York"))
    berlin = Moment(NOW, ZoneInfo("Europe/Berlin"))
    assert [i.band for i in all_rows(store.conn, QueueQuery(queue.TODAY), moment=ny) if i.row.id == lead] == [
        "Due today"]
    assert lead not in ids(all_rows(store.conn, QueueQuery(queue.TODAY), moment=berlin))


@pytest.fixture
def sort_store(store):
    """Ties and NULLs in every sort column."""
    specs = [
        dict(score=70, company="acme", last_touch_at=None, next_action_at=at(hours=1), timezone="America/New_York"),
        dict(score=70, company="Acme", last_touch_at=at(days=-1), next_action_at=None, timezone="Europe/Berlin"),
        dict(score=10, company=None, last_touch_at=at(days=-1), next_action_at=at(hours=1), timezone=None),
        dict(score=90, company="Zeta", last_touch_at=at(days=-3), next_action_at=None, timezone="Asia/Tokyo"),
        dict(score=70, company="beta", last_touch_at=None, next_action_at=at(hours=-1), timezone="Europe/Berlin"),
        dict(score=None, company=None, last_touch_at=at(days=-2), next_action_at=at(hours=5), timezone="Bad/Zone"),
        dict(score=40, company="Beta", last_touch_at=at(days=-1), next_action_at=None, timezone="America/New_York"),
    ]
    surnames = ["Adams", "adams", None, "Müller", "zed", "Becker", "becker"]
    for i, spec in enumerate(specs * 3):
        add(store, status="attempting" if i % 2 else "new", created_at=at(days=-(i % 4)),
            last_name=surnames[(i * 3) % len(surnames)], **spec)
    return store


def _reference(conn, view: str, sort: str, descending: bool) -> list[int]:
    """The same order computed in Python from all rows."""
    from leadtriage.domain.localtime import utc_offset_minutes

    where = queue.QUEUE_VIEWS[view].where.replace("leads.", "")
    cols = "id, score, created_at, next_action_at, last_touch_at, company, timezone, last_name"
    rows = conn.execute(f"SELECT {cols} FROM leads WHERE {where}").fetchall()

    def nullable(value, fold=lambda v: v):
        # SQLite: NULL sorts before everything ascending.
        return (0, None) if value is None else (1, fold(value))

    def key(r):
        rid, score, created, nxt, touch, company, tz, last_name = r
        if sort == "score":
            return (nullable(score), created, rid)
        if sort == "next_action":
            return (nullable(nxt), rid)
        if sort == "last_touch":
            return (nullable(touch), rid)
        if sort == "company":
            return (nullable(company, str.lower), rid)
        if sort == "name":  # SQLite's NOCASE folds ASCII letters only
            return (nullable(last_name, lambda v: v.translate(str.maketrans(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))), rid)
        raise AssertionError(sort)

    if sort == "local_time":
        def zone_key(r):
            offset = utc_offset_minutes(r[6], NOW) if r[6] else None
            known = offset is not None
            # Known zones by offset (then name); unknown and missing zones last, by id.
            return (0 if known else 1, (-offset if descending else offset) if known else 0,
                    r[6] if known else "", -r[0] if descending else r[0])
        return [r[0] for r in sorted(rows, key=zone_key)]
    ordered = sorted(rows, key=key, reverse=descending)
    return [r[0] for r in ordered]


@pytest.mark.parametrize("view", ["all", "new", "attempting"])
@pytest.mark.parametrize("sort", ["score", "next_action", "last_touch", "company", "name", "local_time"])
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_paging_for_every_sort_matches_a_full_sort(sort_store, view, sort, descending):
    got = ids(all_rows(sort_store.conn, QueueQuery(view, sort, descending), page=2))
    assert got == _reference(sort_store.conn, view, sort, descending)


def test_priority_order_pages_like_one_query(sort_store):
    for view in queue.QUEUE_VIEWS:
        one = ids(all_rows(sort_store.conn, QueueQuery(view), page=10_000))
        paged = ids(all_rows(sort_store.conn, QueueQuery(view), page=1))
        assert paged == one and len(set(one)) == len(one)


def test_today_sorted_by_a_column_keeps_the_bands(store):
    a = add(store, status="engaged", next_action_at=at(hours=-1), connects=1, score=10)
    b = add(store, status="engaged", next_action_at=at(hours=-2), connects=1, score=90)
    c = add(store, status="new", score=20)
    d = add(store, status="new", score=60)
    items = all_rows(store.conn, QueueQuery(queue.TODAY, "score", True))
    assert ids(items) == [b, a, d, c]


@pytest.mark.parametrize("sort", ["score", "last_touch", "company", "name"])
@pytest.mark.parametrize("descending", [False, True])
def test_today_sorted_by_a_column_pages_like_one_query(store, sort, descending):
    for i in range(12):
        add(store, status="engaged", connects=1, next_action_at=at(hours=-1 - i % 3), score=i % 4 * 10,
            company=["b", "A", None][i % 3], last_name=["Zorn", None, "abel"][i % 3],
            last_touch_at=at(days=-(i % 2)) if i % 5 else None)
        add(store, status="new", score=i % 3, company="C", last_name="Y")
    one = all_rows(store.conn, QueueQuery(queue.TODAY, sort, descending), page=10_000)
    paged = all_rows(store.conn, QueueQuery(queue.TODAY, sort, descending), page=1)
    assert ids(paged) == ids(one) and len(set(ids(one))) == 24
    assert [i.band for i in one] == ["Overdue"] * 12 + ["New"] * 12


def test_counts_follow_inserts_updates_and_deletes(store):
    first = add(store, status="new")
    add(store, status="new", do_not_call=1)
    add(store, status="engaged")
    assert queue.counts_by_status(store.conn) == {"new": 2, "engaged": 1, "all": 3}
    with store.transaction() as db:
        db["leads"].update(first, {"status": "attempting"})
    assert queue.counts_by_status(store.conn) == {"new": 1, "attempting": 1, "engaged": 1, "all": 3}
    with store.transaction() as db:
        db["leads"].delete(first)
    counts = queue.queue_counts(store.conn, MOMENT)
    assert counts["all"] == 2 and "attempting" not in counts
    assert counts["today"] == 0  # the remaining new lead is do-not-call


def test_counts_table_agrees_with_a_full_count_on_demo_data(demo_store):
    brute = dict(demo_store.conn.execute("SELECT status, count(*) FROM leads GROUP BY status").fetchall())
    counts = queue.counts_by_status(demo_store.conn)
    assert {k: v for k, v in counts.items() if k != "all"} == brute
    assert counts["all"] == 600
    today = all_rows(demo_store.conn, QueueQuery(queue.TODAY), page=200)
    assert len(today) == queue.queue_counts(demo_store.conn, MOMENT)["today"] > 0
    assert not any(i.row.do_not_call for i in today)


def test_filters_narrow_every_view(demo_store):
    conn = demo_store.conn
    f = Filters(sources=("Web form",), score_min=40, score_max=80)
    rows = [i.row for i in all_rows(conn, QueueQuery("all", filters=f), page=50)]
    expected = conn.execute("SELECT count(*) FROM leads WHERE source = 'Web form' AND score BETWEEN 40 AND 80"
                            ).fetchone()[0]
    assert len(rows) == expected > 0
    assert all(r.source == "Web form" and 40 <= r.score <= 80 for r in rows)
    campaign = conn.execute("SELECT campaign FROM leads LIMIT 1").fetchone()[0]
    by_campaign = all_rows(conn, QueueQuery(queue.TODAY, filters=Filters(campaigns=(campaign,))), page=50)
    assert by_campaign and all(i.row.campaign == campaign for i in by_campaign)
    engaged = all_rows(conn, QueueQuery("all", filters=Filters(statuses=("engaged",))), page=50)
    assert {i.row.status for i in engaged} == {"engaged"}
    assert all_rows(conn, QueueQuery("all", filters=Filters(owners=("Nobody",)))) == []
    assert ids(all_rows(conn, QueueQuery("all", filters=Filters(owners=("Alex Morgan",))), page=100)) == ids(
        all_rows(conn, QueueQuery("all"), page=100))


def test_filter_options_list_what_is_there(demo_store):
    options = queue.filter_options(demo_store.conn)
    assert options["owners"] == ["Alex Morgan"]
    assert "Web form" in options["sources"] and len(options["sources"]) == len(set(options["sources"]))
    assert set(options["campaigns"]) >= {r[0] for r in demo_store.conn.execute("SELECT DISTINCT campaign FROM leads")}

"""Metric values against a database small enough to work out by hand
(tests/metrics_fixture.py describes every row)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from leadtriage.metrics import compute, custom, stats_payload
from leadtriage.metrics.drilldown import chosen_leads, count, drilldown, lead_ids
from leadtriage.store import queue
from leadtriage.store.schema import metrics_cube_rebuild_sql, metrics_facts_rebuild_sql
from tests.conftest import FIXED_NOW
from tests.metrics_fixture import PERIOD, build

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def fixture_store(store):
    build(store)
    return store


def dash(store, by="source", **kw):
    return compute(store.conn, custom(*PERIOD), by, now=NOW, tz=UTC, **kw)


def test_funnel_totals_follow_the_cohort(fixture_store):
    t = dash(fixture_store).totals
    assert (t.leads, t.attempted, t.connected, t.qualified) == (7, 5, 4, 4)
    # lead 8 was handed off twice (rejected, then accepted): counted once
    assert (t.handed_off, t.accepted, t.opportunities, t.won) == (4, 2, 1, 1)
    assert t.won_amount == 5000.0
    # opportunities created in the period: lead 1 (Nov 18) and lead 5 (an October lead, Nov 10)
    assert t.sales_cycle_starts == 2
    assert t.rates["attempted_rate"] == round(5 / 7, 4)
    assert t.rates["accepted_rate"] == 0.5
    assert t.rates["won_rate"] == 1.0
    assert t.rates["lead_to_opportunity"] == round(1 / 7, 4)


def test_costs_are_attributed_once(fixture_store):
    d = dash(fixture_store)
    groups = {g.key: g for g in d.groups}
    # Expo: batch 600 over its 5 leads + campaign remainder 400 over 5 leads = 200 a lead; 4 in the period
    ts = groups["Trade show"]
    assert (ts.leads, ts.cost, ts.cost_per_lead, ts.cost_per_qualified, ts.cost_per_opportunity) == (
        4, 800.0, 200.0, 400.0, 800.0)
    assert ts.sales_cycle_starts == 2 and ts.opportunities == 1
    lv = groups["List vendor"]
    assert (lv.leads, lv.cost, lv.cost_per_lead, lv.cost_per_qualified, lv.cost_per_opportunity) == (
        2, 200.0, 100.0, 200.0, None)
    web = groups["Webinar"]
    assert (web.cost, web.accepted, web.handed_off) == (300.0, 1, 1)
    assert d.totals.cost == 1300.0
    assert d.totals.cost_per_qualified == 325.0
    # 600 + 200 + 400 (Expo beyond its batch) + 300 (Webinar); the undone batch is not spend
    assert d.total_spend == 1500.0
    assert d.unattributed_cost == 0.0
    assert sum(g.cost for g in d.groups) == d.totals.cost


def test_campaign_cost_below_its_batches_is_not_added(store):
    from tests.metrics_fixture import add_lead

    with store.transaction() as db:
        db["campaigns"].insert({"name": "Show", "cost": 100.0})
        db["import_batches"].insert({"id": 1, "file_name": "a.csv", "campaign": "Show", "cost": 400.0})
        add_lead(store, 1, created="2026-11-02 09:00:00", source="S", campaign="Show", batch_id=1)
        add_lead(store, 2, created="2026-11-02 09:00:00", source="S", campaign="Show", batch_id=1)
    d = dash(store)
    assert d.total_spend == 400.0
    assert d.totals.cost_per_lead == 200.0


def test_group_by_rep_uses_the_owner(fixture_store):
    d = dash(fixture_store, by="rep")
    groups = {g.key: g for g in d.groups}
    assert groups["Alex"].leads == 6 and groups["Sam"].leads == 1
    assert groups["Sam"].cost == 300.0


def test_speed_to_lead(fixture_store):
    s = dash(fixture_store).speed
    # first touches after 30 min, 2 h, 30 h, 10 min, 50 min
    assert (s.touched, s.within_1h, s.within_24h) == (5, 3, 4)
    assert s.share_1h == 0.6
    # the median (50 min) lies in the 30 min – 1 h bin; interpolated inside it
    assert 1800 <= s.median_seconds < 3600
    assert s.median_seconds == pytest.approx(3150)


def test_untouched_backlog_by_age(fixture_store):
    ages = dict(dash(fixture_store).untouched)
    assert ages["Today"] == 1 and ages["3–7 days"] == 1
    assert sum(ages.values()) == 2


def test_activity_per_rep_and_day(fixture_store):
    rows = [(r.day, r.rep, r.dials, r.connects, r.conversations, r.meetings_set) for r in dash(fixture_store).activity]
    assert rows == [
        (date(2026, 11, 18), "Alex", 3, 2, 2, 1),
        (date(2026, 11, 19), "Sam", 2, 1, 0, 0),
    ]


def test_weekly_sales_cycle_starts(fixture_store):
    weekly = {p.week: p.starts for p in dash(fixture_store).weekly}
    assert weekly[date(2026, 11, 9)] == 1 and weekly[date(2026, 11, 16)] == 1
    assert sum(weekly.values()) == 2
    assert len(weekly) >= 12  # a trend, even for a short period
    assert all(w.weekday() == 0 for w in weekly)


@pytest.mark.parametrize(
    ("metric", "group", "expected"),
    [
        ("leads", None, {1, 2, 3, 4, 6, 7, 8}),
        ("attempted", "Trade show", {1, 2, 3}),
        ("connected", None, {1, 2, 6, 8}),
        ("qualified", "List vendor", {6}),
        ("handed_off", None, {1, 2, 6, 8}),
        ("accepted", None, {1, 8}),
        ("opportunities", None, {1}),
        ("won", "Trade show", {1}),
        ("sales_cycle_starts", None, {1, 5}),
        ("touched_1h", None, {1, 6, 8}),
        ("untouched", None, {4, 7}),
    ],
)
def test_drilldown_lists_the_leads_behind_the_number(fixture_store, metric, group, expected):
    f = drilldown(metric, custom(*PERIOD), "source" if group else None, group, tz=UTC, now=NOW)
    assert set(lead_ids(fixture_store.conn, f)) == expected
    assert count(fixture_store.conn, f) == len(expected)
    # the queue's custom list of it shows the same leads
    assert _listed(fixture_store, f) == expected


def test_drilldown_group_names_are_data_not_sql(fixture_store):
    f = drilldown("leads", custom(*PERIOD), "source", "x' OR '1'='1", tz=UTC)
    assert lead_ids(fixture_store.conn, f) == []
    assert _listed(fixture_store, f) == set()


def test_a_list_of_chosen_leads_shows_exactly_those(fixture_store):
    assert _listed(fixture_store, chosen_leads("Picked", [5, 1, 1, 999])) == {1, 5}
    assert _listed(fixture_store, chosen_leads("None", [])) == set()


def test_a_group_name_with_a_question_mark_stays_a_value(fixture_store):
    f = drilldown("leads", custom(*PERIOD), "source", "Trade show?", tz=UTC)
    assert _listed(fixture_store, f) == set()


def _listed(store, f) -> set[int]:
    """The leads the queue shows for a drill-down, read page by page."""
    plan = queue.plan(store.conn, queue.QueueQuery("custom", custom=queue.custom_view(f.title, f.where, f.params)),
                      queue.Moment(NOW))
    items, cursor = queue.fetch(store.conn, plan, None, 2)
    while cursor is not None:
        more, cursor = queue.fetch(store.conn, plan, cursor, 2)
        items += more
    return {item.row.id for item in items}


def test_drilldown_calls_and_followups(fixture_store):
    f = drilldown("calls", custom(*PERIOD), tz=UTC, rep="Alex", day=date(2026, 11, 18))
    assert set(lead_ids(fixture_store.conn, f)) == {1, 2}
    f = drilldown("needs_follow_up", custom(*PERIOD), tz=UTC, now=NOW, feedback_days=5)
    assert set(lead_ids(fixture_store.conn, f)) == {2, 9}


def test_cubes_stay_in_step_with_lead_changes(demo_store):
    """The triggers keep the cubes equal to a rebuild from scratch after real work."""
    from leadtriage.leadwork.leads import LeadService

    svc = LeadService(demo_store, rep="Alex Morgan", clock=lambda: FIXED_NOW)
    new_ids = [r[0] for r in demo_store.conn.execute("SELECT id FROM leads WHERE status = 'new' LIMIT 5")]
    for lead_id in new_ids:
        svc.log_activity(lead_id, "call", disposition="conversation")
        svc.update(lead_id, {"attempts": 1, "connects": 1, "first_touch_at": "2026-11-23 13:00:00"}, "call")
        svc.change_status(lead_id, "engaged")
    handed = demo_store.conn.execute("SELECT id FROM handoffs WHERE outcome = 'pending' LIMIT 3").fetchall()
    for (hid,) in handed:
        demo_store.conn.execute("UPDATE handoffs SET outcome = 'opportunity', opportunity_at = '2026-11-23 12:00:00' WHERE id = ?", (hid,))
    demo_store.conn.execute("UPDATE leads SET source = 'Renamed' WHERE id IN (SELECT lead_id FROM handoffs LIMIT 4)")
    demo_store.conn.execute("DELETE FROM activities WHERE id IN (SELECT id FROM activities WHERE kind = 'call' LIMIT 7)")

    def snapshot():
        return (
            sorted(demo_store.conn.execute("SELECT * FROM metrics_lead_cube WHERE n > 0")),
            sorted(demo_store.conn.execute("SELECT * FROM metrics_call_cube WHERE n > 0")),
            sorted(demo_store.conn.execute("SELECT * FROM metrics_handoff_facts")),
        )

    live = snapshot()
    for sql in [*metrics_cube_rebuild_sql(), *metrics_facts_rebuild_sql()]:
        demo_store.conn.execute(sql)
    assert snapshot() == live


def test_stats_payload_shape(fixture_store):
    payload = stats_payload(dash(fixture_store))
    needed = {"leads", "attempted", "connected", "qualified", "handed_off", "accepted", "sales_cycle_starts", "won",
              "cost_per_lead", "cost_per_qualified", "cost_per_opportunity", "attempted_rate", "won_rate"}
    assert needed <= payload["totals"].keys()
    assert all(needed <= g.keys() for g in payload["groups"])
    assert payload["needs_follow_up"] == {"Dana Field": 1, "Lee Field": 1}


def test_demo_data_makes_sense(demo_store):
    d = compute(demo_store.conn, custom(date(2026, 7, 1), date(2026, 11, 23)), "campaign", now=FIXED_NOW)
    t = d.totals
    assert t.leads == 600
    assert t.leads >= t.attempted >= t.connected >= t.qualified >= t.handed_off >= t.accepted >= t.opportunities >= t.won
    assert t.sales_cycle_starts > 0 and t.cost > 0
    assert sum(g.leads for g in d.groups) == 600

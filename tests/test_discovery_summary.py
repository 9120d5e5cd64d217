"""`leads.discovery_summary` (kept by SQLite triggers) is exactly the text the CRM
exporter's Python builds from the discovery fields, or NULL ("build it in Python"),
and NULL only for shapes the app never writes."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadtriage.handoff.csv_export import discovery_text
from leadtriage.safety.opening import open_store
from leadtriage.services.leads import LeadService
from leadtriage.store.derived.discovery_summary import MAX_LENGTH, PLAN_PARTS
from leadtriage.store.derived.latest_meeting import INDEX as MEETING_INDEX
from leadtriage.store.schema import LATEST_VERSION, MIGRATIONS, _v5_crm_export
from tests.test_latest_meeting import rewind_latest_meeting

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["", " ", ".", ". .", ": ", "Manual work", "“Quoted”, with commas", "ends with dots...", "naïve €"])
# What the app writes: pain points {tag, quote} and a plan of text values (any text but
# NUL, which SQLite's text functions stop at: such a lead's row is rebuilt in Python, as
# its CSV row is anyway, since NUL is stripped from exports).
APP_TEXT = TEXT.filter(lambda t: "\x00" not in t)
APP_PAINS = st.lists(st.fixed_dictionaries({"tag": APP_TEXT}, optional={"quote": APP_TEXT}), max_size=4)
APP_PLAN = st.dictionaries(st.sampled_from([k for k, _ in PLAN_PARTS] + ["people", "competitors"]), APP_TEXT)
# What a script or a damaged file may hold as well.
ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                        max_leaves=6)
ODD_TEXT = st.sampled_from(['[{"tag": "a", "tag": "b"}]', '{"timeline": "x", "timeline": "y"}', "[1, 2",
                            "not json", '["\\ud800"]', '[{"tag": "\\u00e9"}]', "NaN", '{"timeline": NaN}',
                            " [ ] ", "[]", "{}", '"just text"'])


def _dumps(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _insert_and_read(conn, pains, motivations, plan) -> tuple[str | None, str | None]:
    cur = conn.execute(
        "INSERT INTO leads (public_id, status, created_at, updated_at, pain_points, motivations, buying_plan) "
        "VALUES (?, 'qualified', '2026-11-01 10:00:00', '2026-11-01 10:00:00', ?, ?, ?)",
        (f"LT-P{conn.execute('SELECT count(*) FROM leads').fetchone()[0]:06d}", pains, motivations, plan))
    after_insert = conn.execute("SELECT discovery_summary FROM leads WHERE id = ?", (cur.lastrowid,)).fetchone()[0]
    # The same fields written by an update must give the same text.
    conn.execute("UPDATE leads SET pain_points = NULL, motivations = 'x', buying_plan = NULL WHERE id = ?",
                 (cur.lastrowid,))
    conn.execute("UPDATE leads SET pain_points = ?, motivations = ?, buying_plan = ? WHERE id = ?",
                 (pains, motivations, plan, cur.lastrowid))
    after_update = conn.execute("SELECT discovery_summary FROM leads WHERE id = ?", (cur.lastrowid,)).fetchone()[0]
    return after_insert, after_update


@pytest.fixture(scope="module")
def conn(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("summary") / "s.db")
    yield store.conn
    store.close()


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pains=APP_PAINS, motivations=st.none() | APP_TEXT, plan=APP_PLAN)
def test_what_the_app_writes_is_summarised_in_sql(conn, pains, motivations, plan):
    pains_json, plan_json = _dumps(pains or None), _dumps(plan or None)
    after_insert, after_update = _insert_and_read(conn, pains_json, motivations, plan_json)
    expected = discovery_text(pains_json, motivations, plan_json)
    if pains_json is None and motivations is None and plan_json is None:
        assert after_insert is None  # nothing to summarise: the insert trigger did not fire
    else:
        assert after_insert == expected
    assert after_update == expected


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pains=ANY_JSON.map(_dumps) | ODD_TEXT | TEXT, motivations=st.none() | TEXT,
       plan=ANY_JSON.map(_dumps) | ODD_TEXT | TEXT)
def test_any_shape_is_summarised_exactly_or_left_to_python(conn, pains, motivations, plan):
    for stored in _insert_and_read(conn, pains, motivations, plan):
        if stored is not None:
            assert stored == discovery_text(pains, motivations, plan)


def test_shapes_sql_leaves_to_python(conn):
    for pains, plan in [('[{"tag": "a", "tag": "b"}]', None), (None, '{"timeline": "x", "timeline": "y"}'),
                        ('[{"tag": 5}]', None), (None, '{"budget_range": ["a", "b"]}'), ('["\\ud800"]', None),
                        ("[1, 2", None), (None, '{"timeline": NaN}')]:
        assert _insert_and_read(conn, pains, None, plan) == (None, None), (pains, plan)
    assert _insert_and_read(conn, '[{"tag": "a\\u0000b"}]', None, None) == (None, None)
    long = "x" * (MAX_LENGTH + 1)
    assert _insert_and_read(conn, None, long, None) == (None, None)


def test_the_lead_service_keeps_it_current_and_undo_restores_it(store):
    service = LeadService(store, rep="ana")
    with store.transaction() as db:
        lead = db["leads"].insert({"public_id": "LT-S1", "first_name": "Ana", "status": "engaged",
                                   "created_at": "2026-11-01 10:00:00", "updated_at": "2026-11-01 10:00:00"}).last_pk
    read = lambda: store.conn.execute("SELECT discovery_summary FROM leads WHERE id = ?", (lead,)).fetchone()[0]  # noqa: E731
    service.save_discovery(lead, [{"tag": "Manual work", "quote": "Two people, every morning."}], "Scale up.",
                           {"timeline": "Q3", "budget_status": "Approved"})
    first = read()
    assert first == ". Pain points: Manual work: Two people, every morning. Motivations: Scale up. Timeline: Q3. Budget: Approved"
    service.save_discovery(lead, [], None, {"timeline": "Q4"})
    assert read() == ". Timeline: Q4"
    service.undo()
    assert read() == first


def rewind_discovery_summary(conn) -> None:
    """Undo the schema version that added `leads.discovery_summary`, and the ones after
    it (tests of upgrades)."""
    rewind_latest_meeting(conn)
    for name in ("leads_discovery_summary_ai", "leads_discovery_summary_au"):
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(f"DROP INDEX {MEETING_INDEX}")
    conn.execute("ALTER TABLE leads DROP COLUMN discovery_summary")
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_v5_crm_export)}")


def test_upgrading_a_database_summarises_its_leads(demo_store, db_path):
    conn = demo_store.conn
    expected = dict(conn.execute("SELECT id, discovery_summary FROM leads"))
    assert sum(1 for v in expected.values() if v) > 100  # the demo leads have discovery notes
    for lead_id, pains, motivations, plan in conn.execute(
            "SELECT id, pain_points, motivations, buying_plan FROM leads WHERE discovery_summary IS NOT NULL"):
        assert expected[lead_id] == discovery_text(pains, motivations, plan)
    rewind_discovery_summary(conn)
    demo_store.close()
    with open_store(db_path) as upgraded:
        assert upgraded.user_version == LATEST_VERSION
        assert dict(upgraded.conn.execute("SELECT id, discovery_summary FROM leads")) == expected
        plan = upgraded.conn.execute(
            "EXPLAIN QUERY PLAN SELECT meeting_at FROM handoffs INDEXED BY idx_handoffs_meetings "
            "WHERE lead_id = 1 AND meeting_at IS NOT NULL ORDER BY handed_off_at DESC, id DESC LIMIT 1").fetchall()
        assert not any("TEMP B-TREE" in row[-1] for row in plan)  # the latest meeting is read off the index

"""`leads.latest_meeting_at` (kept by triggers on handoffs) is always the meeting of the
lead's latest handoff that has one, whatever is written, moved or removed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadtriage.safety.opening import open_store
from leadtriage.store.derived.latest_meeting import latest_sql
from leadtriage.store.schema import LATEST_VERSION, MIGRATIONS, _v6_latest_meeting

LEADS = (1, 2, 3)
TIMES = st.sampled_from(["2026-11-20 09:00:00", "2026-11-21 09:00:00", "2026-11-22 08:00:00"])  # ties too
MEETINGS = st.sampled_from([None, "2026-12-01 10:00:00", "2026-12-02 11:00:00", ""])
OPS = st.lists(st.one_of(
    st.tuples(st.just("insert"), st.sampled_from(LEADS), TIMES, MEETINGS),
    st.tuples(st.just("update"), st.integers(0, 9), st.sampled_from(LEADS), TIMES, MEETINGS),
    st.tuples(st.just("delete"), st.integers(0, 9)),
), max_size=12)


def rewind_latest_meeting(conn) -> None:
    """Undo the schema versions from the one that added `leads.latest_meeting_at` on,
    newest first (tests of upgrades)."""
    from tests.playbook_helpers import rewind_playbook

    # The learned score's version (the open refuses tables a version did not make).
    conn.execute("DROP TABLE IF EXISTS score_models")
    if "score_pinned" in {row[1] for row in conn.execute("PRAGMA table_info(leads)")}:
        conn.execute("ALTER TABLE leads DROP COLUMN score_pinned")
    for name in ("leads_meeting_ai", "leads_meeting_au", "handoffs_meeting_ai", "handoffs_meeting_au",
                 "handoffs_meeting_ad"):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    if "booked_meeting_at" in {row[1] for row in conn.execute("PRAGMA table_info(leads)")}:
        conn.execute("ALTER TABLE leads DROP COLUMN booked_meeting_at")
    rewind_playbook(conn)
    conn.execute("ALTER TABLE leads DROP COLUMN latest_meeting_at")
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_v6_latest_meeting)}")


def _mismatches(conn) -> list:
    return conn.execute(f"SELECT id, latest_meeting_at, {latest_sql('l.id')} FROM leads l "
                        f"WHERE latest_meeting_at IS NOT {latest_sql('l.id')}").fetchall()


@pytest.fixture(scope="module")
def three_leads(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("meet") / "m.db")
    with store.transaction():
        for lead in LEADS:
            store.conn.execute("INSERT INTO leads (id, public_id, status, created_at, updated_at) "
                               "VALUES (?, ?, 'handed_off', '2026-11-01', '2026-11-01')", (lead, f"LT-M{lead}"))
    yield store
    store.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_the_latest_meeting_follows_every_handoff_write(three_leads, ops):
    conn = three_leads.conn
    with three_leads.transaction():
        conn.execute("DELETE FROM handoffs")
        assert _mismatches(conn) == []
        for op in ops:
            ids = [r[0] for r in conn.execute("SELECT id FROM handoffs ORDER BY id")]
            if op[0] == "insert":
                conn.execute("INSERT INTO handoffs (lead_id, handed_off_at, meeting_at) VALUES (?, ?, ?)", op[1:])
            elif op[0] == "update" and ids:
                conn.execute("UPDATE handoffs SET lead_id = ?, handed_off_at = ?, meeting_at = ? WHERE id = ?",
                             (*op[2:], ids[op[1] % len(ids)]))
            elif op[0] == "delete" and ids:
                conn.execute("DELETE FROM handoffs WHERE id = ?", (ids[op[1] % len(ids)],))
            assert _mismatches(conn) == []


def test_upgrading_a_database_fills_the_latest_meetings(demo_store, db_path):
    conn = demo_store.conn
    expected = dict(conn.execute("SELECT id, latest_meeting_at FROM leads"))
    assert sum(1 for v in expected.values() if v) > 10  # the demo hands leads off with meetings
    assert _mismatches(conn) == []
    rewind_latest_meeting(conn)
    demo_store.close()
    with open_store(db_path) as upgraded:
        assert upgraded.user_version == LATEST_VERSION
        assert dict(upgraded.conn.execute("SELECT id, latest_meeting_at FROM leads")) == expected


def test_a_rebuild_clears_a_meeting_whose_handoff_is_gone(three_leads):
    """What a recovery leaves: a lead that kept the meeting of a handoff it lost."""
    from leadtriage.store.schema import derived_rebuild_sql

    conn = three_leads.conn
    with three_leads.transaction():
        conn.execute("DELETE FROM handoffs")
        conn.execute("UPDATE leads SET latest_meeting_at = '2026-12-24 09:00:00' WHERE id = 1")
        for sql in derived_rebuild_sql():
            conn.execute(sql)
        assert conn.execute("SELECT latest_meeting_at FROM leads WHERE id = 1").fetchone() == (None,)

from leadtriage.domain.status import Status
from leadtriage.store import queue
from leadtriage.store.timeutil import to_db
from tests.conftest import FIXED_NOW


def test_demo_has_something_true_for_every_screen(demo_store):
    conn = demo_store.conn
    statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM leads")}
    assert statuses == {s.value for s in Status}, "every status is represented"
    now = to_db(FIXED_NOW)
    overdue = conn.execute("SELECT count(*) FROM leads WHERE status IN ('attempting','engaged') "
                           "AND next_action_at < ?", (now,)).fetchone()[0]
    due_today = conn.execute("SELECT count(*) FROM leads WHERE status IN ('attempting','engaged') "
                             "AND next_action_at >= ? AND next_action_at < date(?, '+1 day')", (now, now)).fetchone()[0]
    assert overdue > 0 and due_today > 0
    assert conn.execute("SELECT count(DISTINCT source) FROM leads").fetchone()[0] >= 5
    assert conn.execute("SELECT count(*) FROM campaigns WHERE cost > 0").fetchone()[0] >= 5
    outcomes = {r[0] for r in conn.execute("SELECT DISTINCT outcome FROM handoffs")}
    assert {"pending", "accepted", "rejected", "opportunity", "won", "lost"} <= outcomes
    assert conn.execute("SELECT count(*) FROM leads WHERE pain_points IS NOT NULL AND buying_plan IS NOT NULL"
                        ).fetchone()[0] > 20
    calls = conn.execute("SELECT count(*) FROM activities WHERE kind = 'call'").fetchone()[0]
    assert calls > 600
    # Counts the sidebar shows add up.
    counts = queue.counts_by_status(conn)
    assert counts["all"] == 600
    assert demo_store.integrity_check() == ["ok"]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_bulk_path_gives_same_kind_of_database(tmp_path, monkeypatch):
    """The big-demo path (dropped indexes, parallel chunks, temp file) yields a
    complete, indexed, searchable database."""
    import leadtriage.demo.generator as gen
    from leadtriage.safety.opening import open_store

    monkeypatch.setattr(gen, "BULK_THRESHOLD", 100)
    monkeypatch.setattr(gen, "CHUNK", 150)
    path = tmp_path / "big.db"
    summary = gen.build_demo_file(path, 700, seed=5, now=FIXED_NOW)
    assert summary.leads == 700
    with open_store(path) as s:
        assert s.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 700
        indexes = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert "idx_leads_public_id" in indexes and "idx_activities_lead_id_occurred_at" in indexes
        name = s.conn.execute("SELECT last_name FROM leads WHERE id = 9").fetchone()[0]
        hits = s.conn.execute("SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?", (f'"{name}"',)).fetchall()
        assert (9,) in hits
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.integrity_check() == ["ok"]
    assert not list(tmp_path.glob("*.demo-part*"))


def test_bulk_demo_rebuilds_every_derived_table(tmp_path, monkeypatch):
    """Counts, metrics cubes and the search index, rebuilt after a bulk load, equal
    what the triggers keep on the normal path: same seed, same now, both paths."""
    import leadtriage.demo.generator as gen
    from leadtriage.safety.opening import open_store

    derived = ("SELECT * FROM lead_counts WHERE n > 0 ORDER BY 1, 2",
               "SELECT * FROM metrics_lead_cube WHERE n > 0 ORDER BY 1, 2, 3, 4, 5, 6",
               "SELECT count(*) FROM metrics_call_cube",
               "SELECT count(*) FROM metrics_handoff_facts")
    results = []
    monkeypatch.setattr(gen, "CHUNK", 150)
    monkeypatch.setattr(gen, "BULK_THRESHOLD", 100)
    for bulk in (False, True):
        path = tmp_path / f"bulk-{bulk}.db"
        if bulk:
            gen.build_demo_file(path, 400, seed=5, now=FIXED_NOW)
        else:
            with open_store(path) as s:
                monkeypatch.setattr(gen, "BULK_THRESHOLD", 10**9)
                gen.generate(s, leads=400, seed=5, now=FIXED_NOW)
                monkeypatch.setattr(gen, "BULK_THRESHOLD", 100)
        with open_store(path) as s:
            results.append([s.conn.execute(q).fetchall() for q in derived])
            triggers = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
            assert {"leads_fts_ai", "lead_counts_ai"} <= triggers
    assert results[0] == results[1]


def test_demo_scores_are_the_apps_own_scores(demo_store):
    """The generator caches score parts; the result must equal scoring each lead."""
    import json

    from leadtriage.scoring import rules_from_setting, score_lead

    rules = rules_from_setting(None)
    cur = demo_store.conn.execute("SELECT * FROM leads WHERE id % 7 = 0")
    names = [d[0] for d in cur.description]
    for row in cur.fetchall():
        lead = dict(zip(names, row, strict=True))
        expected = score_lead(lead, rules, FIXED_NOW)
        assert (lead["score"], json.loads(lead["score_reasons"])) == (expected.value, list(expected.reasons))


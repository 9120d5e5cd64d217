"""The metrics migration on a database that already holds leads: the cubes start out complete."""

from __future__ import annotations

from leadtriage.safety.opening import open_store
from leadtriage.store.schema import MIGRATIONS, _v4_metrics
from tests.test_discovery_summary import rewind_discovery_summary

METRICS_VERSION = MIGRATIONS.index(_v4_metrics) + 1


def test_upgrade_to_the_metrics_schema_builds_the_metrics_tables(demo_store, db_path):
    conn = demo_store.conn
    expected = (
        sorted(conn.execute("SELECT * FROM metrics_lead_cube WHERE n > 0")),
        sorted(conn.execute("SELECT * FROM metrics_call_cube WHERE n > 0")),
        sorted(conn.execute("SELECT * FROM metrics_handoff_facts")),
    )
    # Turn the file back into the version before: no metrics tables or triggers, and
    # nothing of the later versions either.
    rewind_discovery_summary(conn)
    for kind, name in conn.execute(
        "SELECT type, name FROM sqlite_master WHERE name LIKE 'metrics_%' AND type IN ('table', 'trigger')"
    ).fetchall():
        conn.execute(f"DROP {kind.upper()} {name}")
    conn.execute(f"PRAGMA user_version = {METRICS_VERSION - 1}")
    demo_store.close()

    with open_store(db_path) as upgraded:
        c = upgraded.conn
        assert upgraded.user_version >= METRICS_VERSION
        assert (
            sorted(c.execute("SELECT * FROM metrics_lead_cube WHERE n > 0")),
            sorted(c.execute("SELECT * FROM metrics_call_cube WHERE n > 0")),
            sorted(c.execute("SELECT * FROM metrics_handoff_facts")),
        ) == expected
        assert c.execute("SELECT sum(n) FROM metrics_lead_cube").fetchone()[0] == 600

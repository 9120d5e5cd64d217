"""Undoing the team step (tests of upgrades): the sync tables, the gid columns and
their indexes. `rewind_first_week` calls this first, as each newer step's rewind
comes before the older ones."""

from __future__ import annotations


def rewind_team(conn) -> None:
    from leadtriage.store import sync_outbox
    from leadtriage.store.schema import MIGRATIONS

    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                "AND name LIKE 'sync_outbox_%'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    for table in ("sync_clock", "sync_outbox", "sync_state", "sync_id_blocks", "sync_conflicts"):
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    for table in ("activities", "handoffs"):
        conn.execute(f"DROP INDEX IF EXISTS idx_{table}_gid")
        if "gid" in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} DROP COLUMN gid")
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(sync_outbox.migrate)}")

"""Team mode in the local database: the outbox, the hybrid logical clock and team-wide IDs.

Every local change to a lead, activity or handoff is recorded by triggers in
`sync_outbox`, in the same transaction as the change, with a random change ID and a
hybrid logical clock (HLC) time. The triggers exist only in a database that joined a
team (made at join, refreshed at each sync when columns were added), fire only
while `sync_clock` has its row, and not while a pull applies the server's changes
(`sync_clock.applying`, set and cleared inside the pull's own transaction).

HLC times are text that sorts in time order: 13 digits of milliseconds since 1970, a
6-digit counter, and the laptop's node ID (the tie-break). `skew_ms` is added to this
laptop's clock reading: zero in use; the fault tests set it to play a laptop whose
clock is an hour off.

Lead IDs: on a team every laptop creates leads in its own block of row IDs, handed
out by the server, so a row ID (and the public ID printed from it) is unique across
the team and a lead keeps the same ID on every laptop. Activities and handoffs get a
`gid` (node ID + local row ID) that names them across the team.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

# Columns kept per laptop only: local foreign keys (import batches and field reps are
# not shared) and values the local triggers derive.
LEAD_LOCAL_ONLY = frozenset({"id", "batch_id", "field_rep_id", "discovery_summary", "latest_meeting_at"})
ACTIVITY_LOCAL_ONLY = frozenset({"id"})
HANDOFF_LOCAL_ONLY = frozenset({"id", "field_rep_id"})
# Recomputed on each laptop (a rescore touches every lead): sent with a new lead,
# never as an edit, or one retrain would push a million changes.
LOCAL_RESCORES = frozenset({"score", "score_reasons"})
ENTITIES = {"lead": ("leads", LEAD_LOCAL_ONLY), "activity": ("activities", ACTIVITY_LOCAL_ONLY),
            "handoff": ("handoffs", HANDOFF_LOCAL_ONLY)}

NOW_MS = "(CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) + skew_ms)"
TICK = f"UPDATE sync_clock SET c = CASE WHEN {NOW_MS} > ms THEN 0 ELSE c + 1 END, ms = max(ms, {NOW_MS});"
HLC = "(SELECT printf('%013d.%06d.%s', ms, c, node) FROM sync_clock)"
ACTIVE = "(SELECT applying FROM sync_clock) = 0"
BLOCK = 1 << 24  # lead IDs per block; block 0 holds the leads a database had before it joined


def synced_columns(conn: sqlite3.Connection, entity: str, schema: str = "main") -> list[str]:
    table, local_only = ENTITIES[entity]
    return [r[1] for r in conn.execute(f"PRAGMA {schema}.table_info({table})") if r[1] not in local_only]


def _row_json(cols: list[str], alias: str) -> str:
    return "json_object(" + ", ".join(f"'{c}', {alias}.{c}" for c in cols) + ")"


def _changed_json(cols: list[str]) -> str:
    """{column: [old, new]} for the columns this update changed: the two rows as JSON,
    compared key by key (a compact trigger: the schema text is read at every open,
    and the recovery tools parse it)."""
    return (f"(SELECT json_group_object(n.key, json_array(o.value, n.value)) "
            f"FROM json_each({_row_json(cols, 'old')}) AS o JOIN json_each({_row_json(cols, 'new')}) AS n "
            f"ON n.key = o.key WHERE o.value IS NOT n.value OR o.type IS NOT n.type)")


def trigger_sql(conn: sqlite3.Connection, schema: str = "main") -> list[str]:
    """The outbox triggers for this database's columns. The schema check at open
    (store/schema_check.py) accepts exactly these, and nothing else by their names."""
    stmts = []
    for entity, (table, _) in ENTITIES.items():
        cols = synced_columns(conn, entity, schema)
        gid_fix = ""
        if entity != "lead":
            gid_fix = (f"UPDATE {table} SET gid = (SELECT node FROM sync_clock) || '.' || new.id "
                       f"WHERE id = new.id AND gid IS NULL;")
        lead_id = "new.id" if entity == "lead" else "new.lead_id"
        row = _row_json(cols, "new").replace("'gid', new.gid", "'gid', coalesce(new.gid, (SELECT node FROM sync_clock) || '.' || new.id)")
        gid = "NULL" if entity == "lead" else "coalesce(new.gid, (SELECT node FROM sync_clock) || '.' || new.id)"
        stmts.append(
            f"CREATE TRIGGER sync_outbox_{table}_ai AFTER INSERT ON {table} WHEN {ACTIVE} BEGIN {TICK} {gid_fix} "
            f"INSERT INTO sync_outbox (change_id, hlc, entity, op, lead_id, gid, payload) VALUES "
            f"(lower(hex(randomblob(16))), {HLC}, '{entity}', 'insert', {lead_id}, {gid}, {row}); END")
        if entity == "activity":
            continue  # activities are append-only: an edit stays on this laptop
        if entity == "lead":
            # A lead removed here (an import undone, a duplicate merged) goes from
            # the team too; its activities and handoffs go with it on the server.
            stmts.append(
                f"CREATE TRIGGER sync_outbox_leads_ad AFTER DELETE ON leads WHEN {ACTIVE} BEGIN {TICK} "
                f"INSERT INTO sync_outbox (change_id, hlc, entity, op, lead_id, gid, payload) VALUES "
                f"(lower(hex(randomblob(16))), {HLC}, 'lead', 'delete', old.id, NULL, "
                f"json_object('public_id', old.public_id)); END")
        watch = [c for c in cols if c != "gid" and not (entity == "lead" and c in LOCAL_RESCORES)]
        stmts.append(
            f"CREATE TRIGGER sync_outbox_{table}_au AFTER UPDATE ON {table} WHEN {ACTIVE} BEGIN "
            f"{TICK} INSERT INTO sync_outbox (change_id, hlc, entity, op, lead_id, gid, payload) "
            f"SELECT lower(hex(randomblob(16))), {HLC}, '{entity}', 'update', {lead_id}, "
            f"{gid if entity != 'lead' else 'NULL'}, d FROM (SELECT {_changed_json(watch)} AS d) WHERE d <> '{{}}'; END")
    return stmts


def migrate(db: sqlite_utils.Database) -> None:
    """The schema step (see store/schema.py): tables and gid columns. Safe to run
    again over its own result (a rewound file in the upgrade tests)."""
    conn = db.conn
    for sql in (
        """CREATE TABLE IF NOT EXISTS sync_clock (
            id INTEGER PRIMARY KEY CHECK (id = 1), node TEXT NOT NULL,
            ms INTEGER NOT NULL DEFAULT 0, c INTEGER NOT NULL DEFAULT 0,
            skew_ms INTEGER NOT NULL DEFAULT 0, applying INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE IF NOT EXISTS sync_outbox (
            seq INTEGER PRIMARY KEY, change_id TEXT NOT NULL UNIQUE, hlc TEXT NOT NULL,
            entity TEXT NOT NULL, op TEXT NOT NULL, lead_id INTEGER NOT NULL, gid TEXT,
            payload TEXT NOT NULL)""",
        "CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT)",
        "CREATE TABLE IF NOT EXISTS sync_id_blocks (start INTEGER PRIMARY KEY, stop INTEGER NOT NULL)",
        """CREATE TABLE IF NOT EXISTS sync_conflicts (
            id INTEGER PRIMARY KEY, server_seq INTEGER UNIQUE, lead_id INTEGER, field TEXT,
            kept TEXT, lost TEXT, at TEXT, reviewed INTEGER NOT NULL DEFAULT 0)""",
    ):
        conn.execute(sql)
    for table in ("activities", "handoffs"):
        if "gid" not in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN gid TEXT")
        conn.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS idx_{table}_gid ON {table} (gid)")
    # The triggers themselves are made when the database joins a team
    # (`ensure_triggers`): a single-user database carries none of them.
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_outbox_%'").fetchone():
        ensure_triggers(conn)


def ensure_triggers(conn: sqlite3.Connection) -> bool:
    """Recreate the outbox triggers when the tables gained columns since they were
    made (a later migration by anyone): a new lead column must sync too. True when
    it changed anything. Call inside a transaction."""
    want = trigger_sql(conn)
    have = {r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_outbox_%'")}
    if have == set(want):
        return False
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                "AND name LIKE 'sync_outbox_%'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    for sql in want:
        conn.execute(sql)
    return True


def next_lead_id(conn: sqlite3.Connection) -> int:
    """The row ID for the next new lead: max + 1 alone, or inside this laptop's newest
    block of IDs on a team (where other laptops' leads may sit above it)."""
    has_blocks = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'sync_id_blocks'").fetchone()
    block = conn.execute("SELECT start, stop FROM sync_id_blocks ORDER BY start DESC LIMIT 1").fetchone() \
        if has_blocks else None
    if block is None:
        return conn.execute("SELECT coalesce(max(id), 0) + 1 FROM leads").fetchone()[0]
    start, stop = block
    top = conn.execute("SELECT max(id) FROM leads WHERE id >= ? AND id < ?", (start, stop)).fetchone()[0]
    return start if top is None else top + 1

"""Bulk loads: drop secondary indexes and triggers, load, then rebuild once.

Building an index once over the finished table, and the derived tables (search
index, queue counts, metrics cubes) once from it, is far cheaper than keeping
them in step row by row. Both steps run inside the caller's transaction, so a
kill or a rollback brings everything back untouched. Used by the importer, the
demo generator and the import bench's "SQLite alone" floor.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from leadtriage.store.schema import derived_rebuild_sql


def drop_for_bulk(conn: sqlite3.Connection, tables: Iterable[str], keep: Iterable[str] = ()) -> list[str]:
    """Drop the indexes and triggers of `tables` except those named in `keep`;
    return the SQL that recreates them."""
    tables, keep = list(tables), set(keep)
    marks = ",".join("?" * len(tables))
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        f"AND type IN ('index', 'trigger') AND tbl_name IN ({marks})", tables,
    ).fetchall()
    dropped = []
    for kind, name, sql in rows:
        # The team outbox's triggers stay: a bulk load on a team laptop must still
        # record every new lead for the server (they do nothing off a team).
        if name in keep or name.startswith("sync_outbox_"):
            continue
        conn.execute(f'DROP {kind.upper()} "{name}"')
        dropped.append(sql)
    return dropped


def restore_after_bulk(conn: sqlite3.Connection, dropped: list[str],
                       step: Callable[[int, int, str], None] | None = None) -> None:
    """Recreate what `drop_for_bulk` dropped and rebuild the derived tables.
    Indexes first (the rebuilds read through them), triggers last (so the
    rebuilds do not fire them). `step(i, n, what)` is called before each of the n
    statements (progress, and a place to cancel: the caller's transaction rolls back)."""
    if not dropped:
        return
    triggers = [q for q in dropped if q.lstrip().upper().startswith("CREATE TRIGGER")]
    statements = [q for q in dropped if q not in triggers] + derived_rebuild_sql() + triggers
    for i, sql in enumerate(statements, 1):
        if step is not None:
            step(i, len(statements), _what(sql))
        conn.execute(sql)


def _what(sql: str) -> str:
    """A statement of the rebuild as a user reads it in a progress line."""
    head = sql.lstrip().upper()
    if head.startswith("CREATE TRIGGER"):  # first: a trigger's body may name anything
        return "finishing"
    if head.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX")):
        return "building indexes"
    if head.startswith("INSERT INTO LEADS_FTS"):
        return "building the search index"
    return "updating queue counts and reports"

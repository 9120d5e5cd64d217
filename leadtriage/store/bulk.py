"""Bulk loads: drop secondary indexes and triggers, load, then rebuild once.

Building an index once over the finished table, and the derived tables (search
index, queue counts, metrics cubes) once from it, is far cheaper than keeping
them in step row by row. Both steps run inside the caller's transaction, so a
kill or a rollback brings everything back untouched. Used by the importer, the
demo generator and the import bench's "SQLite alone" floor.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

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
        if name in keep:
            continue
        conn.execute(f'DROP {kind.upper()} "{name}"')
        dropped.append(sql)
    return dropped


def restore_after_bulk(conn: sqlite3.Connection, dropped: list[str]) -> None:
    """Recreate what `drop_for_bulk` dropped and rebuild the derived tables.
    Indexes first (the rebuilds read through them), triggers last (so the
    rebuilds do not fire them)."""
    if not dropped:
        return
    triggers = [q for q in dropped if q.lstrip().upper().startswith("CREATE TRIGGER")]
    for sql in [q for q in dropped if q not in triggers] + derived_rebuild_sql() + triggers:
        conn.execute(sql)

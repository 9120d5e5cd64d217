"""Is this database's schema the one LeadTriage made? A trigger or view someone
added outside the app (say, one that rewrites every lead's e-mail on each new
activity) would otherwise fire on the next import and travel into every backup.

The expected schema of each version is what running the migrations on an empty
database gives. Computing it needs sqlite-utils, whose import costs ~0.6 s (it
pulls in pandas), so it is computed once per LeadTriage build and kept in the
cache folder, keyed by a hash of the migration sources; at open, the check is one
query on `sqlite_master` and a set comparison (~1 ms).

What is compared: every entry whose name does not start with `sqlite_`. Tables and
indexes by name (their SQL text depends on the sqlite-utils version that made
them); triggers and views by name and SQL (lower-cased, quotes and spacing
ignored). Anything extra, and any trigger or view that differs, refuses the file.
Missing entries are not refused: they run nothing (a crash in a bulk load leaves
an index missing until it is made again).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
from contextlib import closing
from functools import lru_cache
from pathlib import Path

from leadtriage.errors import UserError

log = logging.getLogger(__name__)

Entry = tuple[str, str]  # (type, name)


class ForeignSchema(UserError):
    """The database holds triggers, views, tables or indexes LeadTriage did not make."""

    def __init__(self, message: str, foreign: list[str]):
        super().__init__(message)
        self.foreign = foreign


def normalise(sql: str | None) -> str:
    text = (sql or "").lower()
    text = re.sub(r"[\"`\[\]]", "", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" ?([(),;=]) ?", r"\1", text)
    return text.strip().rstrip(";")


def actual_schema(conn: sqlite3.Connection, schema: str = "main") -> dict[Entry, str]:
    rows = conn.execute(f"SELECT type, name, sql FROM {schema}.sqlite_master WHERE name NOT LIKE 'sqlite\\_%' "
                        "ESCAPE '\\'").fetchall()
    return {(t, n): normalise(s) for t, n, s in rows}


def differences(conn: sqlite3.Connection, version: int, schema: str = "main") -> list[str]:
    """What in the database LeadTriage did not make: ["trigger evil_ai", ...]."""
    if version <= 0:
        return []
    expected = expected_schema(version)
    team = _team_triggers(conn, schema)
    found = []
    for (kind, name), sql in sorted(actual_schema(conn, schema).items()):
        want = expected.get((kind, name)) or team.get((kind, name))
        if want is None:
            found.append(f"{kind} {name}")
        elif kind in ("trigger", "view") and want != sql:
            found.append(f"{kind} {name} (changed)")
    return found


def _team_triggers(conn: sqlite3.Connection, schema: str) -> dict[Entry, str]:
    """A laptop on a team has the sync outbox's triggers, made at join from the
    database's own columns (leadtriage/store/sync_outbox.py): accepted when their SQL is
    exactly what that code makes for this database, refused like any other otherwise."""
    from leadtriage.store.sync_outbox import trigger_sql

    try:
        return {("trigger", sql.split()[2]): normalise(sql) for sql in trigger_sql(conn, schema)}
    except sqlite3.Error:  # not a database with the team tables
        return {}


def refuse(found: list[str], file_name: str) -> None:
    """Raise `ForeignSchema` naming (some of) what `differences` found."""
    if found:
        log.error("database schema has %d entries LeadTriage did not create", len(found))
        shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
        raise ForeignSchema(
            f"{file_name} was changed outside LeadTriage: it holds {shown}, which LeadTriage did not "
            "create and which could change your data as it is used. It was not opened and nothing in it "
            "ran. Restore a backup (`leadtriage restore`) or ask whoever gave you the file.", found)


# -- the expected schema -------------------------------------------------------------------


def expected_schema(version: int) -> dict[Entry, str]:
    return _expected_all()[version]


@lru_cache(maxsize=1)
def _expected_all() -> dict[int, dict[Entry, str]]:
    key = _fingerprint()
    path = _cache_path(key)
    if path is not None:
        try:
            raw = json.loads(path.read_text("utf-8"))
            return {int(v): {(t, n): s for t, n, s in entries} for v, entries in raw.items()}
        except (OSError, ValueError, TypeError):
            pass  # missing or damaged: compute it again
    computed = _compute()
    if path is not None:
        _write_cache(path, computed)
    return computed


def _compute() -> dict[int, dict[Entry, str]]:
    import sqlite_utils

    from leadtriage.store.schema import MIGRATIONS

    result: dict[int, dict[Entry, str]] = {}
    with closing(sqlite3.connect(":memory:")) as conn:
        db = sqlite_utils.Database(conn)
        for number, migration in enumerate(MIGRATIONS, start=1):
            migration(db)
            result[number] = actual_schema(conn)
    return result


def _fingerprint() -> str:
    """A hash of the code that makes the schema: every module of store/ and each
    migration's own module (a migration may live elsewhere)."""
    from leadtriage.store.schema import LATEST_VERSION, MIGRATIONS

    files = set(Path(__file__).parent.glob("*.py"))
    files |= {Path(m.__code__.co_filename) for m in MIGRATIONS if hasattr(m, "__code__")}
    digest = hashlib.sha256(str(LATEST_VERSION).encode())
    readable = 0
    for file in sorted(files):
        try:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
            readable += 1
        except OSError:
            pass
    if not readable:  # a bundle without sources: the app's version stands in
        import leadtriage

        digest.update(str(leadtriage.__version__).encode())
    return digest.hexdigest()[:24]


def _cache_path(key: str) -> Path | None:
    try:
        from leadtriage.paths import cache_dir

        return cache_dir() / f"schema-{key}.json"
    except OSError:
        return None


def _write_cache(path: Path, computed: dict[int, dict[Entry, str]]) -> None:
    data = {str(v): [[t, n, s] for (t, n), s in sorted(entries.items())] for v, entries in computed.items()}
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data), "utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not cache the expected schema: %s", exc.strerror)
        tmp.unlink(missing_ok=True)

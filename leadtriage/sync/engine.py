"""A laptop on a team: join, push, pull, claim, status.

Push sends the outbox (oldest first, in batches) to `lt.push`; the server records
each change ID, so a push repeated after a crash (the server committed, this laptop
did not yet drop the rows) changes nothing twice. Pull reads the change feed after
the last position this laptop applied, in one REPEATABLE READ server transaction
(the feed entries and any lead snapshots agree), and applies them in one local
transaction together with the new position: a pull killed half way applied nothing
and starts again from the same place.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from leadtriage.store import Store
from leadtriage.store.sync_outbox import BLOCK, TICK, ensure_triggers, synced_columns
from leadtriage.sync.connect import (
    checked_params,
    connect,
    store_password,
    translate_server_error,
)
from leadtriage.sync.errors import NotJoined, TeamError

log = logging.getLogger(__name__)

PUSH_BATCH = 1000
PULL_BATCH = 5000


@contextmanager
def _tx(store: Store) -> Iterator[None]:
    """One local transaction on the store's connection. Not `Store.transaction`: that
    hands out sqlite-utils, whose import (pandas, ~0.8 s) a sync never needs."""
    from leadtriage.store.errors import environment_errors

    with environment_errors():
        if store.conn.in_transaction:
            store.conn.execute("SAVEPOINT sync_tx")
            try:
                yield
            except BaseException:
                store.conn.execute("ROLLBACK TO sync_tx")
                store.conn.execute("RELEASE sync_tx")
                raise
            store.conn.execute("RELEASE sync_tx")
            return
        store.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if store.conn.in_transaction:
                store.conn.rollback()
            raise
        store.conn.execute("COMMIT")


# -- local state -----------------------------------------------------------------------

def state(store: Store, key: str, default: str | None = None) -> str | None:
    row = store.conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_state(store: Store, key: str, value: Any) -> None:
    store.conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       (key, None if value is None else str(value)))


def joined(store: Store) -> bool:
    return store.conn.execute("SELECT 1 FROM sync_clock").fetchone() is not None


def saved_params(store: Store) -> dict[str, str]:
    if not joined(store):
        raise NotJoined(f"{store.path.name} is not on a team; run: leadtriage team join URL")
    return json.loads(state(store, "server"))


def open_connection(store: Store, **kw):
    return connect(saved_params(store), **kw)


# -- join ------------------------------------------------------------------------------

def join(store: Store, url: str, *, password: str | None = None) -> dict[str, Any]:
    """Connect this laptop's database to the team: check the login, get a node ID and
    a block of lead IDs, and queue what the database already holds for the first push."""
    from leadtriage.sync.admin import server_version
    from leadtriage.sync.server_schema import SERVER_VERSION

    params = checked_params(url)
    if joined(store):
        raise TeamError(f"{store.path.name} is already on a team ({saved_params(store)['dbname']}).")
    top = store.conn.execute("SELECT max(id) FROM leads").fetchone()[0]
    if top is not None and top >= BLOCK:
        raise TeamError("This database's lead IDs are too large to bring into a team; join with a new database.")
    conn = connect(params, password=password)
    try:
        version = server_version(conn)
        if version == 0:
            raise TeamError("The team database is not prepared; the manager runs: leadtriage team init URL")
        if version > SERVER_VERSION:
            raise TeamError(f"The team server's schema is v{version}, newer than this LeadTriage "
                            f"(v{SERVER_VERSION}). Update LeadTriage; nothing was changed.")
        me = conn.execute("SELECT name, role FROM lt.members WHERE name = current_user AND active").fetchone()
        if me is None:
            raise TeamError(f"{params['user']} is not an active member of this team.")
        node = os.urandom(5).hex()
        block = conn.execute("SELECT lt.register_node(%s, %s)", (node, top is not None)).fetchone()[0]
        conn.commit()
    except TeamError:
        raise
    except Exception as exc:
        raise translate_server_error(exc, params) from None
    finally:
        conn.close()
    kept = store_password(params, password) if password else False
    with _tx(store):
        store.conn.execute("INSERT INTO sync_clock (id, node, applying) VALUES (1, ?, 1)", (node,))
        set_state(store, "server", json.dumps(params))
        set_state(store, "user", me[0])
        set_state(store, "role", me[1])
        set_state(store, "feed_pos", 0)
        store.conn.execute("INSERT INTO sync_id_blocks VALUES (?, ?)", (block * BLOCK, (block + 1) * BLOCK))
        ensure_triggers(store.conn)
        queued = _queue_existing(store, node)
        store.conn.execute("UPDATE sync_clock SET applying = 0")
    return {"joined": True, "database": params["dbname"], "user": me[0], "role": me[1], "node": node,
            "password_in_keyring": kept, "queued": queued}


def _queue_existing(store: Store, node: str) -> int:
    """Everything the database held before it joined goes out with the first push."""
    conn = store.conn
    conn.execute("UPDATE activities SET gid = ? || '.' || id WHERE gid IS NULL", (node,))
    conn.execute("UPDATE handoffs SET gid = ? || '.' || id WHERE gid IS NULL", (node,))
    conn.execute(TICK)
    hlc = conn.execute("SELECT printf('%013d.%06d.%s', ms, c, node) FROM sync_clock").fetchone()[0]
    n = 0
    for entity, table, lead_col in (("lead", "leads", "id"), ("activity", "activities", "lead_id"),
                                    ("handoff", "handoffs", "lead_id")):
        cols = synced_columns(conn, entity)
        row = "json_object(" + ", ".join(f"'{c}', {c}" for c in cols) + ")"
        gid = "NULL" if entity == "lead" else "gid"
        n += conn.execute(
            f"INSERT INTO sync_outbox (change_id, hlc, entity, op, lead_id, gid, payload) "
            f"SELECT lower(hex(randomblob(16))), ?, '{entity}', 'insert', {lead_col}, {gid}, {row} "
            f"FROM {table} ORDER BY id", (hlc,)).rowcount
    return n


# -- push ------------------------------------------------------------------------------

def push(store: Store, conn) -> dict[str, int]:
    totals = {"pushed": 0, "applied": 0, "already": 0, "refused": 0}
    last = 0
    while True:
        rows = store.conn.execute(
            "SELECT seq, change_id, hlc, entity, op, lead_id, gid, payload FROM sync_outbox "
            "WHERE seq > ? ORDER BY seq LIMIT ?", (last, PUSH_BATCH)).fetchall()
        if not rows:
            return totals
        batch = [{"change_id": r[1], "hlc": r[2], "entity": r[3], "op": r[4], "lead_id": r[5], "gid": r[6],
                  "payload": json.loads(r[7])} for r in rows]
        from psycopg.types.json import Jsonb

        with conn.transaction():
            result = conn.execute("SELECT lt.push(%s)", (Jsonb(batch),)).fetchone()[0]
        # The server has them now. Were we killed here, the next push would send
        # them again and the server would recognise every change ID.
        last = rows[-1][0]
        with _tx(store):
            store.conn.execute("DELETE FROM sync_outbox WHERE seq <= ?", (last,))
        totals["pushed"] += len(rows)
        for k in ("applied", "already", "refused"):
            totals[k] += result[k]


# -- pull ------------------------------------------------------------------------------

@dataclass
class _Cols:
    lead: list[str]
    activity: list[str]
    handoff: list[str]


BULK_PULL = 20_000  # a first pull longer than this applies like a big import
# Kept through a bulk pull: the pull itself looks rows up by them.
_BULK_KEEP = ("idx_activities_gid", "idx_handoffs_gid", "idx_leads_public_id")


def pull(store: Store, conn) -> dict[str, int]:
    """Apply the feed after this laptop's position. A long first pull (a manager's
    whole team, a rep's big territory) runs as one local transaction with the
    search index, counts and cubes dropped and rebuilt once at the end, as a big
    import does: far faster, and a kill leaves the laptop as it was before."""
    me, role = state(store, "user"), state(store, "role")
    cols = _Cols(*(synced_columns(store.conn, e) for e in ("lead", "activity", "handoff")))
    totals = {"pulled": 0, "new_conflicts": 0}
    # Row-level security already limits a rep to their entries; saying so in the
    # query lets the server walk the (owner, seq) indexes instead of the whole feed
    # (a rep holds 1/25 of a million-lead feed).
    mine = "" if role == "manager" else " AND (owner = current_user OR prev_owner = current_user)"
    bulk: list[str] | None = None
    if int(state(store, "feed_pos", "0")) == 0 and not store.conn.in_transaction:
        with conn.transaction():
            waiting = conn.execute(f"SELECT count(*) FROM lt.feed WHERE seq > 0{mine}").fetchone()[0]
        if waiting > BULK_PULL:
            from leadtriage.store.bulk import drop_for_bulk

            store.conn.execute("BEGIN IMMEDIATE")
            bulk = drop_for_bulk(store.conn, ["leads", "activities", "handoffs"], keep=_BULK_KEEP)
    try:
        while True:
            pos = int(state(store, "feed_pos", "0"))
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                entries = conn.execute(
                    f"SELECT seq, lead_id, owner, kind, payload, hlc FROM lt.feed WHERE seq > %s{mine} "
                    "ORDER BY seq LIMIT %s", (pos, PULL_BATCH)).fetchall()
                if not entries:
                    break
                wanted = _leads_to_fetch(store, entries, me, role)
                snapshots = _snapshots(conn, wanted)
            with _tx(store):  # a savepoint inside a bulk pull
                store.conn.execute("UPDATE sync_clock SET applying = 1")
                n_conf = _apply(store, entries, snapshots, cols, me, role)
                _observe_clock(store, [e[5] for e in entries if e[5]])
                set_state(store, "feed_pos", entries[-1][0])
                store.conn.execute("UPDATE sync_clock SET applying = 0")
            totals["pulled"] += len(entries)
            totals["new_conflicts"] += n_conf
        if bulk is not None:
            from leadtriage.store.bulk import restore_after_bulk

            restore_after_bulk(store.conn, bulk)
            store.conn.execute("COMMIT")
            bulk = None
    finally:
        if bulk is not None and store.conn.in_transaction:
            store.conn.rollback()
    return totals


def _mine(owner: str | None, me: str, role: str) -> bool:
    return role == "manager" or owner == me


def _leads_to_fetch(store: Store, entries, me: str, role: str) -> set[int]:
    """Leads this laptop must take whole from the server: ones it does not have (a
    claim, an assignment, a lead created elsewhere) when an entry is not a full row."""
    want = set()
    for _seq, lead_id, _owner, kind, payload, _hlc in entries:
        if kind == "assign" and not _mine(payload.get("owner"), me, role):
            continue
        if kind == "lead" and "public_id" in payload and "created_at" in payload:
            continue  # a whole new lead
        if kind in ("conflict", "refused", "delete"):
            continue
        if not store.conn.execute("SELECT 1 FROM leads WHERE id = ?", (lead_id,)).fetchone():
            want.add(lead_id)
    return want


def _snapshots(conn, ids: set[int]) -> dict[int, dict]:
    if not ids:
        return {}
    out: dict[int, dict] = {}
    for lid, data in conn.execute("SELECT id, data FROM lt.leads WHERE id = ANY(%s)", (list(ids),)):
        out[lid] = {"lead": data, "activities": [], "handoffs": []}
    for lid, gid, data in conn.execute("SELECT lead_id, gid, data FROM lt.activities WHERE lead_id = ANY(%s) "
                                       "ORDER BY lead_id, gid", (list(ids),)):
        if lid in out:
            out[lid]["activities"].append({**data, "gid": gid})
    for lid, gid, data in conn.execute("SELECT lead_id, gid, data FROM lt.handoffs WHERE lead_id = ANY(%s)",
                                       (list(ids),)):
        if lid in out:
            out[lid]["handoffs"].append({**data, "gid": gid})
    return out


def _insert(store: Store, table: str, cols: list[str], row: dict, extra: dict | None = None,
            ignore: bool = False) -> None:
    values = {c: row.get(c) for c in cols if c in row}
    values.update(extra or {})
    names = list(values)
    store.conn.execute(
        f"INSERT {'OR IGNORE ' if ignore else ''}INTO {table} ({', '.join(names)}) "
        f"VALUES ({', '.join('?' for _ in names)})", [_sql_value(values[n]) for n in names])


def _update(store: Store, table: str, cols: list[str], fields: dict, where: str, key: Any) -> None:
    names = [c for c in fields if c in cols and c != "gid"]
    if names:
        store.conn.execute(f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in names)} WHERE {where} = ?",
                           [*(_sql_value(fields[n]) for n in names), key])


def _sql_value(v: Any) -> Any:
    # The server keeps values as JSON; a JSON text column (pain points...) stays text.
    return json.dumps(v) if isinstance(v, dict | list) else v


def _drop_lead(store: Store, lead_id: int) -> None:
    c = store.conn
    c.execute("DELETE FROM duplicate_candidates WHERE lead_id = ? OR other_lead_id = ?", (lead_id, lead_id))
    c.execute("DELETE FROM activities WHERE lead_id = ?", (lead_id,))
    c.execute("DELETE FROM handoffs WHERE lead_id = ?", (lead_id,))
    c.execute("DELETE FROM leads WHERE id = ?", (lead_id,))
    c.execute("DELETE FROM sync_outbox WHERE lead_id = ?", (lead_id,))


def _apply(store: Store, entries, snapshots: dict[int, dict], cols: _Cols, me: str, role: str) -> int:
    conflicts = 0
    have = lambda lid: store.conn.execute("SELECT 1 FROM leads WHERE id = ?", (lid,)).fetchone() is not None  # noqa: E731
    for lid, snap in snapshots.items():  # whole leads as of this pull: later entries are in them
        if have(lid):
            _update(store, "leads", cols.lead, snap["lead"], "id", lid)
        else:
            _insert(store, "leads", cols.lead, snap["lead"], {"id": lid})
        for a in snap["activities"]:
            _insert(store, "activities", cols.activity, a, {"lead_id": lid}, ignore=True)
        for h in snap["handoffs"]:
            if store.conn.execute("SELECT 1 FROM handoffs WHERE gid = ?", (h["gid"],)).fetchone():
                _update(store, "handoffs", cols.handoff, h, "gid", h["gid"])
            else:
                _insert(store, "handoffs", cols.handoff, h, {"lead_id": lid})
    for seq, lid, _owner, kind, payload, _hlc in entries:
        if kind == "conflict":
            store.conn.execute(
                "INSERT OR IGNORE INTO sync_conflicts (server_seq, lead_id, field, kept, lost, at) VALUES (?, ?, ?, ?, ?, ?)",
                (seq, lid, payload.get("field"), json.dumps(payload.get("kept")), json.dumps(payload.get("lost")),
                 _now()))
            conflicts += 1
            continue
        if kind == "refused":
            store.conn.execute(
                "INSERT OR IGNORE INTO sync_conflicts (server_seq, lead_id, field, kept, lost, at) VALUES (?, ?, ?, ?, ?, ?)",
                (seq, lid, "(change refused)", None, json.dumps(payload), _now()))
            conflicts += 1
            continue
        if lid in snapshots:
            continue
        if kind == "delete":
            _drop_lead(store, lid)
            continue
        if kind == "assign":
            if not _mine(payload.get("owner"), me, role):
                _drop_lead(store, lid)  # moved to someone else, with its whole history
            elif have(lid):
                store.conn.execute("UPDATE leads SET owner = ? WHERE id = ?", (payload.get("owner"), lid))
            continue
        if kind == "lead":
            if have(lid):
                _update(store, "leads", cols.lead, payload, "id", lid)
            elif "public_id" in payload and "created_at" in payload:
                _insert(store, "leads", cols.lead, payload, {"id": lid})
            # else: an edit of a lead this laptop no longer holds (moved on since)
        elif kind == "activity":
            if have(lid):
                _insert(store, "activities", cols.activity, payload, {"lead_id": lid}, ignore=True)
        elif kind == "handoff":
            gid = payload.get("gid")
            if store.conn.execute("SELECT 1 FROM handoffs WHERE gid = ?", (gid,)).fetchone():
                _update(store, "handoffs", cols.handoff, payload, "gid", gid)
            elif have(lid):
                _insert(store, "handoffs", cols.handoff, payload, {"lead_id": lid})
    return conflicts


def _observe_clock(store: Store, hlcs: list[str]) -> None:
    """Hybrid clock: never run behind a time this laptop has seen."""
    if not hlcs:
        return
    ms = max(int(h.split(".", 1)[0]) for h in hlcs)
    store.conn.execute("UPDATE sync_clock SET c = CASE WHEN ? > ms THEN 0 ELSE c END, ms = max(ms, ?)", (ms, ms))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the commands ----------------------------------------------------------------------

def sync(store: Store, *, password: str | None = None) -> dict[str, Any]:
    """Push, then pull. Offline or refused: the error says so; local work is kept and
    the status records it."""
    params = saved_params(store)
    started = time.monotonic()
    with _tx(store):
        ensure_triggers(store.conn)
    try:
        conn = connect(params, password=password)
    except TeamError as exc:
        _record(store, error=str(exc))
        raise
    try:
        pushed = push(store, conn)
        pulled = pull(store, conn)
        _refill_ids(store, conn)
    except TeamError as exc:
        _record(store, error=str(exc))
        raise
    except Exception as exc:
        import psycopg

        if not isinstance(exc, psycopg.Error):
            raise
        err = translate_server_error(exc, params)
        _record(store, error=str(err))
        raise err from None
    finally:
        conn.close()
    _record(store, error=None, synced=True)
    return {**pushed, **pulled, "seconds": round(time.monotonic() - started, 3), **status(store)}


REFILL_BELOW = 1_000_000


def _refill_ids(store: Store, conn) -> None:
    """A new block of lead IDs from the server while this one still has a million
    left: imports between syncs never run out (next_lead_id moves to the newest block)."""
    start, stop = store.conn.execute("SELECT start, stop FROM sync_id_blocks ORDER BY start DESC LIMIT 1").fetchone()
    top = store.conn.execute("SELECT max(id) FROM leads WHERE id >= ? AND id < ?", (start, stop)).fetchone()[0]
    if stop - (top or start) > REFILL_BELOW:
        return
    node = store.conn.execute("SELECT node FROM sync_clock").fetchone()[0]
    with conn.transaction():
        block = conn.execute("SELECT lt.new_block(%s)", (node,)).fetchone()[0]
    with _tx(store):
        store.conn.execute("INSERT INTO sync_id_blocks VALUES (?, ?)", (block * BLOCK, (block + 1) * BLOCK))


def _record(store: Store, *, error: str | None, synced: bool = False) -> None:
    with _tx(store):
        set_state(store, "last_error", error)
        set_state(store, "last_attempt_at", _now())
        if synced:
            set_state(store, "last_sync_at", _now())


def claim(store: Store, n: int) -> dict[str, Any]:
    if n < 1 or n > 10000:
        raise TeamError("Claim between 1 and 10,000 leads at a time.")
    params = saved_params(store)
    conn = connect(params)
    try:
        with conn.transaction():
            ids = [r[0] for r in conn.execute("SELECT lt.claim(%s)", (n,))]
        pulled = pull(store, conn)
    except Exception as exc:
        import psycopg

        if isinstance(exc, psycopg.Error):
            raise translate_server_error(exc, params) from None
        raise
    finally:
        conn.close()
    from leadtriage.domain.public_id import format_public_id

    return {"claimed": len(ids), "public_ids": [format_public_id(i) for i in ids], **pulled}


@dataclass
class TeamStatus:
    joined: bool
    database: str | None = None
    host: str | None = None
    user: str | None = None
    role: str | None = None
    node: str | None = None
    waiting: int = 0
    conflicts: int = 0
    last_sync_at: str | None = None
    last_error: str | None = None
    feed_position: int = 0


def status(store: Store) -> dict[str, Any]:
    if not joined(store):
        return asdict(TeamStatus(joined=False))
    params = saved_params(store)
    c = store.conn
    return asdict(TeamStatus(
        joined=True, database=params.get("dbname"), host=params.get("host"), user=state(store, "user"),
        role=state(store, "role"), node=c.execute("SELECT node FROM sync_clock").fetchone()[0],
        waiting=c.execute("SELECT count(*) FROM sync_outbox").fetchone()[0],
        conflicts=c.execute("SELECT count(*) FROM sync_conflicts WHERE reviewed = 0").fetchone()[0],
        last_sync_at=state(store, "last_sync_at"), last_error=state(store, "last_error"),
        feed_position=int(state(store, "feed_pos", "0")),
    ))

"""Read queries behind the queue views: counts per view and keyset-paged rows.

Keyset paging: each page continues after the last row's sort key, so page 500 costs
the same as page 1 (OFFSET would rescan everything before it). Rows come back as
small tuples-turned-dataclasses; nothing here loads a whole table.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from leadtriage.domain.status import Status

LIST_COLUMNS = (
    "id, public_id, first_name, last_name, title, company, status, score, "
    "next_action_at, last_touch_at, source, campaign, phone, email, country, timezone, "
    "attempts, do_not_call, created_at"
)


@dataclass(frozen=True, slots=True)
class LeadRow:
    id: int
    public_id: str
    first_name: str | None
    last_name: str | None
    title: str | None
    company: str | None
    status: str
    score: int
    next_action_at: str | None
    last_touch_at: str | None
    source: str | None
    campaign: str | None
    phone: str | None
    email: str | None
    country: str | None
    timezone: str | None
    attempts: int
    do_not_call: int
    created_at: str

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or "(no name)"


@dataclass(frozen=True)
class View:
    """A queue view: a filter and a total order (the last sort column is always id)."""

    key: str
    label: str
    where: str
    order: tuple[tuple[str, str], ...]  # (column, "ASC"|"DESC"), all same direction

    def sort_key(self, row: LeadRow) -> tuple:
        return tuple(getattr(row, col) for col, _ in self.order)


def _status_view(status: Status, order: tuple[tuple[str, str], ...]) -> View:
    return View(status.value, status.label, f"status = '{status.value}'", order)


BY_SCORE = (("score", "DESC"), ("created_at", "DESC"), ("id", "DESC"))
BY_NEXT = (("next_action_at", "ASC"), ("id", "ASC"))
BY_RECENT = (("last_touch_at", "DESC"), ("id", "DESC"))

VIEWS: dict[str, View] = {
    v.key: v
    for v in (
        _status_view(Status.NEW, BY_SCORE),
        _status_view(Status.ATTEMPTING, BY_NEXT),
        _status_view(Status.ENGAGED, BY_NEXT),
        _status_view(Status.NURTURE, BY_NEXT),
        _status_view(Status.QUALIFIED, BY_SCORE),
        _status_view(Status.HANDED_OFF, BY_RECENT),
        _status_view(Status.REJECTED, BY_RECENT),
        _status_view(Status.OPPORTUNITY, BY_RECENT),
        _status_view(Status.DISQUALIFIED, BY_RECENT),
        View("all", "All leads", "1", (("id", "DESC"),)),
    )
}


def counts_by_status(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute("SELECT status, count(*) FROM leads GROUP BY status").fetchall()
    counts = {status: n for status, n in rows}
    counts["all"] = sum(counts.values())
    return counts


def page(conn: sqlite3.Connection, view: View, after: tuple | None = None, limit: int = 200) -> list[LeadRow]:
    order_sql = ", ".join(f"{c} {d}" for c, d in view.order)
    where, params = view.where, []
    if after is not None:
        clause, params = _after(view.order, after)
        where = f"({where}) AND ({clause})"
    sql = f"SELECT {LIST_COLUMNS} FROM leads WHERE {where} ORDER BY {order_sql} LIMIT ?"
    rows = conn.execute(sql, [*params, limit]).fetchall()
    return [LeadRow(*r) for r in rows]


def _after(order: tuple[tuple[str, str], ...], key: tuple) -> tuple[str, list]:
    """Rows strictly after `key` in `order`. Only the first column may hold NULL
    (SQLite sorts NULL first ascending, last descending); the rest never do."""
    cols = [c for c, _ in order]
    op = ">" if order[0][1] == "ASC" else "<"
    first, rest = cols[0], cols[1:]
    whole = f"({', '.join(cols)}) {op} ({', '.join('?' for _ in cols)})"
    if not rest:
        return whole, list(key)
    tail = f"({', '.join(rest)}) {op} ({', '.join('?' for _ in rest)})"
    if order[0][1] == "ASC":
        if key[0] is None:
            return f"({first} IS NULL AND {tail}) OR {first} IS NOT NULL", list(key[1:])
        return whole, list(key)
    if key[0] is None:
        return f"{first} IS NULL AND {tail}", list(key[1:])
    return f"{whole} OR {first} IS NULL", list(key)


def lead_detail(conn: sqlite3.Connection, lead_id: int) -> dict | None:
    cur = conn.execute("SELECT * FROM leads WHERE id = ?", (lead_id,))
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def timeline(conn: sqlite3.Connection, lead_id: int, limit: int = 500) -> list[dict]:
    cur = conn.execute(
        "SELECT id, kind, disposition, duration_s, notes, occurred_at, rep, data FROM activities "
        "WHERE lead_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?",
        (lead_id, limit),
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def due_callbacks(conn: sqlite3.Connection, now: datetime) -> int:
    from leadtriage.store.timeutil import to_db

    return conn.execute(
        "SELECT count(*) FROM leads WHERE next_action_at IS NOT NULL AND next_action_at <= ? "
        "AND status IN ('new','attempting','engaged','rejected','nurture')",
        (to_db(now),),
    ).fetchone()[0]

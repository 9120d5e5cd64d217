"""How cadences perform, per cadence and per step: how many leads reached each step,
connect and reply rates of the touches made there, meetings and sales-cycle starts
(opportunities created), and the median days from enrolment to the first connect.

Counted over the enrolments made in the period. A meeting or a sales-cycle start is
credited to the last step done before it (the touch that got the answer); one made
before any step is done goes to the first step.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from statistics import median

from leadtriage.store.timeutil import from_db


@dataclass
class StepStats:
    position: int  # 1-based, as a rep reads it
    kind: str
    title: str
    reached: int = 0
    done: int = 0
    skipped: int = 0
    connects: int = 0
    replies: int = 0
    meetings: int = 0
    sales_cycle_starts: int = 0
    connect_rate: float | None = None
    reply_rate: float | None = None
    median_days_to_first_connect: float | None = None
    _first_connect_days: list[float] = field(default_factory=list, repr=False)


@dataclass
class CadenceStats:
    name: str
    enrolled: int = 0
    active: int = 0
    paused: int = 0
    finished: int = 0
    exits: dict[str, int] = field(default_factory=dict)
    touches: int = 0
    connects: int = 0
    replies: int = 0
    meetings: int = 0
    sales_cycle_starts: int = 0
    connect_rate: float | None = None
    reply_rate: float | None = None
    median_days_to_first_connect: float | None = None
    steps: list[StepStats] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        for s in data["steps"]:
            s.pop("_first_connect_days", None)
        return data


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def cadence_stats(conn: sqlite3.Connection, since: str | None = None, until: str | None = None) -> list[CadenceStats]:
    """`since`/`until`: UTC bounds of the enrolment time ('YYYY-MM-DD HH:MM:SS'), half open."""
    out = []
    for cid, name in conn.execute("SELECT id, name FROM cadences ORDER BY name COLLATE NOCASE").fetchall():
        c = CadenceStats(name)
        c.steps = [StepStats(p + 1, kind, title or "") for p, kind, title in conn.execute(
            "SELECT position, kind, title FROM cadence_steps WHERE cadence_id = ? ORDER BY position", (cid,))]
        where, params = "e.cadence_id = ?", [cid]
        if since:
            where, params = where + " AND e.enrolled_at >= ?", [*params, since]
        if until:
            where, params = where + " AND e.enrolled_at < ?", [*params, until]
        enrolments = conn.execute(
            f"SELECT e.id, e.lead_id, e.step, e.enrolled_at, e.ended_at, e.paused_at, e.exit_reason FROM enrolments e "
            f"WHERE {where}", params).fetchall()
        touches: dict[int, list[tuple]] = {}
        for eid, step, activity_id, connected, replied_at, at in conn.execute(
                f"SELECT t.enrolment_id, t.step, t.activity_id, t.connected, t.replied_at, t.at FROM cadence_touches t "
                f"JOIN enrolments e ON e.id = t.enrolment_id WHERE {where} ORDER BY t.enrolment_id, t.at, t.id", params):
            touches.setdefault(eid, []).append((step, activity_id, connected, replied_at, at))
        results = _results(conn, where, params)
        first_connects = []
        for eid, _lead, step, enrolled_at, ended_at, paused_at, exit_reason in enrolments:
            c.enrolled += 1
            if ended_at:
                c.finished += 1
                c.exits[exit_reason or "ended"] = c.exits.get(exit_reason or "ended", 0) + 1
            elif paused_at:
                c.paused += 1
            else:
                c.active += 1
            for s in c.steps[:min(step + 1, len(c.steps))]:
                s.reached += 1
            done_at: list[tuple[str, int]] = []
            first = None
            for pos, activity_id, connected, replied_at, at in touches.get(eid, []):
                if pos >= len(c.steps):
                    continue
                s = c.steps[pos]
                if activity_id is None:
                    s.skipped += 1
                    continue
                s.done += 1
                done_at.append((at, pos))
                if connected:
                    s.connects += 1
                    if first is None:
                        first = (pos, at)
                if replied_at:
                    s.replies += 1
            if first is not None:
                days = (from_db(first[1]) - from_db(enrolled_at)).total_seconds() / 86400
                first_connects.append(days)
                c.steps[first[0]]._first_connect_days.append(days)
            for kind, when in results.get(eid, ()):
                pos = done_at[bisect_right(done_at, (when, len(c.steps))) - 1][1] if done_at and done_at[0][0] <= when else 0
                if c.steps:
                    setattr(c.steps[pos], kind, getattr(c.steps[pos], kind) + 1)
        for s in c.steps:
            s.connect_rate = _rate(s.connects, s.done)
            s.reply_rate = _rate(s.replies, s.done)
            if s._first_connect_days:
                s.median_days_to_first_connect = round(median(s._first_connect_days), 2)
            c.touches += s.done
            c.connects += s.connects
            c.replies += s.replies
            c.meetings += s.meetings
            c.sales_cycle_starts += s.sales_cycle_starts
        c.connect_rate = _rate(c.connects, c.touches)
        c.reply_rate = _rate(c.replies, c.touches)
        if first_connects:
            c.median_days_to_first_connect = round(median(first_connects), 2)
        out.append(c)
    return out


def _results(conn: sqlite3.Connection, where: str, params: list) -> dict[int, list[tuple[str, str]]]:
    """Per enrolment, the lead's first meeting and first opportunity after it was
    enrolled: [("meetings", at), ("sales_cycle_starts", at)]. Set-based (one index
    seek per enrolment inside SQLite), not a query per enrolment."""
    out: dict[int, list[tuple[str, str]]] = {}
    meeting_sql = (
        f"SELECT e.id, min(m.at) FROM enrolments e JOIN ("
        "SELECT lead_id, occurred_at AS at FROM activities "
        "WHERE kind = 'meeting' OR (kind = 'call' AND disposition = 'meeting_set') "
        "UNION ALL SELECT lead_id, handed_off_at FROM handoffs WHERE meeting_at IS NOT NULL"
        f") m ON m.lead_id = e.lead_id AND m.at >= e.enrolled_at WHERE {where} GROUP BY e.id")
    opp_sql = (
        "SELECT e.id, min(f.opp_at) FROM enrolments e JOIN metrics_handoff_facts f "
        f"ON f.lead_id = e.lead_id AND f.handed_off_at >= e.enrolled_at AND f.opp_at IS NOT NULL "
        f"WHERE {where} GROUP BY e.id")
    for kind, sql in (("meetings", meeting_sql), ("sales_cycle_starts", opp_sql)):
        for eid, at in conn.execute(sql, params):
            if at:
                out.setdefault(eid, []).append((kind, at))
    return out

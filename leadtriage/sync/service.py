"""Team mode for the app: what the status bar, the Team page and the manager's team
view read, and the sync they start. No Qt here; widgets call this through the
worker, never SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leadtriage.domain.status import REP_WORKING
from leadtriage.store import Store
from leadtriage.sync import engine

AUTO_SYNC_MINUTES = 5


@dataclass(frozen=True)
class TeamSummary:
    joined: bool
    user: str | None = None
    role: str | None = None
    database: str | None = None
    host: str | None = None
    waiting: int = 0
    conflicts: int = 0
    last_sync_at: datetime | None = None
    last_error: str | None = None

    @property
    def offline(self) -> bool:
        return bool(self.last_error and self.last_error.startswith("Offline"))

    def line(self, now: datetime) -> str:
        """The status bar's words: synced 2 min ago / offline / 14 changes waiting / 2 conflicts."""
        if not self.joined:
            return ""
        if self.last_error and not self.offline:
            parts = ["sync refused: see Team page"]
        elif self.offline:
            parts = ["offline"]
        elif self.last_sync_at is None:
            parts = ["not synced yet"]
        else:
            parts = [f"synced {ago(self.last_sync_at, now)}"]
        if self.waiting:
            parts.append(f"{self.waiting:,} change{'s' if self.waiting != 1 else ''} waiting")
        if self.conflicts:
            parts.append(f"{self.conflicts:,} conflict{'s' if self.conflicts != 1 else ''}")
        return " · ".join(parts)


def ago(when: datetime, now: datetime) -> str:
    seconds = max(0, int((now - when).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def summary(store: Store) -> TeamSummary:
    s = engine.status(store)
    if not s["joined"]:
        return TeamSummary(joined=False)
    last = s["last_sync_at"]
    return TeamSummary(
        joined=True, user=s["user"], role=s["role"], database=s["database"], host=s["host"],
        waiting=s["waiting"], conflicts=s["conflicts"],
        last_sync_at=datetime.strptime(last, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) if last else None,
        last_error=s["last_error"],
    )


def sync_now(store: Store) -> TeamSummary:
    """One sync (run it on a worker's own Store). Errors are recorded in the summary
    (offline, refused) rather than raised: the status bar shows them."""
    from leadtriage.sync.errors import TeamError

    try:
        engine.sync(store)
    except TeamError:
        pass
    return summary(store)


@dataclass(frozen=True)
class Conflict:
    lead_id: int
    public_id: str | None
    name: str
    field: str
    kept: str
    lost: str
    at: str


def conflicts(store: Store) -> list[Conflict]:
    rows = store.conn.execute(
        "SELECT c.lead_id, l.public_id, trim(coalesce(l.first_name, '') || ' ' || coalesce(l.last_name, '')), "
        "c.field, c.kept, c.lost, c.at FROM sync_conflicts c LEFT JOIN leads l ON l.id = c.lead_id "
        "WHERE c.reviewed = 0 ORDER BY c.id").fetchall()
    return [Conflict(r[0], r[1], r[2] or "(not on this laptop)", r[3], r[4] or "", r[5] or "", r[6]) for r in rows]


def mark_conflicts_reviewed(store: Store) -> int:
    with engine._tx(store):
        return store.conn.execute("UPDATE sync_conflicts SET reviewed = 1 WHERE reviewed = 0").rowcount


@dataclass(frozen=True)
class RepLine:
    rep: str
    open_leads: int
    calls_today: int
    qualified_this_week: int
    handoffs_without_feedback: int


def team_view(store: Store, *, now: datetime | None = None, feedback_days: int = 5) -> list[RepLine]:
    """The manager's team view, read from the server (a manager's login sees all)."""
    now = now or datetime.now(UTC)
    today = now.strftime("%Y-%m-%d")
    week_start = (now - timedelta(days=now.weekday())).strftime("%Y-%m-%d")
    stale = (now - timedelta(days=feedback_days)).strftime("%Y-%m-%dT%H:%M:%S")
    open_statuses = sorted(s.value for s in REP_WORKING)
    conn = engine.open_connection(store)
    try:
        rows = conn.execute("""
            SELECT m.name,
              (SELECT count(*) FROM lt.leads l WHERE l.owner = m.name AND l.status = ANY(%(open)s)),
              (SELECT count(*) FROM lt.activities a JOIN lt.leads l ON l.id = a.lead_id
                WHERE l.owner = m.name AND a.data->>'kind' = 'call' AND a.data->>'occurred_at' >= %(today)s),
              (SELECT count(*) FROM lt.leads l WHERE l.owner = m.name AND l.data->>'qualified_at' >= %(week)s),
              (SELECT count(*) FROM lt.handoffs h JOIN lt.leads l ON l.id = h.lead_id
                WHERE l.owner = m.name AND coalesce(h.data->>'outcome', 'pending') = 'pending'
                  AND h.data->>'outcome_at' IS NULL AND h.data->>'handed_off_at' < %(stale)s)
            FROM lt.members m WHERE m.active AND m.role = 'rep' ORDER BY m.name
        """, {"open": open_statuses, "today": today, "week": week_start, "stale": stale}).fetchall()
    finally:
        conn.close()
    return [RepLine(*r) for r in rows]

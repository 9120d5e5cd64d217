"""The numbers behind the dashboard and `leadtriage stats`.

Definitions (the same everywhere: dashboard, CLI, drill-downs):

Funnel (a cohort): the leads *created* in the period, and how far each has got by now.
  leads        created in the period
  attempted    at least one call attempt (attempts > 0 or a first touch)
  connected    reached in person at least once (connects > 0)
  qualified    qualified at some point (qualified_at set, or status qualified or later)
  handed_off   at least one handoff to field sales
  accepted     a handoff the field accepted (outcome accepted, opportunity, won or lost)
  opportunities a handoff became an opportunity (an opportunity date, or outcome
               opportunity / won); a deal lost without an opportunity date is not one
  won          a handoff won
Rates are each stage over the one before it (`attempted_rate` = attempted / leads, ...)
plus `lead_to_opportunity`. Costs follow `costs.py`.

Sales-cycle starts (an event count, the headline): opportunities *created in the
period* (by opportunity date; for an opportunity without one, the outcome date, then
the handoff date), whatever period the lead itself came from. The weekly series
counts them per local week (Monday first).

Everything reads small tables: the two trigger-maintained cubes (see
store/schema.py) and the handoffs table, never a scan of a million leads.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from leadtriage.domain.dispositions import BY_KEY as DISPOSITIONS
from leadtriage.metrics.costs import cost_model
from leadtriage.metrics.followup import RepFollowUps, needs_follow_up
from leadtriage.metrics.period import Period, local_midnight_utc, week_start
from leadtriage.store.schema import TTF_BOUNDS
from leadtriage.util.progress import NO_PROGRESS, Progress

GROUPINGS = {"source": "source", "campaign": "campaign", "rep": "owner"}
STAGES = ("leads", "attempted", "connected", "qualified", "handed_off", "accepted", "opportunities", "won")
STAGE_LABELS = {
    "leads": "Raw leads", "attempted": "Attempted", "connected": "Connected", "qualified": "Qualified",
    "handed_off": "Handed off", "accepted": "Accepted", "opportunities": "Opportunity", "won": "Won",
}
RATES = tuple(f"{b}_rate" for b in STAGES[1:])
NONE_LABEL = "(none)"
TREND_WEEKS = 12



@dataclass
class GroupStats:
    key: str  # '' for "none"; '*' for totals
    label: str
    leads: int = 0
    attempted: int = 0
    connected: int = 0
    qualified: int = 0
    handed_off: int = 0
    accepted: int = 0
    opportunities: int = 0
    won: int = 0
    sales_cycle_starts: int = 0
    won_amount: float = 0.0
    cost: float = 0.0
    rates: dict[str, float | None] = field(default_factory=dict)
    cost_per_lead: float | None = None
    cost_per_qualified: float | None = None
    cost_per_opportunity: float | None = None

    def finish(self) -> GroupStats:
        counts = [getattr(self, s) for s in STAGES]
        self.rates = {f"{b}_rate": _ratio(counts[i + 1], counts[i]) for i, b in enumerate(STAGES[1:])}
        self.rates["lead_to_opportunity"] = _ratio(self.opportunities, self.leads)
        self.cost = round(self.cost, 2)
        self.cost_per_lead = _money(self.cost, self.leads)
        self.cost_per_qualified = _money(self.cost, self.qualified)
        self.cost_per_opportunity = _money(self.cost, self.opportunities)
        return self

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(data.pop("rates"))
        return data


@dataclass(frozen=True)
class WeekPoint:
    week: date  # Monday
    starts: int
    by_group: dict[str, int]


@dataclass(frozen=True)
class SpeedToLead:
    touched: int
    within_1h: int
    within_24h: int
    median_seconds: float | None  # interpolated within the histogram bin holding the median
    histogram: list[tuple[str, int]]  # (bin label, leads)

    @property
    def share_1h(self) -> float | None:
        return _ratio(self.within_1h, self.touched)

    @property
    def share_24h(self) -> float | None:
        return _ratio(self.within_24h, self.touched)


@dataclass(frozen=True)
class ActivityRow:
    day: date
    rep: str
    dials: int
    connects: int
    conversations: int
    meetings_set: int


UNTOUCHED_BUCKETS = (("Today", 0, 0), ("1–2 days", 1, 2), ("3–7 days", 3, 7), ("8–30 days", 8, 30),
                     ("Over 30 days", 31, None))


@dataclass
class Dashboard:
    period: Period
    by: str
    totals: GroupStats
    groups: list[GroupStats]
    weekly: list[WeekPoint]
    speed: SpeedToLead
    untouched: list[tuple[str, int]]
    activity: list[ActivityRow]
    followups: dict[str, RepFollowUps]
    feedback_days: int
    unattributed_cost: float
    total_spend: float
    seconds: float = 0.0

    @property
    def followup_count(self) -> int:
        return sum(v.count for v in self.followups.values())


def first_lead_day(conn: sqlite3.Connection) -> date | None:
    """The UTC day of the oldest lead (for "all time")."""
    first = conn.execute("SELECT min(day) FROM metrics_lead_cube WHERE n > 0").fetchone()[0]
    return date.fromisoformat(first) if first else None


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _money(cost: float, n: int) -> float | None:
    return round(cost / n, 2) if n and cost else (0.0 if n else None)


def _bin_labels() -> list[str]:
    def fmt(s: int) -> str:
        if s < 3600:
            return f"{s // 60} min"
        if s < 86400:
            return f"{s // 3600} h"
        return f"{s // 86400} d"

    labels, low = [], 0
    for b in TTF_BOUNDS:
        labels.append(f"< {fmt(b)}" if low == 0 else f"{fmt(low)}–{fmt(b)}")
        low = b
    labels.append(f"> {fmt(low)}")
    return labels


BIN_LABELS = _bin_labels()


def _median_from_bins(counts: list[int]) -> float | None:
    total = sum(counts)
    if not total:
        return None
    half, seen, low = total / 2, 0, 0.0
    for i, n in enumerate(counts):
        high = float(TTF_BOUNDS[i]) if i < len(TTF_BOUNDS) else low * 2  # open bin: assume it spans as far again
        if n and seen + n >= half:
            return low + (high - low) * (half - seen) / n
        seen += n
        low = high
    return low


def _group_label(key: str) -> str:
    return key if key else NONE_LABEL


class _Acc(dict):
    def get_group(self, key: str) -> GroupStats:
        if key not in self:
            self[key] = GroupStats(key, _group_label(key))
        return self[key]


def compute(
    conn: sqlite3.Connection,
    period: Period,
    by: str | None = "source",
    *,
    feedback_days: int = 5,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    progress: Progress = NO_PROGRESS,
) -> Dashboard:
    """Everything the dashboard shows, for one period and grouping."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    col = GROUPINGS.get(by or "", None)
    if by and col is None:
        raise ValueError(f"unknown grouping {by!r}")
    totals = GroupStats("*", "All leads")
    groups = _Acc()
    first_day, last_day = period.cohort_days()

    # 1. Lead cohort: the lead cube. All-time per batch / campaign counts are the cost
    # denominators; the period rows give the funnel top and speed to lead.
    progress.report(0, 5, "Counting leads")
    per_batch: dict[int, int] = {}
    per_campaign: dict[str, int] = {}
    for batch_id, campaign, n in conn.execute(
        "SELECT batch_id, campaign, sum(n) FROM metrics_lead_cube GROUP BY batch_id, campaign"
    ):
        per_batch[batch_id] = per_batch.get(batch_id, 0) + n
        per_campaign[campaign] = per_campaign.get(campaign, 0) + n
    costs = cost_model(conn, per_batch, per_campaign)
    group_col = col or "''"
    ttf = [0] * (len(TTF_BOUNDS) + 1)
    touched = within_1h = within_24h = 0
    one_h, one_d = TTF_BOUNDS.index(3600), TTF_BOUNDS.index(86400)
    for key, batch_id, campaign, attempted, connected, qualified, ttf_bin, n in conn.execute(
        f"SELECT {group_col}, batch_id, campaign, attempted, connected, qualified, ttf_bin, sum(n) "
        "FROM metrics_lead_cube WHERE day BETWEEN ? AND ? "
        f"GROUP BY {group_col}, batch_id, campaign, attempted, connected, qualified, ttf_bin",
        (first_day, last_day),
    ):
        cost = n * costs.unit(batch_id, campaign)
        targets = (totals, groups.get_group(key)) if col else (totals,)
        for g in targets:
            g.leads += n
            g.attempted += n * attempted
            g.connected += n * connected
            g.qualified += n * qualified
            g.cost += cost
        if ttf_bin >= 0:
            ttf[ttf_bin] += n
            touched += n
            within_1h += n if ttf_bin <= one_h else 0
            within_24h += n if ttf_bin <= one_d else 0
    speed = SpeedToLead(touched, within_1h, within_24h, _median_from_bins(ttf), list(zip(BIN_LABELS, ttf, strict=True)))

    # 2. Handoff stages for the cohort, one row per lead (a lead may be handed off twice).
    progress.report(1, 5, "Following handoffs")
    start_text, end_text = period.cohort_bounds()
    for key, handed, accepted, opps, won, amount in conn.execute(
        f"SELECT {group_col}, count(*), sum(acc), sum(opp), sum(won), sum(won_amount) FROM ("
        f"  SELECT {group_col} AS {col or 'k'}, lead_id, "
        "  max(outcome IN ('accepted', 'opportunity', 'won', 'lost')) AS acc, "
        "  max(opp_at IS NOT NULL) AS opp, max(outcome = 'won') AS won, "
        "  sum(CASE WHEN outcome = 'won' THEN coalesce(amount, 0) END) AS won_amount "
        "  FROM metrics_handoff_facts WHERE created_at >= ? AND created_at < ? GROUP BY lead_id) "
        f"GROUP BY {group_col}",
        (start_text, end_text),
    ):
        targets = (totals, groups.get_group(key)) if col else (totals,)
        for g in targets:
            g.handed_off += handed
            g.accepted += accepted or 0
            g.opportunities += opps or 0
            g.won += won or 0
            g.won_amount += amount or 0.0

    # 3. Sales-cycle starts: opportunities created in the period, and the weekly trend.
    progress.report(2, 5, "Sales-cycle starts")
    since_utc, until_utc = period.utc_bounds(tz)
    trend_first = min(week_start(period.since), week_start(period.until) - timedelta(weeks=TREND_WEEKS - 1))
    trend_from = local_midnight_utc(trend_first, tz)
    weeks: dict[date, dict[str, int]] = {}
    w = trend_first
    while w <= period.until:
        weeks[w] = {}
        w += timedelta(weeks=1)
    local_day = _HourToDay(tz)
    # Grouped by UTC hour in SQL, so Python converts a few thousand hours, not every row.
    for key, hour, in_period, n in conn.execute(
        f"SELECT {group_col}, substr(opp_at, 1, 13), opp_at >= ?, count(*) FROM metrics_handoff_facts "
        "WHERE opp_at >= ? AND opp_at < ? GROUP BY 1, 2, 3",
        (since_utc, trend_from, until_utc),
    ):
        bucket = weeks.setdefault(week_start(local_day(hour)), {})
        bucket[key] = bucket.get(key, 0) + n
        if in_period:
            totals.sales_cycle_starts += n
            if col:
                groups.get_group(key).sales_cycle_starts += n
    weekly = [WeekPoint(wk, sum(v.values()), v) for wk, v in sorted(weeks.items())]

    # 4. Untouched backlog (all open, never-touched leads, whatever the period) by age.
    progress.report(3, 5, "Activity")
    today_utc = now.astimezone(UTC).date()
    untouched = []
    for label, lo, hi in UNTOUCHED_BUCKETS:
        newest = (today_utc - timedelta(days=lo)).isoformat()
        oldest = (today_utc - timedelta(days=hi)).isoformat() if hi is not None else "0000-00-00"
        n = conn.execute(
            "SELECT coalesce(sum(n), 0) FROM metrics_lead_cube WHERE untouched = 1 AND day BETWEEN ? AND ?",
            (oldest, newest),
        ).fetchone()[0]
        untouched.append((label, n))

    # 5. Calls per rep and local day, from the call cube (UTC hours).
    activity = _activity(conn, since_utc, until_utc, tz)
    progress.report(4, 5, "Follow-ups")
    followups = needs_follow_up(conn, feedback_days, now, tz)

    group_list = sorted((g.finish() for g in groups.values()),
                        key=lambda g: (-g.sales_cycle_starts, -g.opportunities, -g.leads, g.label))
    totals.finish()
    return Dashboard(
        period=period, by=by or "", totals=totals, groups=group_list, weekly=weekly, speed=speed,
        untouched=untouched, activity=activity, followups=followups, feedback_days=feedback_days,
        unattributed_cost=round(costs.unattributed, 2), total_spend=round(costs.total_spend, 2),
        seconds=time.perf_counter() - started,
    )


class _HourToDay:
    """UTC 'YYYY-MM-DD HH' -> local date, cached (the same hours come back often).
    Exact for time zones with whole-hour offsets."""

    def __init__(self, tz: tzinfo | None):
        self.tz = tz
        self.cache: dict[str, date] = {}

    def __call__(self, hour: str) -> date:
        day = self.cache.get(hour)
        if day is None:
            moment = datetime(int(hour[:4]), int(hour[5:7]), int(hour[8:10]), int(hour[11:13]), tzinfo=UTC)
            day = moment.astimezone(self.tz).date() if self.tz is not None else moment.astimezone().date()
            self.cache[hour] = day
        return day


def _activity(conn: sqlite3.Connection, since_utc: str, until_utc: str, tz: tzinfo | None) -> list[ActivityRow]:
    def quoted(keys: set[str]) -> str:
        return ", ".join(f"'{k}'" for k in sorted(keys))  # keys are our own identifiers

    connected = quoted({k for k, d in DISPOSITIONS.items() if d.connected})
    conversation = quoted({k for k, d in DISPOSITIONS.items() if d.conversation})
    local_day = _HourToDay(tz)
    acc: dict[tuple[date, str], list[int]] = {}
    for hour, rep, dials, connects, talks, meetings in conn.execute(
        f"SELECT hour, rep, sum(n), sum(CASE WHEN disposition IN ({connected}) THEN n ELSE 0 END), "
        f"sum(CASE WHEN disposition IN ({conversation}) THEN n ELSE 0 END), "
        "sum(CASE WHEN disposition = 'meeting_set' THEN n ELSE 0 END) "
        "FROM metrics_call_cube WHERE hour >= ? AND hour < ? GROUP BY hour, rep HAVING sum(n) > 0",
        (since_utc[:13], until_utc[:13]),
    ):
        row = acc.setdefault((local_day(hour), rep or NONE_LABEL), [0, 0, 0, 0])
        for i, v in enumerate((dials, connects, talks, meetings)):
            row[i] += v
    return [ActivityRow(day, rep, *v) for (day, rep), v in sorted(acc.items())]


def stats_payload(dash: Dashboard) -> dict[str, Any]:
    """The `stats --json` object: totals and per group."""
    return {
        "period": {"since": dash.period.since.isoformat(), "until": dash.period.until.isoformat(),
                   "label": dash.period.label},
        "by": dash.by or None,
        "totals": dash.totals.as_dict(),
        "groups": [g.as_dict() for g in dash.groups],
        "weekly_sales_cycle_starts": [{"week": p.week.isoformat(), "starts": p.starts} for p in dash.weekly],
        "speed_to_lead": {
            "touched": dash.speed.touched, "median_minutes": None if dash.speed.median_seconds is None
            else round(dash.speed.median_seconds / 60, 1),
            "share_within_1h": dash.speed.share_1h, "share_within_24h": dash.speed.share_24h,
            "untouched_by_age": dict(dash.untouched),
        },
        "needs_follow_up": {rep: group.count for rep, group in dash.followups.items()},
        "feedback_days": dash.feedback_days,
        "total_spend": dash.total_spend,
        "unattributed_cost": dash.unattributed_cost,
        "seconds": round(dash.seconds, 3),
    }

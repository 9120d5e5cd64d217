"""The leads behind any number on the dashboard.

`drilldown(...)` returns a `LeadFilter`: a WHERE clause over `leads` with its
parameters, built from the same definitions the numbers use (the cube keys in
store/schema.py), so the list a user opens has exactly as many leads as the number
they clicked. `lead_ids` / `count` run it; the queue shows it as a custom list
(`store.queue.custom_view`), its parameters kept as parameters. `chosen_leads` is
the same kind of filter for a set of leads picked by id.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from leadtriage.metrics.compute import GROUPINGS, NONE_LABEL, STAGE_LABELS, UNTOUCHED_BUCKETS
from leadtriage.metrics.followup import followup_cutoff
from leadtriage.metrics.period import Period, local_midnight_utc
from leadtriage.store.schema import TTF_BOUNDS, _lead_key_exprs

KEYS = _lead_key_exprs("leads")

HANDOFF_STAGES = {
    "handed_off": "1",
    "accepted": "f.outcome IN ('accepted', 'opportunity', 'won', 'lost')",
    "opportunities": "f.opp_at IS NOT NULL",
    "won": "f.outcome = 'won'",
}
LEAD_STAGES = {
    "leads": "1",
    "attempted": KEYS["attempted"],
    "connected": KEYS["connected"],
    "qualified": KEYS["qualified"],
    "touched_1h": f"{KEYS['ttf_bin']} BETWEEN 0 AND {TTF_BOUNDS.index(3600)}",
    "touched_24h": f"{KEYS['ttf_bin']} BETWEEN 0 AND {TTF_BOUNDS.index(86400)}",
    "touched": f"{KEYS['ttf_bin']} >= 0",
}
METRICS = (*LEAD_STAGES, *HANDOFF_STAGES, "sales_cycle_starts", "untouched", "calls", "needs_follow_up")


@dataclass(frozen=True)
class LeadFilter:
    title: str
    where: str
    params: tuple


def chosen_leads(title: str, ids) -> LeadFilter:
    """A filter for leads picked by id (any number: one JSON parameter, not one
    parameter per lead)."""
    return LeadFilter(title, "leads.id IN (SELECT value FROM json_each(?))",
                      (json.dumps(sorted({int(i) for i in ids})),))


def _group_clause(by: str | None, group: str | None, column_prefix: str = "leads.") -> tuple[str, list]:
    if not by or group is None:
        return "1", []
    col = GROUPINGS[by]
    value = "" if group == NONE_LABEL else group
    return f"coalesce({column_prefix}{col}, '') = ?", [value]


def drilldown(
    metric: str,
    period: Period,
    by: str | None = None,
    group: str | None = None,
    *,
    tz: tzinfo | None = None,
    now: datetime | None = None,
    feedback_days: int = 5,
    rep: str | None = None,
    day: date | None = None,
    bucket: str | None = None,
) -> LeadFilter:
    """The leads behind `metric` for a period, optionally within one group (`group`
    is a value of the grouping `by`, as shown on the dashboard).

    Extra selectors: `rep` + `day` for calls, `bucket` (a label of UNTOUCHED_BUCKETS)
    for the untouched backlog, `rep` (field rep) for needs_follow_up."""
    start, end = period.cohort_bounds()
    gsql, gparams = _group_clause(by, group)
    scope = f" — {group}" if group is not None else ""
    if metric in LEAD_STAGES:
        label = STAGE_LABELS.get(metric, {"touched_1h": "Touched within 1 h", "touched_24h": "Touched within 24 h",
                                          "touched": "Touched"}.get(metric, metric))
        return LeadFilter(
            f"{label}{scope}, {period.label}",
            f"leads.created_at >= ? AND leads.created_at < ? AND {gsql} AND {LEAD_STAGES[metric]}",
            (start, end, *gparams),
        )
    if metric in HANDOFF_STAGES:
        fsql, fparams = _group_clause(by, group, "f.")
        return LeadFilter(
            f"{STAGE_LABELS[metric]}{scope}, {period.label}",
            "leads.id IN (SELECT f.lead_id FROM metrics_handoff_facts f WHERE f.created_at >= ? AND f.created_at < ? "
            f"AND {fsql} AND {HANDOFF_STAGES[metric]})",
            (start, end, *fparams),
        )
    if metric == "sales_cycle_starts":
        since_utc, until_utc = period.utc_bounds(tz)
        fsql, fparams = _group_clause(by, group, "f.")
        return LeadFilter(
            f"Sales-cycle starts{scope}, {period.label}",
            "leads.id IN (SELECT f.lead_id FROM metrics_handoff_facts f WHERE f.opp_at >= ? AND f.opp_at < ? "
            f"AND {fsql})",
            (since_utc, until_utc, *fparams),
        )
    if metric == "untouched":
        today = (now or datetime.now(UTC)).astimezone(UTC).date()
        chosen = [b for b in UNTOUCHED_BUCKETS if bucket is None or b[0] == bucket]
        if not chosen:
            raise ValueError(f"unknown age bucket {bucket!r}")
        _, lo, _ = chosen[0]
        _, _, hi = chosen[-1]
        newest = (today - timedelta(days=lo - 1)).isoformat() + " 00:00:00"
        oldest = "0000-00-00" if hi is None else (today - timedelta(days=hi)).isoformat() + " 00:00:00"
        return LeadFilter(
            f"Untouched leads{' aged ' + bucket if bucket else ''}{scope}",
            f"leads.created_at >= ? AND leads.created_at < ? AND {gsql} AND {KEYS['untouched']}",
            (oldest, newest, *gparams),
        )
    if metric == "calls":
        if day is not None:
            lo, hi = local_midnight_utc(day, tz), local_midnight_utc(day + timedelta(days=1), tz)
        else:
            lo, hi = period.utc_bounds(tz)
        rep_sql, rep_params = ("AND coalesce(a.rep, '') = ?", [rep]) if rep is not None else ("", [])
        return LeadFilter(
            f"Leads called{' by ' + rep if rep else ''}{' on ' + day.strftime('%a %d %b') if day else ''}",
            "leads.id IN (SELECT a.lead_id FROM activities a WHERE a.kind = 'call' AND a.occurred_at >= ? "
            f"AND a.occurred_at < ? {rep_sql})",
            (lo, hi, *rep_params),
        )
    if metric == "needs_follow_up":
        cutoff = followup_cutoff(feedback_days, now, tz)
        rep_sql, rep_params = ("AND f.field_rep = ?", [rep]) if rep is not None else ("", [])
        return LeadFilter(
            f"Handoffs without feedback after {feedback_days} business days{' — ' + rep if rep else ''}",
            "leads.id IN (SELECT f.lead_id FROM metrics_handoff_facts f WHERE f.has_feedback = 0 "
            f"AND f.handed_off_at < ? {rep_sql})",
            (cutoff, *rep_params),
        )
    raise ValueError(f"no drill-down for {metric!r}; one of {', '.join(METRICS)}")


def lead_ids(conn: sqlite3.Connection, f: LeadFilter, limit: int | None = None) -> list[int]:
    sql = f"SELECT leads.id FROM leads WHERE {f.where} ORDER BY leads.id"
    params: tuple = f.params
    if limit is not None:
        sql += " LIMIT ?"
        params = (*params, limit)
    return [r[0] for r in conn.execute(sql, params)]


def count(conn: sqlite3.Connection, f: LeadFilter) -> int:
    return conn.execute(f"SELECT count(*) FROM leads WHERE {f.where}", f.params).fetchone()[0]

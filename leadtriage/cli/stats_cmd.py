"""`leadtriage stats`: the funnel, sales-cycle starts and costs per source, campaign or rep."""

from __future__ import annotations

import argparse
from pathlib import Path

from leadtriage.cli.output import emit

NAME = "stats"
HELP = "funnel, sales-cycle starts and cost per qualified lead / opportunity, by source, campaign or rep"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", help="first day (YYYY-MM-DD) of leads created; default: the first lead")
    p.add_argument("--until", help="last day (YYYY-MM-DD), inclusive; default: today")
    p.add_argument("--period", choices=["week", "month", "quarter", "all"],
                   help="this week, month or quarter to date (instead of --since/--until)")
    p.add_argument("--by", choices=["source", "campaign", "rep", "cadence"], default="source",
                   help="group by lead source (default), campaign, lead-development rep, or cadence and step")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def open_for_reading(path: Path):
    """Read-only when the schema is current; an older database is upgraded first
    (the metrics tables come with schema v3)."""
    from leadtriage.errors import UserError
    from leadtriage.safety.opening import open_store
    from leadtriage.store.db import inspect_file
    from leadtriage.store.schema import LATEST_VERSION

    if inspect_file(path) is None:
        raise UserError(f"No LeadTriage database at {path}.")
    store = open_store(path, writer=False, create=False)
    if store.user_version < LATEST_VERSION:
        store.close()
        store = open_store(path, writer=True, create=False)
    return store


def resolve_period(conn, since: str | None, until: str | None, period: str | None, today):
    from leadtriage.errors import UserError
    from leadtriage.metrics import first_lead_day
    from leadtriage.metrics.period import custom, parse_day, preset

    if period and (since or until):
        raise UserError("Give either --period or --since/--until, not both.")
    if period:
        return preset(period, today, first_lead_day(conn))
    first_day = parse_day(since, "--since") if since else None
    last_day = parse_day(until, "--until") if until else today
    if first_day is None:
        first_day = min(first_lead_day(conn) or last_day, last_day)
    if last_day < first_day:
        raise UserError(f"--until ({last_day}) is before --since ({first_day}).")
    return custom(first_day, last_day)


def run(args: argparse.Namespace) -> int:
    from leadtriage.metrics import compute, stats_payload
    from leadtriage.metrics.period import local_today
    from leadtriage.paths import resolve_db_path
    from leadtriage.store.settings import SettingsStore

    path = Path(resolve_db_path(args.db))
    with open_for_reading(path) as store:
        period = resolve_period(store.conn, args.since, args.until, args.period, local_today())
        if args.by == "cadence":
            from leadtriage.playbook.stats import cadence_stats

            stats = cadence_stats(store.conn, *period.utc_bounds())
            payload = {"period": {"since": str(period.since), "until": str(period.until), "label": period.label},
                       "by": "cadence", "cadences": [c.to_json() for c in stats]}
            emit(args, payload, _human_cadences(period, stats))
            return 0
        feedback_days = SettingsStore(store).get("feedback_days")
        dash = compute(store.conn, period, args.by, feedback_days=feedback_days)
        currency = SettingsStore(store).get("currency")
    payload = {**stats_payload(dash), "currency": currency}
    emit(args, payload, _human(dash, currency))
    return 0


def _fmt_money(v: float | None, currency: str = "") -> str:
    from leadtriage.metrics.money import format_money

    return format_money(v, currency)


def _fmt_rate(v: float | None) -> str:
    return "—" if v is None else f"{v:.0%}"


def _human(dash, currency: str = "") -> str:
    from leadtriage.metrics import STAGES

    t = dash.totals
    lines = [
        f"{dash.period.label}: {t.sales_cycle_starts:,} sales-cycle starts (opportunities created)",
        "Funnel (leads created in the period): " + " → ".join(f"{getattr(t, s):,} {s.replace('_', ' ')}" for s in STAGES),
        f"Cost {_fmt_money(t.cost, currency)}: per lead {_fmt_money(t.cost_per_lead, currency)}, per qualified "
        f"{_fmt_money(t.cost_per_qualified, currency)}, per opportunity "
        f"{_fmt_money(t.cost_per_opportunity, currency)}",
        "opps: leads of the period that became opportunities; starts: opportunities opened in the period",
        "",
        f"{'By ' + dash.by:<32} {'leads':>9} {'qualified':>9} {'opps':>6} {'starts':>6} {'won':>5} "
        f"{'lead→opp':>8} {'cost/qual':>10} {'cost/opp':>10}" + (f"  (costs in {currency})" if currency else ""),
    ]
    for g in dash.groups:
        lines.append(
            f"{g.label[:32]:<32} {g.leads:>9,} {g.qualified:>9,} {g.opportunities:>6,} {g.sales_cycle_starts:>6,} "
            f"{g.won:>5,} {_fmt_rate(g.rates['lead_to_opportunity']):>8} {_fmt_money(g.cost_per_qualified):>10} "
            f"{_fmt_money(g.cost_per_opportunity):>10}"
        )
    if dash.followup_count:
        lines += ["", f"{dash.followup_count:,} handoffs without feedback after {dash.feedback_days} business days: "
                  + ", ".join(f"{rep} {g.count}" for rep, g in dash.followups.items())]
    return "\n".join(lines)


def _human_cadences(period, stats) -> str:
    lines = [f"{period.label}: cadences (leads enrolled in the period)"]
    for c in stats:
        lines += ["", f"{c.name}: {c.enrolled:,} enrolled, {c.active:,} active, {c.finished:,} finished; "
                  f"connect {_fmt_rate(c.connect_rate)}, reply {_fmt_rate(c.reply_rate)}, {c.meetings:,} meetings, "
                  f"{c.sales_cycle_starts:,} sales-cycle starts, median days to first connect "
                  f"{'—' if c.median_days_to_first_connect is None else c.median_days_to_first_connect}",
                  f"  {'step':<28} {'reached':>8} {'done':>6} {'connect':>8} {'reply':>6} {'meetings':>8} {'starts':>6}"]
        for s in c.steps:
            label = f"{s.position}. {s.title or s.kind}"
            lines.append(f"  {label[:28]:<28} {s.reached:>8,} {s.done:>6,} {_fmt_rate(s.connect_rate):>8} "
                         f"{_fmt_rate(s.reply_rate):>6} {s.meetings:>8,} {s.sales_cycle_starts:>6,}")
    return "\n".join(lines)

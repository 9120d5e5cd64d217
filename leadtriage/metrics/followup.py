"""Follow-up accountability: handoffs the field has not reported back on.

A handoff needs chasing when its outcome is still 'pending' and `feedback_days`
business days (Monday to Friday) have passed since the day it was handed off. Days
are counted after the handoff day up to and including today: a lead handed off on a
Friday is flagged with the default of 5 on the following Friday.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from leadtriage.metrics.period import local_midnight_utc, local_today
from leadtriage.store.timeutil import from_db


def business_days_between(start: date, end: date) -> int:
    """Weekdays in (start, end]: 0 when end <= start."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def latest_flagged_day(today: date, feedback_days: int) -> date:
    """The last handoff day that is already `feedback_days` business days old."""
    day, seen = today, 0
    while seen < max(feedback_days, 0):
        if day.weekday() < 5:
            seen += 1
        day -= timedelta(days=1)
    # `day` now has exactly feedback_days weekdays in (day, today]; a weekend day just
    # before those weekdays counts the same, so it is covered by the `<=` below.
    return day


@dataclass(frozen=True)
class FollowUp:
    handoff_id: int
    lead_id: int
    public_id: str
    name: str
    company: str
    field_rep: str
    field_rep_email: str
    handed_off_at: str
    meeting_at: str | None
    business_days: int


@dataclass
class RepFollowUps:
    field_rep: str
    email: str
    count: int  # all overdue handoffs of this rep
    items: list[FollowUp]  # the oldest `limit` of them


def followup_cutoff(feedback_days: int, now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """Handoffs before this UTC instant are past the feedback window."""
    today = local_today(now or datetime.now(UTC), tz)
    return local_midnight_utc(latest_flagged_day(today, feedback_days) + timedelta(days=1), tz)


def needs_follow_up(
    conn: sqlite3.Connection,
    feedback_days: int,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    limit: int | None = 200,
) -> dict[str, RepFollowUps]:
    """Pending handoffs past the feedback window per field rep (most overdue reps
    first), each with its oldest `limit` handoffs ready to chase."""
    now = now or datetime.now(UTC)
    today = local_today(now, tz)
    cutoff = followup_cutoff(feedback_days, now, tz)
    reps: dict[str, RepFollowUps] = {}
    for rep, email, n in conn.execute(
        "SELECT f.field_rep, coalesce(max(r.email), ''), count(*) FROM metrics_handoff_facts f "
        "LEFT JOIN field_reps r ON r.id = f.field_rep_id "
        "WHERE f.has_feedback = 0 AND f.handed_off_at < ? GROUP BY f.field_rep ORDER BY count(*) DESC, f.field_rep",
        (cutoff,),
    ):
        label = rep or "(no field rep)"
        reps[label] = RepFollowUps(label, email, n, [])
    rows = conn.execute(
        "SELECT f.handoff_id, f.lead_id, l.public_id, trim(coalesce(l.first_name, '') || ' ' || "
        "coalesce(l.last_name, '')), coalesce(l.company, ''), f.field_rep, f.handed_off_at, h.meeting_at FROM ("
        "  SELECT *, row_number() OVER (PARTITION BY field_rep ORDER BY handed_off_at, handoff_id) AS rank "
        "  FROM metrics_handoff_facts WHERE has_feedback = 0 AND handed_off_at < ?) AS f "
        "JOIN leads l ON l.id = f.lead_id JOIN handoffs h ON h.id = f.handoff_id "
        "WHERE f.rank <= ? ORDER BY f.field_rep, f.handed_off_at, f.handoff_id",
        (cutoff, -1 if limit is None else limit),
    ).fetchall()
    for hid, lead_id, public_id, name, company, rep, handed, meeting in rows:
        group = reps[rep or "(no field rep)"]
        moment = from_db(handed)
        local_day = moment.astimezone(tz).date() if tz is not None else moment.astimezone().date()
        group.items.append(
            FollowUp(hid, lead_id, public_id, name or "(no name)", company, group.field_rep, group.email,
                     handed, meeting, business_days_between(local_day, today))
        )
    return reps

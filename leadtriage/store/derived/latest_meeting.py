"""`leads.latest_meeting_at`: the meeting time of a lead's latest handoff that has one,
kept by SQLite triggers on `handoffs`.

A brief and a CRM description show "the meeting": the `meeting_at` of the lead's
handoffs, the latest by `handed_off_at` (then id) among those that have one. Looking
it up per lead was an eighth of a CRM export's time; the triggers below keep the
answer on the lead whenever a handoff is written, moved or removed, so every writer
is covered. `latest_sql` is the definition, used by the triggers and by bulk rebuilds.

A meeting booked when the lead was qualified (`leads.booked_meeting_at`, set by the
Qualify dialog before any brief exists) is the meeting until a handoff records one:
the brief, the invite and the CRM row all show it. An export given a meeting time
books that one. (Schema v6 had only the handoffs; its step keeps that definition.)
"""

from __future__ import annotations

INDEX = "idx_handoffs_meetings"  # (lead_id, handed_off_at) of the handoffs with a meeting


def latest_sql(lead_id: str, *, booked: bool = True) -> str:
    """SQL: the meeting of lead `lead_id` (an expression): the one booked for it, else the
    latest meeting time among its handoffs (`booked=False`: only the handoffs, v6)."""
    handoffs = (f"(SELECT h.meeting_at FROM handoffs h INDEXED BY {INDEX} WHERE h.lead_id = {lead_id} "
                "AND h.meeting_at IS NOT NULL ORDER BY h.handed_off_at DESC, h.id DESC LIMIT 1)")
    if not booked:
        return handoffs
    return f"coalesce((SELECT b.booked_meeting_at FROM leads b WHERE b.id = {lead_id}), {handoffs})"


def _refresh(lead_id: str, booked: bool) -> str:
    return f"UPDATE leads SET latest_meeting_at = {latest_sql(lead_id, booked=booked)} WHERE id = {lead_id};"


TRIGGERS = ("handoffs_meeting_ai", "handoffs_meeting_au", "handoffs_meeting_ad")
BOOKED_TRIGGERS = ("leads_meeting_ai", "leads_meeting_au")


def ddl(*, booked: bool = True) -> list[str]:
    """The triggers (the migrations and bulk loads use them)."""
    statements = [
        f"CREATE TRIGGER handoffs_meeting_ai AFTER INSERT ON handoffs WHEN new.meeting_at IS NOT NULL "
        f"BEGIN {_refresh('new.lead_id', booked)} END",
        f"CREATE TRIGGER handoffs_meeting_au AFTER UPDATE OF lead_id, meeting_at, handed_off_at ON handoffs "
        f"BEGIN {_refresh('old.lead_id', booked)} {_refresh('new.lead_id', booked)} END",
        f"CREATE TRIGGER handoffs_meeting_ad AFTER DELETE ON handoffs WHEN old.meeting_at IS NOT NULL "
        f"BEGIN {_refresh('old.lead_id', booked)} END",
    ]
    if booked:
        statements += [
            "CREATE TRIGGER leads_meeting_ai AFTER INSERT ON leads WHEN new.booked_meeting_at IS NOT NULL "
            f"BEGIN {_refresh('new.id', booked)} END",
            "CREATE TRIGGER leads_meeting_au AFTER UPDATE OF booked_meeting_at ON leads "
            f"BEGIN {_refresh('new.id', booked)} END",
        ]
    return statements


def rebuild_sql(*, booked: bool = True) -> str:
    """Every lead with a recorded meeting, or one on file, refreshed: after a bulk load
    without triggers, by the migration that adds the column, and by a recovery (a
    salvaged lead may keep the meeting of a handoff that was lost)."""
    latest = latest_sql("x.id", booked=booked)
    also = "OR x.booked_meeting_at IS NOT NULL " if booked else ""
    return (f"UPDATE leads AS x SET latest_meeting_at = {latest} WHERE (x.latest_meeting_at IS NOT NULL {also}"
            f"OR x.id IN (SELECT lead_id FROM handoffs WHERE meeting_at IS NOT NULL)) "
            f"AND x.latest_meeting_at IS NOT {latest}")  # (rows already right are not rewritten)

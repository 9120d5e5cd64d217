"""`leads.latest_meeting_at`: the meeting time of a lead's latest handoff that has one,
kept by SQLite triggers on `handoffs`.

A brief and a CRM description show "the meeting": the `meeting_at` of the lead's
handoffs, the latest by `handed_off_at` (then id) among those that have one. Looking
it up per lead was an eighth of a CRM export's time; the triggers below keep the
answer on the lead whenever a handoff is written, moved or removed, so every writer
is covered. `LATEST` is the definition, used by the triggers and by bulk rebuilds.
"""

from __future__ import annotations

INDEX = "idx_handoffs_meetings"  # (lead_id, handed_off_at) of the handoffs with a meeting


def latest_sql(lead_id: str) -> str:
    """SQL: the latest meeting time among the handoffs of lead `lead_id` (an expression)."""
    return (f"(SELECT h.meeting_at FROM handoffs h INDEXED BY {INDEX} WHERE h.lead_id = {lead_id} "
            "AND h.meeting_at IS NOT NULL ORDER BY h.handed_off_at DESC, h.id DESC LIMIT 1)")


def _refresh(lead_id: str) -> str:
    return f"UPDATE leads SET latest_meeting_at = {latest_sql(lead_id)} WHERE id = {lead_id};"


def ddl() -> list[str]:
    """The triggers (the migration and bulk loads use them)."""
    return [
        f"CREATE TRIGGER handoffs_meeting_ai AFTER INSERT ON handoffs WHEN new.meeting_at IS NOT NULL "
        f"BEGIN {_refresh('new.lead_id')} END",
        f"CREATE TRIGGER handoffs_meeting_au AFTER UPDATE OF lead_id, meeting_at, handed_off_at ON handoffs "
        f"BEGIN {_refresh('old.lead_id')} {_refresh('new.lead_id')} END",
        f"CREATE TRIGGER handoffs_meeting_ad AFTER DELETE ON handoffs WHEN old.meeting_at IS NOT NULL "
        f"BEGIN {_refresh('old.lead_id')} END",
    ]


def rebuild_sql() -> str:
    """Every lead with a recorded meeting, or one on file, refreshed: after a bulk load
    without triggers, by the migration that adds the column, and by a recovery (a
    salvaged lead may keep the meeting of a handoff that was lost)."""
    latest = latest_sql("x.id")
    return (f"UPDATE leads AS x SET latest_meeting_at = {latest} WHERE (x.latest_meeting_at IS NOT NULL "
            f"OR x.id IN (SELECT lead_id FROM handoffs WHERE meeting_at IS NOT NULL)) "
            f"AND x.latest_meeting_at IS NOT {latest}")  # (rows already right are not rewritten)

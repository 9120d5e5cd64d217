"""Today's work order: which band a lead is in, as SQL for the queue and as a rule
for one row already on screen. Both live here, next to each other, so a change to
one is made next to the other (tests/test_today_bands.py checks they agree).

The bands, in work order: callbacks overdue, callbacks due today, new leads,
attempts due, nurture resurfacing. A callback is a promise made to someone reached:
engaged, rejected by the field rep, or attempting after a connect. Do-not-call leads
and leads a cadence holds are never in Today (the queue adds those conditions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

CALLBACK_STATUSES = ("attempting", "engaged", "rejected")

# Orders over the leads table (column, direction), the last column unique.
BY_SCORE = (("score", "DESC"), ("created_at", "DESC"), ("id", "DESC"))
BY_NEXT = (("next_action_at", "ASC"), ("id", "ASC"))
BY_RECENT = (("last_touch_at", "DESC"), ("id", "DESC"))

OVERDUE, DUE_TODAY, NEW, ATTEMPT_DUE, RESURFACING = "Overdue", "Due today", "New", "Attempt due", "Resurfacing"

# SQL over `leads` with the named parameters :now, :day_end (UTC, as stored) and
# :today (the rep's local date). Disjoint by construction.
_CALLBACK = ("leads.status IN ('attempting', 'engaged', 'rejected') "
             "AND (leads.status <> 'attempting' OR coalesce(leads.connects, 0) > 0)")
TODAY_BANDS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (OVERDUE, f"{_CALLBACK} AND leads.next_action_at < :now", BY_NEXT),
    (DUE_TODAY, f"{_CALLBACK} AND leads.next_action_at >= :now AND leads.next_action_at < :day_end", BY_NEXT),
    (NEW, "leads.status = 'new'", BY_SCORE),
    (ATTEMPT_DUE, "leads.status = 'attempting' AND (leads.next_action_at IS NULL OR "
     "(leads.next_action_at <= :now AND coalesce(leads.connects, 0) = 0))", BY_NEXT),
    (RESURFACING, "leads.status = 'nurture' AND leads.next_action_at IS NULL AND leads.nurture_until <= :today",
     (("id", "ASC"),)),
    (RESURFACING, "leads.status = 'nurture' AND leads.next_action_at <= :now", BY_NEXT),
)


class BandedLead(Protocol):
    status: str
    next_action_at: str | None
    connects: int
    do_not_call: int


def is_callback(lead: BandedLead) -> bool:
    return lead.status in ("engaged", "rejected") or (lead.status == "attempting" and bool(lead.connects))


def row_band(lead: BandedLead, at: Mapping[str, str], today: bool = False) -> str:
    """The band of one row already on screen (after the rep changed it), with `at`
    the queue's `Moment.params()`. In other views the same words, worked out from
    the time of the next action only, so "Overdue" means the same thing everywhere;
    `today` adds the untimed bands a callable lead is in (new, first attempt)."""
    if today and lead.status == "new" and not lead.do_not_call:
        return NEW
    if today and lead.status == "attempting" and not lead.next_action_at and not lead.do_not_call:
        return ATTEMPT_DUE
    if not lead.next_action_at:
        return ""
    if is_callback(lead):
        if lead.next_action_at < at["now"]:
            return OVERDUE
        return DUE_TODAY if lead.next_action_at < at["day_end"] else ""
    if lead.status == "attempting" and lead.next_action_at <= at["now"]:
        return ATTEMPT_DUE
    if lead.status == "nurture" and lead.next_action_at <= at["now"]:
        return RESURFACING
    return ""

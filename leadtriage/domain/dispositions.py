"""Call dispositions: what happened on a call, and what it does to the lead."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Disposition:
    key: str
    label: str
    shortcut: str  # one key in the call panel
    connected: bool  # reached the prospect in person
    conversation: bool = False  # a real discovery conversation -> engaged
    disqualifies: str | None = None  # reason, when this outcome disqualifies
    retry_hours: float | None = None  # suggested next attempt


DEFAULT_DISPOSITIONS: tuple[Disposition, ...] = (
    Disposition("no_answer", "No answer", "N", False, retry_hours=24),
    Disposition("voicemail", "Left voicemail", "V", False, retry_hours=48),
    Disposition("busy", "Busy", "B", False, retry_hours=2),
    Disposition("gatekeeper", "Gatekeeper", "G", False, retry_hours=24),
    Disposition("wrong_number", "Wrong number", "W", False),
    Disposition("not_interested", "Not interested", "I", True),
    Disposition("callback", "Callback requested", "C", True),
    Disposition("conversation", "Conversation", "T", True, conversation=True),
    Disposition("meeting_set", "Meeting set", "M", True, conversation=True),
    Disposition("bad_data", "Bad data", "D", False),
    Disposition("do_not_call", "Do not call", "X", True, disqualifies="Do not call"),
)

BY_KEY = {d.key: d for d in DEFAULT_DISPOSITIONS}

DISQUALIFY_REASONS = (
    "Do not call",
    "No budget",
    "No need",
    "Not the decision maker and no path to one",
    "Outside ideal customer profile",
    "Competitor or partner",
    "Duplicate",
    "Bad data",
    "Student or job seeker",
    "No response",  # a cadence ran out of steps without an answer
)

NURTURE_REASONS = (
    "Timing: project next quarter or later",
    "Budget not yet approved",
    "Contract with current vendor runs on",
    "Early research",
    "Champion left or changing role",
)

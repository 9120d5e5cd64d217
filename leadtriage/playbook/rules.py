"""Contact rules, checked before a step falls due and again when the rep opens it:

- never more than N touches (calls, e-mails, LinkedIn messages) to a lead in any 7
  days (setting `cadence_touches_per_week`);
- never outside the lead's calling hours for calls and voicemails (and never outside
  the step's own window);
- do-not-call and do-not-e-mail in every kind of step: calls and voicemails need
  the lead callable, e-mails need it e-mailable, a LinkedIn touch is still contact
  and is out when the lead asked for neither; a task is the rep's own work.

A rule broken by time (the cap, the hours) makes the step wait, with the reason and
the moment it can go. A rule time cannot fix (do-not-call on a call step, no phone
number) blocks the step: the cadence skips it and records why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leadtriage.domain.localtime import CallingHours
from leadtriage.playbook.model import Step, StepKind
from leadtriage.playbook.schedule import next_allowed

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""
    wait_until: datetime | None = None  # set when waiting will fix it

    @property
    def blocked(self) -> bool:
        return not self.ok and self.wait_until is None


OK = Verdict(True)


def blocked_by_flags(kind: StepKind, lead: dict[str, Any]) -> str:
    """Why this kind of step can never be done for this lead ('' when it can)."""
    dnc, dne = bool(lead.get("do_not_call")), bool(lead.get("do_not_email"))
    if kind.phones:
        if dnc:
            return "do not call"
        if not (lead.get("phone") or lead.get("phone_raw")):
            return "no phone number"
    elif kind is StepKind.EMAIL:
        if dne:
            return "do not e-mail"
        if not lead.get("email"):
            return "no e-mail address"
    elif kind is StepKind.LINKEDIN and dnc and dne:
        return "the lead asked not to be contacted"
    return ""


def cap_wait(touches: Sequence[datetime], at: datetime, cap: int) -> datetime | None:
    """When a new touch at `at` would exceed `cap` touches in 7 days: the first moment
    it would not (the oldest touch that counts, plus 7 days); else None."""
    if cap <= 0:
        return None
    recent = sorted(t for t in touches if at - WEEK < t <= at)
    if len(recent) < cap:
        return None
    return recent[len(recent) - cap] + WEEK


def check(step: Step, lead: dict[str, Any], now: datetime, tz, touches: Sequence[datetime], cap: int,
          hours: CallingHours | None) -> Verdict:
    """May the rep do `step` for `lead` at `now`? `touches` are the lead's touch times."""
    why = blocked_by_flags(step.kind, lead)
    if why:
        return Verdict(False, why.capitalize())
    if step.kind is not StepKind.TASK:
        until = cap_wait(touches, now, cap)
        if until is not None:
            return Verdict(False, f"{cap} touches in 7 days already", until)
    local = now.astimezone(tz)
    nxt = next_allowed(local, step, hours)
    if nxt is None:
        return Verdict(False, "The step's window is outside the calling hours")
    if nxt > local:
        what = "calling hours" if step.kind.phones else "the step's window"
        return Verdict(False, f"Outside {what} in the lead's time", nxt)
    return OK

"""Lead statuses and the transitions a rep (or a field outcome) may make.

The UI offers only what `allowed_next` returns; services refuse anything else with
`TransitionError`. Undo restores an earlier state directly and does not go through
these rules, because it puts back what was, rather than making a new move.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ATTEMPTING = "attempting"
    ENGAGED = "engaged"
    QUALIFIED = "qualified"
    HANDED_OFF = "handed_off"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    OPPORTUNITY = "opportunity"
    WON = "won"
    LOST = "lost"
    NURTURE = "nurture"
    DISQUALIFIED = "disqualified"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS: dict[Status, str] = {
    Status.NEW: "New",
    Status.ATTEMPTING: "Attempting",
    Status.ENGAGED: "Engaged",
    Status.QUALIFIED: "Qualified",
    Status.HANDED_OFF: "Handed off",
    Status.ACCEPTED: "Accepted by field",
    Status.REJECTED: "Rejected by field",
    Status.OPPORTUNITY: "Opportunity",
    Status.WON: "Won",
    Status.LOST: "Lost",
    Status.NURTURE: "Nurture",
    Status.DISQUALIFIED: "Disqualified",
}

S = Status
_TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.NEW: frozenset({S.ATTEMPTING, S.ENGAGED, S.NURTURE, S.DISQUALIFIED}),
    S.ATTEMPTING: frozenset({S.ENGAGED, S.NURTURE, S.DISQUALIFIED}),
    S.ENGAGED: frozenset({S.QUALIFIED, S.NURTURE, S.DISQUALIFIED}),
    S.QUALIFIED: frozenset({S.HANDED_OFF, S.ENGAGED, S.NURTURE, S.DISQUALIFIED}),
    S.HANDED_OFF: frozenset({S.ACCEPTED, S.REJECTED, S.OPPORTUNITY, S.LOST}),
    S.ACCEPTED: frozenset({S.OPPORTUNITY, S.REJECTED, S.LOST}),
    # A rejected handoff comes back to the rep, who can re-develop it.
    S.REJECTED: frozenset({S.ENGAGED, S.QUALIFIED, S.NURTURE, S.DISQUALIFIED}),
    S.OPPORTUNITY: frozenset({S.WON, S.LOST}),
    S.WON: frozenset(),
    S.LOST: frozenset({S.NURTURE}),
    # Recycle: nurture resurfaces into the working queue.
    S.NURTURE: frozenset({S.ATTEMPTING, S.ENGAGED, S.QUALIFIED, S.DISQUALIFIED}),
    S.DISQUALIFIED: frozenset({S.NEW}),
}

# Statuses the lead-development rep works; the rest belong to field sales.
REP_WORKING = frozenset({S.NEW, S.ATTEMPTING, S.ENGAGED, S.REJECTED, S.NURTURE})
FIELD_SIDE = frozenset({S.HANDED_OFF, S.ACCEPTED, S.OPPORTUNITY, S.WON, S.LOST})
CLOSED = frozenset({S.WON, S.DISQUALIFIED})
# Reaching any of these counts as a sales-cycle start having happened (or passed).
QUALIFIED_OR_LATER = frozenset(
    {S.QUALIFIED, S.HANDED_OFF, S.ACCEPTED, S.REJECTED, S.OPPORTUNITY, S.WON, S.LOST}
)


class TransitionError(ValueError):
    pass


def allowed_next(current: Status | str) -> frozenset[Status]:
    return _TRANSITIONS[Status(current)]


def can_move(current: Status | str, target: Status | str) -> bool:
    return Status(target) in _TRANSITIONS[Status(current)]


def check_move(current: Status | str, target: Status | str) -> Status:
    current, target = Status(current), Status(target)
    if target not in _TRANSITIONS[current]:
        raise TransitionError(f"A lead cannot go from {current.label} to {target.label}.")
    return target

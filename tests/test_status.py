import pytest

from leadtriage.domain.status import (
    LABELS,
    Status,
    TransitionError,
    allowed_next,
    can_move,
    check_move,
)


def test_every_status_has_a_label_and_a_transition_entry():
    for status in Status:
        assert LABELS[status]
        allowed_next(status)  # no KeyError


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "attempting"),
        ("attempting", "engaged"),
        ("engaged", "qualified"),
        ("qualified", "handed_off"),
        ("handed_off", "accepted"),
        ("accepted", "opportunity"),
        ("opportunity", "won"),
        ("opportunity", "lost"),
        ("handed_off", "rejected"),
        ("rejected", "engaged"),  # a rejected handoff comes back to the rep
        ("engaged", "nurture"),
        ("nurture", "attempting"),  # recycle
        ("disqualified", "new"),
    ],
)
def test_lifecycle_moves_are_allowed(current, target):
    assert can_move(current, target)
    assert check_move(current, target) == Status(target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "qualified"),  # nobody qualifies a lead without talking to it
        ("new", "handed_off"),
        ("attempting", "won"),
        ("won", "new"),
        ("disqualified", "qualified"),
        ("qualified", "won"),
    ],
)
def test_skipping_steps_is_refused_with_a_readable_message(current, target):
    assert not can_move(current, target)
    with pytest.raises(TransitionError, match="cannot go from"):
        check_move(current, target)


def test_won_is_terminal():
    assert allowed_next("won") == frozenset()

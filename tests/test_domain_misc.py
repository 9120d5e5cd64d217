from hypothesis import given
from hypothesis import strategies as st

from leadtriage.domain.dispositions import BY_KEY, DEFAULT_DISPOSITIONS
from leadtriage.domain.frameworks import get_framework, load_frameworks
from leadtriage.domain.public_id import format_public_id, parse_public_id


@given(st.integers(min_value=1, max_value=10**9))
def test_public_id_round_trips(n):
    assert parse_public_id(format_public_id(n)) == n


def test_public_id_catches_typos_and_tolerates_formatting():
    pid = format_public_id(12345)
    assert parse_public_id(pid.lower()) == 12345
    assert parse_public_id(" " + pid.replace("-", " ") + " ") == 12345
    # Change one body character: the check symbol no longer fits.
    body = pid[3:-1]
    wrong = pid[:3] + ("1" if body[0] != "1" else "2") + body[1:] + pid[-1]
    assert parse_public_id(wrong) is None
    assert parse_public_id("hello") is None
    assert parse_public_id("") is None


def test_frameworks_ship_as_data_with_bant_default():
    frameworks = load_frameworks()
    assert {"bant", "champ", "meddpicc", "gpctba"} <= set(frameworks)
    bant = get_framework(None)
    assert bant.key == "bant"
    assert [c.key for c in bant.criteria] == ["budget", "authority", "need", "timeline"]
    answers = {"budget": {"met": True}, "need": {"met": True}, "timeline": {"met": True}}
    assert bant.meets_threshold(answers)
    assert bant.completeness(answers) == 0.75
    assert not bant.meets_threshold({"budget": {"met": True}})


def test_dispositions_have_unique_one_key_shortcuts():
    keys = [d.shortcut for d in DEFAULT_DISPOSITIONS]
    assert len(keys) == len(set(keys))
    assert all(len(k) == 1 for k in keys)
    assert BY_KEY["do_not_call"].disqualifies == "Do not call"
    assert BY_KEY["conversation"].conversation and not BY_KEY["no_answer"].connected

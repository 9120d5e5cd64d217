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


@given(st.integers(min_value=1, max_value=32**6 - 1), st.data())
def test_public_id_check_catches_any_single_change_and_neighbour_swap(n, data):
    pid = format_public_id(n)
    assert pid[3:].isalnum(), "IDs stay letters and digits (file names, spreadsheets)"
    body, check = pid[3:-1], pid[-1]
    i = data.draw(st.integers(0, len(body) - 1))
    from leadtriage.domain.public_id import ALPHABET

    other = data.draw(st.sampled_from([c for c in ALPHABET if c != body[i]]))
    changed = body[:i] + other + body[i + 1:]
    assert parse_public_id(f"LT-{changed}{check}") is None
    if i + 1 < len(body) and body[i] != body[i + 1] and {body[i], body[i + 1]} != {"0", "Z"}:
        swapped = body[:i] + body[i + 1] + body[i] + body[i + 2:]
        assert parse_public_id(f"LT-{swapped}{check}") is None

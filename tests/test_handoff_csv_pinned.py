"""The CRM and spreadsheet CSVs are byte-for-byte what tests/csv_oracle.py (the first,
slow version, frozen) writes: on the demo data and on leads full of hostile or odd
content, in any lead order, across chunk boundaries, with and without a meeting time."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from leadtriage.handoff import csv_export
from tests.csv_oracle import oracle_csv
from tests.handoff_helpers import hostile_lead, insert_lead

MEETING = "2026-12-01 09:30:00"
PLAIN_PLAN = json.loads(json.dumps({"timeline": "Q1", "budget_range": "€5k", "people": [{"name": "Li", "role": "CTO"}]}))


def _corpus(store) -> list[int]:
    """Leads whose cells begin with or contain what a CSV or a spreadsheet must not
    take literally, plus stored values of unexpected types and malformed JSON."""
    ids = [hostile_lead(store)]
    cells = [
        "\x00=cmd()", "\u202e=1+1", "\u200b+49 30 1234567", "+49\x0030 1234", "+12", "+1 555 CALL NOW",
        "+49 (0)30 123-45/6.7", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "\nnewline first", "two\nlines",
        "crlf\r\ninside", 'say "hi"', "a,b", "\x85C1 control", "\ufeffBOM", "\ufff9anchor", "ok\u202einside",
        "\u2066isolate\u2069", "emoji 😀 and عربى", "", " ", "'already quoted", "=", "+", '"', ",", "x" * 33000,
        "+" + "1" * 30, "+" + "1" * 31, "=\x00", "\x7f", "Ångström", "\u00a0nbsp first", "–dash first",
        "record\x1eseparator",
    ]
    text_columns = ("first_name", "last_name", "title", "company", "email", "phone", "website", "industry",
                    "source", "campaign", "city", "region", "country", "timezone", "owner", "status",
                    "motivations", "qualified_at")
    rng = random.Random(5)
    for i, value in enumerate(cells):
        column = text_columns[i % len(text_columns)]
        fields = {column: value} if column != "status" else {"motivations": value}
        fields[rng.choice(text_columns[:13])] = rng.choice(cells)
        ids.append(insert_lead(store, **fields))
    odd_values = [
        {"employees": "50-100"}, {"employees": 12.5}, {"employees": 1e20}, {"employees": -5}, {"employees": None},
        {"employees": "=1+2"}, {"score": 0.1 + 0.2}, {"website": b"\x00blob,\"x\""}, {"field_rep_id": None},
        {"phone": b"+4930123456"},
        {"motivations": None}, {"motivations": "..."}, {"motivations": "Ends with dots... "},
        {"pain_points": "not json"}, {"pain_points": '{"tag": "object, not list"}'}, {"pain_points": "[1, null, []]"},
        {"pain_points": json.dumps([{"tag": 7, "quote": None}, {"tag": "", "quote": ": x :"}, {"quote": "only"}])},
        {"pain_points": json.dumps([{"tag": "dup", "tag2": 1, "quote": True}, {"tag": ["a", "b"], "quote": {"k": 1}}])},
        {"pain_points": ' [{"tag": "spaces around", "quote": "q"}] '}, {"pain_points": '[{"tag": "x"}] trailing'},
        {"pain_points": '[{"tag": "dup", "tag": "last wins"}]'}, {"pain_points": "[]"}, {"pain_points": ""},
        {"buying_plan": json.dumps({"timeline": ["a", ["b", 2]], "budget_status": True, "budget_range": 5.0,
                                    "decision_process": {"k": "v"}, "current_solution": 0, "competitors": "One",
                                    "people": [{"name": None, "role": 3}, "x", {"name": "Bo"}],
                                    "next_milestone": None})},
        {"buying_plan": '{"timeline": "first", "timeline": "second"}'}, {"buying_plan": "[1, 2]"},
        {"buying_plan": json.dumps({"timeline": "=2+2", "budget_status": "\x00NUL first", "people": "not a list"})},
        {"buying_plan": json.dumps(PLAIN_PLAN, ensure_ascii=False)},
        {"qualification": json.dumps({"need": {"met": 1}, "budget": {"met": "yes"}, "x": [], "y": {"met": False}})},
        {"qualification": "null"}, {"qualification": "{bad"},
        # BLOBs where text belongs (only a foreign tool writes them): read as the text they hold
        {"motivations": b"Blob motive, with comma."}, {"first_name": b"\xff\xfeBinary"},
        {"pain_points": json.dumps([{"tag": "Blob", "quote": "pain"}]).encode()},
        {"buying_plan": b'{"timeline": "Q3"}'}, {"qualification": b'{"need": {"met": true}}'},
    ]
    ids += [insert_lead(store, **fields) for fields in odd_values]
    # TEXT that is not UTF-8 (SQLite does not check): read with U+FFFD
    for column, value in (("company", b"Caf\xc3"), ("motivations", b"Bad \xff motive"), ("email", b"x\xc3A\xa9y"),
                          ("last_name", b"\xed\xa0\x80surrogate"), ("pain_points", b'[{"tag": "\xc3"}]')):
        lead_id = insert_lead(store)
        with store.transaction():
            store.conn.execute(f"UPDATE leads SET {column} = CAST(? AS TEXT) WHERE id = ?", (value, lead_id))
        ids.append(lead_id)
    # Long enough to reach the description's cell limit: an ID, a recorded meeting time;
    # and a meeting time stored as a BLOB.
    long_id, long_meeting, blob_meeting = (insert_lead(store) for _ in range(3))
    with store.transaction():
        store.conn.execute("UPDATE leads SET public_id = ? WHERE id = ?", ("LT-" + "9" * 150, long_id))
        store.conn.execute("UPDATE leads SET motivations = ? WHERE id = ?", ("m" * 30950, long_id))
        store.conn.execute("INSERT INTO handoffs (lead_id, handed_off_at, meeting_at) VALUES (?, ?, ?)",
                           (long_meeting, "2026-11-22 09:00:00", "2026-12-01 " + "9" * 31990))
        store.conn.execute("INSERT INTO handoffs (lead_id, handed_off_at, meeting_at) VALUES (?, ?, ?)",
                           (blob_meeting, "2026-11-22 09:00:00", b"\x00\xff,meeting"))
    return ids + [long_id, long_meeting, blob_meeting]


def _add_handoffs(store, lead_ids):
    """Recorded meetings: several per lead (the latest wins), some without a time."""
    with store.transaction():
        for n, lead_id in enumerate(lead_ids[::3]):
            for k, meeting in enumerate(("2026-11-01 10:00:00", None, f"2026-12-{1 + n % 27:02d} 08:00:00")[: 1 + n % 3]):
                store.conn.execute(
                    "INSERT INTO handoffs (lead_id, handed_off_at, meeting_at) VALUES (?, ?, ?)",
                    (lead_id, f"2026-11-2{k} 09:00:00", meeting))


@pytest.fixture
def corpus(demo_store):
    ids = [r[0] for r in demo_store.conn.execute("SELECT id FROM leads ORDER BY id")]
    extra = _corpus(demo_store)
    _add_handoffs(demo_store, extra)
    ids = ids + extra
    random.Random(3).shuffle(ids)
    # a lead asked for twice and one that does not exist
    return demo_store, ids[:50] + ids[:3] + [10**9] + ids[50:]


@pytest.mark.parametrize("key", sorted(csv_export.PROFILES))
@pytest.mark.parametrize("meeting_at", [None, MEETING])
def test_csv_is_byte_identical_to_the_oracle(corpus, tmp_path, monkeypatch, key, meeting_at):
    store, ids = corpus
    monkeypatch.setattr(csv_export, "CHUNK_ROWS", 97)  # many chunk boundaries
    path = tmp_path / f"{key}.csv"
    written = csv_export.export_csv(store.path, ids, csv_export.PROFILES[key], path, meeting_at=meeting_at)
    assert written == len(ids)
    expected = oracle_csv(sqlite3.connect(store.path), ids, key, meeting_at)
    actual = path.read_bytes()
    if actual != expected:  # show the first differing row, not two megabytes
        pairs = zip(actual.split(b"\r\n"), expected.split(b"\r\n"), strict=False)
        line, (got, want) = next((i, p) for i, p in enumerate(pairs) if p[0] != p[1])
        pytest.fail(f"line {line} differs:\n got  {got[:400]!r}\n want {want[:400]!r}")
    assert len(actual.split(b"\r\n")) > 650


from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from leadtriage.handoff.text import _STRIP  # noqa: E402

# Text with what matters here over-represented: triggers, quotes, separators,
# characters to strip (one byte and multi-byte), phone-number characters, non-BMP.
_TEXT = st.text(st.one_of(
    st.sampled_from("=+-@\t\r\n\",; '0123456789 ()./\x00\x07\x1e\x7f\x85\u200b\u202e\u2066\ufeff\ufffa€“£é😀"),
    st.characters(blacklist_categories=("Cs",)),  # a lone surrogate cannot be stored
), max_size=30)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_strippable_check_agrees_with_the_strip_pattern(text):
    assert csv_export._needs_plain(text.encode()) == bool(_STRIP.search(text))


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=12).map(lambda b: b.replace(b"\x00", b"")), _TEXT)
@example(b"\xc3A\xa9", "")  # a character interrupted by an ASCII byte
def test_bytes_that_are_not_utf8_go_the_plain_way(data, text):
    try:
        data.decode()
    except UnicodeDecodeError:
        valid = False
    else:
        valid = True
    joined = text.encode() + data
    assert csv_export._needs_plain(joined) == (not valid or bool(_STRIP.search(text + data.decode(errors="replace"))))


_VALUE = st.one_of(_TEXT, st.integers(-10**18, 10**18), st.floats(allow_nan=False), st.none(),
                   st.binary(max_size=6))
_COLUMNS = ("first_name", "company", "phone", "employees", "campaign", "motivations", "pain_points")


@pytest.fixture(scope="module")
def scratch_store(tmp_path_factory):
    from leadtriage.safety.opening import open_store

    store = open_store(tmp_path_factory.mktemp("vouch") / "v.db")
    yield store
    store.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(*[_VALUE] * 5, *[st.none() | _TEXT] * 2), min_size=1, max_size=4),
       st.sampled_from(sorted(csv_export.PROFILES)))
def test_any_stored_values_export_as_the_oracle_writes_them(scratch_store, tmp_path, rows, key):
    """The fast way's promise: whatever a lead's cells hold (text of any kind, numbers,
    BLOBs, NULL; text in the discovery fields), every row is what the frozen first
    exporter writes."""
    ids = [insert_lead(scratch_store, **dict(zip(_COLUMNS, row, strict=True))) for row in rows]
    path = tmp_path / f"{key}.csv"
    try:
        csv_export.export_csv(scratch_store.path, ids, csv_export.PROFILES[key], path)
    except OverflowError:  # beyond SQLite's 64-bit integers: not a value a lead can hold
        return
    assert path.read_bytes() == oracle_csv(sqlite3.connect(scratch_store.path), ids, key, None)


def test_cancelling_stops_the_read_ahead_thread(demo_store, tmp_path, monkeypatch):
    import gc
    import threading

    class Cancelled(Exception):
        pass

    def cancel(_rows):
        raise Cancelled

    monkeypatch.setattr(csv_export, "CHUNK_ROWS", 50)
    ids = [r[0] for r in demo_store.conn.execute("SELECT id FROM leads")]
    with pytest.raises(Cancelled):
        csv_export.export_csv(demo_store.path, ids, csv_export.SALESFORCE, tmp_path / "x.csv", on_rows=cancel)
    assert not [t for t in threading.enumerate() if t.name.startswith("csv-read-ahead")]
    assert gc.isenabled()  # paused for the export only
    assert (tmp_path / "x.csv").read_bytes().count(b"\r\n") == 51  # the header and the first chunk


def test_a_profile_outside_the_registry_exports_too(demo_store, tmp_path):
    """A layout built by code (a team's own profile) is used as given, not looked up by key."""
    import dataclasses

    ids = [r[0] for r in demo_store.conn.execute("SELECT id FROM leads ORDER BY id LIMIT 30")]
    custom = dataclasses.replace(csv_export.SALESFORCE, key="csv-team")
    csv_export.export_csv(demo_store.path, ids, custom, tmp_path / "team.csv")
    csv_export.export_csv(demo_store.path, ids, csv_export.SALESFORCE, tmp_path / "sf.csv")
    assert (tmp_path / "team.csv").read_bytes() == (tmp_path / "sf.csv").read_bytes()

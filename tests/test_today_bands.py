"""The Today bands as SQL (the queue's list) and as a rule for one row on screen
(a row the rep just changed) give the same band."""

import itertools
import sqlite3
from dataclasses import dataclass

from leadtriage.domain.today import TODAY_BANDS, row_band

AT = {"now": "2026-11-24 15:00:00", "day_end": "2026-11-24 23:00:00", "today": "2026-11-24"}
TIMES = [None, "2026-11-20 09:00:00", AT["now"], "2026-11-24 18:00:00", "2026-11-26 09:00:00"]
STATUSES = ["new", "attempting", "engaged", "qualified", "nurture", "rejected", "disqualified"]


@dataclass
class Row:
    status: str
    next_action_at: str | None
    connects: int
    do_not_call: int
    nurture_until: str | None


def _sql_band(conn, row: Row) -> str:
    conn.execute("DELETE FROM leads")
    conn.execute("INSERT INTO leads VALUES (?, ?, ?, ?, ?)",
                 (row.status, row.next_action_at, row.connects, row.do_not_call, row.nurture_until))
    for label, where, _order in TODAY_BANDS:
        if conn.execute(f"SELECT count(*) FROM leads WHERE {where}", AT).fetchone()[0]:
            return label
    return ""


def test_a_changed_row_shows_the_band_the_list_would_put_it_in():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE leads (status, next_action_at, connects, do_not_call, nurture_until)")
    checked = 0
    for status, when, connects, until in itertools.product(STATUSES, TIMES, (0, 2), (None, "2026-11-01")):
        row = Row(status, when, connects, 0, until)
        if status == "nurture" and when is None:
            continue  # resurfacing by date alone is left to the list (the row has no time to show)
        if status == "new" and when is not None:
            continue  # the list puts a new lead in New whatever its time; the row rule names timed bands only
        sql = _sql_band(conn, row)
        assert row_band(row, AT, today=True) == sql, row
        if when is not None:  # other views name the band from the time of the next action
            assert row_band(row, AT, today=False) == sql, row
        checked += 1
    assert checked > 100


def test_bands_are_disjoint():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE leads (status, next_action_at, connects, do_not_call, nurture_until)")
    for status, when, connects, until in itertools.product(STATUSES, TIMES, (0, 2), (None, "2026-11-01")):
        conn.execute("DELETE FROM leads")
        conn.execute("INSERT INTO leads VALUES (?, ?, ?, 0, ?)", (status, when, connects, until))
        held = [label for label, where, _ in TODAY_BANDS
                if conn.execute(f"SELECT count(*) FROM leads WHERE {where}", AT).fetchone()[0]]
        assert len(held) <= 1, (status, when, connects, until, held)

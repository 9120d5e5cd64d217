"""A lead that a foreign tool left with a BLOB or invalid UTF-8 in a text column still
shows in the queue and opens in the workspace (before: the whole view failed to load,
and the window could crash drawing it)."""

from __future__ import annotations

from datetime import UTC, datetime

from leadtriage.store import queue as q
from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.worker import Worker
from tests.conftest import FIXED_NOW
from tests.handoff_helpers import insert_lead


def _leads(store) -> tuple[int, int]:
    blob = insert_lead(store, first_name=b"Blob Anna", company=b"Blob GmbH", score=90)
    bad = insert_lead(store, last_name="Valid", score=10)
    with store.transaction():
        store.conn.execute("UPDATE leads SET company = CAST(? AS TEXT) WHERE id = ?", (b"Caf\xc3 Nord", bad))
        store.conn.execute("UPDATE activities SET notes = CAST(? AS TEXT) WHERE lead_id = ?", (b"note \xff", bad))
    return blob, bad


def test_the_qualified_view_lists_them_as_text(store):
    blob, bad = _leads(store)
    segments = q.plan(store.conn, q.QueueQuery(view="qualified"), q.Moment(datetime(2026, 11, 23, tzinfo=UTC)))
    items, _ = q.fetch(store.conn, segments, None, 50)
    rows = {item.row.id: item.row for item in items}
    assert rows[blob].name == "Blob Anna Meyer" and rows[blob].company == "Blob GmbH"
    assert rows[bad].company == "Caf\ufffd Nord"
    assert q.timeline(store.conn, bad)[0]["notes"] == "note \ufffd"


def test_the_window_shows_and_opens_them(qtbot, store, qsettings):
    blob, bad = _leads(store)
    window = MainWindow(store, Worker(synchronous=True), qsettings, clock=lambda: FIXED_NOW)
    qtbot.addWidget(window)
    window.show()
    window.select_view("qualified")
    model = window.table.model()
    names = {model.index(r, c).data() for r in range(model.rowCount()) for c in range(model.columnCount())}
    assert {"Blob Anna Meyer", "Blob GmbH", "Caf\ufffd Nord"} <= names
    window.open_lead(blob)
    assert window.panel.heading.text() == "Blob Anna Meyer"
    window.open_lead(bad)
    assert window.panel.values["company"].text() == "Caf\ufffd Nord"


def test_filter_options_end_even_over_a_campaign_that_is_not_utf8(store):
    """The filter bar's skip-scan feeds each value back into SQL: read leniently,
    "Ca\\xff" would come back as "Ca\ufffd", sort before itself and be found forever.
    Read as stored, it fails once and loudly (the bar keeps its options; logged)."""
    import sqlite3
    import threading

    lead_id = insert_lead(store)
    with store.transaction():
        store.conn.execute("UPDATE leads SET campaign = CAST(? AS TEXT) WHERE id = ?", (b"Ca\xff", lead_id))
    outcome = []

    def scan():
        try:
            outcome.append(q.filter_options(store.conn))
        except sqlite3.OperationalError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=scan, daemon=True)
    thread.start()
    thread.join(10)
    assert outcome, "filter_options did not finish"

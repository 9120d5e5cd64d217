"""A rep's first week (issue 15), driven through the keyboard as a rep works: notes
that stay notes, queue rows that follow what was saved, reminders that do not
interrupt, and the panels that tell the rep what they need to know."""

from __future__ import annotations

import json
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from leadtriage.store.timeutil import to_db
from tests.conftest import FIXED_NOW
from tests.test_workspace_flows import add_leads, lead, make_window


def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


# -- 4. typing notes never changes the outcome ------------------------------------------

def test_after_an_outcome_key_typing_goes_into_the_notes(qtbot, store, qsettings):
    add_leads(store)
    window = make_window(qtbot, store, qsettings)
    call = window.panel.call
    _key(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    _key(qtbot, Qt.Key.Key_T)  # Conversation
    assert call.disposition.key == "conversation"
    assert QApplication.focusWidget() is call.notes
    # Every letter here is also an outcome key (n, t, m, d, i, b, c, g, v, w, x).
    qtbot.keyClicks(QApplication.focusWidget(), "ben wants a demo in two weeks")
    assert call.notes.toPlainText() == "ben wants a demo in two weeks"
    assert call.disposition.key == "conversation"
    # Digits are text in the notes too: the next step stays unchosen.
    qtbot.keyClicks(QApplication.focusWidget(), " 3")
    assert call.pick is None and call.notes.toPlainText().endswith(" 3")
    # Tab leaves the notes; then a digit picks the next step again.
    _key(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not call.notes
    _key(qtbot, Qt.Key.Key_2)
    assert call.pick == "tomorrow"
    _key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    row = lead(store, 1)
    assert row["status"] == "engaged"
    notes = store.conn.execute("SELECT disposition, notes FROM activities WHERE lead_id = 1 AND kind = 'call'").fetchone()
    assert notes == ("conversation", "ben wants a demo in two weeks 3")


def test_cheat_sheet_says_where_typed_keys_go(qtbot, store, qsettings):
    add_leads(store, 1)
    window = make_window(qtbot, store, qsettings)
    rows = dict(window._shortcut_rows())
    typing = [v for k, v in rows.items() if "notes" in v.lower() and "outcome" in v.lower()]
    assert typing, rows


# -- 18. the empty panel ---------------------------------------------------------------

def test_no_lead_selected_shows_no_do_not_call_banner(qtbot, store, qsettings):
    add_leads(store, 2)
    window = make_window(qtbot, store, qsettings)
    window.table.clearSelection()
    ws = window.panel
    assert ws.lead is None and ws.heading.text() == "No lead selected"
    assert not ws.call.dnc.isVisibleTo(ws)


# -- 17. the timeline reads in the side panel -----------------------------------------

def test_timeline_wraps_and_shows_outcome_amounts(qtbot, store, qsettings):
    add_leads(store, 1, status="handed_off")
    note = "Field rep met the COO; they want the premium plan rolled out to all three plants next quarter."
    with store.transaction() as db:
        db["activities"].insert_all([
            {"lead_id": 1, "kind": "outcome", "notes": note, "occurred_at": to_db(FIXED_NOW - timedelta(days=1)),
             "data": json.dumps({"outcome": "opportunity", "amount": 48000.0})},
        ])
    window = make_window(qtbot, store, qsettings, "handed_off")
    ws = window.panel
    view = ws.timeline_view
    assert view.wordWrap()
    what = ws.timeline.index(0, 1).data()
    assert "opportunity" in what.lower() and "48,000" in what
    ws.tabs.setCurrentIndex(4)
    qtbot.waitUntil(view.isVisible)
    view.resizeRowsToContents()
    line = view.fontMetrics().height()
    assert view.rowHeight(0) > 2 * line  # the note is shown whole, over several lines

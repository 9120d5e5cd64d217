"""A rep's first week (issue 15), driven through the keyboard as a rep works: notes
that stay notes, queue rows that follow what was saved, reminders that do not
interrupt, and the panels that tell the rep what they need to know."""

from __future__ import annotations

import json
from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from leadtriage.store.timeutil import to_db
from leadtriage.ui.queue.table_model import COL
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


def test_a_key_that_is_no_outcome_starts_the_notes(qtbot, store, qsettings):
    add_leads(store)
    window = make_window(qtbot, store, qsettings)
    call = window.panel.call
    _key(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # focus on the outcome buttons
    assert QApplication.focusWidget() is not call.notes
    qtbot.keyClicks(QApplication.focusWidget(), "a")  # not an outcome key
    assert QApplication.focusWidget() is call.notes and call.notes.toPlainText() == "a"
    qtbot.keyClicks(QApplication.focusWidget(), "sked for a brochure")
    assert call.notes.toPlainText() == "asked for a brochure" and call.disposition is None


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
    assert not ws.status_chip.isVisibleTo(ws)


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


# -- 7. queue rows follow what was saved --------------------------------------------------

def _overdue_callbacks(store, n=3):
    add_leads(store, n, status="engaged", connects=1, attempts=1)
    with store.transaction():
        for i in range(1, n + 1):
            store.conn.execute("UPDATE leads SET next_action_at = ? WHERE id = ?",
                               (to_db(FIXED_NOW - timedelta(hours=10 - i)), i))


def _select(window, row):
    from PySide6.QtCore import QItemSelectionModel

    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    window.table.selectionModel().setCurrentIndex(window.leads.index(row, 1), flags)


def _cell(window, row, column):
    return window.leads.index(row, COL[column]).data()


def test_saved_call_refreshes_its_row_in_place_and_keeps_the_place(qtbot, store, qsettings):
    _overdue_callbacks(store)
    window = make_window(qtbot, store, qsettings, "today")
    assert [_cell(window, r, "Priority") for r in range(3)] == ["Overdue"] * 3
    _select(window, 1)
    window.panel.call.call_button.setFocus()
    assert window.panel.lead["id"] == 2
    before_next = _cell(window, 1, "Next action")
    _key(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    _key(qtbot, Qt.Key.Key_N)  # no answer: try again on the next business day
    _key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert window.leads.lead_id(1) == 2  # same place in the list
    assert _cell(window, 1, "Priority") != "Overdue"
    assert _cell(window, 1, "Next action") != before_next
    assert _cell(window, 1, "Last touch") != ""
    assert [r.row() for r in window.table.selectionModel().selectedRows()] == [1]
    assert window.panel.lead["id"] == 2
    # Save and next: the row just worked is fresh, the next one is selected.
    _key(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    _key(qtbot, Qt.Key.Key_C)  # callback requested (no usual retry: next step chosen below)
    _key(qtbot, Qt.Key.Key_Tab)
    _key(qtbot, Qt.Key.Key_3)
    _key(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.panel.lead["id"] == 3
    assert [r.row() for r in window.table.selectionModel().selectedRows()] == [2]
    assert window.leads.lead_id(1) == 2 and _cell(window, 1, "Priority") != "Overdue"


def test_status_moves_refresh_the_row(qtbot, store, qsettings):
    _overdue_callbacks(store)
    window = make_window(qtbot, store, qsettings, "today")
    _select(window, 0)
    ws = window.panel
    window.table.setFocus()
    _key(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)  # Nurture
    dialog = ws.active_dialog
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert lead(store, 1)["status"] == "nurture"
    assert window.leads.lead_id(0) == 1
    assert _cell(window, 0, "Status") == "Nurture" and _cell(window, 0, "Priority") != "Overdue"
    until = lead(store, 1)["nurture_until"]
    assert date.fromisoformat(until).weekday() < 5  # resurfaces on a working day, and says when
    assert f"resurfaces {date.fromisoformat(until):%a %d %b %Y}" in ws.message.text()
    _select(window, 1)
    _key(qtbot, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # Disqualify
    dialog = ws.active_dialog
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert _cell(window, 1, "Status") == "Disqualified"
    assert [r.row() for r in window.table.selectionModel().selectedRows()] == [1]


# -- 8. reminders live in the queue, never over a dialog -----------------------------------

def _callbacks_coming_due(store):
    add_leads(store, 3, status="engaged", connects=1, attempts=1)
    with store.transaction():
        for i, minutes in ((1, 5), (2, 7), (3, 600)):
            store.conn.execute("UPDATE leads SET next_action_at = ?, next_action = 'Call back' WHERE id = ?",
                               (to_db(FIXED_NOW + timedelta(minutes=minutes)), i))


def _top_level_dialogs():
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def test_reminders_are_a_notice_in_the_queue_with_open_and_snooze(qtbot, store, qsettings):
    from leadtriage.store.settings import SettingsStore
    from leadtriage.ui.settings_dialog import SettingsDialog

    _callbacks_coming_due(store)
    now = [FIXED_NOW]
    window = make_window(qtbot, store, qsettings, "today")
    window.reminders.clock = window.clock = lambda: now[0]
    window.leads._clock = lambda: now[0]
    bar = window.reminders.bar
    assert bar.lead_ids() == []
    # The rep is in Settings when two callbacks come due: nothing pops over the dialog.
    dialog = SettingsDialog(SettingsStore(store), window.field_reps, window)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    before = _top_level_dialogs()
    now[0] = FIXED_NOW + timedelta(minutes=8)
    due = window.reminders.check()
    assert [d.lead_id for d in due] == [1, 2]
    assert _top_level_dialogs() == before  # no message box, no second window
    assert bar.lead_ids() == [1, 2] and bar.isVisibleTo(window)
    assert [_cell(window, window.leads.row_of(i), "Priority") for i in (1, 2)] == ["Overdue", "Overdue"]
    assert not window.reminders.balloon_allowed()  # no desktop balloon while a dialog runs
    dialog.reject()
    assert window.reminders.balloon_allowed()
    # Told once per lead: the same leads due again do not stack a second notice.
    window.reminders.notify(due)
    assert bar.lead_ids() == [1, 2]
    # Snooze from the keyboard: the notice for lead 1 goes, and comes back later.
    snooze = bar.snooze_button(1)
    snooze.setFocus()
    qtbot.keyClick(snooze, Qt.Key.Key_Space)
    assert bar.lead_ids() == [2]
    now[0] += timedelta(minutes=5)
    window.reminders.check()
    assert bar.lead_ids() == [2]
    now[0] += timedelta(minutes=15)
    window.reminders.check()
    assert sorted(bar.lead_ids()) == [1, 2]
    # Open from the keyboard: the lead opens in the panel and its notice goes.
    button = bar.open_button(2)
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert window.panel.lead["id"] == 2
    assert [r.row() for r in window.table.selectionModel().selectedRows()] == [window.leads.row_of(2)]
    assert bar.lead_ids() == [1]
    # A call logged for a lead takes its notice away too.
    window.table.setFocus()
    window.reminders.forget(1)
    assert bar.lead_ids() == [] and not bar.isVisibleTo(window)


# -- 20. small things a newcomer notices -----------------------------------------------------

def test_one_search_result_reads_one_match(qtbot, store, qsettings):
    add_leads(store, 3)
    window = make_window(qtbot, store, qsettings)
    window.focus_search()
    qtbot.keyClicks(window.search, "Lead2")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.leads.rowCount() == 1
    assert window.list_info.text().startswith("1 match in all leads")
    window.search.clear()
    qtbot.keyClicks(window.search, "555 0003")  # a phone number with a space
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert [window.leads.lead_id(r) for r in range(window.leads.rowCount())] == [3]


def test_name_and_company_headers_sort_the_list(qtbot, store, qsettings):
    from PySide6.QtCore import QPoint

    add_leads(store, 3)
    with store.transaction():
        for i, (last, company) in enumerate((("Zorn", "beta"), ("Abel", "Gamma"), ("meyer", "alpha")), start=1):
            store.conn.execute("UPDATE leads SET last_name = ?, company = ? WHERE id = ?", (last, company, i))
    window = make_window(qtbot, store, qsettings, "all")
    header = window.table.horizontalHeader()

    def click(column):
        x = header.sectionViewportPosition(COL[column]) + header.sectionSize(COL[column]) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

    click("Name")
    assert window.leads.query.sort == "name"
    names = [_cell(window, r, "Name") for r in range(3)]
    assert [n.split()[-1] for n in names] in (["Abel", "meyer", "Zorn"], ["Zorn", "meyer", "Abel"])
    click("Company")
    assert window.leads.query.sort == "company"
    companies = [_cell(window, r, "Company") for r in range(3)]
    assert companies in (["alpha", "beta", "Gamma"], ["Gamma", "beta", "alpha"])
    assert "cannot be sorted" not in window.statusBar().currentMessage()


# -- 12. the lead's local time, and why nobody is callable ----------------------------------

def test_call_and_contact_tabs_show_the_leads_local_time(qtbot, store, qsettings):
    add_leads(store, 2)
    with store.transaction():
        store.conn.execute("UPDATE leads SET timezone = 'Europe/Berlin', phone = '+49305525372' WHERE id = 1")
        store.conn.execute("UPDATE leads SET timezone = 'Asia/Tokyo', phone = '+81312345678' WHERE id = 2")
    window = make_window(qtbot, store, qsettings)  # Monday 14:00 UTC
    ws = window.panel
    assert ws.lead["id"] == 1
    for label in (ws.call.local_label, ws.card.local_label):
        assert "Mon 15:00" in label.text() and "Europe/Berlin" in label.text()
        assert "within calling hours" in label.text()
        assert label.isVisibleTo(ws.tabs.widget(0)) or label.isVisibleTo(ws.tabs.widget(1))
    _select(window, 1)
    assert ws.lead["id"] == 2
    text = ws.call.local_label.text()
    assert "Mon 23:00" in text and "outside calling hours" in text and "after 17:30" in text
    assert ws.card.local_label.text() == text


def test_callable_now_says_why_nobody_is_found(qtbot, store, qsettings):
    add_leads(store, 2)
    with store.transaction():
        store.conn.execute("UPDATE leads SET timezone = 'Asia/Tokyo', phone = '+81312345678'")
    window = make_window(qtbot, store, qsettings)
    window.filters.callable_now.setChecked(True)
    assert window.leads.rowCount() == 0
    info = window.list_info.text()
    assert "Nobody is callable now" in info and "after calling hours" in info and "Asia/Tokyo" in info
    # On a Saturday the reason is the weekend.
    saturday = FIXED_NOW + timedelta(days=5)
    window.leads._clock = lambda: saturday
    window.leads.reload()
    assert "weekend" in window.list_info.text()


def _all_shortcuts(window):
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    keys = []
    for action in window.findChildren(QAction):
        keys += [(k.toString(), action.text()) for k in action.shortcuts() if not k.isEmpty()]
    for shortcut in window.findChildren(QShortcut):
        if shortcut.isEnabled() and not shortcut.key().isEmpty() and shortcut.key().count() == 1 and \
                shortcut.key()[0].keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
            keys.append((shortcut.key().toString(), shortcut.parent().objectName() or type(shortcut.parent()).__name__))
    return keys, QKeySequence


def test_no_key_means_two_things_and_the_sheet_shows_each_once(qtbot, store, qsettings):
    add_leads(store, 1)
    window = make_window(qtbot, store, qsettings)
    keys, _ = _all_shortcuts(window)
    seen: dict[str, str] = {}
    clashes = []
    for key, what in keys:
        if key in seen and seen[key] != what:
            clashes.append((key, seen[key], what))
        seen.setdefault(key, what)
    assert clashes == []
    sheet = dict((v, k) for k, v in window._shortcut_rows())
    assert sheet["Settings…"] == "Ctrl+,"  # not ", Ctrl+," (an empty platform key left out)
    assert all(not k.startswith(",") and not k.endswith(", ") for k in sheet.values())


def test_readme_names_the_keys_the_app_uses(qtbot, store, qsettings):
    import re
    from pathlib import Path

    add_leads(store, 1)
    window = make_window(qtbot, store, qsettings)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    dashboard = window.dashboard_action.shortcut().toString()
    for line in re.findall(r"[^\n]*Dashboard[^\n]*Ctrl\+[^\n]*", readme):
        for key in re.findall(r"Ctrl\+(?:Shift\+)?[A-Z]\b", line):
            assert key == dashboard, line
    assert "LEADTRIAGE_COLOR_SCHEME" in readme


def test_refresh_keeps_the_place_far_down_the_list(qtbot, store, qsettings):
    add_leads(store, 260)
    window = make_window(qtbot, store, qsettings, "new")
    while window.leads.rowCount() < 240 and window.leads.canFetchMore():
        window.leads.fetchMore()
    _select(window, 230)
    lead_id = window.leads.lead_id(230)
    assert window.panel.lead["id"] == lead_id
    window.table.setFocus()
    _key(qtbot, Qt.Key.Key_F5)
    assert window.panel.lead["id"] == lead_id
    row = window.leads.row_of(lead_id)
    assert [r.row() for r in window.table.selectionModel().selectedRows()] == [row]
    rect = window.table.visualRect(window.leads.index(row, 1))
    assert window.table.viewport().rect().intersects(rect)  # scrolled to, not back at the top


def test_a_new_sort_starts_at_the_top_of_the_list(qtbot, store, qsettings):
    from leadtriage.ui.queue.table_model import PAGE

    add_leads(store, 250)
    window = make_window(qtbot, store, qsettings, "new")
    window.table.clearSelection()
    window.table.scrollToBottom()
    qtbot.wait(20)
    assert window.leads.rowCount() > PAGE  # scrolling down read more
    header = window.table.horizontalHeader()
    header.setSortIndicator(COL["Name"], Qt.SortOrder.AscendingOrder)
    qtbot.wait(20)
    assert window.table.verticalScrollBar().value() == 0
    assert window.leads.rowCount() == PAGE  # one page read, not a second one for an unseen bottom

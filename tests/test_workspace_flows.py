"""The rep's day through the keyboard: call, outcome, save and next; discovery and
qualify; nurture with a date; undo several steps; hostile text stays plain."""

import json
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from leadtriage.services.field_reps import FieldRepService
from leadtriage.store.timeutil import to_db
from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.worker import Worker
from tests.conftest import FIXED_NOW, add_lead


def add_leads(store, n=3, **fields):
    for i in range(1, n + 1):
        add_lead(store, i, **{"first_name": f"Lead{i}", "last_name": "Test", "company": f"Company {i}",
                              "phone": f"+1212555000{i}",
                              "score": 10 * (n - i),  # New view sorts by score: lead 1 first
                              "created_at": "2026-11-20 10:00:00", "updated_at": "2026-11-20 10:00:00", **fields})


def make_window(qtbot, store, qsettings, view="new"):
    window = MainWindow(store, Worker(synchronous=True), qsettings, clock=lambda: FIXED_NOW)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.select_view(view)
    window.table.selectRow(0)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    target = window.panel.call.call_button if window.panel.call.call_button.isEnabled() else window.table
    target.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target)
    return window


def lead(store, lead_id):
    cur = store.conn.execute("SELECT * FROM leads WHERE id = ?", (lead_id,))
    return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def test_no_answer_logged_and_next_lead_open_in_three_keystrokes(qtbot, store, qsettings):
    add_leads(store)
    window = make_window(qtbot, store, qsettings)
    ws = window.panel
    assert ws.lead["id"] == 1
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # 1: Call
    assert ws.call.in_call and ws.call.timer_label.text() == "00:00"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N)  # 2: No answer
    assert ws.call.disposition.key == "no_answer"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # 3
    first = lead(store, 1)
    assert (first["status"], first["attempts"], first["next_action_at"]) == ("attempting", 1, "2026-11-24 14:00:00")
    assert ws.lead["id"] == 2 and ws.heading.text() == "Lead2 Test"
    assert not ws.call.in_call and ws.call.disposition is None


def test_an_outcome_is_required_before_moving_on(qtbot, store, qsettings):
    add_leads(store)
    window = make_window(qtbot, store, qsettings)
    ws = window.panel
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert ws.lead["id"] == 1 and "outcome" in ws.call.error.text()
    window.table.selectRow(1)  # clicking elsewhere does not leave the call either
    assert ws.lead["id"] == 1
    assert lead(store, 1)["attempts"] == 0


def test_conversation_with_pain_points_then_qualify(qtbot, store, qsettings):
    add_leads(store)
    rep = FieldRepService(store).save("Dana Whitfield", "dana@example.com", "US East")
    window = make_window(qtbot, store, qsettings)
    ws = window.panel
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_T)  # Conversation
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_2)  # tomorrow 9:00
    ws.call.notes.setFocus()
    qtbot.keyClicks(ws.call.notes, "Routes planned on a whiteboard")
    qtbot.keyClick(ws.call.notes, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # save, stay
    assert lead(store, 1)["status"] == "engaged" and ws.lead["id"] == 1
    # Discovery
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    tag, quote = ws.discovery.pains[0]
    tag.setFocus()
    qtbot.keyClicks(tag, "Manual work")
    qtbot.keyClicks(quote, "Two planners until ten every morning")
    qtbot.keyClick(quote, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert json.loads(lead(store, 1)["pain_points"]) == [
        {"tag": "Manual work", "quote": "Two planners until ten every morning"}]
    # Checklist: BANT, all four with evidence
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    for key, (box, evidence) in ws.checklist.checks.items():
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Space)
        qtbot.keyClicks(evidence, f"Evidence for {key}")
    assert ws.checklist.meter.value() == 4
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    dialog = ws.active_dialog
    assert dialog is not None and dialog.rep.currentData() == rep
    qtbot.keyClick(dialog.rep, Qt.Key.Key_Return)
    after = lead(store, 1)
    assert after["status"] == "qualified" and after["field_rep_id"] == rep
    assert json.loads(after["qualification"])["budget"] == {"met": True, "evidence": "Evidence for budget"}
    assert ws.qualify_button.isHidden() and not ws.nurture_button.isHidden()  # qualified -> nurture allowed
    assert ws.status_chip.text().startswith("Qualified")


def test_qualify_is_refused_below_threshold(qtbot, store, qsettings):
    add_leads(store, status="engaged")
    FieldRepService(store).save("Dana")
    window = make_window(qtbot, store, qsettings, "engaged")
    qtbot.keyClick(window.panel, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    assert window.panel.active_dialog is None
    assert "0 of 4 criteria" in window.panel.message.text()
    assert lead(store, 1)["status"] == "engaged"


def test_nurture_with_a_date_comes_back_on_that_date(qtbot, store, qsettings):
    add_leads(store, status="engaged")
    window = make_window(qtbot, store, qsettings, "engaged")
    ws = window.panel
    qtbot.keyClick(ws, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    dialog = ws.active_dialog
    back = FIXED_NOW.astimezone().date() + timedelta(days=45)
    dialog.until.setDate(back)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    row = lead(store, 1)
    assert row["status"] == "nurture" and row["nurture_until"] == back.isoformat()
    assert row["next_action_at"] == to_db(ws.call.clock().astimezone().replace(
        year=back.year, month=back.month, day=back.day, hour=9, minute=0, second=0))
    # due in the nurture view order on that date, not before
    from leadtriage.services.reminders import due_between
    from leadtriage.store.timeutil import from_db
    due_at = from_db(row["next_action_at"])
    assert due_between(store, FIXED_NOW, due_at - timedelta(minutes=1)) == []
    assert [d.lead_id for d in due_between(store, FIXED_NOW, due_at)] == [1]
    assert window.views.counts["nurture"] == 1


def test_undo_several_steps_from_the_edit_menu(qtbot, store, qsettings):
    add_leads(store)
    window = make_window(qtbot, store, qsettings)
    ws = window.panel
    for key in (Qt.Key.Key_N, Qt.Key.Key_T):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClick(QApplication.focusWidget(), key)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    company = ws.values["company"]
    company.setFocus()
    company.selectAll()
    qtbot.keyClicks(company, "Nordwind GmbH")
    qtbot.keyClick(company, Qt.Key.Key_Return)
    assert lead(store, 1)["company"] == "Nordwind GmbH"
    assert window.undo_action.text() == "&Undo Edit company"
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert lead(store, 1)["company"] == "Company 1" and ws.values["company"].text() == "Company 1"
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert lead(store, 1)["status"] == "attempting"
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (lead(store, 1)["status"], lead(store, 1)["attempts"]) == ("new", 0)
    assert not window.undo_action.isEnabled()


def test_invalid_edit_is_explained_and_kept(qtbot, store, qsettings):
    add_leads(store)
    window = make_window(qtbot, store, qsettings)
    phone: QLineEdit = window.panel.values["phone"]
    phone.setFocus()
    phone.selectAll()
    qtbot.keyClicks(phone, "not a number")
    qtbot.keyClick(phone, Qt.Key.Key_Return)
    assert "not a phone number" in window.panel.card.error.text()
    assert phone.text() == "not a number" and lead(store, 1)["phone"] == "+12125550001"
    qtbot.keyClick(phone, Qt.Key.Key_Escape)
    assert phone.text() == "+12125550001"


def test_do_not_call_lead_is_never_offered_for_a_call(qtbot, store, qsettings):
    add_leads(store, 1, do_not_call=1, status="disqualified", status_reason="Do not call")
    window = make_window(qtbot, store, qsettings, "disqualified")
    ws = window.panel
    assert not ws.call.call_button.isEnabled() and not ws.call.outcomes.isEnabled()
    assert ws.call.dnc.isVisibleTo(ws) and "do-not-call" in ws.call.dnc.text()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert not ws.call.in_call
    assert not ws.recycle_button.isVisibleTo(ws)  # it stays out of the queue
    assert lead(store, 1)["attempts"] == 0


def test_hostile_text_is_shown_as_plain_text(qtbot, store, qsettings):
    rtl = "\u202eevil.exe\u202c"
    long = "A" * 5000
    add_leads(store, 1, first_name="<b>Bold</b>", last_name=rtl, company="<script>alert(1)</script>",
              title=long, custom_fields=json.dumps({"<i>col</i>": "<img src=x onerror=alert(1)>"}),
              score_reasons=json.dumps(["<b>chip</b>"]))
    window = make_window(qtbot, store, qsettings)
    ws = window.panel
    assert ws.heading.textFormat() == Qt.TextFormat.PlainText
    assert ws.heading.text() == f"<b>Bold</b> {rtl}"
    assert ws.values["company"].text() == "<script>alert(1)</script>"
    assert ws.subheading.textFormat() == Qt.TextFormat.PlainText and long in ws.subheading.text()
    assert ws.chips.texts() == ["<b>chip</b>"]
    labels = [ws.card.custom_form.itemAt(i).widget() for i in range(ws.card.custom_form.count())]
    assert {lbl.text() for lbl in labels} == {"<i>col</i>", "<img src=x onerror=alert(1)>"}
    assert all(lbl.textFormat() == Qt.TextFormat.PlainText for lbl in labels)


def test_shortcuts_help_lists_every_shortcut(qtbot, store, qsettings):
    add_leads(store, 1)
    window = make_window(qtbot, store, qsettings)
    rows = dict(window._shortcut_rows())
    text = " ".join(f"{k} {v}" for k, v in rows.items())
    for expected in ("Ctrl+Z", "Ctrl+D", "Ctrl+Return", "Alt+Q", "Settings", "Ctrl+1"):
        assert expected in text


def test_reminder_notice_and_overdue_title(qtbot, store, qsettings):
    add_leads(store, 2, status="attempting")
    with store.transaction():
        # A callback (the prospect was reached before) whose time has passed.
        store.conn.execute("UPDATE leads SET next_action_at = ?, connects = 1 WHERE id = 1",
                           (to_db(FIXED_NOW - timedelta(hours=1)),))
        store.conn.execute("UPDATE leads SET next_action_at = ?, next_action = 'Call back', connects = 1 WHERE id = 2",
                           (to_db(FIXED_NOW + timedelta(minutes=5)),))
    now = [FIXED_NOW]
    window = MainWindow(store, Worker(synchronous=True), qsettings, clock=lambda: now[0])
    qtbot.addWidget(window)
    assert window.windowTitle().endswith("— 1 overdue")
    now[0] = FIXED_NOW + timedelta(minutes=6)
    due = window.reminders.check()
    assert [d.lead_id for d in due] == [2]
    assert window.windowTitle().endswith("— 2 overdue")  # the counts follow the clock
    bar = window.reminders.bar
    assert bar.lead_ids() == [2] and bar.isVisibleTo(window)
    assert "Lead2 Test" in " ".join(label.text() for label in bar.findChildren(QLabel))
    assert window.reminders.check() == []  # told once
    window.reminders.forget(2)
    # Nothing comes due overnight, but "due today" and "nurture due" change with the day.
    refreshed = []
    window.reminders.counts_stale.connect(lambda: refreshed.append(True))
    window.reminders.check()
    assert refreshed == []
    now[0] = FIXED_NOW + timedelta(days=1)
    window.reminders.check()
    assert refreshed == [True]


def test_settings_dialog_saves_reps_region_and_dispositions(qtbot, store):
    from leadtriage.store.settings import SettingsStore
    from leadtriage.ui.settings_dialog import SettingsDialog

    settings = SettingsStore(store)
    dialog = SettingsDialog(settings, FieldRepService(store))
    qtbot.addWidget(dialog)
    dialog.region.setText("de")
    dialog.rep_form_name.setText("Ingrid")
    dialog.rep_form_territory.setText("DACH")
    assert dialog._save_rep()
    lines = dialog.dispositions.toPlainText().splitlines()
    dialog.dispositions.setPlainText("\n".join([*lines, "K | Sent brochure | attempt | 72"]))
    dialog.icp_industries.setText("Logistics, Gaming")
    dialog.accept()
    assert settings.get("default_region") == "DE"
    assert [r.name for r in FieldRepService(store).list()] == ["Ingrid"]
    assert settings.get("dispositions")[-1]["label"] == "Sent brochure"
    assert settings.get("icp")["industries"] == ["Logistics", "Gaming"]


def test_settings_dialog_refuses_bad_input_and_keeps_it(qtbot, store, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from leadtriage.store.settings import SettingsStore
    from leadtriage.ui.settings_dialog import SettingsDialog

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    settings = SettingsStore(store)
    dialog = SettingsDialog(settings, FieldRepService(store))
    qtbot.addWidget(dialog)
    dialog.dispositions.setPlainText("N | No answer\nN | Nobody home")
    dialog.accept()
    assert "already taken" in shown[-1] and settings.get("dispositions") == []
    assert "Nobody home" in dialog.dispositions.toPlainText()
    dialog.dispositions.setPlainText("N | No answer")
    dialog.region.setText("ZZ")
    dialog.accept()
    assert "ZZ" in shown[-1] and settings.get("default_region") == "US"

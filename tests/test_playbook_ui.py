"""The playbook in the window, driven like a rep: a due cadence step worked from
Today in three keystrokes, the script and objections in the call tab, the e-mail
draft, a bulk action undone with Ctrl+Z."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from leadtriage.leadwork.leads import LeadService
from leadtriage.playbook.service import PlaybookService
from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.worker import Worker
from tests.conftest import FIXED_NOW
from tests.playbook_helpers import CADENCE_YAML
from tests.test_workspace_flows import add_leads


def setup(store, n=3, **fields):
    add_leads(store, n, email="lead@example.test", **fields)
    service = PlaybookService(store, LeadService(store, "Rita", lambda: FIXED_NOW))
    service.import_text(CADENCE_YAML, "inbound.yaml")
    service.enrol(range(1, n + 1), "Inbound")
    service.settings.set("rep_name", "Rita")
    return service


def window_on(qtbot, store, qsettings, focus="table"):
    window = MainWindow(store, Worker(synchronous=True), qsettings, clock=lambda: FIXED_NOW)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.select_view("today")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def step_of(store, lead_id):
    return store.conn.execute("SELECT step FROM enrolments WHERE lead_id = ?", (lead_id,)).fetchone()[0]


def test_a_due_step_is_worked_from_today_in_three_keystrokes(qtbot, store, qsettings):
    setup(store)
    window = window_on(qtbot, store, qsettings)
    assert window.leads.index(0, 0).data() == "Cadence due"
    window.table.setFocus()
    window.table.setCurrentIndex(window.leads.index(0, 0))
    first = window.leads.lead_id(0)
    keys = [(Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier),  # 1: open the due lead
            (Qt.Key.Key_N, Qt.KeyboardModifier.NoModifier),  # 2: no answer
            (Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)]  # 3: save and next
    qtbot.keyClick(QApplication.focusWidget(), *keys[0])
    assert window.panel.lead["id"] == first
    assert window.playbook.panel.isVisible() and "step 1 of 5: First call" in window.playbook.panel.heading.text()
    qtbot.keyClick(QApplication.focusWidget(), *keys[1])
    qtbot.keyClick(QApplication.focusWidget(), *keys[2])
    assert step_of(store, first) == 1  # the cadence moved on to the e-mail
    assert window.panel.lead["id"] == window.leads.lead_id(1) != first


def test_script_is_merged_and_objections_filter_as_you_type(qtbot, store, qsettings):
    setup(store, n=1)
    window = window_on(qtbot, store, qsettings)
    window.table.selectRow(0)
    panel = window.playbook.panel
    assert panel.script.toPlainText().startswith("Hi Lead1, this is Rita about Company 1.")
    assert len(panel.visible_objections()) == 2
    qtbot.keyClicks(panel.search, "tool")
    assert panel.visible_objections() == ["“We already have a tool”\n→ Most of our customers did too; "
                                          "what made you sign up?"]
    assert not panel.no_match.isVisibleTo(panel)
    qtbot.keyClicks(panel.search, "zzz")
    assert panel.visible_objections() == []
    assert panel.no_match.isVisibleTo(panel)


def test_email_draft_warns_of_a_missing_field_and_logs_when_confirmed(qtbot, store, qsettings):
    service = setup(store, n=1)
    store.conn.execute("UPDATE leads SET email = 'lead1@example.test', first_name = NULL WHERE id = 1")
    service.log_call(1, "no_answer")  # now at the e-mail step
    window = window_on(qtbot, store, qsettings)
    window.open_lead(1)
    opened = []
    window.playbook.open_draft()
    dialog = window.playbook.dialog
    dialog._open_url = opened.append
    assert dialog.warning.isVisible() and "First name" in dialog.warning.text()
    assert "{{" not in dialog.body.toPlainText() and dialog.subject.text() == "Company 1 and us"
    assert not dialog.open_button.isEnabled() and not dialog.sent_button.isEnabled()
    dialog.checked.setChecked(True)
    dialog.body.setPlainText(dialog.body.toPlainText().replace("Hi ,", "Hi there,"))
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened and opened[0].toEncoded().data().decode().startswith("mailto:lead1@example.test?subject=Company%201%20and%20us")
    qtbot.mouseClick(dialog.sent_button, Qt.MouseButton.LeftButton)
    assert step_of(store, 1) == 2
    kinds = [r[0] for r in store.conn.execute("SELECT kind FROM activities WHERE lead_id = 1 ORDER BY id")]
    assert kinds[-1] == "email"


def test_bulk_pause_from_the_menu_is_one_undo_step(qtbot, store, qsettings):
    setup(store)
    window = window_on(qtbot, store, qsettings)
    window.table.selectAll()
    window.playbook.pause_action.trigger()
    paused = store.conn.execute("SELECT count(*) FROM enrolments WHERE paused_at IS NOT NULL").fetchone()[0]
    assert paused == 3
    window._update_undo()
    assert window.undo_action.text() == "&Undo Pause cadence"
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.conn.execute("SELECT count(*) FROM enrolments WHERE paused_at IS NOT NULL").fetchone()[0] == 0


def test_import_from_the_menu_reads_the_chosen_file(qtbot, store, qsettings, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    add_leads(store, 1)
    path = tmp_path / "inbound.yaml"
    path.write_text(CADENCE_YAML, "utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window = window_on(qtbot, store, qsettings)
    window.playbook.import_action.trigger()
    assert window.playbook.service.cadence_names() == ["Inbound"]


def test_cadence_results_in_the_app(qtbot, qtmodeltester, demo_store, qsettings):
    window = window_on(qtbot, demo_store, qsettings)
    window.playbook.results_action.trigger()
    model = window.playbook.dialog.view.model
    qtmodeltester.check(model)
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert any(n.startswith("Inbound webinar follow-up (") for n in names)
    assert "   1. Research the account" in names
    first_step = names.index("   1. Research the account")
    assert int(model.index(first_step, 1).data().replace(",", "")) > 0  # leads reached it


def test_the_dashboard_shows_the_cadence_results(qtbot, demo_store):
    from datetime import UTC

    from leadtriage.ui.dashboard import DashboardView
    from leadtriage.ui.worker import Worker
    from tests.conftest import FIXED_NOW

    view = DashboardView(demo_store, Worker(synchronous=True), now=FIXED_NOW, tz=UTC)
    qtbot.addWidget(view)
    tabs = [view.pages.tabText(i) for i in range(view.pages.count())]
    assert "Cadences" in tabs
    view.pages.setCurrentIndex(tabs.index("Cadences"))
    model = view.cadence_page.model
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert any(n.startswith("Inbound webinar follow-up (") for n in names)
    assert "Leads enrolled at any time" in view.cadence_page.note.text()


def test_the_import_wizard_enrols_the_new_batch_in_the_chosen_cadence(qtbot, store, tmp_path):
    from leadtriage.ui.importing.wizard import ImportWizard
    from tests.test_import_wizard import booth_file

    PlaybookService(store).import_text(CADENCE_YAML, "inbound.yaml")
    wizard = ImportWizard(store, Worker(synchronous=True), booth_file(tmp_path))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.next()
    picker = wizard.details_page.cadence
    assert picker.isEnabled() and [picker.itemText(i) for i in range(picker.count())] == ["(none)", "Inbound"]
    picker.setCurrentText("Inbound")
    wizard.next()
    assert "Cadence Inbound: 2 enrolled." in wizard.run_page.report.text()
    assert store.conn.execute("SELECT count(*) FROM enrolments WHERE ended_at IS NULL").fetchone()[0] == 2


def test_a_lead_that_left_its_cadence_shows_how(qtbot, store, qsettings):
    service = setup(store, n=1)
    service.leads.disqualify(1, "No need")
    window = window_on(qtbot, store, qsettings)
    window.open_lead(1)
    panel = window.playbook.panel
    assert panel.isVisibleTo(window) and panel.heading.text() == "Earlier cadences"
    assert panel.state.text() == "Inbound: Disqualified (2026-11-23)"
    assert not panel.script.isVisibleTo(window) and not panel.pause_button.isVisibleTo(window)


def test_a_lead_in_no_cadence_gets_its_sources_call_script(qtbot, store, qsettings):
    add_leads(store, 1, source="Webinar")
    service = PlaybookService(store)
    service.import_text(CADENCE_YAML + "source_scripts:\n  Webinar: Hi {{ first_name }}, about the webinar.\n",
                        "inbound.yaml")
    window = window_on(qtbot, store, qsettings)
    window.open_lead(1)
    panel = window.playbook.panel
    assert panel.isVisibleTo(window) and panel.heading.text() == "Call script for Webinar leads"
    assert panel.script.toPlainText() == "Hi Lead1, about the webinar."

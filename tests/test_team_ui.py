"""Team mode in the window: the sync line, Sync now, automatic sync, the Team page."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from leadtriage.demo import generate
from leadtriage.leadwork.leads import LeadService
from leadtriage.sync import admin, engine
from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.team import TeamPage
from leadtriage.ui.worker import Worker

pytestmark = pytest.mark.usefixtures("memory_keyring")


def _window(qtbot, store, qsettings) -> MainWindow:
    window = MainWindow(store, Worker(synchronous=True), qsettings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _crew(team):
    mgr, alice = team.add("mona", "manager"), team.add("alice")
    m = team.laptop(mgr)
    generate(m, leads=30, seed=6)
    engine.sync(m)
    with team.sql(mgr) as c:
        admin.assign(c, "round-robin")
    return (mgr, m), (alice, team.laptop(alice))


def test_single_user_mode_shows_no_sync_line(qtbot, demo_store, qsettings):
    window = _window(qtbot, demo_store, qsettings)
    assert not window.team.widget.isVisible()


def test_the_window_syncs_shows_the_line_and_sync_now_sends_changes(qtbot, team, qsettings):
    (mgr, m), (alice, la) = _crew(team)
    window = _window(qtbot, la, qsettings)
    qtbot.waitUntil(lambda: window.team.label.text() == "synced just now")  # caught up at start
    assert window.team.widget.isVisible()
    assert la.conn.execute("SELECT count(*) FROM leads").fetchone()[0] > 0
    lead = la.conn.execute("SELECT min(id) FROM leads").fetchone()[0]
    LeadService(la).log_activity(lead, "note", notes="from the window")
    window.team.check()  # the half-minute check: changes wait and we were online, so it syncs
    assert window.team.label.text() == "synced just now"
    with team.owner() as c:
        assert c.execute("SELECT count(*) FROM lt.activities WHERE data->>'notes' = 'from the window'").fetchone()[0] == 1
    # Offline: the line says so and counts what waits; Sync now tries again.
    la.conn.execute("UPDATE sync_state SET value = ? WHERE key = 'server'",
                    (json.dumps({**engine.saved_params(la), "port": "1"}),))
    LeadService(la).log_activity(lead, "note", notes="offline one")
    qtbot.mouseClick(window.team.button, Qt.MouseButton.LeftButton)
    assert window.team.label.text() == "offline · 1 change waiting"
    window.close()


def test_the_team_page_lists_conflicts_and_the_managers_team(qtbot, team):
    (mgr, m), (alice, la) = _crew(team)
    lead = la.conn.execute("SELECT min(id) FROM leads").fetchone()[0]
    m.conn.execute("INSERT INTO sync_conflicts (server_seq, lead_id, field, kept, lost, at) "
                   "VALUES (1, ?, 'status', '\"disqualified\"', '\"qualified\"', 'now')", (lead,))
    page = TeamPage(m, Worker(synchronous=True))
    qtbot.addWidget(page)
    assert page.conflicts.rowCount() == 1
    assert page.conflicts.item(0, 2).text() == "status"
    assert page.team.rowCount() == 1 and page.team.item(0, 0).text() == alice
    page._reviewed()
    assert page.conflicts.rowCount() == 0
    rep_page = TeamPage(la, Worker(synchronous=True))
    qtbot.addWidget(rep_page)
    assert not hasattr(rep_page, "team")  # the team view is the manager's

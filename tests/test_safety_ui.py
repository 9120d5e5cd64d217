from datetime import datetime, timedelta

from PySide6.QtWidgets import QMessageBox

from leadtriage.safety import backup as backups
from leadtriage.safety.opening import open_store
from leadtriage.safety.schedule import BackupScheduler
from leadtriage.services.leads import LeadService
from leadtriage.ui.backups import BackupTableModel, RestoreDialog, load_rows
from leadtriage.ui.main_window import MainWindow
from leadtriage.ui.worker import Worker

from .conftest import FIXED_NOW


def make_window(qtbot, store, qsettings):
    window = MainWindow(store, Worker(synchronous=True), qsettings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def menu_texts(window):
    file_menu = window.menuBar().actions()[0].menu()
    return [a.text() for a in file_menu.actions()]


def test_backup_model_passes_modeltester(qtmodeltester, demo_store):
    backups.backup(demo_store, "manual", now=datetime(2026, 11, 23, 9, 0))
    backups.backup(demo_store, "before-import", now=datetime(2026, 11, 23, 10, 0))
    model = BackupTableModel()
    model.set_rows(load_rows(demo_store.path))
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.data(model.index(0, 0)) == "2026-11-23  10:00:00"
    assert model.data(model.index(0, 1)) == "Before an import"
    assert model.data(model.index(0, 2)) == "600"


def test_back_up_now_from_the_file_menu(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    assert {"&Back up now", "&Restore backup…"} <= set(menu_texts(window))
    window.backups.backup_action.trigger()
    made = backups.list_backups(demo_store.path)
    assert len(made) == 1 and made[0].reason == "manual"
    assert "Backed up to" in window.statusBar().currentMessage()
    window.close()


def test_restore_dialog_lists_backups_and_restores(qtbot, demo_store, qsettings, monkeypatch):
    window = make_window(qtbot, demo_store, qsettings)
    backups.backup(demo_store, "manual", now=datetime(2026, 11, 23, 9, 0))
    LeadService(demo_store, clock=lambda: FIXED_NOW).update(1, {"company": "Changed after the backup"}, "Edit")
    dialog = RestoreDialog(demo_store.path, window)
    qtbot.addWidget(dialog)
    dialog.set_rows(load_rows(demo_store.path))
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save("/tmp/safety-restore-dialog.png")
    chosen = dialog.chosen()
    assert chosen is not None and dialog.restore_button.isEnabled()
    assert dialog.status.text().startswith("1 backup in")

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    window.backups.restore(chosen)
    assert demo_store.conn.execute("SELECT company FROM leads WHERE id = 1").fetchone()[0] != "Changed after the backup"
    assert shown and "Restored 600 leads" in shown[0]
    assert "before-restore" in shown[0]  # the replaced data was backed up first
    assert any(b.reason == "before-restore" for b in backups.list_backups(demo_store.path))
    assert window.views.counts["all"] == 600
    window.close()


def test_empty_restore_dialog_says_where_backups_go(qtbot, store):
    dialog = RestoreDialog(store.path)
    qtbot.addWidget(dialog)
    dialog.set_rows([])
    assert "No backups yet" in dialog.status.text()
    assert not dialog.restore_button.isEnabled()


def test_timer_tick_runs_the_periodic_backup(qtbot, demo_store, qsettings):
    window = make_window(qtbot, demo_store, qsettings)
    clock = {"now": datetime(2026, 11, 23, 9, 0)}
    window.backups._scheduler_factory = lambda s: BackupScheduler(s, clock=lambda: clock["now"], interval_minutes=30)
    assert window.backups.timer.isActive()
    window.backups.tick()
    assert len(backups.list_backups(demo_store.path)) == 1
    clock["now"] += timedelta(minutes=40)
    window.backups.tick()  # nothing changed: no new backup
    assert len(backups.list_backups(demo_store.path)) == 1
    LeadService(demo_store).log_activity(2, "call", notes="new work")
    window.backups.tick()
    assert len(backups.list_backups(demo_store.path)) == 2
    window.close()


def test_app_start_recovers_a_damaged_database_and_explains(qtbot, db_path, monkeypatch, qapp):
    from leadtriage.demo import generate
    from leadtriage.ui import app as app_mod
    from leadtriage.ui import backups as ui_backups

    with open_store(db_path) as s:
        generate(s, leads=200, seed=4, now=FIXED_NOW)
        backups.backup(s, "periodic")
    with open(db_path, "r+b") as fh:
        fh.seek(4096 * 5)
        fh.write(b"\xa5" * 4096 * 6)
    reports = []
    monkeypatch.setattr(ui_backups, "show_recovery_report", lambda parent, report: reports.append(report))
    session = app_mod.start(str(db_path))
    try:
        assert reports and reports[0].damaged_copy.exists()
        box = ui_backups.recovery_box(session.window, reports[0])
        box.show()
        box.grab().save("/tmp/safety-recovery-box.png")
        assert reports[0].damaged_copy.name in box.informativeText()
        box.close()
        assert session.store.integrity_check() == ["ok"]
        assert session.window.views.counts["all"] == 200
    finally:
        session.window.close()
        session.close()
        # The Session keeps the window alive after the test; none of its timers may
        # fire later on the store that was just closed.
        from PySide6.QtCore import QObject, QTimer

        for part in [session.window, *vars(session.window).values()]:
            if isinstance(part, QObject):
                for timer in part.findChildren(QTimer):
                    timer.stop()

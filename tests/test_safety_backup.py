import json
import os
import sqlite3
import stat
from datetime import date, datetime, timedelta

import pytest

from leadtriage.cli import main
from leadtriage.errors import UserError
from leadtriage.safety import backup as backups
from leadtriage.safety import retention
from leadtriage.safety.opening import open_store
from leadtriage.safety.retention import choose_keep
from leadtriage.safety.schedule import BackupScheduler, backup_before
from leadtriage.services.leads import LeadService

from .conftest import FIXED_NOW

TODAY = date(2026, 11, 23)


def at(d: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute)


# -- retention (pure) --------------------------------------------------------------------


def test_retention_keeps_everything_from_today_and_yesterday():
    stamps = [at(TODAY, h, m) for h in range(0, 24, 2) for m in (0, 30)]
    stamps += [at(TODAY - timedelta(days=1), h) for h in range(24)]
    assert choose_keep(stamps, TODAY) == set(stamps)


def test_retention_keeps_newest_per_day_week_and_month():
    # A backup every hour for 400 days.
    stamps = [at(TODAY - timedelta(days=d), h) for d in range(400) for h in range(0, 24)]
    keep = choose_keep(stamps, TODAY)
    yesterday = TODAY - timedelta(days=1)
    recent = {s for s in stamps if s.date() >= yesterday}
    assert recent <= keep
    older = sorted(keep - recent, reverse=True)
    # Daily: the last backup (23:00) of each of the 12 days before yesterday.
    for d in range(2, 14):
        assert at(TODAY - timedelta(days=d), 23) in keep
    assert at(TODAY - timedelta(days=2), 22) not in keep
    # Nothing else from a day that is not a week's or a month's newest.
    days_kept = {s.date() for s in older}
    weeks = {s.isocalendar()[:2] for s in older}
    months = {(s.year, s.month) for s in older}
    assert len(older) == len(days_kept)  # one per day at most
    assert len(weeks) >= 10
    assert len(months) == 9
    # Each month's newest backup is its last day's last hour.
    assert at(date(2026, 3, 31), 23) in keep and at(date(2026, 3, 30), 23) not in keep
    oldest_kept = min(older)
    assert oldest_kept.date() >= TODAY - timedelta(days=31 * 10)
    # 24*2 recent + 12 daily + up to 10 weekly + up to 9 monthly (buckets overlap).
    assert len(keep) <= 48 + 12 + 10 + 9
    assert max(stamps) in keep


def test_retention_counts_days_that_have_backups_not_calendar_days():
    # Laptop used once a month: nothing is thrown away just for being a month old.
    stamps = [at(TODAY - timedelta(days=30 * n), 9) for n in range(1, 9)]
    assert choose_keep(stamps, TODAY) == set(stamps)


def test_retention_of_nothing_and_of_future_stamps():
    assert choose_keep([], TODAY) == set()
    future = at(TODAY + timedelta(days=3))
    assert future in choose_keep([future, at(TODAY - timedelta(days=100))], TODAY)


def test_prune_deletes_only_backups_it_named(tmp_path):
    db = tmp_path / "leads.db"
    folder = backups.backups_dir(db)
    folder.mkdir()
    names = []
    for d in range(60):
        stamp = at(TODAY - timedelta(days=d), 10).strftime(backups.STAMP_FORMAT)
        path = folder / f"leads_{stamp}_periodic.db"
        path.write_bytes(b"x")
        names.append(path)
    mine = folder / "my own copy.db"
    mine.write_bytes(b"keep me")
    other = folder / f"other_{at(TODAY - timedelta(days=200)).strftime(backups.STAMP_FORMAT)}_manual.db"
    other.write_bytes(b"another database's backup")
    removed = retention.prune(db, now=at(TODAY, 15))
    assert removed and all(p in names for p in removed)
    assert mine.exists() and other.exists()
    remaining = backups.list_backups(db)
    assert len(remaining) == 60 - len(removed)
    assert remaining[0].created.date() == TODAY


# -- backup, list, check, restore ------------------------------------------------------------


def test_backup_is_private_complete_and_listed(demo_store):
    service = LeadService(demo_store, clock=lambda: FIXED_NOW)
    service.log_activity(1, "call", notes="committed, still in the WAL")
    made = backups.backup(demo_store, "manual")
    assert stat.S_IMODE(os.stat(made).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(made.parent).st_mode) == 0o700
    listed = backups.list_backups(demo_store.path)
    assert [b.path for b in listed] == [made]
    assert listed[0].reason == "manual" and listed[0].label == "Backed up by you"
    assert backups.lead_count(made) == 600
    assert backups.check_backup(made) == []
    with sqlite3.connect(made) as conn:
        assert conn.execute("SELECT count(*) FROM activities WHERE notes = 'committed, still in the WAL'").fetchone() == (1,)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_check_backup_reports_damage_and_foreign_files(demo_store, tmp_path):
    made = backups.backup(demo_store)
    data = bytearray(made.read_bytes())
    data[len(data) // 2: len(data) // 2 + 8192] = os.urandom(8192)
    made.write_bytes(bytes(data))
    assert backups.check_backup(made)
    foreign = tmp_path / "x.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.close()
    assert backups.check_backup(foreign) == ["not a LeadTriage database"]
    assert backups.newest_good_backup(demo_store.path) is None


def test_restore_drill_back_up_change_restore_compare(demo_store):
    def snapshot():
        conn = demo_store.conn
        return (conn.execute("SELECT * FROM leads ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM activities ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM change_log ORDER BY id").fetchall())

    before = snapshot()
    good = backups.backup(demo_store, "manual", now=datetime(2026, 11, 23, 9, 0))
    service = LeadService(demo_store, clock=lambda: FIXED_NOW)
    service.log_activity(5, "call", notes="made after the backup")
    service.update(7, {"company": "Changed Inc"}, "Edit company")
    with demo_store.transaction():
        demo_store.conn.execute("DELETE FROM activities WHERE lead_id = 9")
    changed = snapshot()
    assert changed != before

    result = backups.restore(demo_store, good, now=datetime(2026, 11, 23, 10, 0))
    assert snapshot() == before
    assert result.leads == 600
    assert demo_store.integrity_check() == ["ok"]
    assert demo_store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # Search still finds restored leads (the index came back with the data).
    assert demo_store.conn.execute("SELECT count(*) FROM leads_fts WHERE leads_fts MATCH 'changed'").fetchone() == (0,)
    # The data that was replaced is itself a backup: restore it to undo the restore.
    assert result.safety_backup is not None and "before-restore" in result.safety_backup.name
    backups.restore(demo_store, result.safety_backup)
    assert snapshot() == changed


def test_restore_refuses_bad_files_and_changes_nothing(demo_store, tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("not a database")
    count = len(backups.list_backups(demo_store.path))
    with pytest.raises(UserError, match="cannot be restored"):
        backups.restore(demo_store, text)
    with pytest.raises(UserError, match="No backup"):
        backups.restore(demo_store, tmp_path / "missing.db")
    with pytest.raises(UserError, match="database itself"):
        backups.restore(demo_store, demo_store.path)
    assert len(backups.list_backups(demo_store.path)) == count
    assert demo_store.conn.execute("SELECT count(*) FROM leads").fetchone() == (600,)


# -- scheduler -------------------------------------------------------------------------


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def test_scheduler_backs_up_only_when_changed_and_interval_passed(demo_store):
    clock = Clock(datetime(2026, 11, 23, 9, 0))
    scheduler = BackupScheduler(demo_store, clock=clock, interval_minutes=30)
    first = scheduler.run_if_due()  # data never backed up: due at once
    assert first is not None
    clock.now += timedelta(minutes=45)
    assert scheduler.run_if_due() is None  # nothing changed
    LeadService(demo_store, clock=lambda: FIXED_NOW).log_activity(3, "call", notes="x")
    clock.now += timedelta(minutes=5)
    assert scheduler.run_if_due() is not None  # changed, 50 min since the last
    LeadService(demo_store, clock=lambda: FIXED_NOW).log_activity(3, "call", notes="y")
    clock.now += timedelta(minutes=10)
    assert scheduler.run_if_due() is None  # changed, but only 10 minutes ago
    clock.now += timedelta(minutes=25)
    assert scheduler.run_if_due() is not None
    assert len(backups.list_backups(demo_store.path)) == 3


def test_scheduler_remembers_across_sessions_via_newest_backup(db_path):
    from leadtriage.demo import generate

    with open_store(db_path) as s:
        generate(s, leads=50, seed=2, now=FIXED_NOW)
        BackupScheduler(s, clock=lambda: datetime(2026, 11, 23, 9, 0)).backup_now("periodic")
        LeadService(s, clock=lambda: FIXED_NOW).log_activity(1, "call", notes="late call")
    with open_store(db_path) as s:
        scheduler = BackupScheduler(s, clock=lambda: datetime(2026, 11, 23, 11, 0))
        assert scheduler.due()  # the late call of last session is not in any backup yet
    with open_store(db_path) as s:
        scheduler = BackupScheduler(s, clock=lambda: datetime(2026, 11, 23, 12, 0))
        scheduler.run_if_due()
        scheduler = BackupScheduler(s, clock=lambda: datetime(2026, 11, 23, 13, 0))
        assert not scheduler.due()


def test_backup_before_names_the_reason(demo_store):
    made = backup_before(demo_store, "import")
    assert made.name.endswith("_before-import.db")
    assert backups.list_backups(demo_store.path)[0].label == "Before an import"


# -- command line ------------------------------------------------------------------------


def test_cli_backup_check_restore(capsys, db_path):
    assert main(["demo", "--db", str(db_path), "--leads", "120"]) == 0
    capsys.readouterr()
    assert main(["backup", "--db", str(db_path), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["leads"] == 120 and os.path.exists(made["backup"])
    with open_store(db_path) as s:
        LeadService(s).log_activity(1, "call", notes="after")
        count = s.conn.execute("SELECT count(*) FROM activities").fetchone()[0]
    assert main(["check", "--db", str(db_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["integrity"] == "ok"
    assert [b["file"] for b in report["backups"]] == [made["backup"]]
    assert report["backups"][0]["leads"] == 120
    assert main(["restore", made["backup"], "--db", str(db_path), "--json"]) == 0
    restored = json.loads(capsys.readouterr().out)
    assert restored["leads"] == 120 and os.path.exists(restored["previous_data_backup"])
    with open_store(db_path, writer=False) as s:
        assert s.conn.execute("SELECT count(*) FROM activities").fetchone()[0] == count - 1
    assert main(["check", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "2 backups in" in out and out.strip().endswith("ok")


def test_cli_restore_bad_file_exits_2_with_one_line(capsys, db_path, tmp_path):
    assert main(["demo", "--db", str(db_path), "--leads", "20"]) == 0
    capsys.readouterr()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\0" * 4096)
    assert main(["restore", str(junk), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("leadtriage: ") and err.count("\n") == 1
    assert backups.list_backups(db_path) == []

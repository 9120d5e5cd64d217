"""A full disk, a read-only database, a locked file and a vanished folder: each gives
one clear sentence and loses nothing already committed."""

import errno
import shutil
import sqlite3

import pytest

from leadtriage.errors import DatabaseBusy, StorageProblem, UserError
from leadtriage.safety import backup as backups
from leadtriage.safety.opening import open_store
from leadtriage.safety.schedule import backup_before
from leadtriage.services.leads import LeadService
from leadtriage.store.errors import environment_errors

from .conftest import FIXED_NOW


def count(store, table="activities"):
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_disk_full_rolls_back_and_keeps_committed_work(demo_store):
    service = LeadService(demo_store, clock=lambda: FIXED_NOW)
    kept = service.log_activity(1, "call", notes="saved before the disk filled")
    before = count(demo_store)
    pages = demo_store.conn.execute("PRAGMA page_count").fetchone()[0]
    demo_store.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageProblem, match="disk is full") as exc:
        with demo_store.transaction() as db:
            for n in range(5000):  # far more than fits in zero free pages
                db["activities"].insert({"lead_id": 2, "kind": "note", "notes": "x" * 500 + str(n),
                                         "occurred_at": "2026-11-23 10:00:00"})
    assert isinstance(exc.value, UserError)  # the app shows it as a message, the CLI exits 2
    assert count(demo_store) == before  # the failed batch left nothing behind
    demo_store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert service.get(1)["id"] == 1
    assert demo_store.conn.execute("SELECT notes FROM activities WHERE id = ?", (kept,)).fetchone()[0] == \
        "saved before the disk filled"
    assert demo_store.integrity_check() == ["ok"]
    service.log_activity(1, "call", notes="space freed, work goes on")


def test_read_only_database_says_so_and_changes_nothing(demo_store, db_path):
    before = count(demo_store)
    with open_store(db_path, writer=False) as reader:
        with pytest.raises(StorageProblem, match="read-only"):
            LeadService(reader).log_activity(1, "call", notes="cannot be saved here")
    assert count(demo_store) == before


def test_locked_database_says_busy(demo_store, db_path):
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        demo_store.conn.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(DatabaseBusy, match="busy"):
            LeadService(demo_store).log_activity(1, "call", notes="waits for the lock")
        other.execute("ROLLBACK")
    finally:
        other.close()
    demo_store.conn.execute("PRAGMA busy_timeout = 5000")
    LeadService(demo_store).log_activity(1, "call", notes="lock released")


def test_vanished_folder_backup_and_reopen_give_clear_messages(tmp_path):
    from leadtriage.demo import generate

    folder = tmp_path / "usb-stick"
    folder.mkdir()
    path = folder / "leads.db"
    store = open_store(path)
    generate(store, leads=30, seed=1, now=FIXED_NOW)
    good = backups.backup(store, folder=tmp_path / "elsewhere")
    shutil.rmtree(folder)  # the drive was unplugged / the folder deleted
    try:
        with pytest.raises(StorageProblem, match="gone"):
            backups.backup(store)
        with pytest.raises(StorageProblem, match="gone"):
            backup_before(store, "import")
    finally:
        try:
            store.close()
        except StorageProblem:
            pass
    with pytest.raises(StorageProblem, match="does not exist"):
        open_store(path)
    # What was committed before the folder vanished is in the backup made earlier.
    assert backups.lead_count(good) == 30


def test_file_errors_are_translated_only_where_asked():
    with pytest.raises(StorageProblem, match="disk is full"):
        with environment_errors(files=True):
            raise OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(StorageProblem, match="read-only"):
        with environment_errors(files=True):
            raise OSError(errno.EROFS, "Read-only file system")
    # Inside a transaction a missing *import* file is the caller's error, not a vanished database.
    with pytest.raises(FileNotFoundError):
        with environment_errors():
            raise FileNotFoundError(errno.ENOENT, "leads.csv")
    # Bugs stay bugs.
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        with environment_errors():
            raise sqlite3.OperationalError("no such table: nope")


def test_backup_into_a_full_or_read_only_folder(demo_store, tmp_path, monkeypatch):
    # The backups folder cannot be written (a file sits where the folder should be).
    blocker = tmp_path / "blocked"
    blocker.write_text("a file, not a folder")
    with pytest.raises(StorageProblem):
        backups.backup(demo_store, folder=blocker / "sub")
    # Disk full while the backup is written: a clear message, no half backup left.
    real_open = backups.os.open

    def full(path, *args, **kwargs):
        if str(path).endswith(".part"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(backups.os, "open", full)
    with pytest.raises(StorageProblem, match="disk is full"):
        backups.backup(demo_store)
    monkeypatch.undo()
    assert not list(backups.backups_dir(demo_store.path).glob("*.part"))
    assert count(demo_store, "leads") == 600


def test_backup_refused_when_it_would_fill_the_disk(demo_store, monkeypatch):
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(backups.shutil, "disk_usage", lambda _p: usage(10**9, 10**9 - 5 * 2**20, 5 * 2**20))
    with pytest.raises(StorageProblem, match="Not enough free disk space"):
        backups.backup(demo_store)
    assert backups.list_backups(demo_store.path) == []
    LeadService(demo_store).log_activity(1, "call", notes="work goes on")


def test_damage_noticed_mid_session_is_a_message_not_a_crash():
    from leadtriage.errors import DatabaseDamaged
    from leadtriage.store.errors import environment_message

    exc = sqlite3.DatabaseError("database disk image is malformed")
    assert "damaged" in environment_message(exc)
    with pytest.raises(DatabaseDamaged):
        with environment_errors():
            raise exc


def test_restore_while_the_app_has_the_database_open_is_refused(capsys, demo_store):
    from leadtriage.cli import main

    made = backups.backup(demo_store)
    assert main(["restore", str(made), "--db", str(demo_store.path)]) == 2
    assert "already open" in capsys.readouterr().err
    assert len(backups.list_backups(demo_store.path)) == 1  # nothing written


def test_cli_backup_works_while_the_app_has_the_database_open(capsys, demo_store):
    import json

    from leadtriage.cli import main

    LeadService(demo_store).log_activity(1, "call", notes="committed while the app runs")
    assert main(["backup", "--db", str(demo_store.path), "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["leads"] == 600
    with sqlite3.connect(made["backup"]) as conn:
        assert conn.execute("SELECT count(*) FROM activities WHERE notes = 'committed while the app runs'"
                            ).fetchone() == (1,)

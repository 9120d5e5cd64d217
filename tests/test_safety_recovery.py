import json
import os
import random
import sqlite3
import stat
from datetime import datetime

import pytest

from leadtriage.cli import main
from leadtriage.errors import DatabaseDamaged
from leadtriage.safety import backup as backups
from leadtriage.safety import check, recovery
from leadtriage.safety.opening import open_store
from leadtriage.services.leads import LeadService

from .conftest import FIXED_NOW


def table(conn, sql):
    return conn.execute(sql).fetchall()


def prepare(db_path):
    """A database with a backup, then more work after the backup; returns what the
    backup held and the id of a call logged after it."""
    from leadtriage.demo import generate

    with open_store(db_path) as s:
        generate(s, leads=600, seed=11, now=FIXED_NOW)
        backups.backup(s, "periodic", now=datetime(2026, 11, 23, 9, 0))
        held = {
            "leads": table(s.conn, "SELECT * FROM leads ORDER BY id"),
            "activities": table(s.conn, "SELECT * FROM activities ORDER BY id"),
        }
        late = LeadService(s, clock=lambda: FIXED_NOW).log_activity(1, "call", notes="after the backup")
    return held, late


def truncate(path):
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(size // 2 + 1234)  # not even a whole page


def overwrite_middle(path, seed=1):
    size = path.stat().st_size
    rnd = random.Random(seed)
    with open(path, "r+b") as fh:
        for _ in range(3):
            fh.seek(rnd.randrange(4096 * 4, size - 4096 * 8))
            fh.write(rnd.randbytes(4096 * 6))


def assert_backup_content_kept(store, held):
    ids = {r[0] for r in table(store.conn, "SELECT id FROM leads")}
    assert {r[0] for r in held["leads"]} <= ids
    rows = set(table(store.conn, "SELECT * FROM leads ORDER BY id"))
    acts = set(table(store.conn, "SELECT * FROM activities ORDER BY id"))
    # Everything the backup held is there, byte for byte (no lead or activity was
    # edited after the backup in these tests, so nothing newer replaces them).
    assert set(held["leads"]) <= rows
    assert set(held["activities"]) <= acts
    assert store.integrity_check() == ["ok"]
    # What triggers maintain (queue counts) matches the recovered rows exactly.
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "lead_counts" in tables:
        kept = set(store.conn.execute("SELECT status, do_not_call, n FROM lead_counts WHERE n > 0"))
        real = set(store.conn.execute("SELECT status, do_not_call, count(*) FROM leads GROUP BY 1, 2"))
        assert kept == real
    # The search index was rebuilt over the recovered rows.
    hits = store.conn.execute("SELECT count(*) FROM leads_fts WHERE leads_fts MATCH ?",
                              (held["leads"][0][5].split()[0] if held["leads"][0][5] else "x",)).fetchone()[0]
    assert hits >= 1


@pytest.mark.parametrize("damage", [truncate, overwrite_middle], ids=["truncated", "overwritten"])
@pytest.mark.parametrize("use_cli", [True, False], ids=["cli-if-present", "python-salvage"])
def test_damaged_file_is_detected_at_open_and_recovered(db_path, damage, use_cli, monkeypatch):
    held, late = prepare(db_path)
    damage(db_path)
    damaged_bytes = db_path.read_bytes()
    with pytest.raises(DatabaseDamaged):
        open_store(db_path)
    if not use_cli:
        monkeypatch.setattr(recovery.shutil, "which", lambda _name: None)
    store, report = recovery.open_or_recover(db_path)
    with store:
        assert report is not None
        assert_backup_content_kept(store, held)
        # The damaged file is kept aside, unchanged, private.
        assert report.damaged_copy.read_bytes() == damaged_bytes
        assert report.damaged_copy.name.startswith("leads.db.corrupt-")
        assert stat.S_IMODE(os.stat(report.damaged_copy).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
        assert report.backup_used is not None
        text = report.message()
        assert report.damaged_copy.name in text and "600 leads" in text
        # Work goes on normally afterwards.
        LeadService(store).log_activity(2, "call", notes="after recovery")
    with open_store(db_path) as again:
        assert again.integrity_check() == ["ok"]


def test_overwritten_file_keeps_readable_work_newer_than_the_backup(db_path, monkeypatch):
    held, late = prepare(db_path)
    # Damage an index page only: every table row is still readable.
    with sqlite3.connect(db_path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'idx_leads_email'").fetchone()
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    assert root is not None
    with open(db_path, "r+b") as fh:
        fh.seek((root[0] - 1) * page_size + 8)
        fh.write(b"\xff" * 200)
    monkeypatch.setattr(recovery.shutil, "which", lambda _name: None)
    store, report = recovery.open_or_recover(db_path)
    with store:
        assert report.method == "row-salvage"
        assert store.conn.execute("SELECT notes FROM activities WHERE id = ?", (late,)).fetchone() == ("after the backup",)
        assert_backup_content_kept(store, held)


def test_nothing_readable_restores_the_newest_good_backup(db_path):
    held, _ = prepare(db_path)
    # Wipe everything after the header page: no table is readable any more.
    with open(db_path, "r+b") as fh:
        fh.seek(4096)
        size = db_path.stat().st_size
        fh.write(b"\0" * (size - 4096))
    # An older backup that is itself damaged must be skipped for the good one.
    store, report = recovery.open_or_recover(db_path)
    with store:
        assert report.method == "backup"
        assert table(store.conn, "SELECT * FROM leads ORDER BY id") == held["leads"]
        assert table(store.conn, "SELECT * FROM activities ORDER BY id") == held["activities"]


def test_damaged_newest_backup_is_skipped(db_path):
    held, _ = prepare(db_path)
    with open_store(db_path) as s:
        bad = backups.backup(s, "periodic", now=datetime(2026, 11, 23, 10, 0))
    overwrite_middle(bad, seed=5)
    assert backups.newest_good_backup(db_path).created == datetime(2026, 11, 23, 9, 0)


def test_damaged_file_without_backup_never_starts_empty(db_path):
    from leadtriage.demo import generate

    with open_store(db_path) as s:
        generate(s, leads=50, seed=3, now=FIXED_NOW)
    with open(db_path, "r+b") as fh:
        fh.seek(4096)
        fh.write(b"\0" * (db_path.stat().st_size - 4096))
    damaged = db_path.read_bytes()
    with pytest.raises(DatabaseDamaged, match="did not start over"):
        recovery.open_or_recover(db_path)
    # No empty database took its place: the damaged file is back where it was, so
    # the next start meets the same message, not an empty queue.
    assert db_path.read_bytes() == damaged
    assert not list(db_path.parent.glob("leads.db.corrupt-*"))
    with pytest.raises(DatabaseDamaged, match="did not start over"):
        recovery.open_or_recover(db_path)


def test_missing_database_with_backups_brings_the_newest_back(db_path):
    held, _ = prepare(db_path)
    for side in ("", "-wal", "-shm"):
        db_path.with_name(db_path.name + side).unlink(missing_ok=True)
    store, report = recovery.open_or_recover(db_path)
    with store:
        assert report is not None and report.damaged_copy is None
        assert "missing" in report.message()
        assert table(store.conn, "SELECT * FROM leads ORDER BY id") == held["leads"]
    # A genuinely new database (no backups) starts empty, as it should.
    fresh, none = recovery.open_or_recover(db_path.with_name("new.db"))
    with fresh:
        assert none is None


def test_healthy_file_is_left_alone(demo_store, db_path):
    demo_store.close()
    before = db_path.read_bytes()
    assert recovery.recover(db_path) is None
    assert db_path.read_bytes() == before


def test_check_reports_damage_and_backup_recovers_from_cli(capsys, db_path):
    prepare(db_path)
    overwrite_middle(db_path)
    assert main(["check", "--db", str(db_path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["integrity"] == "damaged" and report["backups"]
    assert main(["backup", "--db", str(db_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["recovered"] and out["leads"] == 600
    assert main(["check", "--db", str(db_path)]) == 0


def test_cli_restore_over_a_damaged_file_keeps_it_aside(capsys, db_path):
    prepare(db_path)
    good = backups.list_backups(db_path)[0].path
    overwrite_middle(db_path)
    assert main(["restore", str(good), "--db", str(db_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["damaged_file_kept_as"] and os.path.exists(out["damaged_file_kept_as"])
    assert out["leads"] == 600


def test_background_check_can_be_cancelled(demo_store, db_path):
    from leadtriage.util.progress import Cancelled

    with pytest.raises(Cancelled):
        check.find_damage(db_path, full=True, should_stop=lambda: True)
    assert check.find_damage(db_path, full=True, should_stop=lambda: False) == []


def test_big_files_get_the_fast_check_at_open_and_full_check_when_marked(demo_store, db_path, monkeypatch):
    monkeypatch.setattr(check, "SYNC_CHECK_BYTES", 1024)
    demo_store.close()
    assert check.needs_background_check(db_path)
    # Damage inside the activities table: the fast start-up test does not read it...
    with sqlite3.connect(db_path) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'idx_leads_email'").fetchone()[0]
    with open(db_path, "r+b") as fh:
        fh.seek((root - 1) * 4096 + 8)
        fh.write(b"\xff" * 300)
    assert check.find_damage(db_path) == []
    # ...the background check does, and marks the file so the next open checks in full.
    assert check.find_damage(db_path, full=True)
    check.mark_suspect(db_path)
    with pytest.raises(DatabaseDamaged):
        open_store(db_path)
    store, report = recovery.open_or_recover(db_path)
    store.close()
    assert report is not None and not check.suspect_marker(db_path).exists()


def test_recovery_that_fails_midway_puts_the_damaged_file_back(db_path, monkeypatch):
    from leadtriage.errors import StorageProblem

    prepare(db_path)
    overwrite_middle(db_path)
    damaged = db_path.read_bytes()

    def disk_full(*_args, **_kwargs):
        raise StorageProblem("The disk is full.")

    monkeypatch.setattr(recovery, "_salvage_rows", disk_full)
    monkeypatch.setattr(recovery.shutil, "which", lambda _name: None)
    with pytest.raises(StorageProblem, match="disk is full"):
        recovery.open_or_recover(db_path)
    assert db_path.read_bytes() == damaged  # back in place: the next start tries again
    assert not db_path.with_name("leads.db.recovering").exists()
    monkeypatch.undo()
    store, report = recovery.open_or_recover(db_path)
    with store:
        assert report is not None and store.integrity_check() == ["ok"]

"""A full disk, for real (a small tmpfs; needs root): a failed command on a new
database leaves nothing behind, and a failed import gives the WAL's space back, so
the disk is not left at 100 %."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import uuid

import pytest

from leadtriage.cli import main
from leadtriage.safety.opening import open_store
from tests.conftest import add_lead


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0755", f"lt-{uuid.uuid4().hex[:8]}",
                           str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        import gc

        gc.collect()  # a connection left to the garbage collector would keep the mount busy
        if subprocess.run(["umount", str(mount)]).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk, leave_kib):
    free = shutil.disk_usage(disk).free
    with open(disk / "filler", "wb") as fh:
        fh.write(b"\0" * max(0, free - leave_kib * 1024))


def lead_list(path, rows=20000):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["first_name", "last_name", "company", "email", "notes"])
        for n in range(rows):
            out.writerow([f"Ann{n}", f"Lee{n}", f"Company {n}", f"ann{n}@c{n}.example", "x" * 100])
    return path


def test_a_new_database_that_hits_a_full_disk_leaves_nothing(small_disk, tmp_path, capsys):
    fill(small_disk, 800)
    free_before = shutil.disk_usage(small_disk).free
    code = main(["import", str(lead_list(tmp_path / "list.csv")), "--db", str(small_disk / "new.db")])
    err = capsys.readouterr().err
    assert code == 2 and "disk is full" in err
    left = sorted(p.name for p in small_disk.iterdir() if p.name not in ("filler", "new.db.lock"))
    assert left == []
    assert shutil.disk_usage(small_disk).free >= free_before


def test_an_import_that_fills_the_disk_gives_the_space_back(small_disk, tmp_path, capsys, monkeypatch):
    from leadtriage.safety import backup as backups

    monkeypatch.setattr(backups, "MIN_FREE_AFTER_BACKUP", 0)  # let the backup before the import fit
    path = small_disk / "leads.db"
    assert main(["import", str(lead_list(tmp_path / "few.csv", rows=20)), "--db", str(path)]) == 0
    capsys.readouterr()
    fill(small_disk, 1000)
    free_before = shutil.disk_usage(small_disk).free
    code = main(["import", str(lead_list(tmp_path / "list.csv")), "--db", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "disk is full" in err
    wal = path.with_name("leads.db-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    kept_backups = sum(b.size for b in backups.list_backups(path))  # the one before the import stays
    assert shutil.disk_usage(small_disk).free + kept_backups >= free_before - 64 * 1024
    with open_store(path) as store:  # everything from before is there, and it still works
        assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 20
        assert store.integrity_check() == ["ok"]


def test_the_app_keeps_working_after_a_full_disk(small_disk, tmp_path):
    """In a long-running session (no close to fold the WAL back), the failed
    transaction's pages are given back at once, so the next small save fits."""
    from leadtriage.errors import StorageProblem
    from leadtriage.services.leads import LeadService

    path = small_disk / "leads.db"
    store = open_store(path)
    try:
        lead = add_lead(store, first_name="Ann", last_name=None)
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fill(small_disk, 400)
        with pytest.raises(StorageProblem, match="disk is full"):
            with store.transaction() as db:
                for n in range(5000):
                    db["activities"].insert({"lead_id": lead, "kind": "note", "notes": f"{n}" * 400,
                                             "occurred_at": "2026-11-23 10:00:00"})
        wal = path.with_name("leads.db-wal")
        assert wal.stat().st_size == 0
        LeadService(store).log_activity(lead, "call", notes="the next call is saved")
    finally:
        store.close()

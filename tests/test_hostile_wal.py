"""A damaged write-ahead log: SQLite replays a -wal file only up to its first bad
frame and drops every committed transaction after it without a word. `check` and
the open notice it, keep the damaged log aside and say so; a frame torn by a crash
(whose transaction was never committed) is not damage."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import pytest

from leadtriage.cli import main
from leadtriage.safety import recovery
from leadtriage.safety.opening import open_store
from leadtriage.safety.wal import FRAME_HEADER, HEADER, inspect_wal
from tests.handoff_helpers import insert_lead

# Commits three transactions into the WAL and dies without a checkpoint (a crash).
CRASH_AFTER_COMMITS = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA wal_autocheckpoint = 0")
for name in ("Rep One", "Rep Two", "Rep Three"):
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO field_reps (name, email) VALUES (?, ?)", (name, name.replace(' ', '') + "@x.example"))
    conn.execute("COMMIT")
os._exit(0)
"""


@pytest.fixture
def crashed(db_path):
    """A database whose last three committed transactions are only in its -wal."""
    with open_store(db_path) as store:
        insert_lead(store)
    subprocess.run([sys.executable, "-c", CRASH_AFTER_COMMITS, str(db_path)], check=True)
    wal = db_path.with_name(db_path.name + "-wal")
    db_path.with_name(db_path.name + "-shm").unlink(missing_ok=True)  # a reboot: no shared memory
    state = inspect_wal(wal)
    assert state is not None and state.frames >= 3 and state.valid == state.frames and not state.damaged
    return db_path, wal


def page_size(wal):
    return int.from_bytes(wal.read_bytes()[8:12], "big")


def flip(wal, frame: int, offset: int = 100):
    """Flip one byte in the page of frame number `frame` (1-based)."""
    data = bytearray(wal.read_bytes())
    at = HEADER + (frame - 1) * (FRAME_HEADER + page_size(wal)) + FRAME_HEADER + offset
    data[at] ^= 0xFF
    wal.write_bytes(bytes(data))


def reps(path):
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM field_reps ORDER BY id")]


def test_an_intact_wal_after_a_crash_is_replayed(crashed, capsys):
    path, _ = crashed
    assert main(["check", "--db", str(path)]) == 0, capsys.readouterr()
    assert {"Rep One", "Rep Two", "Rep Three"} <= set(reps(path))


def test_check_reports_a_damaged_wal_instead_of_ok(crashed, capsys):
    path, wal = crashed
    flip(wal, 1)
    damaged = wal.read_bytes()
    code = main(["check", "--db", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "write-ahead log" in out and "damaged" in out and not out.rstrip().endswith("ok")
    assert wal.read_bytes() == damaged  # check changes nothing


def test_opening_keeps_the_damaged_wal_aside_and_says_so(crashed):
    path, wal = crashed
    flip(wal, 1)
    damaged = wal.read_bytes()
    store, report = recovery.open_or_recover(path)
    with store:
        assert report is not None and "write-ahead log" in report.message()
        kept = report.damaged_copy.with_name(report.damaged_copy.name + "-wal")
        assert ".corrupt-" in kept.name and kept.read_bytes() == damaged
        assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 1  # what came before it
        store.conn.execute("INSERT INTO field_reps (name) VALUES ('after recovery')")  # writes work again
    assert kept.read_bytes() == damaged  # never written over


def test_a_torn_last_frame_is_not_damage(crashed, capsys):
    path, wal = crashed
    state = inspect_wal(wal)
    flip(wal, state.frames)  # the crash tore the last frame written: its transaction never committed
    assert not inspect_wal(wal).damaged
    assert main(["check", "--db", str(path)]) == 0, capsys.readouterr()
    store, report = recovery.open_or_recover(path)
    store.close()
    assert report is None


def test_a_garbage_wal_header_is_damage(crashed, capsys):
    path, wal = crashed
    data = bytearray(wal.read_bytes())
    data[0:4] = b"JUNK"
    wal.write_bytes(bytes(data))
    assert inspect_wal(wal).damaged
    assert main(["check", "--db", str(path)]) == 1
    capsys.readouterr()


def test_checksums_match_sqlites_for_a_big_wal(tmp_path, monkeypatch):
    """Many frames over several read chunks, all judged valid exactly as SQLite does."""
    from leadtriage.safety import wal

    monkeypatch.setattr(wal, "_CHUNK_BYTES", 100 * 4120)  # ~100 frames a chunk
    path = tmp_path / "big.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("CREATE TABLE t (x)")
        for n in range(400):
            conn.execute("INSERT INTO t VALUES (?)", (str(n) * 3000,))
        shutil.copy(path.with_name("big.db-wal"), tmp_path / "copy-wal")
    finally:
        conn.close()
    state = inspect_wal(tmp_path / "copy-wal")
    assert state.frames > 1500 and state.valid == state.frames and not state.damaged
    flip(tmp_path / "copy-wal", 1500)
    state = inspect_wal(tmp_path / "copy-wal")
    assert state.valid == 1499 and state.damaged

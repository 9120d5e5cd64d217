"""Kill -9 at random moments while writing: every acknowledged write survives, no
batch is ever partial, and the file passes integrity_check every time.

27 kills in total, each in a fresh child process: 13 while logging calls and status
moves through LeadService, 8 while the real importer (leadtriage.importing) imports
CSV files, 6 while a stand-in writes big batches straight through the store (the
store-level all-or-nothing guarantee any bulk writer relies on).
"""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leadtriage.safety.opening import open_store

CHILD = Path(__file__).with_name("_crash_child.py")
LOG_KILLS = 13
IMPORTER_KILLS = 8
BATCH_KILLS = 6
BATCH_ROWS = 1500
IMPORTER_ROWS = 600


def start(*args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    ready = proc.stdout.readline()
    if ready.strip() != "READY":
        proc.kill()
        _out, err = proc.communicate()
        pytest.fail(f"child did not start: {ready!r} {err[-2000:]}")
    return proc


def kill_after(proc: subprocess.Popen, seconds: float) -> list[list[str]]:
    time.sleep(seconds)
    proc.send_signal(signal.SIGKILL)
    out, _err = proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the child died before it was killed"
    # Only complete lines count as acknowledged.
    lines = out.split("\n")[:-1] if not out.endswith("\n") else out.split("\n")
    return [line.split() for line in lines if line]


def kill_during_next(proc: subprocess.Popen, rnd: random.Random) -> list[list[str]]:
    """Wait for the child's first acknowledgement, then kill it at a random point of
    its next write, scaled by how long the first one took: the kill lands inside a
    write on a fast desktop and on a slow CI runner alike, and every round
    acknowledges at least one write."""
    started = time.monotonic()
    first = proc.stdout.readline()
    took = time.monotonic() - started
    if not first.endswith("\n"):
        proc.kill()
        _out, err = proc.communicate()
        pytest.fail(f"child stopped before its first write: {err[-2000:]}")
    return [first.split(), *kill_after(proc, rnd.uniform(0.0, 1.2) * took)]


def seed_leads(path: Path) -> None:
    with open_store(path) as store, store.transaction() as db:
        db["leads"].insert_all(
            {"id": i, "public_id": f"LT-C{i:05d}", "first_name": f"Crash{i}", "company": "Kill Co",
             "status": "engaged", "created_at": "2026-11-01 10:00:00", "updated_at": "2026-11-01 10:00:00"}
            for i in range(1, 21))


@pytest.mark.slow
def test_kill_while_logging_calls_and_status_moves(tmp_path):
    path = tmp_path / "crash.db"
    seed_leads(path)
    rnd = random.Random(20261123)
    acked_activities: dict[int, str] = {}
    acked_changes: dict[int, str] = {}
    for round_no in range(LOG_KILLS):
        proc = start("log", str(path), str(round_no + 1))
        for fields in kill_after(proc, rnd.uniform(0.01, 0.35)):
            if fields[0] == "A":
                acked_activities[int(fields[1])] = f"call {fields[3]}"
            elif fields[0] == "S":
                acked_changes[int(fields[1])] = fields[3]
        with open_store(path) as store:  # the writer lock of the dead child is free again
            assert store.integrity_check() == ["ok"]
            notes = dict(store.conn.execute("SELECT id, notes FROM activities WHERE kind = 'call'"))
            for activity_id, text in acked_activities.items():
                assert notes.get(activity_id) == text, f"acknowledged call {activity_id} lost"
            changes = {cid: json.loads(after)["status"] for cid, after in
                       store.conn.execute("SELECT id, after FROM change_log")}
            for change_id, target in acked_changes.items():
                assert changes.get(change_id) == target, f"acknowledged status move {change_id} lost"
            # Each status move is whole: its change_log entry, its timeline entry and
            # the lead's status went in together or not at all.
            moves = store.conn.execute("SELECT count(*) FROM activities WHERE kind = 'status'").fetchone()[0]
            assert moves == len(changes)
    assert len(acked_activities) > LOG_KILLS  # the children really were writing when killed
    assert acked_changes


@pytest.mark.slow
def test_kill_while_importing_batches(tmp_path):
    path = tmp_path / "crash-import.db"
    open_store(path).close()
    rnd = random.Random(7)
    acked: dict[int, int] = {}
    for round_no in range(BATCH_KILLS):
        proc = start("import", str(path), str(round_no + 1), str(BATCH_ROWS))
        for fields in kill_after(proc, rnd.uniform(0.02, 0.6)):
            assert fields[0] == "B"
            acked[int(fields[1])] = int(fields[2])
        with open_store(path) as store:
            assert store.integrity_check() == ["ok"]
            per_batch = dict(store.conn.execute("SELECT batch_id, count(*) FROM leads GROUP BY batch_id"))
            batches = dict(store.conn.execute("SELECT id, rows FROM import_batches"))
            for batch, rows in acked.items():
                assert per_batch.get(batch) == rows, f"acknowledged batch {batch} incomplete"
            # No partial batch: every batch present is complete, no lead without its batch.
            assert per_batch == {b: r for b, r in batches.items()}
            # The search index holds exactly the leads that exist.
            indexed = store.conn.execute("SELECT count(*) FROM leads_fts").fetchone()[0]
            assert indexed == sum(per_batch.values())
    assert acked, "no batch was ever committed: the kill window is too short to prove anything"


@pytest.mark.slow
def test_kill_while_the_importer_imports(tmp_path):
    path = tmp_path / "crash-importer.db"
    open_store(path).close()
    rnd = random.Random(99)
    acked: dict[int, int] = {}
    for round_no in range(IMPORTER_KILLS):
        proc = start("importer", str(path), str(round_no + 1), str(IMPORTER_ROWS))
        for fields in kill_during_next(proc, rnd):
            assert fields[0] == "I"
            acked[int(fields[1])] = int(fields[2])
        with open_store(path) as store:
            assert store.integrity_check() == ["ok"]
            per_batch = dict(store.conn.execute(
                "SELECT batch_id, count(*) FROM leads WHERE batch_id IS NOT NULL GROUP BY batch_id"))
            batches = dict(store.conn.execute("SELECT id, inserted FROM import_batches"))
            for batch, inserted in acked.items():
                assert inserted == IMPORTER_ROWS
                assert per_batch.get(batch) == inserted, f"acknowledged import {batch} incomplete"
            # All or nothing: every recorded batch has all its leads, no lead lacks its batch.
            assert per_batch == {b: n for b, n in batches.items() if n}
            assert store.conn.execute("SELECT count(*) FROM leads WHERE batch_id IS NULL").fetchone() == (0,)
            indexed = store.conn.execute("SELECT count(*) FROM leads_fts").fetchone()[0]
            assert indexed == sum(per_batch.values())
    assert len(acked) >= IMPORTER_KILLS


def test_child_helper_is_not_collected():
    assert not CHILD.name.startswith("test_") and os.path.exists(CHILD)

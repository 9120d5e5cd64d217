"""A child process importing a big list is SIGKILLed mid-batch: the database must
pass integrity_check and hold nothing of the batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leadtriage.store import open_store

CHILD = r"""
import sys
from leadtriage.importing.service import Importer, ImportOptions
from leadtriage.progress import Progress
from leadtriage.store import open_store

def report(done, total, message):
    if done >= 2000:
        print("importing", flush=True)

with open_store(sys.argv[2]) as store:
    Importer(store).import_file(sys.argv[1], ImportOptions(chunk_size=500), Progress(report))
print("finished", flush=True)
"""


@pytest.mark.slow
def test_kill_during_import_leaves_database_intact_and_batch_absent(tmp_path: Path):
    db = tmp_path / "leads.db"
    with open_store(db) as store:  # a database with one earlier batch in it
        from leadtriage.importing.service import Importer

        first = tmp_path / "first.csv"
        first.write_text("Name,Email\nKeep Me,keep@me.io\n", encoding="utf-8")
        Importer(store).import_file(first)
    src = tmp_path / "big.csv"
    with open(src, "w", encoding="utf-8") as fh:
        fh.write("First Name,Last Name,Company,Email,Phone,Country\n")
        for i in range(60_000):
            fh.write(f"Person{i},Tester,Firm {i % 300} GmbH,p{i}@firm{i % 300}.de,+49 30 {1000000 + i},DE\n")
    env = dict(os.environ, LEADTRIAGE_NO_LOG_FILE="1")
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(src), str(db)], stdout=subprocess.PIPE, text=True,
                            env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "importing", line
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    with open_store(db) as store:
        assert store.integrity_check() == ["ok"]
        assert store.conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 1
        assert store.conn.execute("SELECT email FROM leads").fetchall() == [("keep@me.io",)]
        assert store.conn.execute("SELECT count(*) FROM import_rejects").fetchone()[0] == 0
        store.conn.execute("INSERT INTO leads_fts(leads_fts) VALUES ('integrity-check')")

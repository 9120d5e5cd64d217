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

from leadtriage.safety.opening import open_store

CHILD = r"""
import sys
from leadtriage.importing.service import Importer, ImportOptions
from leadtriage.util.progress import Progress
from leadtriage.safety.opening import open_store

def report(done, total, message):
    if done >= 2000:
        print("importing", flush=True)

with open_store(sys.argv[2]) as store:
    Importer(store).import_file(sys.argv[1], ImportOptions(chunk_size=500), Progress(report))
print("finished", flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find helper processes")
def test_kill_during_import_leaves_database_intact_and_batch_absent(tmp_path: Path):
    db = tmp_path / "leads.db"
    with open_store(db) as store:  # a database with one earlier batch in it
        from leadtriage.importing.service import Importer

        first = tmp_path / "first.csv"
        first.write_text("Name,Email\nKeep Me,keep@me.io\n", encoding="utf-8")
        Importer(store).import_file(first)
    src = tmp_path / "big.csv"
    with open(src, "w", encoding="utf-8") as fh:
        fh.write("First Name,Last Name,Company,Email,Phone,Country,Notes\n")
        note = "met at the booth, wants a call back about pricing and delivery times"
        for i in range(60_000):  # > 6 MB: the bulk path with the phone helper process
            fh.write(f"Person{i},Tester,Firm {i % 300} GmbH,p{i}@firm{i % 300}.de,+49 30 {1000000 + i},DE,{note}\n")
    env = dict(os.environ, LEADTRIAGE_NO_LOG_FILE="1")
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(src), str(db)], stdout=subprocess.PIPE, text=True,
                            env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "importing", line
    time.sleep(0.2)
    helpers = _children(proc.pid)
    assert helpers, "a list this size is imported with the phone helper process"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while helpers and time.monotonic() < deadline:  # the phone helper notices and exits
        helpers = [pid for pid in helpers if Path(f"/proc/{pid}").exists() and not _zombie(pid)]
        time.sleep(0.2)
    assert not helpers, "helper processes outlived the killed importer"
    with open_store(db) as store:
        assert store.integrity_check() == ["ok"]
        assert store.conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 1
        assert store.conn.execute("SELECT email FROM leads").fetchall() == [("keep@me.io",)]
        assert store.conn.execute("SELECT count(*) FROM import_rejects").fetchone()[0] == 0
        store.conn.execute("INSERT INTO leads_fts(leads_fts) VALUES ('integrity-check')")


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True

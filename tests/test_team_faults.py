"""Faults against a real server: a laptop killed mid-push and mid-pull, the server
stopped mid-sync. Nothing lost, nothing applied twice, both sides intact."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leadtriage.demo import generate
from leadtriage.leadwork.leads import LeadService
from leadtriage.safety.opening import open_store
from leadtriage.sync import admin, engine
from leadtriage.sync.errors import Offline
from leadtriage.sync.localserver import start_local_server
from tests.team_fixtures import Team, pgpass

pytestmark = pytest.mark.usefixtures("memory_keyring")
ROOT = Path(__file__).resolve().parent.parent


def _child(team: Team, login: str, path: Path, tmp: Path, batch: int, bulk: bool = False) -> subprocess.Popen:
    env = {**os.environ, "PGPASSFILE": str(pgpass(tmp, team, login)),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "LEADTRIAGE_NO_LOG_FILE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "tests._team_child", str(path), str(batch), str(int(bulk))],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stdout.readline().strip() == "READY"
    return proc


class _Kills:
    """When to SIGKILL a syncing child: the delay grows while a round made no
    progress and shrinks when one finished, so kills land mid-sync on a fast or a slow
    machine alike (no fixed timing window)."""

    def __init__(self):
        self.rng = random.Random(7)
        self.delay = 0.05

    def kill_soon(self, proc: subprocess.Popen) -> None:
        time.sleep(self.delay * self.rng.uniform(0.7, 1.3))
        proc.kill()
        proc.wait()
        proc.stdout.close()

    def saw(self, done: int, total: int) -> None:
        if done == 0:
            self.delay *= 2
        elif done < total:
            self.delay *= 0.9  # progress: stay about here, the next kill lands further on


def _server_notes(team: Team) -> list[str]:
    with team.owner() as c:
        return [r[0] for r in c.execute("SELECT data->>'notes' FROM lt.activities WHERE data->>'notes' LIKE 'n-%%'")]


def _intact(store) -> None:
    assert store.integrity_check() == ["ok"]
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def _log_notes(store, lead: int, n: int, start: int = 0) -> None:
    svc = LeadService(store)
    with store.transaction():
        for i in range(start, start + n):
            svc.log_activity(lead, "note", notes=f"n-{i}")


def test_a_laptop_killed_mid_push_loses_nothing_and_applies_nothing_twice(team, tmp_path):
    alice = team.add("alice")
    store = team.laptop(alice)
    csv = tmp_path / "mine.csv"
    csv.write_text("first_name,company,email\nAna,Foo,ana@foo.example\n")
    from leadtriage.importing.model import ImportOptions
    from leadtriage.importing.service import Importer

    Importer(store).import_file(csv, ImportOptions(source="fair"))
    lead = store.conn.execute("SELECT id FROM leads").fetchone()[0]
    _log_notes(store, lead, 600)
    path = store.path
    store.close()
    team.stores.remove(store)
    partial = 0
    kills = _Kills()
    for _ in range(10):
        proc = _child(team, alice, path, tmp_path, batch=10)
        kills.kill_soon(proc)
        got = len(_server_notes(team))
        kills.saw(got, 600)
        partial += 0 < got < 600
        if got == 600:
            break
    assert partial, "no kill landed in the middle of a push"
    with open_store(path) as store:
        _intact(store)
        engine.sync(store)
        assert engine.status(store)["waiting"] == 0
        _intact(store)
        assert store.conn.execute("SELECT count(*) FROM activities WHERE notes LIKE 'n-%'").fetchone()[0] == 600
    notes = _server_notes(team)
    assert sorted(notes) == sorted(f"n-{i}" for i in range(600))
    with team.owner() as c:
        assert c.execute("SELECT count(*) FROM lt.feed WHERE payload->>'notes' LIKE 'n-%%'").fetchone()[0] == 600


def _fingerprint(store) -> tuple:
    leads = store.conn.execute("SELECT id, public_id, status, company, owner FROM leads ORDER BY id").fetchall()
    acts = store.conn.execute("SELECT gid, lead_id, kind, notes FROM activities ORDER BY gid").fetchall()
    hand = store.conn.execute("SELECT gid, lead_id, outcome FROM handoffs ORDER BY gid").fetchall()
    return leads, acts, hand


def test_a_laptop_killed_mid_pull_ends_with_exactly_the_teams_data(team, tmp_path):
    mgr, mgr2 = team.add("mona", "manager"), team.add("max", "manager")
    m = team.laptop(mgr)
    generate(m, leads=250, seed=8)
    engine.sync(m)
    engine.sync(m)
    second = team.laptop(mgr2)
    path = second.path
    second.close()
    team.stores.remove(second)
    with team.owner() as c:
        top = c.execute("SELECT max(seq) FROM lt.feed").fetchone()[0]
    kills = _Kills()
    partial = 0
    for _ in range(8):
        proc = _child(team, mgr2, path, tmp_path, batch=25)
        kills.kill_soon(proc)
        with open_store(path) as s:
            _intact(s)
            pos = int(engine.state(s, "feed_pos"))
        kills.saw(pos, top)
        partial += 0 < pos < top
        if pos == top:
            break
    assert partial, "no kill landed in the middle of a pull"
    with open_store(path) as s:
        engine.sync(s)
        _intact(s)
        assert _fingerprint(s) == _fingerprint(m)


def test_the_server_stopped_mid_sync_then_the_laptop_catches_up(tmp_path, memory_keyring):
    server = start_local_server()
    try:
        team = Team(server, tmp_path)
        alice = team.add("alice")
        store = team.laptop(alice)
        csv = tmp_path / "mine.csv"
        csv.write_text("first_name,company,email\nAna,Foo,ana@foo.example\n")
        from leadtriage.importing.model import ImportOptions
        from leadtriage.importing.service import Importer

        Importer(store).import_file(csv, ImportOptions(source="fair"))
        lead = store.conn.execute("SELECT id FROM leads").fetchone()[0]
        _log_notes(store, lead, 400)
        path = store.path
        store.close()
        team.stores.remove(store)
        proc = _child(team, alice, path, tmp_path, batch=5)
        time.sleep(0.15)
        server.stop("immediate")
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "DONE" in out
        with open_store(path) as store:
            _intact(store)
            with pytest.raises(Offline):
                engine.sync(store)
            _log_notes(store, lead, 5, start=400)  # work goes on offline
            st = engine.status(store)
            assert st["last_error"].startswith("Offline") and st["waiting"] >= 5
            server.start()
            engine.sync(store)
            assert engine.status(store)["waiting"] == 0 and engine.status(store)["last_error"] is None
            _intact(store)
        assert sorted(_server_notes(team)) == sorted(f"n-{i}" for i in range(405))
        team.close()
    finally:
        server.destroy()


def test_a_removed_reps_laptop_says_so_on_pull_and_push(team, tmp_path):
    mgr, alice = team.add("mona", "manager"), team.add("alice")
    la = team.laptop(alice)
    with team.sql(mgr) as c:
        admin.remove_user(c, alice)
    path = la.path
    la.close()
    team.stores.remove(la)
    env = {**os.environ, "PGPASSFILE": str(pgpass(tmp_path, team, alice)),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "LEADTRIAGE_NO_LOG_FILE": "1"}
    done = subprocess.run([sys.executable, "-m", "leadtriage", "team", "sync", "--db", str(path)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 2
    assert "no longer lets" in done.stderr and done.stderr.count("\n") == 1


def test_a_long_first_pull_applies_like_an_import_and_a_kill_leaves_nothing_half_done(team, tmp_path, monkeypatch):
    from leadtriage.store import queue

    mgr, mgr2 = team.add("mona", "manager"), team.add("max", "manager")
    m = team.laptop(mgr)
    generate(m, leads=250, seed=8)
    engine.sync(m)
    second = team.laptop(mgr2)
    path = second.path
    second.close()
    team.stores.remove(second)
    # The child pulls in bulk (BULK_PULL lowered through its batch argument's module):
    # a kill anywhere leaves the laptop empty, never half-filled.
    env_batch = 25
    for delay in (0.05, 0.2, 0.4):
        proc = _child(team, mgr2, path, tmp_path, batch=env_batch, bulk=True)
        time.sleep(delay)
        proc.kill()
        proc.wait()
        proc.stdout.close()
        with open_store(path) as s:
            _intact(s)
            n = s.conn.execute("SELECT count(*) FROM leads").fetchone()[0]
            assert n in (0, 250)
            assert (int(engine.state(s, "feed_pos")) == 0) == (n == 0)
    monkeypatch.setattr(engine, "BULK_PULL", 10)
    with open_store(path) as s:
        engine.sync(s)
        _intact(s)
        assert _fingerprint(s) == _fingerprint(m)
        # What the triggers keep was rebuilt: search, queue counts.
        assert queue.counts_by_status(s.conn) == queue.counts_by_status(m.conn)
        name = s.conn.execute("SELECT last_name FROM leads WHERE last_name IS NOT NULL LIMIT 1").fetchone()[0]
        hits = s.conn.execute("SELECT count(*) FROM leads_fts WHERE leads_fts MATCH ?", (f'"{name}"',)).fetchone()[0]
        assert hits == m.conn.execute("SELECT count(*) FROM leads_fts WHERE leads_fts MATCH ?", (f'"{name}"',)).fetchone()[0] > 0
        # And the triggers are back: a local edit reaches the outbox.
        s.conn.execute("UPDATE leads SET notes = 'after bulk' WHERE id = (SELECT min(id) FROM leads)")
        assert engine.status(s)["waiting"] == 1

"""`leadtriage team ...` end to end on a real server: JSON out, exit codes, and the
password only ever from a file, PGPASSWORD or ~/.pgpass (never the URL)."""

from __future__ import annotations

import json

import pytest

from leadtriage.cli import main
from leadtriage.safety.opening import open_store
from tests.team_fixtures import Team, shared_server


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fresh(tmp_path, memory_keyring, monkeypatch):
    """A prepared-by-nobody team database, and libpq's password file for its owner."""
    server = shared_server()
    team = Team(server, tmp_path, prepare=False)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{server.port}:*:{server.superuser}:{server.password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    return team


def test_a_team_from_the_command_line(capsys, fresh, tmp_path):
    team = fresh
    code, out, err = run(capsys, "team", "init", team.owner_url, "--json")
    assert code == 0, err
    assert json.loads(out)["schema"] >= 1
    mona, alice = team.login("mona"), team.login("alice")
    for name, role in ((mona, "manager"), (alice, "rep")):
        pw = tmp_path / f"{name}.pw"
        pw.write_text(f"{name}-password\n")
        code, out, err = run(capsys, "team", "users", "add", name, "--role", role, "--password-file", str(pw),
                             "--url", team.owner_url, "--json")
        assert code == 0, err
        assert json.loads(out) == {"name": name, "role": role, "added": True}
    mdb, adb = tmp_path / "mona.db", tmp_path / "alice.db"
    code, out, err = run(capsys, "demo", "--db", str(mdb), "--leads", "40", "--json")
    assert code == 0, err
    code, out, err = run(capsys, "team", "join", team.url(mona), "--db", str(mdb),
                         "--password-file", str(tmp_path / f"{mona}.pw"), "--json")
    assert code == 0, err
    joined = json.loads(out)
    assert joined["role"] == "manager" and joined["password_in_keyring"] is True and joined["queued"] > 40
    code, out, err = run(capsys, "team", "sync", "--db", str(mdb), "--json")
    assert code == 0, err
    assert json.loads(out)["waiting"] == 0
    code, out, err = run(capsys, "team", "join", team.url(alice), "--db", str(adb),
                         "--password-file", str(tmp_path / f"{alice}.pw"), "--json")
    assert code == 0, err
    code, out, err = run(capsys, "team", "claim", "5", "--db", str(adb), "--json")
    assert code == 0, err
    claimed = json.loads(out)
    assert claimed["claimed"] == 5
    with open_store(adb, writer=False) as s:
        assert {r[0] for r in s.conn.execute("SELECT public_id FROM leads")} == set(claimed["public_ids"])
    code, out, err = run(capsys, "team", "assign", "--rule", "round-robin", "--db", str(mdb), "--json")
    assert code == 0, err
    assigned = json.loads(out)
    assert assigned["assigned"] > 0 and set(assigned["per_rep"]) == {alice}
    code, out, err = run(capsys, "team", "status", "--db", str(adb), "--json")
    status = json.loads(out)
    assert status["user"] == alice and status["role"] == "rep" and status["waiting"] == 0
    code, out, err = run(capsys, "team", "users", "remove", alice, "--db", str(mdb), "--json")
    assert code == 0, err
    assert json.loads(out)["leads_returned_to_pool"] == 5 + assigned["assigned"]
    code, out, err = run(capsys, "team", "sync", "--db", str(adb))
    assert code == 2 and "no longer lets" in err and out == ""


@pytest.mark.parametrize("argv, words", [
    (["team", "status"], None),  # not on a team: fine, says so
    (["team", "sync"], "not on a team"),
    (["team", "join", "postgresql://alice:secret@127.0.0.1/x"], "not in the URL"),
    (["team", "join", "postgresql://alice@db.example.com/x?sslmode=disable"], "verify-full"),
    (["team", "users", "add", "Bad Name", "--role", "rep", "--password-file", "nowhere", "--url",
      "postgresql://x@127.0.0.1/x"], "Cannot read the password file"),
    (["team", "claim", "0"], "between 1 and"),
])
def test_bad_input_is_one_clear_line_and_exit_2(capsys, db_path, memory_keyring, argv, words):
    open_store(db_path).close()
    code, out, err = run(capsys, *argv, "--db", str(db_path))
    if words is None:
        assert code == 0 and "Not on a team" in out
        return
    assert code == 2, (out, err)
    assert words in err and err.count("\n") == 1 and out == ""


def test_the_server_down_is_offline_not_a_crash(capsys, db_path, memory_keyring, monkeypatch):
    from leadtriage.sync.localserver import free_port

    monkeypatch.setenv("PGPASSWORD", "whatever")
    code, out, err = run(capsys, "team", "join", f"postgresql://alice@127.0.0.1:{free_port()}/team",
                         "--db", str(db_path))
    assert code == 2 and err.startswith("leadtriage: Offline")

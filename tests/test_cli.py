import json
import subprocess
import sys

import pytest

from leadtriage import __version__
from leadtriage.cli import main
from leadtriage.safety.opening import open_store
from leadtriage.store.schema import LATEST_VERSION


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"leadtriage {__version__}"


def test_demo_then_check(capsys, db_path):
    code, out, _ = run(capsys, "demo", "--db", str(db_path), "--leads", "300", "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["leads"] == 300
    assert summary["activities"] >= 600
    code, out, _ = run(capsys, "check", "--db", str(db_path))
    assert code == 0
    assert f"schema version {LATEST_VERSION}" in out
    assert out.strip().splitlines()[-1] == "ok"


def test_demo_is_deterministic(capsys, tmp_path):
    rows = []
    for name in ("a.db", "b.db"):
        path = tmp_path / name
        assert main(["demo", "--db", str(path), "--leads", "150", "--seed", "3"]) == 0
        with open_store(path, writer=False) as s:
            rows.append(s.conn.execute("SELECT public_id, first_name, company, status, score FROM leads "
                                       "ORDER BY id").fetchall())
    assert rows[0] == rows[1]


def test_demo_refuses_a_database_with_leads(capsys, db_path):
    assert main(["demo", "--db", str(db_path), "--leads", "50"]) == 0
    code, _, err = run(capsys, "demo", "--db", str(db_path), "--leads", "50")
    assert code == 2
    assert "already has leads" in err and len(err.strip().splitlines()) == 1


def test_check_refuses_newer_and_foreign_files_with_exit_2(capsys, db_path, tmp_path):
    with open_store(db_path) as s:
        s.conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 3}")
    code, _, err = run(capsys, "check", "--db", str(db_path))
    assert code == 2 and "newer LeadTriage" in err
    text = tmp_path / "list.csv"
    text.write_text("name,email\nAnna,anna@example.com\n" * 10)
    code, _, err = run(capsys, "check", "--db", str(text))
    assert code == 2 and "not a LeadTriage database" in err
    code, _, err = run(capsys, "check", "--db", str(tmp_path / "missing.db"))
    assert code == 2 and "No LeadTriage database" in err


def test_writer_while_app_has_it_open_gets_exit_2(capsys, store, db_path):
    code, _, err = run(capsys, "demo", "--db", str(db_path), "--leads", "20")
    assert code == 2
    assert "already open" in err
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 0


def test_bad_arguments_give_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--leads", "many"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "invalid int value" in err


def test_installed_entry_point_runs(db_path, tmp_path):
    exe = [sys.executable, "-m", "leadtriage"]
    env = {"LEADTRIAGE_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "LEADTRIAGE_NO_LOG_FILE": "1"}
    done = subprocess.run([*exe, "demo", "--db", str(db_path), "--leads", "100", "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["leads"] == 100
    done = subprocess.run([*exe, "check", "--db", str(db_path), "--json"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert json.loads(done.stdout)["integrity"] == "ok"

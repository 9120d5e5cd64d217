"""Commands while the app has the database open: read-only ones run, writing ones
refuse at once with a clear line (or wait with --wait, then go on or give up)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from leadtriage.cli import main
from leadtriage.domain.public_id import format_public_id
from leadtriage.safety.opening import open_store
from tests.metrics_fixture import add_handoff, add_lead


@pytest.fixture
def app_db(db_path, tmp_path):
    """A database with one handed-off lead, held open as the app holds it."""
    with open_store(db_path) as store:
        add_lead(store, 1, created="2026-11-01 09:00:00", status="handed_off")
        add_handoff(store, 1, handed="2026-11-03 09:00:00")
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(f"Lead ID,Outcome,Date\n{format_public_id(1)},accepted,2026-11-20\n"
                        "LT-NOPE,won,2026-11-20\n", encoding="utf-8")
    app = open_store(db_path)  # the app: holds the writer lock for its lifetime
    yield db_path, outcomes, app
    app.close()


def test_read_only_commands_run_while_the_app_is_open(app_db, capsys):
    db_path, outcomes, app = app_db
    assert main(["outcomes", str(outcomes), "--db", str(db_path), "--dry-run", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["applied"] == 1 and report["problems"] == 1 and report["dry_run"]
    assert app.conn.execute("SELECT status FROM leads WHERE id = 1").fetchone()[0] == "handed_off"  # nothing written
    assert main(["stats", "--db", str(db_path), "--period", "all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["leads"] == 1
    assert main(["check", "--db", str(db_path)]) == 0
    capsys.readouterr()
    with app.transaction():  # and the app can still write afterwards
        app.conn.execute("UPDATE leads SET notes = 'still mine' WHERE id = 1")


def test_a_writing_command_refuses_at_once_with_a_clear_line(app_db, capsys):
    db_path, outcomes, app = app_db
    assert main(["outcomes", str(outcomes), "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already open" in err and "--wait" in err and "nothing was changed" in err
    assert app.conn.execute("SELECT status FROM leads WHERE id = 1").fetchone()[0] == "handed_off"


def test_wait_goes_on_once_the_app_closes(app_db, capsys):
    db_path, outcomes, app = app_db
    app.close()
    # The app in a process of its own (a lock is released by the thread that took it):
    # it says when it has the database, and closes it a moment later.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from leadtriage.safety.opening import open_store; "
         "s = open_store(sys.argv[1]); print('open', flush=True); time.sleep(1.0); s.close()", str(db_path)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert main(["outcomes", str(outcomes), "--db", str(db_path), "--wait", "60"]) == 0
    finally:
        holder.wait(timeout=60)
        holder.stdout.close()
    captured = capsys.readouterr()
    assert "waiting up to 60 s" in captured.err and "1 outcomes applied" in captured.out


def test_wait_gives_up_with_the_same_refusal(app_db, capsys):
    db_path, outcomes, _app = app_db
    started = time.monotonic()
    assert main(["outcomes", str(outcomes), "--db", str(db_path), "--wait", "0.5"]) == 2
    assert time.monotonic() - started >= 0.4  # it did wait (not a timing budget: a lower bound)
    assert "waited 0.5 s" in capsys.readouterr().err


def test_a_command_never_waits_for_input_without_stdin(app_db):
    db_path, outcomes, _app = app_db
    done = subprocess.run([sys.executable, "-m", "leadtriage", "outcomes", str(outcomes), "--db", str(db_path)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "already open" in done.stderr

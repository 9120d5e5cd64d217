"""A LeadTriage database someone changed outside the app: triggers, views, tables or
indexes LeadTriage did not create are noticed at every open and by `check`, refused
with one sentence, and never run; backups of such a file are neither made nor used."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from leadtriage.cli import main
from leadtriage.domain.public_id import format_public_id
from leadtriage.errors import UserError
from leadtriage.safety import backup as backups
from leadtriage.safety.opening import open_store
from leadtriage.store.schema_check import ForeignSchema
from tests.handoff_helpers import insert_lead

EVIL_TRIGGER = ("CREATE TRIGGER evil_ai AFTER INSERT ON activities BEGIN "
                "UPDATE leads SET email = 'harvest@evil.example'; END")
CHANGED_TRIGGER = ("CREATE TRIGGER leads_fts_ai AFTER INSERT ON leads BEGIN "
                   "UPDATE leads SET email = 'harvest@evil.example'; END")
TAMPERING = {
    "trigger": [EVIL_TRIGGER],
    "changed-trigger": ["DROP TRIGGER leads_fts_ai", CHANGED_TRIGGER],
    "view": ["CREATE VIEW everyone AS SELECT email, phone FROM leads"],
    "table": ["CREATE TABLE exfil (x)"],
    "index": ["CREATE INDEX idx_extra ON leads (email, phone)"],
}


@pytest.fixture
def db(store, db_path):
    lead = insert_lead(store)
    store.close()
    return db_path, lead


def tamper(path, kind):
    with sqlite3.connect(path) as conn:
        for sql in TAMPERING[kind]:
            conn.execute(sql)
    return path


def emails(path):
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return {r[0] for r in conn.execute("SELECT email FROM leads")}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_check_and_every_open_refuse_what_leadtriage_did_not_create(db, capsys, kind):
    path, _ = db
    tamper(path, kind)
    code = main(["check", "--db", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "changed outside LeadTriage" in err and TAMPERING[kind][-1].split()[2] in err
    for writer in (True, False):
        with pytest.raises(ForeignSchema):
            open_store(path, writer=writer)


@pytest.mark.parametrize("kind", ["trigger", "changed-trigger"])
def test_a_foreign_trigger_never_fires(db, tmp_path, capsys, kind):
    path, lead = db
    tamper(path, kind)
    before = emails(path)
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(f"Lead ID,Outcome\n{format_public_id(lead)},accepted\n", "utf-8")
    leads_csv = tmp_path / "list.csv"
    leads_csv.write_text("first_name,last_name,company,email\nBo,Berg,Acme,bo@acme.example\n", "utf-8")
    for argv in (["outcomes", str(outcomes)], ["import", str(leads_csv)],
                 ["export", "--format", "md", "--out", str(tmp_path / "out")], ["backup"]):
        code = main([argv[0], "--db", str(path), *argv[1:]])
        err = capsys.readouterr().err
        assert code == 2, (argv, err)
        assert "changed outside LeadTriage" in err
    assert emails(path) == before
    assert backups.list_backups(path) == []  # not carried into a backup either


def test_a_backup_with_a_foreign_trigger_is_not_restored_nor_used_for_recovery(db, tmp_path, capsys):
    path, _ = db
    with open_store(path) as store:
        made = backups.backup(store)
    tamper(made, "trigger")
    assert backups.check_backup(made) and "evil_ai" in backups.check_backup(made)[0]
    assert backups.newest_good_backup(path) is None
    code = main(["restore", "--db", str(path), str(made)])
    err = capsys.readouterr().err
    assert code == 2 and "evil_ai" in err
    with open_store(path) as store:
        assert "evil_ai" not in {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}


def test_the_app_refuses_it_with_a_dialog(qtbot, db, monkeypatch, capsys):
    from PySide6.QtWidgets import QMessageBox

    from leadtriage.ui import app as app_module

    path, _ = db
    tamper(path, "trigger")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # start() installs the app's hook
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    assert app_module.run_app(str(path)) == 2
    assert shown and "changed outside LeadTriage" in shown[0] and "evil_ai" in shown[0]
    capsys.readouterr()


def test_an_untouched_database_passes_at_every_schema_version(tmp_path):
    """Each migration's result is what the check expects (so an older database is
    not refused before it is upgraded)."""
    import sqlite_utils

    from leadtriage.store.db import APPLICATION_ID, inspect_file
    from leadtriage.store.schema import LATEST_VERSION, MIGRATIONS

    for version in range(1, LATEST_VERSION + 1):
        path = tmp_path / f"v{version}.db"
        with sqlite3.connect(path) as conn:
            db = sqlite_utils.Database(conn)
            for migration in MIGRATIONS[:version]:
                migration(db)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {version}")
        assert inspect_file(path) == version
        with open_store(path) as store:  # upgraded to the latest
            assert store.user_version == LATEST_VERSION
        assert inspect_file(path) == LATEST_VERSION


def test_the_check_at_open_does_not_load_sqlite_utils_once_cached(db, isolated_home):
    """The app's cold start must not pay for sqlite-utils + pandas (~0.6 s): after the
    first run the expected schema comes from the cache folder."""
    path, _ = db
    probe = ("import sys; from pathlib import Path; from leadtriage.store.db import inspect_file; "
             "v = inspect_file(Path(sys.argv[1])); print(v, 'sqlite_utils' in sys.modules)")
    env = dict(os.environ, LEADTRIAGE_HOME=str(isolated_home))
    from leadtriage.store.schema import LATEST_VERSION

    runs = [subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, env=env,
                           check=True).stdout.split() for _ in range(2)]
    assert runs[0] == [str(LATEST_VERSION), "True"]  # the first computes it
    assert runs[1] == [str(LATEST_VERSION), "False"]
    assert list((isolated_home / "cache").glob("schema-*.json"))


def test_a_damaged_cache_is_computed_again(db, isolated_home):
    from leadtriage.store import schema_check

    path, _ = db
    schema_check._expected_all.cache_clear()
    for cached in (isolated_home / "cache").glob("schema-*.json"):
        cached.write_text("{not json", "utf-8")
    from leadtriage.store.db import inspect_file

    assert inspect_file(path) > 0
    cached = next((isolated_home / "cache").glob("schema-*.json"))
    assert json.loads(cached.read_text("utf-8"))


def test_refusal_is_a_user_error():
    assert issubclass(ForeignSchema, UserError)

"""Team templates and settings from someone else: a brief template cannot run code or
read files, and a database (restored, copied or handed over) cannot choose which
template folder this computer uses."""

from __future__ import annotations

import json
import sqlite3

import pytest

from leadtriage import machine_settings
from leadtriage.cli import main
from leadtriage.safety.opening import open_store
from leadtriage.store.settings import SettingsStore
from tests.handoff_helpers import insert_lead

ESCAPES = {
    "cycler-popen": "{{ cycler.__init__.__globals__.os.popen('touch CANARY').read() }}",
    "lipsum-open": "{{ lipsum.__globals__['__builtins__']['open']('SECRET').read() }}",
    "mro": "{{ ''.__class__.__mro__ }}",
    "mro-subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "brief-class": "{{ brief.__class__.__init__.__globals__ }}",
    "format-attr": "{{ '{0.__class__}'.format(brief) }}",
    "mutate": "{% set x = brief.criteria.append(1) %}{{ x }}",
    "memory": "{{ 'x' * 10**9 }}",
    "cpu": "{{ 7 ** 100000000 }}",
    "range": "{% for i in range(10**9) %}{% endfor %}",
}
TEMPLATE_FOR = {"md": "brief.md", "html": "brief.html", "pdf": "brief_pdf.html"}


@pytest.fixture
def db(store, db_path):
    lead = insert_lead(store)
    store.close()
    return db_path, lead


def leads_status(path):
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT status FROM leads ORDER BY id")]


@pytest.mark.parametrize("fmt", sorted(TEMPLATE_FOR))
@pytest.mark.parametrize("payload", sorted(ESCAPES))
def test_template_escape_payloads_fail_with_one_line_and_run_nothing(db, tmp_path, capsys, payload, fmt):
    path, _ = db
    canary = tmp_path / "canary"
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", "utf-8")
    team = tmp_path / "team"
    team.mkdir()
    (team / TEMPLATE_FOR[fmt]).write_text(
        "Brief\n" + ESCAPES[payload].replace("CANARY", str(canary)).replace("SECRET", str(secret)) + "\n", "utf-8")
    with open_store(path) as store:
        SettingsStore(store).set("template_folder", str(team))
    out = tmp_path / "out"
    code = main(["export", "--db", str(path), "--format", fmt, "--out", str(out)])
    stdout, err = capsys.readouterr()
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "template" in err and TEMPLATE_FOR[fmt] in err
    assert "TOP-SECRET-CONTENT" not in err + stdout
    assert not canary.exists()  # the command never ran
    assert not out.exists() or not any(out.iterdir())  # nothing written
    assert leads_status(path) == ["qualified"]  # nothing recorded


def test_a_harmless_team_template_still_renders_in_the_sandbox(db, tmp_path, capsys):
    path, _ = db
    team = tmp_path / "team"
    team.mkdir()
    (team / "brief.md").write_text(
        "{{ brief.header.name }}: {{ brief.met_count }} of {{ brief.criteria|length }}"
        "{% for c in brief.criteria %} {{ c.label }}{% endfor %}"
        "{% if not brief.plan.empty %} plan{% endif %} {{ range(3)|list|length }}\n", "utf-8")
    with open_store(path) as store:
        SettingsStore(store).set("template_folder", str(team))
    out = tmp_path / "out"
    assert main(["export", "--db", str(path), "--format", "md", "--out", str(out)]) == 0, capsys.readouterr()
    (brief,) = out.iterdir()
    assert brief.read_text("utf-8").startswith("Anna Meyer: 3 of 4 Budget Authority Need Timeline plan 3")


def test_template_folder_is_kept_on_this_computer_not_in_the_database(store, tmp_path):
    team = tmp_path / "team"
    team.mkdir()
    SettingsStore(store).set("template_folder", str(team))
    assert store.conn.execute("SELECT count(*) FROM settings WHERE key = 'template_folder'").fetchone()[0] == 0
    assert machine_settings.get("template_folder") == str(team)
    assert SettingsStore(store).get("template_folder") == str(team)
    assert oct(machine_settings.settings_path().stat().st_mode & 0o777) == "0o600"


def _plant_template_folder(path, folder):
    """What an older LeadTriage (or someone editing the file) leaves in a database."""
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('template_folder', ?)",
                     (json.dumps(str(folder)),))


def _evil_folder(tmp_path):
    evil = tmp_path / "evil"
    evil.mkdir()
    (evil / "brief.md").write_text("EVIL BRIEF {{ brief.header.name }}\n", "utf-8")
    return evil


def test_a_database_from_someone_else_cannot_choose_the_template_folder(db, tmp_path, capsys):
    path, _ = db
    _plant_template_folder(path, _evil_folder(tmp_path))
    out = tmp_path / "out"
    assert main(["export", "--db", str(path), "--format", "md", "--out", str(out)]) == 0, capsys.readouterr()
    (brief,) = out.iterdir()
    assert "EVIL" not in brief.read_text("utf-8")
    assert "Why it is qualified" in brief.read_text("utf-8")  # the built-in template
    assert machine_settings.get("template_folder") is None  # not adopted from a --db file


def test_a_restored_backup_cannot_choose_the_template_folder(tmp_path, capsys, isolated_home):
    from leadtriage.safety import backup as backups

    own = isolated_home / "leadtriage.db"  # this computer's own database (no --db)
    with open_store(own) as store:
        insert_lead(store)
    # A backup made elsewhere, carrying a template folder.
    foreign = tmp_path / "foreign.db"
    with open_store(foreign) as store:
        insert_lead(store)
    _plant_template_folder(foreign, _evil_folder(tmp_path))
    with open_store(foreign) as store:
        copy = backups.backup(store, folder=tmp_path / "handed-over")
    assert main(["restore", str(copy)]) == 0, capsys.readouterr()
    with open_store(own) as store:
        assert SettingsStore(store).get("template_folder") == ""
        assert store.conn.execute("SELECT count(*) FROM settings WHERE key = 'template_folder'").fetchone()[0] == 0
    assert machine_settings.get("template_folder") is None


def test_an_older_versions_setting_moves_once_from_this_computers_own_database(tmp_path, isolated_home):
    own = isolated_home / "leadtriage.db"
    team = tmp_path / "team"
    team.mkdir()
    with open_store(own) as store:
        insert_lead(store)
    machine_settings.settings_path().unlink()  # as before this version: nothing adopted yet
    _plant_template_folder(own, team)
    with open_store(own) as store:
        assert SettingsStore(store).get("template_folder") == str(team)
        # Moved, not copied: it does not travel on into backups.
        assert store.conn.execute("SELECT count(*) FROM settings WHERE key = 'template_folder'").fetchone()[0] == 0
    # Once only: a value planted later (a file put in place of ours) is not taken.
    _plant_template_folder(own, _evil_folder(tmp_path))
    with open_store(own) as store:
        assert SettingsStore(store).get("template_folder") == str(team)

import hashlib
import os
import sqlite3
import stat

import pytest

from leadtriage.errors import DatabaseBusy, DatabaseTooNew, NotALeadTriageDatabase
from leadtriage.safety.opening import open_store
from leadtriage.store import APPLICATION_ID
from leadtriage.store.schema import LATEST_VERSION, MIGRATIONS
from leadtriage.store.settings import SettingsStore


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_set_up_safely(store, db_path):
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert store.user_version == LATEST_VERSION
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"leads", "activities", "import_batches", "import_rejects", "handoffs", "field_reps",
            "campaigns", "settings", "change_log", "leads_fts", "import_profiles"} <= tables
    # Personal data: readable by the user only.
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600


def test_newer_schema_is_refused_and_file_left_untouched(db_path):
    with open_store(db_path) as s:
        s.conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    before = digest(db_path)
    with pytest.raises(DatabaseTooNew, match="newer LeadTriage"):
        open_store(db_path)
    assert digest(db_path) == before


def test_text_file_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("just some notes\n" * 20)
    before = digest(path)
    with pytest.raises(NotALeadTriageDatabase, match="not an SQLite file"):
        open_store(path)
    assert digest(path) == before


def test_other_apps_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO photos (name) VALUES ('beach')")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(NotALeadTriageDatabase, match="another application"):
        open_store(path)
    assert digest(path) == before


def test_second_writer_is_told_and_first_keeps_working(store, db_path):
    with pytest.raises(DatabaseBusy, match="already open"):
        open_store(db_path)
    with store.transaction() as db:
        db["field_reps"].insert({"name": "Dana"})
    # Readers are welcome while the writer works.
    with open_store(db_path, writer=False) as reader:
        assert reader.conn.execute("SELECT count(*) FROM field_reps").fetchone()[0] == 1
    store.close()
    with open_store(db_path) as again:
        assert again.integrity_check() == ["ok"]


def test_transaction_is_all_or_nothing(store):
    with pytest.raises(RuntimeError), store.transaction() as db:
        db["field_reps"].insert({"name": "Dana"})
        raise RuntimeError("boom")
    assert store.conn.execute("SELECT count(*) FROM field_reps").fetchone()[0] == 0


def test_each_schema_version_upgrades_with_nothing_lost(db_path):
    from leadtriage.safety.opening import open_store
    from leadtriage.store.db import Store

    for version in range(1, LATEST_VERSION):
        path = db_path.with_name(f"v{version}.db")
        s = open_store(path)  # creates at latest; rebuild at `version` below
        s.close()
        path.unlink()
        for side in ("-wal", "-shm"):
            path.with_name(path.name + side).unlink(missing_ok=True)
        s = Store.__new__(Store)
        from leadtriage.store.db import connect, create_private_file
        from leadtriage.store.lock import WriterLock

        create_private_file(path)
        lock = WriterLock(path)
        lock.acquire()
        Store.__init__(s, path, connect(path, readonly=False), lock)
        s.migrate(target=version)
        with s.transaction() as db:
            db["leads"].insert({"id": 1, "public_id": "LT-0000X", "first_name": "Jürgen", "last_name": "Weiß",
                                "company": "Nordwind GmbH", "email": "j.weiss@nordwind.de", "status": "engaged",
                                "created_at": "2026-01-01 10:00:00", "updated_at": "2026-01-01 10:00:00"})
            db["activities"].insert({"lead_id": 1, "kind": "call", "disposition": "conversation",
                                     "notes": "Wants a demo", "occurred_at": "2026-01-02 10:00:00"})
        s.close()

        with open_store(path) as upgraded:
            assert upgraded.user_version == LATEST_VERSION
            lead = upgraded.conn.execute("SELECT first_name, company, status FROM leads").fetchone()
            assert lead == ("Jürgen", "Nordwind GmbH", "engaged")
            assert upgraded.conn.execute("SELECT notes FROM activities").fetchone() == ("Wants a demo",)
            # The search index covers rows that existed before it did.
            hits = upgraded.conn.execute("SELECT rowid FROM leads_fts WHERE leads_fts MATCH 'nordw*'").fetchall()
            assert hits == [(1,)]
            assert upgraded.integrity_check() == ["ok"]
        backups = list(db_path.parent.glob(f"v{version}-backups/*.db"))
        assert backups, "a backup is written before migrating"
        with sqlite3.connect(backups[0]) as b:
            assert b.execute("PRAGMA user_version").fetchone()[0] == version
    assert len(MIGRATIONS) == LATEST_VERSION


def test_settings_registry_types_and_defaults(store):
    settings = SettingsStore(store)
    assert settings.get("feedback_days") == 5
    settings.set("feedback_days", "7")
    assert settings.get("feedback_days") == 7
    settings.set("calling_hours_start", "08:30")
    assert settings.all()["calling_hours_start"] == "08:30"
    with pytest.raises(KeyError):
        settings.get("no_such_setting")


def test_search_index_follows_edits(store, make_lead):
    make_lead(5, first_name="Ana", company="Acme")
    store.conn.execute("UPDATE leads SET company = 'Zeppelin Logistik' WHERE id = 5")
    q = "SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?"
    assert store.conn.execute(q, ("zepp*",)).fetchall() == [(5,)]
    assert store.conn.execute(q, ("acme",)).fetchall() == []


def test_the_lead_factory_makes_leads_the_app_accepts(store, make_lead):
    from leadtriage.domain.public_id import parse_public_id

    ids = [make_lead(), make_lead(company="Acme"), make_lead(40)]
    assert ids == [1, 2, 40]
    for lead_id, public_id in store.conn.execute("SELECT id, public_id FROM leads ORDER BY id"):
        assert parse_public_id(public_id) == lead_id  # the check character is right

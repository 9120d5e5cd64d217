"""User text is data: whatever a rep types or a file carries goes into the store and
comes back exactly, through the store and through LeadService (timeline, undo)."""

import logging
import os
import stat

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadtriage.safety import backup as backups
from leadtriage.services.leads import LeadService
from leadtriage.store import queue
from tests.conftest import add_lead

from .conftest import FIXED_NOW

HOSTILE = st.one_of(
    st.text(),  # any unicode (surrogates excluded: SQLite stores UTF-8)
    st.lists(st.sampled_from(["\x00", "\x01", "\x1b", "\r", "\n", "\t", "\u202e", "\u200f",
                                      "\u2066", "\ufeff", "😀", "👩🏽‍💻", "'", '"', ";", "--", "%", "_",
                                      "=cmd|' /C calc'!A0", "<script>", "&amp;", "\\", "NULL"]),
             min_size=1, max_size=40).map("".join),
    st.text(min_size=5000, max_size=20000),  # very long
    st.sampled_from(["", " ", "\x00", "Robert'); DROP TABLE leads;--", "\u202eevil.exe", "NULL", "null",
                     "a\x00b", "=1+1", "@SUM(A1)", "+49 30 1234", "-2", "\uffff", "\U0010ffff"]),
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def new_lead(store) -> int:
    return add_lead(store, first_name="H", last_name=None)


@FAST
@given(text=HOSTILE)
def test_activity_notes_round_trip_through_the_service(store, text):
    service = LeadService(store, rep=text[:50], clock=lambda: FIXED_NOW)
    lead = new_lead(store)
    activity = service.log_activity(lead, "call", notes=text, data={"quote": text})
    row = store.conn.execute("SELECT notes, rep FROM activities WHERE id = ?", (activity,)).fetchone()
    from leadtriage.services.calls import acting_rep
    from leadtriage.store.settings import SettingsStore

    assert row == (text, text[:50] or acting_rep(SettingsStore(store)))  # no name given: the acting rep
    timeline = queue.timeline(store.conn, lead)
    assert any(entry_text(e) == text for e in timeline)


def entry_text(entry):
    return entry.get("notes") if isinstance(entry, dict) else getattr(entry, "notes", None)


@FAST
@given(company=HOSTILE, first=HOSTILE, reason=HOSTILE)
def test_lead_fields_round_trip_with_undo_and_search(store, company, first, reason):
    service = LeadService(store, clock=lambda: FIXED_NOW)
    lead = new_lead(store)
    change = service.update(lead, {"company": company, "first_name": first}, "Edit")
    got = service.get(lead)
    assert (got["company"], got["first_name"]) == (company, first)
    service.change_status(lead, "attempting", reason=reason)
    assert service.get(lead)["status_reason"] == reason
    service.undo()  # the status move
    service.undo(change.id)
    got = service.get(lead)
    assert (got["company"], got["first_name"], got["status"]) == (None, "H", "new")
    # The search index stays consistent whatever the text was.
    assert store.conn.execute("INSERT INTO leads_fts(leads_fts) VALUES('integrity-check')") is not None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_hostile_text_survives_backup_and_restore(store, text, tmp_path_factory):
    lead = new_lead(store)
    LeadService(store, clock=lambda: FIXED_NOW).update(lead, {"notes": text}, "Edit notes")
    folder = tmp_path_factory.mktemp("b")
    made = backups.backup(store, "manual", folder, verify=False)
    with store.transaction():
        store.conn.execute("UPDATE leads SET notes = 'overwritten' WHERE id = ?", (lead,))
    backups.restore(store, made)
    assert store.conn.execute("SELECT notes FROM leads WHERE id = ?", (lead,)).fetchone() == (text,)


# -- files private, logs free of personal data -----------------------------------------------


def test_database_wal_shm_and_backups_are_private(store, db_path):
    LeadService(store).log_activity(new_lead(store), "call", notes="x")
    for path in (db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
        assert path.exists(), path
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    made = backups.backup(store)
    assert stat.S_IMODE(os.stat(made).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(made.parent).st_mode) == 0o700


def test_private_even_with_a_permissive_umask(tmp_path):
    from leadtriage.safety.opening import open_store

    old = os.umask(0)
    try:
        path = tmp_path / "open.db"
        with open_store(path) as s:
            LeadService(s).log_activity(new_lead(s), "call", notes="x")
            made = backups.backup(s)
            modes = {p.name: stat.S_IMODE(os.stat(p).st_mode)
                     for p in (path, path.with_name("open.db-wal"), path.with_name("open.db-shm"), made)}
    finally:
        os.umask(old)
    assert set(modes.values()) == {0o600}, modes


def test_logs_hold_no_personal_data(tmp_path, monkeypatch, capsys):
    """A whole flow (create, edit, call, status, undo, backup, damage, recovery, CLI)
    with a distinctive name and phone: neither appears in the log file."""
    import leadtriage.logs as logs
    from leadtriage.cli import main
    from leadtriage.safety import recovery
    from leadtriage.safety.opening import open_store

    monkeypatch.delenv("LEADTRIAGE_NO_LOG_FILE")
    monkeypatch.setattr(logs, "_configured", False)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    name, phone, note = "Zebulonia Quixotesque", "+4915112345678", "wife's surgery in March"
    try:
        logs.setup_logging(logging.DEBUG)
        db = tmp_path / "pii.db"
        with open_store(db) as s:
            with s.transaction() as d:
                lead = d["leads"].insert({"public_id": "LT-PII01", "first_name": name.split()[0],
                                          "last_name": name.split()[1], "phone": phone, "status": "new",
                                          "created_at": "2026-11-01 10:00:00",
                                          "updated_at": "2026-11-01 10:00:00"}).last_pk
            service = LeadService(s, rep=name)
            service.log_activity(lead, "call", notes=f"{name} {phone} {note}")
            service.update(lead, {"company": name}, f"Company of {name}")
            service.change_status(lead, "attempting", reason=note)
            service.undo()
            backups.backup(s, "manual")
        with open(db, "r+b") as fh:  # damage it: recovery logs a lot
            fh.seek(4096 * 3)
            fh.write(os.urandom(4096 * 4))
        store, _report = recovery.open_or_recover(db)
        store.close()
        assert main(["check", "--db", str(db)]) in (0, 1)
        assert main(["backup", "--db", str(db)]) == 0
        capsys.readouterr()
    finally:
        for h in root.handlers[:]:
            if h not in handlers:
                h.close()
                root.removeHandler(h)
        root.setLevel(level)
    log_file = logs.log_dir() / "leadtriage.log"
    text = log_file.read_text(encoding="utf-8")
    assert "backup" in text.lower() or "recover" in text.lower()  # the log was written to
    for secret in (name.split()[0], name.split()[1], phone, phone[3:], note, "Quixotesque"):
        assert secret not in text

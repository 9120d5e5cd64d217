"""Handing off is recorded: status, handoffs row, timeline; re-export, refusals and cancel."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from leadtriage.errors import UserError
from leadtriage.services.leads import LeadService
from leadtriage.store import queue
from leadtriage.util.progress import Cancelled, Progress
from tests.handoff_helpers import export, insert_lead

MEETING = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def handoffs(store, lead_id):
    cur = store.conn.execute("SELECT * FROM handoffs WHERE lead_id = ? ORDER BY id", (lead_id,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_export_hands_off_and_records(store, tmp_path):
    lead = insert_lead(store)
    result = export(store, [lead], ["pdf", "csv-salesforce"], tmp_path, meeting_at=MEETING)
    assert store.conn.execute("SELECT status FROM leads WHERE id = ?", (lead,)).fetchone()[0] == "handed_off"
    (row,) = handoffs(store, lead)
    assert row["field_rep"] == "Dana Whitfield" and row["field_rep_id"] is not None
    assert row["formats"] == "pdf,csv-salesforce"
    assert row["by_rep"] == "Alex Morgan"
    assert row["outcome"] == "pending"
    assert row["handed_off_at"] == "2026-11-23 14:00:00"
    assert row["meeting_at"] == "2026-12-01 09:30:00"
    paths = json.loads(row["paths"])
    assert sorted(paths) == sorted(str(p) for p in result.files)
    kinds = [a["kind"] for a in queue.timeline(store.conn, lead)]
    assert kinds[:2] == ["handoff", "status"] or set(kinds[:2]) == {"handoff", "status"}
    note = next(a for a in queue.timeline(store.conn, lead) if a["kind"] == "handoff")
    assert "Dana Whitfield" in note["notes"]
    assert json.loads(note["data"])["handoff_id"] == row["id"]
    # The status move is an ordinary, undoable change.
    LeadService(store).undo()
    assert store.conn.execute("SELECT status FROM leads WHERE id = ?", (lead,)).fetchone()[0] == "qualified"


def test_re_export_is_recorded_without_a_status_change(store, tmp_path):
    lead = insert_lead(store)
    export(store, [lead], ["md"], tmp_path / "one", meeting_at=MEETING)
    store.conn.execute("UPDATE handoffs SET outcome = 'accepted', outcome_at = '2026-11-24 10:00:00'")
    store.conn.execute("UPDATE leads SET status = 'accepted' WHERE id = ?", (lead,))
    changes_before = store.conn.execute("SELECT count(*) FROM change_log").fetchone()[0]
    result = export(store, [lead], ["md"], tmp_path / "two")
    assert result.handed_off == [] and len(result.re_exported) == 1
    assert store.conn.execute("SELECT status FROM leads WHERE id = ?", (lead,)).fetchone()[0] == "accepted"
    assert store.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == changes_before
    first, second = handoffs(store, lead)
    assert second["outcome"] == "accepted"  # what the field reported is not reset to pending
    assert second["meeting_at"] == first["meeting_at"]
    notes = [a["notes"] for a in queue.timeline(store.conn, lead) if a["kind"] == "handoff"]
    assert notes[0].startswith("Brief sent again")


def test_leads_not_ready_are_refused_and_nothing_is_written(store, tmp_path):
    ready = insert_lead(store)
    early = insert_lead(store, status="engaged")
    out = tmp_path / "out"
    with pytest.raises(UserError, match="only qualified or already handed-off"):
        export(store, [ready, early], ["pdf", "md"], out)
    assert not out.exists()
    assert handoffs(store, ready) == []
    assert store.conn.execute("SELECT status FROM leads WHERE id = ?", (ready,)).fetchone()[0] == "qualified"


def test_cancel_removes_files_and_records_nothing(store, tmp_path):
    leads = [insert_lead(store, first_name=f"P{i}") for i in range(4)]
    calls = []

    def on_progress(done, total, message):
        calls.append(done)
        if done >= 2:
            progress.cancel()

    progress = Progress(on_progress)
    out = tmp_path / "out"
    with pytest.raises(Cancelled):
        export(store, leads, ["md", "html"], out, progress=progress)
    assert not out.exists()  # the folder the export created is gone again
    assert store.conn.execute("SELECT count(*) FROM handoffs").fetchone()[0] == 0
    assert {r[0] for r in store.conn.execute("SELECT status FROM leads")} == {"qualified"}


def test_failure_while_recording_rolls_back_and_removes_files(store, tmp_path, monkeypatch):
    leads = [insert_lead(store, first_name=f"P{i}") for i in range(3)]
    original = LeadService.log_activity
    count = {"n": 0}

    def failing(self, lead_id, kind, **kw):
        count["n"] += 1
        if kind == "handoff" and count["n"] > 3:
            raise OSError("disk full")
        return original(self, lead_id, kind, **kw)

    monkeypatch.setattr(LeadService, "log_activity", failing)
    with pytest.raises(OSError):
        export(store, leads, ["md"], tmp_path)
    assert store.conn.execute("SELECT count(*) FROM handoffs").fetchone()[0] == 0
    assert {r[0] for r in store.conn.execute("SELECT status FROM leads")} == {"qualified"}
    assert list(tmp_path.glob("*.md")) == []


def test_demo_data_exports_every_format(demo_store, tmp_path):
    from leadtriage.handoff import select_leads

    ids = select_leads(demo_store.conn, status="handed_off")[:5] + select_leads(demo_store.conn)[:5]
    result = export(demo_store, ids, ["pdf", "html", "md", "csv-salesforce", "ics"], tmp_path)
    assert len(result.handed_off) == 5 and len(result.re_exported) == 5
    assert sum(p.suffix == ".pdf" for p in result.files) == 10
    assert sum(p.suffix == ".ics" for p in result.files) == 10 - len(result.no_meeting)


def test_missing_team_template_folder_is_refused_before_writing(store, tmp_path):
    from leadtriage.store.settings import SettingsStore

    lead = insert_lead(store)
    SettingsStore(store).set("template_folder", str(tmp_path / "gone"))
    with pytest.raises(UserError, match="template folder"):
        export(store, [lead], ["md"], tmp_path / "out")
    assert not (tmp_path / "out").exists() and handoffs(store, lead) == []


def test_full_disk_is_a_clear_message_and_keeps_nothing(store, tmp_path, monkeypatch):
    import errno
    from pathlib import Path

    from leadtriage.errors import StorageProblem

    leads = [insert_lead(store), insert_lead(store, first_name="Bo")]
    real = Path.write_text
    calls = {"n": 0}

    def write_text(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("someone else's file")
    with pytest.raises(StorageProblem, match="No space left on device"):
        export(store, leads, ["md"], tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]
    assert store.conn.execute("SELECT count(*) FROM handoffs").fetchone()[0] == 0

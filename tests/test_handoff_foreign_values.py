"""Values only a foreign tool can store (a BLOB where text belongs, TEXT that is not
UTF-8, a word where a number or a time belongs) do not stop an export: every format
is written, a BLOB reads as the text it holds, and bytes that are not UTF-8 show as
U+FFFD."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from leadtriage.cli import main
from leadtriage.domain.public_id import format_public_id
from tests.handoff_helpers import export, insert_lead, pdf_text

FORMATS = ["pdf", "html", "md", "csv-salesforce", "csv-hubspot", "csv-sheet", "ics"]


def _foreign_lead(store) -> int:
    lead_id = insert_lead(
        store,
        first_name=b"Blob\xc3\xa9 Anna",  # a BLOB holding UTF-8 text
        motivations=b"Blob motive, with comma.",
        pain_points=json.dumps([{"tag": "Blob pain", "quote": "stored as bytes"}]).encode(),
        employees="about fifty", score="high", attempts=2.0,
        qualified_at="last Tuesday",
    )
    with store.transaction():
        # TEXT that is not UTF-8: SQLite stores it without a check
        store.conn.execute("UPDATE leads SET company = CAST(? AS TEXT), notes = CAST(? AS TEXT) WHERE id = ?",
                           (b"Caf\xc3 Nord", b"note \xff here", lead_id))
        store.conn.execute("UPDATE activities SET notes = CAST(? AS TEXT), occurred_at = ? WHERE lead_id = ?",
                           (b"call note \xfe", b"\x00", lead_id))
        store.conn.execute("INSERT INTO handoffs (lead_id, handed_off_at, meeting_at) VALUES (?, ?, ?)",
                           (lead_id, "2026-11-20 10:00:00", "soon"))
    return lead_id


def _by_kind(files):
    return {p.suffix if p.suffix != ".csv" else p.name.split("_")[1]: p for p in files}


def test_every_format_is_written_with_the_text_that_could_be_read(store, tmp_path):
    lead_id = _foreign_lead(store)
    result = export(store, [lead_id], FORMATS, tmp_path / "out",
                    meeting_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC))
    files = _by_kind(result.files)
    assert set(files) == {".pdf", ".html", ".md", ".ics", "salesforce", "hubspot", "sheet"}
    assert len(result.handed_off) == 1

    markdown = files[".md"].read_text(encoding="utf-8")
    for text in ("Blobé Anna", "Blob motive, with comma", "Blob pain", "Caf\ufffd Nord", "call note \ufffd"):
        assert text in markdown
    assert "b'" not in markdown  # no Python notation for bytes
    assert "Blob motive" in pdf_text(files[".pdf"])
    assert "Caf\ufffd Nord" in files[".html"].read_text(encoding="utf-8")

    rows = list(csv.reader(io.StringIO(files["salesforce"].read_text(encoding="utf-8"), newline="")))
    header, row = rows[0], rows[1]
    cell = dict(zip(header, row, strict=True))
    assert cell["First Name"] == "Blobé Anna"
    assert cell["Company"] == "Caf\ufffd Nord"
    assert cell["No. of Employees"] == "about fifty"  # as stored: the CRM decides
    assert "Motivations: Blob motive, with comma" in cell["Description"]
    assert "Blob pain: stored as bytes" in cell["Description"]
    sheet = list(csv.DictReader(io.StringIO(files["sheet"].read_text(encoding="utf-8-sig"), newline="")))
    assert sheet[0]["Motivations"] == "Blob motive, with comma."


def test_a_recorded_meeting_that_is_not_a_time_is_left_out(store, tmp_path):
    lead_id = _foreign_lead(store)
    result = export(store, [lead_id], ["md", "ics"], tmp_path / "out")
    files = _by_kind(result.files)
    assert ".ics" not in files  # no meeting time: no invite
    assert "meets the prospect on" not in files[".md"].read_text(encoding="utf-8")


def test_the_command_line_exports_them_too(store, tmp_path, capsys):
    lead_id = _foreign_lead(store)
    store.close()
    code = main(["export", "--db", str(store.path), "--ids", format_public_id(lead_id), "--format", ",".join(FORMATS[:-1]),
                 "--out", str(tmp_path / "cli"), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(json.loads(out)["handed_off"]) == 1

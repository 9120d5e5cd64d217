"""What each format contains: the brief a field rep reads and the rows a CRM imports."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from leadtriage.handoff.csv_export import PROFILES
from tests.handoff_helpers import export, insert_lead, pdf_text

MEETING = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def lead(store):
    return insert_lead(store)


def test_pdf_brief_carries_the_pain_point_in_their_words(store, lead, tmp_path):
    result = export(store, [lead], ["pdf"], tmp_path / "out")
    (path,) = result.files
    assert path.suffix == ".pdf" and path.parent == (tmp_path / "out").resolve()
    text = " ".join(pdf_text(path).split())
    assert "Two planners lose every morning to the whiteboard." in text
    assert "Anna Meyer" in text and "Nordlicht Logistik GmbH" in text
    assert result.handed_off[0] in text  # the lead ID the field quotes back
    assert "Budget of 60k approved for 2027." in text  # qualification evidence
    assert "+49 30 12345678" in text  # phone in international format


def test_html_is_self_contained_and_shows_the_evidence(store, lead, tmp_path):
    (path,) = export(store, [lead], ["html"], tmp_path).files
    html = path.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<style>" in html and "<link" not in html and "src=" not in html
    for evidence in ("Budget of 60k approved for 2027.", "Anna signs off with the CFO.",
                     "Routes planned by hand every morning."):
        assert evidence in html
    assert "Two planners lose every morning to the whiteboard." in html
    assert "Jonas Weber" in html and "CFO" in html
    assert "Meeting agreed; she asked for a demo with the CFO." in html  # touch history


def test_markdown_shows_the_evidence_and_the_report_back(store, lead, tmp_path):
    (path,) = export(store, [lead], ["md"], tmp_path).files
    md = path.read_text("utf-8")
    assert md.startswith("# Lead brief LT-")
    assert "Budget of 60k approved for 2027." in md
    assert "**Timeline**: open" in md  # the unmet criterion is visible as open
    assert "quoting lead ID LT-" in md


@pytest.mark.parametrize("key", ["csv-salesforce", "csv-hubspot", "csv-sheet"])
def test_csv_headers_per_profile(store, lead, tmp_path, key):
    (path,) = export(store, [lead], [key], tmp_path).files
    with open(path, encoding=PROFILES[key].encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == list(PROFILES[key].headers)
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    if key == "csv-salesforce":
        assert rows[0][:4] == ["First Name", "Last Name", "Title", "Company"]
        assert record["Phone"] == "+493012345678"  # CRM profiles keep phone numbers intact
        assert "Two planners lose every morning" in record["Description"]
    elif key == "csv-hubspot":
        assert record["Phone Number"] == "+493012345678"
        assert record["Contact owner"] == "dana@example.com"
    else:
        assert record["Phone"] == "'+493012345678"  # spreadsheet-safe: every trigger neutralised
        assert record["Criteria met"] == "budget, authority, need"
        assert record["People"] == "Jonas Weber (CFO)"


def test_ics_invite_has_the_meeting_time_and_the_lead_id(store, lead, tmp_path):
    from icalendar import Calendar

    result = export(store, [lead], ["ics"], tmp_path, meeting_at=MEETING)
    (path,) = result.files
    cal = Calendar.from_ical(path.read_bytes())
    (event,) = cal.walk("VEVENT")
    assert event.decoded("dtstart") == MEETING
    public_id = result.handed_off[0]
    assert public_id in str(event["summary"]) and public_id in str(event["description"])
    assert "Two planners lose every morning" in str(event["description"])
    attendees = [str(a) for a in event.get("attendee")]
    assert "mailto:dana@example.com" in attendees


def test_no_invite_without_a_meeting_time(store, lead, tmp_path):
    result = export(store, [lead], ["ics", "md"], tmp_path)
    assert [p.suffix for p in result.files] == [".md"]
    assert result.no_meeting == result.handed_off


def test_meeting_recorded_on_the_last_handoff_is_used(store, lead, tmp_path):
    export(store, [lead], ["md"], tmp_path / "first", meeting_at=MEETING)
    result = export(store, [lead], ["md", "ics"], tmp_path / "again")
    md = next(p for p in result.files if p.suffix == ".md").read_text("utf-8")
    assert "First meeting: Tue 1 Dec 2026 10:30 (Europe/Berlin)" in md
    assert any(p.suffix == ".ics" for p in result.files)


def test_page_size_setting_and_locale(store, lead, tmp_path):
    from pypdf import PdfReader
    from PySide6.QtCore import QLocale

    from leadtriage.handoff.pdf import page_size_for
    from leadtriage.store.settings import SettingsStore

    SettingsStore(store).set("page_size", "Letter")
    (path,) = export(store, [lead], ["pdf"], tmp_path).files
    box = PdfReader(path).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    assert page_size_for("", QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)).id().name == "Letter"
    assert page_size_for("", QLocale(QLocale.Language.German, QLocale.Country.Germany)).id().name == "A4"


def test_team_template_folder_overrides_builtin(store, lead, tmp_path):
    from leadtriage.store.settings import SettingsStore

    team = tmp_path / "team"
    team.mkdir()
    (team / "brief.md").write_text("Team brief for {{ brief.header.name }} ({{ brief.header.public_id }})\n", "utf-8")
    SettingsStore(store).set("template_folder", str(team))
    result = export(store, [lead], ["md", "html"], tmp_path / "out")
    by_suffix = {p.suffix: p.read_text("utf-8") for p in result.files}
    md, html = by_suffix[".md"], by_suffix[".html"]
    assert md == f"Team brief for Anna Meyer ({result.handed_off[0]})\n"
    assert "Why it is qualified" in html  # no team brief.html: the built-in one


def test_combined_pdf_per_field_rep(store, tmp_path):
    from pypdf import PdfReader

    with store.transaction() as db:
        db["field_reps"].insert({"name": "Sophie Carter", "email": "sophie@example.com"})
    a = insert_lead(store)
    b = insert_lead(store, first_name="Bo")
    sophie = store.conn.execute("SELECT id FROM field_reps WHERE name = 'Sophie Carter'").fetchone()[0]
    c = insert_lead(store, first_name="Cleo", field_rep_id=sophie)
    result = export(store, [a, b, c], ["pdf"], tmp_path, combine=True)
    names = sorted(p.name for p in result.files)
    assert len(names) == 2 and names[0].startswith("briefs_Dana-Whitfield")
    pages = {p.name: len(PdfReader(p).pages) for p in result.files}
    assert pages[names[0]] == 2 and pages[names[1]] == 1
    assert "Cleo Meyer" in pdf_text(next(p for p in result.files if "Sophie" in p.name))


def test_markdown_renders_as_a_table_and_sections(store, lead, tmp_path):
    from markdown_it import MarkdownIt

    (path,) = export(store, [lead], ["md"], tmp_path).files
    html = MarkdownIt("gfm-like", {"linkify": False}).render(path.read_text("utf-8"))
    assert "<table>" in html and "<td>Europe/Berlin (UTC+01:00)</td>" in html
    assert "<h2>Why it is qualified: BANT (3 of 4 met)</h2>" in html
    assert "<blockquote>" not in html

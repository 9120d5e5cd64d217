"""Hostile lead content (markup, template syntax, formulas, control characters, bidi
overrides, very long text) comes out as plain text in every format and never breaks
the file."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from leadtriage.handoff.csv_export import PROFILES, TRIGGERS
from tests.handoff_helpers import export, hostile_lead, pdf_text

MEETING = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
FORBIDDEN = ("\x00", "\x07", "\u202e")


@pytest.fixture
def files(store, tmp_path):
    lead = hostile_lead(store)
    result = export(store, [lead], ["pdf", "html", "md", "csv-salesforce", "csv-hubspot", "csv-sheet", "ics"],
                    tmp_path / "out", meeting_at=MEETING)
    by_name = {}
    for path in result.files:
        key = path.suffix if path.suffix != ".csv" else path.name.split("_")[1]
        by_name[key] = path
    return by_name


def test_every_format_was_written(files):
    assert set(files) == {".pdf", ".html", ".md", ".ics", "salesforce", "hubspot", "sheet"}


def test_html_shows_markup_and_template_syntax_as_text(files):
    html = files[".html"].read_text("utf-8")
    assert "<script>alert(1)</script>" not in html and "<script>steal()</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html  # not evaluated
    assert "{% for x in range(3) %}loop{% endfor %}" in html and "looplooploop" not in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>Eve</b>" not in html and "&lt;b&gt;Eve&lt;/b&gt;" in html
    for ch in FORBIDDEN:
        assert ch not in html
    assert html.rstrip().endswith("</html>")  # one long note did not truncate the file
    assert len(html) < 60_000  # the 21,000-character texts were cut down


def test_markdown_escapes_markup(files):
    md = files[".md"].read_text("utf-8")
    assert "<script>" not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "{{ 7\\*7 }}" in md  # literal, with the emphasis star escaped
    assert "\\*bold\\*" in md and "\\[link\\](http://x)" in md
    # Block syntax inside a note cannot start a heading, list or quote.
    assert "\n# heading" not in md and "\\# heading" in md
    assert "\\- list" in md and "1\\. numbered" in md and "&gt; quote" in md
    for ch in FORBIDDEN:
        assert ch not in md


def test_pdf_prints_hostile_text_literally(files):
    from pypdf import PdfReader

    reader = PdfReader(files[".pdf"])
    assert 1 <= len(reader.pages) <= 3  # very long text was cut, not fifty pages
    text = pdf_text(files[".pdf"])
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text
    assert "=HYPERLINK(" in text


def test_csv_cells_are_neutralised(files):
    for key in ("salesforce", "hubspot", "sheet"):
        profile = PROFILES[f"csv-{key}"]
        raw = files[key].read_bytes()
        assert b"\x00" not in raw and "\u202e".encode() not in raw
        with open(files[key], encoding=profile.encoding, newline="") as fh:
            rows = list(csv.reader(fh))
        assert len(rows) == 2 and len(rows[1]) == len(profile.headers)  # the file still parses
        record = dict(zip(rows[0], rows[1], strict=True))
        for header, cell in record.items():
            if cell[:1] in TRIGGERS:
                assert profile.keep_phone_numbers and header in ("Phone", "Phone Number"), (key, header, cell)
        title = record.get("Title") or record.get("Job Title")
        assert title == "'=HYPERLINK(\"http://evil.example\",\"x\")"
        assert (record.get("Email")) == "'-2+3@evil.example"
        company = record.get("Company") or record.get("Company Name")
        assert company.startswith("'@SUM(A1:A9)")


def test_sheet_neutralises_leading_tab_and_cr(files):
    with open(files["sheet"], encoding="utf-8-sig", newline="") as fh:
        record = dict(zip(*list(csv.reader(fh)), strict=True))
    assert record["Source"] == "'\tTab source"
    assert record["Campaign"] == "'\rCR campaign"
    assert record["Timeline"] == "'=1+1"
    assert record["Competitors"].startswith("'+cmd")


def test_ics_stays_valid(files):
    from icalendar import Calendar

    raw = files[".ics"].read_bytes()
    assert b"\x00" not in raw and b"\x07" not in raw
    (event,) = Calendar.from_ical(raw).walk("VEVENT")
    assert "<script>alert(1)</script>" in str(event["summary"])
    assert event.decoded("dtstart") == MEETING
    # Folded lines: none longer than 75 octets.
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75


import io  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from leadtriage.handoff.csv_export import _line_maker  # noqa: E402
from leadtriage.handoff.text import _STRIP  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.booleans())
def test_no_cell_can_start_a_formula(text, keep_phone):
    # As in export_csv: the line maker, then one pass over the chunk for inner controls;
    # the cell is what a CSV reader makes of the line.
    line = _STRIP.sub("", _line_maker(keep_phone)([text, "next"]))
    cell, following = next(csv.reader(io.StringIO(line, newline="")))
    assert following == "next"
    assert "\x00" not in cell and "\u202e" not in cell
    if cell[:1] in TRIGGERS:
        # Only a bare phone number may start with '+' or '-' in the CRM profiles.
        assert keep_phone and set(cell) <= set("+0123456789 ()./-")


def test_markdown_renders_hostile_text_as_text(files):
    """Rendered by a CommonMark/GFM parser with HTML allowed: still no markup from the lead."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("gfm-like", {"linkify": False}).render(files[".md"].read_text("utf-8"))
    assert "<script>" not in html and "<img" not in html and "<b>Eve" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html  # the star stayed a star, not emphasis
    assert "<table>" in html  # the header table survived the hostile cells
    headings = [line for line in html.splitlines() if line.startswith(("<h1", "<h2", "<h3"))]
    assert not any("heading" in h for h in headings)  # "# heading" in a note made no heading
    assert [h.split(">")[1].split(":")[0].split("<")[0] for h in headings if h.startswith("<h2")] == [
        "Next step", "Why it is qualified", "Pain points, in their words", "Motivations", "Buying plan",
        "History (newest first, times in Europe/Berlin)", "Rep notes", "Report the outcome"]  # exactly the brief's own sections

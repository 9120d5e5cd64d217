"""Shared helpers for the handoff tests: a lead with hostile content, and exporting."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from leadtriage.domain.public_id import format_public_id
from leadtriage.handoff import ExportRequest, HandoffExporter
from leadtriage.store import Store
from tests.conftest import FIXED_NOW

LONG = "Lorem ipsum dolor sit amet " * 800  # ~21,000 characters
UNBROKEN = "x" * 5000
HOSTILE_QUOTE = "We <b>lose</b> orders\x00 every\x07 day: =HYPERLINK(\"http://evil.example\",\"click\") \u202eexe.gpj"


def insert_lead(store: Store, **fields) -> int:
    """A qualified lead written directly (the importer is not this area's business)."""
    row = {
        "first_name": "Anna", "last_name": "Meyer", "title": "Head of Operations", "company": "Nordlicht Logistik GmbH",
        "email": "anna.meyer@nordlicht.example", "phone": "+493012345678", "timezone": "Europe/Berlin",
        "city": "Berlin", "country": "DE", "source": "Trade show", "campaign": "Logistics Expo",
        "status": "qualified", "owner": "Alex Morgan", "framework": "bant", "score": 80,
        "qualification": json.dumps({
            "budget": {"met": True, "evidence": "Budget of 60k approved for 2027."},
            "authority": {"met": True, "evidence": "Anna signs off with the CFO."},
            "need": {"met": True, "evidence": "Routes planned by hand every morning."},
            "timeline": {"met": False, "evidence": ""},
        }),
        "pain_points": json.dumps([{"tag": "Manual planning", "quote": "Two planners lose every morning to the whiteboard."}]),
        "motivations": "Wants the depot expansion to run without hiring.",
        "buying_plan": json.dumps({
            "timeline": "Decision in March", "budget_status": "Approved", "budget_range": "EUR 50-70k",
            "decision_process": "Anna recommends, CFO signs.", "people": [{"name": "Jonas Weber", "role": "CFO"}],
            "current_solution": "Excel", "competitors": ["RouteMax"], "next_milestone": "Demo with Jonas",
        }),
        "qualified_at": "2026-11-20 10:00:00", "created_at": "2026-11-01 09:00:00", "updated_at": "2026-11-20 10:00:00",
    }
    row.update(fields)
    with store.transaction():
        store.conn.execute(
            "INSERT OR IGNORE INTO field_reps (name, email) VALUES ('Dana Whitfield', 'dana@example.com')"
        )
        rep_id = store.conn.execute("SELECT id FROM field_reps WHERE name = 'Dana Whitfield'").fetchone()[0]
        row.setdefault("field_rep_id", rep_id)
        cur = store.conn.execute(
            f"INSERT INTO leads (public_id, {', '.join(row)}) VALUES ('tmp', {', '.join('?' for _ in row)})",
            list(row.values()),
        )
        lead_id = cur.lastrowid
        store.conn.execute("UPDATE leads SET public_id = ? WHERE id = ?", (format_public_id(lead_id), lead_id))
        store.conn.execute(
            "INSERT INTO activities (lead_id, kind, disposition, duration_s, notes, occurred_at, rep) "
            "VALUES (?, 'call', 'meeting_set', 600, ?, '2026-11-20 09:50:00', 'Alex Morgan')",
            (lead_id, "Meeting agreed; she asked for a demo with the CFO."),
        )
    return lead_id


def hostile_lead(store: Store) -> int:
    return insert_lead(
        store,
        first_name="<script>alert(1)</script>",
        last_name="{{ 7*7 }}",
        title="=HYPERLINK(\"http://evil.example\",\"x\")",
        company="@SUM(A1:A9) & Co <i>\u202eLtd",
        email="-2+3@evil.example",
        source="\tTab source",
        campaign="\rCR campaign",
        motivations="{% for x in range(3) %}loop{% endfor %} " + LONG,
        notes="Notes with NUL\x00 and BEL\x07 and " + UNBROKEN,
        pain_points=json.dumps([
            {"tag": "<img src=x onerror=alert(1)>", "quote": HOSTILE_QUOTE},
            {"tag": "Long", "quote": LONG},
        ]),
        qualification=json.dumps({
            "budget": {"met": True, "evidence": "{{ 7*7 }} <script>steal()</script> *bold* [link](http://x)"},
            "need": {"met": True, "evidence": "# heading\n- list\n1. numbered\n> quote"},
        }),
        buying_plan=json.dumps({"timeline": "=1+1", "people": [{"name": "<b>Eve</b>", "role": "@role"}],
                                "competitors": ["+cmd|' /C calc'!A0"]}),
    )


def export(store: Store, lead_ids, formats, folder: Path, *, combine: bool = False,
           meeting_at: datetime | None = None, progress=None):
    exporter = HandoffExporter(store, rep_name="Alex Morgan", clock=lambda: FIXED_NOW)
    request = ExportRequest(tuple(lead_ids), tuple(formats), folder, combine=combine, meeting_at=meeting_at)
    if progress is None:
        return exporter.export(request)
    return exporter.export(request, progress)


def pdf_text(path: Path) -> str:
    import unicodedata

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    # Words come back tab-separated and with typographic ligatures ("ﬁ").
    return " ".join(unicodedata.normalize("NFKC", text).split())

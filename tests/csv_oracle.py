"""The CRM/spreadsheet CSV as first shipped, written the slow, obvious way: one lead
at a time, every cell formatted in Python. The fast exporter (leadtriage/handoff/
csv_export.py) must produce exactly these bytes; tests/test_handoff_csv_pinned.py
compares the two on the demo data and a corpus of hostile leads.

Frozen on purpose: change it only together with a deliberate change of the format.
Changed once: a value a foreign tool stored as a BLOB is written as the text it holds
(it used to be Python's b'...' notation), and invalid UTF-8 as U+FFFD (it used to
stop the export).
Changed twice, on purpose: Salesforce's and HubSpot's Lead Status follow the lead's
status (a qualified lead is "Working - Contacted" / "Connected", no longer always
"Open - Not Contacted" / "New"; issue 15, item 6). The mapping is written out here again, not imported. And the
meeting is the one booked at qualification (`leads.booked_meeting_at`) before the
latest one a handoff recorded (issue 15, item 3).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence

TRIGGERS = frozenset("=+-@\t\r")
STRIP = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
PHONE = re.compile(r"\+[0-9 ()./\-]{3,30}")
LIMIT = 32000
HUBSPOT_STATUS = {
    "new": "New", "attempting": "Attempted to Contact", "engaged": "Connected", "nurture": "Bad Timing",
    "qualified": "Connected", "handed_off": "Connected", "accepted": "Connected", "opportunity": "Open Deal",
    "won": "Open Deal", "lost": "Unqualified", "disqualified": "Unqualified", "rejected": "Unqualified",
}
SALESFORCE_STATUS = {
    "new": "Open - Not Contacted", "attempting": "Working - Contacted", "engaged": "Working - Contacted",
    "nurture": "Working - Contacted", "qualified": "Working - Contacted", "handed_off": "Working - Contacted",
    "accepted": "Working - Contacted", "opportunity": "Closed - Converted", "won": "Closed - Converted",
    "disqualified": "Closed - Not Converted", "rejected": "Closed - Not Converted", "lost": "Closed - Not Converted",
}

HEADERS = {
    "csv-salesforce": (
        "First Name", "Last Name", "Title", "Company", "Email", "Phone", "Website", "Industry", "No. of Employees",
        "Lead Source", "Lead Status", "Rating", "City", "State/Province", "Country", "Description", "LeadTriage ID",
        "Field Rep", "Campaign"),
    "csv-hubspot": (
        "First Name", "Last Name", "Email", "Phone Number", "Job Title", "Company Name", "Website URL", "Industry",
        "Number of Employees", "City", "State/Region", "Country/Region", "Lifecycle Stage", "Lead Status",
        "Contact owner", "Original Source Drill-Down 1", "LeadTriage ID", "LeadTriage Brief"),
    "csv-sheet": (
        "Lead ID", "First name", "Last name", "Title", "Company", "Email", "Phone", "Time zone", "City", "Country",
        "Industry", "Employees", "Source", "Campaign", "Status", "Score", "Field rep", "Qualified by",
        "Qualified at (UTC)", "First meeting (UTC)", "Criteria met", "Pain points", "Motivations", "Timeline",
        "Budget status", "Budget range", "Decision process", "People", "Current solution", "Competitors",
        "Next milestone"),
}


def cell(value: object, keep_phone: bool) -> str:
    """Neutralised (OWASP: a leading = + - @ tab CR gets a ') and quoted as csv's
    QUOTE_MINIMAL would; CRM profiles leave a bare phone number alone."""
    if not isinstance(value, str):
        return "" if value is None else str(value)
    text = STRIP.sub("", value)
    if text[:1] in TRIGGERS and not (keep_phone and PHONE.fullmatch(text)):
        text = "'" + text
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def loads(text, kind):
    if not text:
        return kind()
    try:
        value = json.loads(text)
    except ValueError:
        return kind()
    return value if isinstance(value, kind) else kind()


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(text_of(v) for v in value)
    return str(value)


def pains(lead) -> str:
    return " | ".join(f"{p.get('tag') or ''}: {p.get('quote') or ''}".strip(": ")
                      for p in loads(lead["pain_points"], list) if isinstance(p, dict))


def summary(lead, meeting) -> str:
    parts = [f"LeadTriage lead {lead['public_id']}"]
    if pains(lead):
        parts.append("Pain points: " + pains(lead).rstrip(". "))
    if lead["motivations"]:
        parts.append("Motivations: " + lead["motivations"].rstrip(". "))
    plan = loads(lead["buying_plan"], dict)
    for key, label in (("timeline", "Timeline"), ("budget_status", "Budget"), ("budget_range", "Budget range"),
                       ("decision_process", "Decision process"), ("current_solution", "Current solution")):
        if plan.get(key):
            parts.append(f"{label}: {text_of(plan.get(key)).rstrip('. ')}")
    if meeting:
        parts.append(f"First meeting (UTC): {meeting}")
    parts.append(f"Report the outcome quoting {lead['public_id']}")
    return ". ".join(parts)[:LIMIT] + "."


def values(key: str, lead, rep, meeting) -> list:
    rep_name, rep_email = (rep["name"], rep["email"]) if rep else (None, None)
    if key == "csv-salesforce":
        return [lead["first_name"], lead["last_name"], lead["title"], lead["company"], lead["email"], lead["phone"],
                lead["website"], lead["industry"], lead["employees"], lead["source"],
                SALESFORCE_STATUS.get(lead["status"], "Working - Contacted"), "Hot",
                lead["city"], lead["region"], lead["country"], summary(lead, meeting), lead["public_id"], rep_name,
                lead["campaign"]]
    if key == "csv-hubspot":
        return [lead["first_name"], lead["last_name"], lead["email"], lead["phone"], lead["title"], lead["company"],
                lead["website"], lead["industry"], lead["employees"], lead["city"], lead["region"], lead["country"],
                "Sales Qualified Lead", HUBSPOT_STATUS.get(lead["status"], "Connected"), rep_email, lead["source"], lead["public_id"], summary(lead, meeting)]
    plan = loads(lead["buying_plan"], dict)
    qual = loads(lead["qualification"], dict)
    people = "; ".join(f"{p.get('name') or ''} ({p.get('role') or ''})"
                       for p in plan.get("people") or [] if isinstance(p, dict))
    return [lead["public_id"], lead["first_name"], lead["last_name"], lead["title"], lead["company"], lead["email"],
            lead["phone"], lead["timezone"], lead["city"], lead["country"], lead["industry"], lead["employees"],
            lead["source"], lead["campaign"], lead["status"], lead["score"], rep_name, lead["owner"],
            lead["qualified_at"], meeting,
            ", ".join(k for k, v in qual.items() if isinstance(v, dict) and v.get("met")),
            pains(lead)[:LIMIT], (lead["motivations"] or "")[:LIMIT], text_of(plan.get("timeline")),
            text_of(plan.get("budget_status")), text_of(plan.get("budget_range")),
            text_of(plan.get("decision_process"))[:LIMIT], people[:LIMIT], text_of(plan.get("current_solution")),
            text_of(plan.get("competitors")), text_of(plan.get("next_milestone"))]


def text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def as_text(row: sqlite3.Row | None) -> dict | None:
    """A row with each BLOB as the text it holds."""
    if row is None:
        return None
    return {k: text(row[k]) if isinstance(row[k], bytes) else row[k] for k in row.keys()}


def oracle_csv(conn: sqlite3.Connection, lead_ids: Sequence[int], key: str, meeting_at: str | None = None) -> bytes:
    """The whole file's bytes for `lead_ids` (in that order, missing leads skipped)."""
    conn.row_factory = sqlite3.Row
    conn.text_factory = text
    try:
        lines = []
        for lead_id in lead_ids:
            lead = as_text(conn.execute("SELECT * FROM leads WHERE id = ?", (lead_id,)).fetchone())
            if lead is None:
                continue
            rep = as_text(conn.execute("SELECT * FROM field_reps WHERE id = ?", (lead["field_rep_id"],)).fetchone())
            meeting = meeting_at
            if meeting is None and lead.get("booked_meeting_at") is not None:
                meeting = lead["booked_meeting_at"]
            if meeting is None:
                latest = conn.execute(
                    "SELECT meeting_at FROM handoffs WHERE lead_id = ? AND meeting_at IS NOT NULL "
                    "ORDER BY handed_off_at DESC, id DESC LIMIT 1", (lead_id,)).fetchone()
                meeting = text(latest[0]) if latest and isinstance(latest[0], bytes) else latest[0] if latest else None
            lines.append(",".join(cell(v, key != "csv-sheet") for v in values(key, lead, rep, meeting)) + "\r\n")
    finally:
        conn.row_factory = None
        conn.text_factory = str
    header = ",".join(HEADERS[key]) + "\r\n"
    return (header + "".join(lines)).encode("utf-8-sig" if key == "csv-sheet" else "utf-8")

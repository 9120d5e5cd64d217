"""A brief's content, collected from the store into plain dataclasses.

Renderers (HTML, Markdown, PDF, iCalendar) only ever see these objects: every text
in them has been through `text.clean`, so no renderer can be handed a NUL byte, a
bidi override or a 50,000-character note.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadtriage.domain.dispositions import BY_KEY as DISPOSITIONS
from leadtriage.domain.frameworks import get_framework
from leadtriage.domain.public_id import format_public_id
from leadtriage.domain.status import Status
from leadtriage.handoff.text import clean, clean_line
from leadtriage.store.lenient import as_text, lenient_text
from leadtriage.store.timeutil import from_db

HISTORY_LIMIT = 8
HISTORY_KINDS = ("call", "email", "meeting", "note", "outcome", "handoff", "status")


@dataclass(frozen=True)
class Header:
    public_id: str
    name: str
    title: str
    company: str
    phone: str
    email: str
    timezone: str
    utc_offset: str  # "UTC+01:00" at the meeting (or export) time
    city: str
    country: str
    website: str
    industry: str
    employees: int | None
    source: str
    campaign: str
    ld_rep: str  # the lead-development rep who qualified it
    field_rep: str
    field_rep_email: str
    status: str
    score: int


@dataclass(frozen=True)
class Criterion:
    label: str
    question: str
    met: bool
    evidence: str


@dataclass(frozen=True)
class PainPoint:
    tag: str
    quote: str


@dataclass(frozen=True)
class Person:
    name: str
    role: str


@dataclass(frozen=True)
class BuyingPlan:
    timeline: str = ""
    target_date: str = ""
    budget_status: str = ""
    budget_range: str = ""
    decision_process: str = ""
    people: tuple[Person, ...] = ()
    current_solution: str = ""
    competitors: tuple[str, ...] = ()
    next_milestone: str = ""

    @property
    def empty(self) -> bool:
        return not any(
            (self.timeline, self.target_date, self.budget_status, self.budget_range, self.decision_process,
             self.people, self.current_solution, self.competitors, self.next_milestone)
        )


@dataclass(frozen=True)
class Touch:
    at: str  # in the lead's local time, "Mon 23 Nov 2026 14:05"
    kind: str
    outcome: str
    notes: str
    rep: str


@dataclass(frozen=True)
class Brief:
    lead_id: int
    header: Header
    framework: str
    threshold: int
    criteria: tuple[Criterion, ...]
    pain_points: tuple[PainPoint, ...]
    motivations: str
    plan: BuyingPlan
    history: tuple[Touch, ...]
    history_clock: str  # which clock the history's times are on: "times in Europe/Berlin" or "times in UTC"
    attempts: int
    connects: int
    next_step: str
    meeting_at: datetime | None  # UTC
    meeting_local: str  # "Tue 1 Dec 2026 10:00 (Europe/Berlin)"
    meeting_utc: str
    qualified_on: str
    prepared_at: str
    report_back: str
    notes: str = ""

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    @property
    def file_stem(self) -> str:
        return f"{self.header.public_id}_{self.header.name}"


# -- collection ---------------------------------------------------------------------


def _json(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        value = json.loads(text)
    except (ValueError, TypeError):
        return default
    return value if isinstance(value, type(default)) else default


def _moment(value: object) -> datetime | None:
    """A stored UTC time; None for one that a foreign tool left unreadable."""
    try:
        return from_db(as_text(value))
    except (TypeError, ValueError):
        return None


def _count(value: object) -> int | None:
    """A stored whole number (employees, score, attempts); None for anything else."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def format_local(moment: datetime | None, zone: ZoneInfo | None, with_zone: bool = True) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(zone) if zone else moment
    text = f"{local:%a} {local.day} {local:%b %Y %H:%M}"
    if with_zone:
        text += f" ({zone.key})" if zone else " UTC"
    return text


def _date(moment: datetime | None, zone: ZoneInfo | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(zone) if zone else moment
    return f"{local:%a} {local.day} {local:%b %Y}"


def _offset(zone: ZoneInfo | None, at: datetime) -> str:
    if zone is None:
        return ""
    delta = at.astimezone(zone).utcoffset() or timedelta()
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _phone(e164: str | None, raw: str | None) -> str:
    """International format ("+49 30 1234567") for reading aloud; raw text otherwise."""
    if e164:
        import phonenumbers

        try:
            number = phonenumbers.parse(e164, None)
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        except phonenumbers.NumberParseException:
            return clean_line(e164, 40)
    return clean_line(raw, 40)


def _plan(raw: dict) -> BuyingPlan:
    people = tuple(
        Person(clean_line(p.get("name")), clean_line(p.get("role")))
        for p in raw.get("people") or [] if isinstance(p, dict) and (p.get("name") or p.get("role"))
    )
    competitors = raw.get("competitors") or []
    if isinstance(competitors, str):
        competitors = [competitors]
    return BuyingPlan(
        timeline=clean_line(raw.get("timeline")),
        target_date=clean_line(raw.get("target_date")),
        budget_status=clean_line(raw.get("budget_status")),
        budget_range=clean_line(raw.get("budget_range")),
        decision_process=clean(raw.get("decision_process")),
        people=people,
        current_solution=clean_line(raw.get("current_solution")),
        competitors=tuple(clean_line(c) for c in competitors if c),
        next_milestone=clean_line(raw.get("next_milestone")),
    )


def _history(conn: sqlite3.Connection, lead_id: int, zone: ZoneInfo | None) -> list[Touch]:
    """Newest first; unanswered attempts without a note are left out (they are
    counted in the header), as are bare status moves."""
    rows = conn.execute(
        f"SELECT kind, disposition, notes, occurred_at, rep FROM activities WHERE lead_id = ? "
        f"AND kind IN ({', '.join('?' for _ in HISTORY_KINDS)}) ORDER BY occurred_at DESC, id DESC LIMIT 60",
        (lead_id, *HISTORY_KINDS),
    ).fetchall()
    touches: list[Touch] = []
    for kind, disposition, notes, occurred_at, rep in ([as_text(v) for v in row] for row in rows):
        disp = DISPOSITIONS.get(disposition or "")
        note = clean(notes, 600)
        if kind == "call" and not note and not (disp and disp.connected):
            continue
        if kind == "status" and not note:
            continue
        outcome = disp.label if disp else clean_line(disposition or "", 60)
        touches.append(Touch(format_local(_moment(occurred_at), zone, with_zone=False), kind.capitalize(),
                             outcome, note, clean_line(rep, 80)))
        if len(touches) >= HISTORY_LIMIT:
            break
    return touches


def _next_step(plan: BuyingPlan, lead: dict, meeting_local: str, field_rep: str) -> str:
    who = field_rep or "The field rep"
    milestone = plan.next_milestone or clean_line(lead.get("next_action"))
    if meeting_local:
        step = f"{who} meets the prospect on {meeting_local}."
    else:
        step = f"{who} calls the prospect within two business days to set the first meeting."
    if milestone:
        step += f" Agreed next milestone: {milestone}."
    return step + " Open with their own words on their pain points; confirm the decision process."


def collect_brief(
    conn: sqlite3.Connection,
    lead_id: int,
    *,
    now: datetime,
    rep_name: str = "",
    meeting_at: datetime | None = None,
) -> Brief:
    """Everything one brief shows. `meeting_at` (UTC) overrides the meeting recorded
    on the lead's latest handoff. Values a foreign tool left as bytes or invalid
    UTF-8 read as text (`store.lenient`): one bad lead must not stop an export."""
    with lenient_text(conn):
        return _collect(conn, lead_id, now=now, rep_name=rep_name, meeting_at=meeting_at)


def _collect(
    conn: sqlite3.Connection, lead_id: int, *, now: datetime, rep_name: str, meeting_at: datetime | None,
) -> Brief:
    cur = conn.execute(
        "SELECT l.*, r.name AS field_rep_name, r.email AS field_rep_email FROM leads l "
        "LEFT JOIN field_reps r ON r.id = l.field_rep_id WHERE l.id = ?",
        (lead_id,),
    )
    row = cur.fetchone()
    if row is None:
        raise LookupError(lead_id)
    lead = {d[0]: as_text(v) for d, v in zip(cur.description, row, strict=True)}
    zone = _zone(lead["timezone"])
    if meeting_at is None:
        # The meeting booked at qualification, else the latest one a handoff recorded
        # (`store.derived.latest_meeting` keeps it on the lead).
        meeting_at = _moment(lead.get("latest_meeting_at"))
    name = clean_line(" ".join(p for p in (lead["first_name"], lead["last_name"]) if p)) or "(no name)"
    field_rep = clean_line(lead["field_rep_name"])
    public_id = lead["public_id"] or format_public_id(lead_id)
    header = Header(
        public_id=public_id,
        name=name,
        title=clean_line(lead["title"]),
        company=clean_line(lead["company"]),
        phone=_phone(lead["phone"], lead["phone_raw"]),
        email=clean_line(lead["email"], 120),
        timezone=lead["timezone"] if zone else "",
        utc_offset=_offset(zone, meeting_at or now),
        city=clean_line(lead["city"], 80),
        country=clean_line(lead["country"], 8),
        website=clean_line(lead["website"], 200),
        industry=clean_line(lead["industry"], 80),
        employees=_count(lead["employees"]),
        source=clean_line(lead["source"]),
        campaign=clean_line(lead["campaign"]),
        ld_rep=clean_line(lead["owner"] or rep_name, 80),
        field_rep=field_rep,
        field_rep_email=clean_line(lead["field_rep_email"], 120),
        status=Status(lead["status"]).label if lead["status"] in Status.__members__.values() else lead["status"],
        score=_count(lead["score"]) or 0,
    )
    framework = get_framework(lead["framework"])
    answers = _json(lead["qualification"], {})
    criteria = tuple(
        Criterion(
            c.label, c.question, bool((answers.get(c.key) or {}).get("met")),
            clean((answers.get(c.key) or {}).get("evidence"), 600),
        )
        for c in framework.criteria
    )
    pains = tuple(
        PainPoint(clean_line(p.get("tag"), 80), clean(p.get("quote"), 600))
        for p in _json(lead["pain_points"], []) if isinstance(p, dict) and (p.get("tag") or p.get("quote"))
    )
    plan = _plan(_json(lead["buying_plan"], {}))
    meeting_local = format_local(meeting_at, zone)
    report_back = (
        f"Please report the outcome within 5 business days, quoting lead ID {public_id}: accepted, "
        f"rejected (with the reason), opportunity created (with the amount), won or lost"
        + (f" — reply to {header.ld_rep}." if header.ld_rep else ".")
    )
    return Brief(
        lead_id=lead_id,
        header=header,
        framework=framework.name,
        threshold=framework.threshold,
        criteria=criteria,
        pain_points=pains,
        motivations=clean(lead["motivations"]),
        plan=plan,
        history=tuple(_history(conn, lead_id, zone)),
        history_clock=f"times in {zone.key}" if zone else "times in UTC",
        attempts=_count(lead["attempts"]) or 0,
        connects=_count(lead["connects"]) or 0,
        next_step=_next_step(plan, lead, meeting_local, field_rep),
        meeting_at=meeting_at,
        meeting_local=meeting_local,
        meeting_utc=f"{meeting_at:%Y-%m-%d %H:%M} UTC" if meeting_at else "",
        qualified_on=_date(_moment(lead["qualified_at"]), zone),
        prepared_at=f"{now:%Y-%m-%d %H:%M} UTC",
        report_back=report_back,
        notes=clean(lead["notes"]),
    )

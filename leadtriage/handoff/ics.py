"""An iCalendar invite for the first field meeting (RFC 5545 via `icalendar`).

METHOD:PUBLISH: the file is something the field rep imports or forwards, not a
scheduling request from an organiser we do not know. The lead ID is in the
summary, the description and the UID, so it survives forwarding and copy-paste.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from leadtriage.handoff.brief import Brief

MEETING_LENGTH = timedelta(minutes=60)


def _description(brief: Brief) -> str:
    h = brief.header
    lines = [f"Lead ID {h.public_id}", f"{h.name}, {h.title}, {h.company}".strip(", ")]
    if h.phone:
        lines.append(f"Phone: {h.phone}")
    if h.email:
        lines.append(f"E-mail: {h.email}")
    if brief.pain_points:
        lines.append("")
        lines.append("Pain points:")
        lines += [f"- {p.tag}: \u201c{p.quote}\u201d" if p.tag else f"- \u201c{p.quote}\u201d" for p in brief.pain_points]
    if brief.motivations:
        lines += ["", f"Motivations: {brief.motivations}"]
    lines += ["", brief.next_step, "", brief.report_back]
    return "\n".join(lines)


def build_invite(brief: Brief, now: datetime) -> bytes:
    if brief.meeting_at is None:
        raise ValueError("no meeting time")
    h = brief.header
    cal = Calendar()
    cal.add("prodid", "-//LeadTriage//Lead handoff//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{h.public_id}-{brief.meeting_at:%Y%m%dT%H%M%SZ}@leadtriage")
    event.add("dtstamp", now)
    event.add("dtstart", brief.meeting_at)
    event.add("dtend", brief.meeting_at + MEETING_LENGTH)
    company = f" ({h.company})" if h.company else ""
    event.add("summary", f"First meeting: {h.name}{company} [{h.public_id}]")
    event.add("description", _description(brief))
    if h.phone:
        event.add("location", f"Phone {h.phone}")
    event.add("categories", ["LeadTriage", "Handoff"])
    if h.field_rep_email:
        rep = vCalAddress(f"mailto:{h.field_rep_email}")
        rep.params["cn"] = vText(h.field_rep or h.field_rep_email)
        rep.params["role"] = vText("CHAIR")
        event.add("attendee", rep, encode=0)
    if h.email:
        prospect = vCalAddress(f"mailto:{h.email}")
        prospect.params["cn"] = vText(h.name)
        prospect.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", prospect, encode=0)
    cal.add_component(event)
    return cal.to_ical()

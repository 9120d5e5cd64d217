"""Handoff: qualified leads go to field sales as briefs (PDF, HTML, Markdown), CRM
rows (CSV) and meeting invites (.ics), and each handoff is recorded."""

from leadtriage.handoff.export import (
    FORMATS,
    ExportRequest,
    ExportResult,
    HandoffExporter,
    parse_formats,
    parse_public_ids,
    qualified_by_field_rep,
    select_leads,
)

__all__ = [
    "FORMATS",
    "ExportRequest",
    "ExportResult",
    "HandoffExporter",
    "parse_formats",
    "parse_public_ids",
    "qualified_by_field_rep",
    "select_leads",
]

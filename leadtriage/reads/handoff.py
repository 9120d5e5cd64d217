"""The handoff export dialog's read side: which leads an export choice covers."""

from __future__ import annotations

from typing import Any

from leadtriage.handoff import qualified_by_field_rep, select_leads


def waiting_by_field_rep(store: Any) -> list[tuple[str, int]]:
    """(field rep, qualified leads waiting) for the per-rep choice."""
    return qualified_by_field_rep(store.conn)


def leads_to_export(store: Any, field_rep: str | None = None) -> list[int]:
    """The leads an export choice covers: every qualified lead, or one field rep's."""
    return select_leads(store.conn, field_rep=field_rep)

"""Changing leads: activities, status moves and field edits, each recorded in the
change log so the user can undo it.

Every public method is one transaction. Callers (UI, CLI, other services) never
write lead rows themselves; they come here, so the timeline, the change log and the
transition rules cannot be bypassed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from leadtriage.domain.status import Status, check_move
from leadtriage.store.db import Store
from leadtriage.store.timeutil import to_db

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Change:
    id: int
    label: str
    lead_id: int


class LeadNotFound(LookupError):
    pass


class LeadService:
    def __init__(self, store: Store, rep: str = "", clock: Clock = utc_now):
        self.store = store
        self.rep = rep
        self.clock = clock

    # -- reading -----------------------------------------------------------------------

    def get(self, lead_id: int) -> dict[str, Any]:
        cur = self.store.conn.execute("SELECT * FROM leads WHERE id = ?", (lead_id,))
        row = cur.fetchone()
        if row is None:
            raise LeadNotFound(lead_id)
        return dict(zip([d[0] for d in cur.description], row, strict=True))

    # -- writing -----------------------------------------------------------------------

    def log_activity(
        self,
        lead_id: int,
        kind: str,
        *,
        notes: str | None = None,
        disposition: str | None = None,
        duration_s: int | None = None,
        data: dict | None = None,
        occurred_at: datetime | None = None,
    ) -> int:
        """Append one entry to the lead's timeline (no undo: history is history)."""
        # Plain SQL on this hot path (logging a call must commit in a few ms).
        with self.store.transaction():
            return self.store.conn.execute(
                "INSERT INTO activities (lead_id, kind, disposition, duration_s, notes, occurred_at, rep, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (lead_id, kind, disposition, duration_s, notes, to_db(occurred_at or self.clock()),
                 self.rep or None, json.dumps(data, ensure_ascii=False) if data else None),
            ).lastrowid

    def update(self, lead_id: int, changes: dict[str, Any], label: str, *, batch_id: int | None = None) -> Change:
        """Change fields of a lead, remembering the old values for undo."""
        with self.store.transaction():
            before = self.get(lead_id)
            old = {k: before[k] for k in changes}
            if old == changes:
                return Change(0, label, lead_id)
            self._write(lead_id, changes)
            return self._log_change(label, lead_id, old, changes, batch_id)

    def change_status(
        self,
        lead_id: int,
        target: Status | str,
        *,
        reason: str | None = None,
        extra: dict[str, Any] | None = None,
        label: str | None = None,
    ) -> Change:
        """Move a lead along its lifecycle (refused if the move is not allowed),
        with a timeline entry and an undo record."""
        target = Status(target)
        with self.store.transaction():
            lead = self.get(lead_id)
            check_move(lead["status"], target)
            changes: dict[str, Any] = {"status": target.value, "status_reason": reason, **(extra or {})}
            if target is Status.QUALIFIED and not lead.get("qualified_at"):
                changes.setdefault("qualified_at", to_db(self.clock()))
            old = {k: lead[k] for k in changes}
            self._write(lead_id, changes)
            self.log_activity(
                lead_id, "status", notes=reason,
                data={"from": lead["status"], "to": target.value},
            )
            text = label or f"{Status(lead['status']).label} → {target.label}"
            return self._log_change(text, lead_id, old, changes, None)

    def undo(self, change_id: int | None = None) -> Change | None:
        """Undo one change (the newest not yet undone when no id is given): the old
        values come back as they were, and the timeline says so."""
        with self.store.transaction():
            if change_id is None:
                row = self.store.conn.execute(
                    "SELECT id FROM change_log WHERE undone = 0 AND entity = 'lead' ORDER BY id DESC LIMIT 1"
                ).fetchone()
                if row is None:
                    return None
                change_id = row[0]
            row = self.store.conn.execute(
                "SELECT label, entity_id, before, after, undone FROM change_log WHERE id = ?", (change_id,)
            ).fetchone()
            if row is None or row[4]:
                return None
            label, lead_id, before_json, _after, _ = row
            before = json.loads(before_json)
            self._write(lead_id, before)
            self.store.conn.execute("UPDATE change_log SET undone = 1 WHERE id = ?", (change_id,))
            self.log_activity(lead_id, "note", notes=f"Undone: {label}", data={"undo": change_id})
            return Change(change_id, label, lead_id)

    def last_undoable(self) -> Change | None:
        row = self.store.conn.execute(
            "SELECT id, label, entity_id FROM change_log WHERE undone = 0 AND entity = 'lead' "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return Change(*row) if row else None

    # -- internals ---------------------------------------------------------------------

    def _write(self, lead_id: int, changes: dict[str, Any]) -> None:
        values = {**changes, "updated_at": to_db(self.clock())}
        cols = ", ".join(f"{k} = ?" for k in values)
        self.store.conn.execute(f"UPDATE leads SET {cols} WHERE id = ?", [*values.values(), lead_id])

    def _log_change(self, label: str, lead_id: int, before: dict, after: dict, batch_id: int | None) -> Change:
        cur = self.store.conn.execute(
            "INSERT INTO change_log (at, label, entity, entity_id, before, after, batch_id, undone) "
            "VALUES (?, ?, 'lead', ?, ?, ?, ?, 0)",
            (to_db(self.clock()), label, lead_id, json.dumps(before, ensure_ascii=False),
             json.dumps(after, ensure_ascii=False), batch_id),
        )
        return Change(cur.lastrowid, label, lead_id)

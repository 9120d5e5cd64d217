"""Field reps: the people qualified leads are handed to."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from leadtriage.errors import UserError
from leadtriage.store.db import Store


@dataclass(frozen=True)
class FieldRep:
    id: int
    name: str
    email: str
    territory: str
    active: bool


class FieldRepService:
    def __init__(self, store: Store):
        self.store = store

    def list(self, include_inactive: bool = True) -> list[FieldRep]:
        sql = "SELECT id, name, coalesce(email,''), coalesce(territory,''), active FROM field_reps"
        if not include_inactive:
            sql += " WHERE active = 1"
        rows = self.store.conn.execute(sql + " ORDER BY name COLLATE NOCASE").fetchall()
        return [FieldRep(i, n, e, t, bool(a)) for i, n, e, t, a in rows]

    def get(self, rep_id: int) -> FieldRep | None:
        return next((r for r in self.list() if r.id == rep_id), None)

    def save(self, name: str, email: str = "", territory: str = "", active: bool = True,
             rep_id: int | None = None) -> int:
        """Add a rep (rep_id None) or change one. Names are unique."""
        name, email, territory = name.strip(), email.strip(), territory.strip()
        if not name:
            raise UserError("A field rep needs a name.")
        if email:
            from email_validator import EmailNotValidError, validate_email

            try:
                email = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError as exc:
                raise UserError(f"E-mail of {name}: {exc}") from None
        row = {"name": name, "email": email or None, "territory": territory or None, "active": int(active)}
        try:
            with self.store.transaction() as db:
                if rep_id is None:
                    return db["field_reps"].insert(row).last_pk
                db["field_reps"].update(rep_id, row)
                return rep_id
        except sqlite3.IntegrityError:
            raise UserError(f"There is already a field rep called {name}.") from None

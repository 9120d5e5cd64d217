"""Importing a lead list as one batch: read, map, normalise, find duplicates, write.

    importer = Importer(store)
    plan = importer.prepare("badge-scans.csv")          # detection, mapping, same-file check
    result = importer.run(plan, ImportOptions(source="Trade show"), progress)
    importer.undo_batch(result.batch_id)

Rules the code keeps:
- One batch is ONE transaction: a crash, a kill or Cancel leaves the database as it
  was (and a dry run is a real run that is rolled back, so its counts are exact).
- Every data row is accounted for: `rows = inserted + merged + duplicates_flagged +
  rejected`. `inserted` counts new leads with no doubt about them; `duplicates_flagged`
  new leads that look like an existing one (similar name at the same company) and
  wait in `duplicate_candidates` for the rep; `merged` rows that were the same person
  (same e-mail, E.164 phone or LinkedIn URL) as a lead already in the database or
  earlier in the file; `rejected` rows with nobody to reach, kept in `import_rejects`.
- A merge only fills empty fields, never overwrites, and is written to change_log
  with the batch id, so undoing the batch can put things back.
- Speed: rows are handled in chunks; values are cached per distinct input;
  duplicate look-ups are indexed `IN (...)` queries per chunk; inserts use
  executemany. A big import into a small database drops the queue indexes and the
  search trigger and rebuilds them once at the end, inside the same transaction.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

from leadtriage.errors import UserError
from leadtriage.importing.mapping import Mapping, auto_map, header_signature
from leadtriage.importing.model import (
    Clock,
    ImportOptions,
    ImportPlan,
    ImportResult,
    UndoReport,
    utc_now,
)
from leadtriage.importing.reader import read_table
from leadtriage.importing.write_batch import HISTORY_REP, MERGE_COLUMNS, BatchWriter
from leadtriage.store.db import Store
from leadtriage.store.timeutil import to_db
from leadtriage.util.progress import NO_PROGRESS, Progress

# Columns that say who a lead is; a list needs at least one of them.
_IDENTITY = {"full_name", "first_name", "last_name", "company", "email", "phone", "linkedin"}

__all__ = ["Importer", "ImportOptions", "ImportPlan", "ImportResult", "UndoReport", "file_sha256"]

log = logging.getLogger(__name__)

class _DryRun(Exception):
    def __init__(self, result: ImportResult):
        self.result = result


class Importer:
    def __init__(self, store: Store, clock: Clock = utc_now):
        self.store = store
        self.clock = clock

    # -- preparing --------------------------------------------------------------------------

    def prepare(
        self,
        path: str | Path,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        sheet: str | None = None,
        mapping: Mapping | None = None,
    ) -> ImportPlan:
        table = read_table(path, encoding=encoding, delimiter=delimiter, sheet=sheet)
        digest = file_sha256(table.path)
        source = "file"
        if mapping is None:
            saved = self.profile_for(table.headers)
            if saved is not None:
                mapping, source = saved, "profile"
            else:
                mapping, source = Mapping(auto_map(table.headers)), "automatic"
        mapping.validate(len(table.headers))
        previous = [
            {"id": r[0], "file_name": r[1], "finished_at": r[2], "rows": r[3]}
            for r in self.store.conn.execute(
                "SELECT id, file_name, finished_at, rows FROM import_batches "
                "WHERE sha256 = ? AND undone_at IS NULL ORDER BY id", (digest,))
        ]
        return ImportPlan(table, mapping, digest, source, previous)

    def profile_for(self, headers: list[str]) -> Mapping | None:
        row = self.store.conn.execute(
            "SELECT mapping FROM import_profiles WHERE header_signature = ?", (header_signature(headers),)
        ).fetchone()
        if row is None:
            return None
        try:
            targets = json.loads(row[0])
            mapping = Mapping([str(t) for t in targets])
            mapping.validate(len(headers))
            mapping.targets = mapping.targets[: len(headers)]
            return mapping
        except (ValueError, TypeError):
            return None  # a damaged profile falls back to the automatic guess

    def save_profile(self, headers: list[str], mapping: Mapping, name: str) -> None:
        now = to_db(self.clock())
        with self.store.transaction():
            self.store.conn.execute(
                "INSERT INTO import_profiles (name, header_signature, mapping, created_at, used_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(header_signature) DO UPDATE SET "
                "mapping = excluded.mapping, used_at = excluded.used_at, name = excluded.name",
                (name, header_signature(headers), mapping.to_json(), now, now),
            )

    # -- importing --------------------------------------------------------------------------

    def import_file(self, path: str | Path, options: ImportOptions | None = None,
                    progress: Progress = NO_PROGRESS, **read: Any) -> ImportResult:
        return self.run(self.prepare(path, **read), options or ImportOptions(), progress)

    def run(self, plan: ImportPlan, options: ImportOptions, progress: Progress = NO_PROGRESS) -> ImportResult:
        mapping = plan.mapping
        mapping.validate(len(plan.table.headers))
        require_lead_columns(mapping, plan.path.name)
        region = (options.default_region or self._setting("default_region") or "US").upper()
        if not options.dry_run and self._has_leads():
            from leadtriage.safety.backup import backup

            backup(self.store, reason="before-import")
        started = time.perf_counter()
        try:
            with self.store.transaction():
                result = BatchWriter(self.store, plan, options, region, self.clock, progress).write(started)
                if options.dry_run:
                    raise _DryRun(result)
        except _DryRun as dry:
            return dry.result
        if options.save_profile:
            self.save_profile(plan.table.headers, mapping, plan.path.stem)
        else:
            self._touch_profile(plan.table.headers)
        return result

    # -- after an import --------------------------------------------------------------------

    def batches(self, limit: int = 100) -> list[dict[str, Any]]:
        cur = self.store.conn.execute(
            "SELECT id, file_name, source, campaign, cost, rows, inserted, merged, duplicates_flagged, "
            "rejected, started_at, finished_at, seconds, undone_at FROM import_batches ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def rejects(self, batch_id: int, limit: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT line_no, reason, raw FROM import_rejects WHERE batch_id = ? ORDER BY line_no"
        params: tuple = (batch_id,)
        if limit is not None:
            sql += " LIMIT ?"
            params = (batch_id, limit)
        return [{"line_no": r[0], "reason": r[1], "raw": r[2]} for r in self.store.conn.execute(sql, params)]

    def export_rejects(self, batch_id: int, dest: str | Path) -> int:
        """The rejected rows as a CSV (line, reason, raw row) the user can fix and
        import again. Cells that a spreadsheet would run as a formula are neutralised."""
        count = 0
        with open(dest, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["line", "reason", "row"])
            for r in self.store.conn.execute(
                "SELECT line_no, reason, raw FROM import_rejects WHERE batch_id = ? ORDER BY line_no", (batch_id,)
            ):
                writer.writerow([r[0], _neutralise(r[1]), _neutralise(r[2])])
                count += 1
        return count

    def undo_batch(self, batch_id: int) -> UndoReport:
        """Remove the leads the batch created that nobody has worked since, put merged
        leads' fields back where a rep has not changed them, take the batch's cost out
        of its campaign's spend, and list what stayed."""
        with self.store.transaction():
            return self._undo(batch_id, apply=True)

    def undo_preview(self, batch_id: int) -> UndoReport:
        """What `undo_batch` would do now, without changing anything (for the
        confirmation the rep answers before an undo)."""
        return self._undo(batch_id, apply=False)

    def _undo(self, batch_id: int, *, apply: bool) -> UndoReport:
        conn = self.store.conn
        row = conn.execute("SELECT undone_at, coalesce(cost, 0), coalesce(campaign, '') FROM import_batches "
                           "WHERE id = ?", (batch_id,)).fetchone()
        if row is None:
            raise UserError(f"There is no import batch {batch_id}.")
        if row[0]:
            raise UserError(f"Import batch {batch_id} was already undone on {row[0]}.")
        cost, campaign = float(row[1] or 0), str(row[2])
        kept: list[tuple[str, str]] = []
        reasons = {
            "worked": "worked since the import (status, calls or notes)",
            "handoff": "handed off to field sales",
            "merged": "later imports merged into it",
            "edited": "edited since the import",
        }
        conn.execute("DROP TABLE IF EXISTS temp._undo_keep")
        conn.execute("CREATE TEMP TABLE _undo_keep (id INTEGER PRIMARY KEY, public_id TEXT, why TEXT)")
        try:
            conn.execute(
                """INSERT INTO temp._undo_keep (id, public_id, why)
                SELECT l.id, l.public_id, CASE
                    WHEN EXISTS (SELECT 1 FROM handoffs h WHERE h.lead_id = l.id
                                 AND h.by_rep IS NOT :history) THEN 'handoff'
                    WHEN (l.status != 'new' AND l.updated_at > b.finished_at) OR l.attempts > 0 OR l.first_touch_at IS NOT NULL
                         OR EXISTS (SELECT 1 FROM activities a WHERE a.lead_id = l.id AND a.kind != 'import')
                         THEN 'worked'
                    WHEN EXISTS (SELECT 1 FROM change_log c WHERE c.entity = 'lead' AND c.entity_id = l.id
                                 AND c.batch_id IS NOT NULL AND c.batch_id != :batch AND c.undone = 0) THEN 'merged'
                    WHEN EXISTS (SELECT 1 FROM change_log c WHERE c.entity = 'lead' AND c.entity_id = l.id
                                 AND c.batch_id IS NULL AND c.undone = 0) THEN 'edited'
                END
                FROM leads l JOIN import_batches b ON b.id = l.batch_id WHERE l.batch_id = :batch""",
                {"batch": batch_id, "history": HISTORY_REP},
            )
            for public_id, why in conn.execute(
                "SELECT public_id, why FROM temp._undo_keep WHERE why IS NOT NULL ORDER BY id"
            ):
                kept.append((public_id, reasons[why]))
            doomed = "SELECT id FROM temp._undo_keep WHERE why IS NULL"
            if apply:
                conn.execute(f"DELETE FROM duplicate_candidates WHERE lead_id IN ({doomed}) "
                             f"OR other_lead_id IN ({doomed})")
                conn.execute(f"DELETE FROM activities WHERE lead_id IN ({doomed})")
                conn.execute(f"DELETE FROM handoffs WHERE lead_id IN ({doomed})")  # imported history only
                conn.execute(f"DELETE FROM change_log WHERE entity = 'lead' AND entity_id IN ({doomed})")
                removed = conn.execute(f"DELETE FROM leads WHERE id IN ({doomed})").rowcount
            else:
                removed = conn.execute(f"SELECT count(*) FROM ({doomed})").fetchone()[0]
        finally:
            conn.execute("DROP TABLE temp._undo_keep")

        reverted = 0
        changes = conn.execute(
            "SELECT id, entity_id, before, after FROM change_log WHERE batch_id = ? AND entity = 'lead' "
            "AND undone = 0 ORDER BY id DESC", (batch_id,)
        ).fetchall()
        now = to_db(self.clock())
        for change_id, lead_id, before_json, after_json in changes:
            before, after = json.loads(before_json), json.loads(after_json)
            lead = conn.execute(
                f"SELECT public_id, {', '.join(before)} FROM leads WHERE id = ?", (lead_id,)
            ).fetchone() if before else None
            if lead is None:
                if apply:
                    conn.execute("UPDATE change_log SET undone = 1 WHERE id = ?", (change_id,))
                continue
            public_id, current = lead[0], dict(zip(before, lead[1:], strict=True))
            restore = {k: before[k] for k in before if current[k] == after.get(k)}
            changed_since = sorted(k for k in before if current[k] != after.get(k))
            if restore:
                if apply:
                    cols = ", ".join(f"{k} = ?" for k in restore)
                    conn.execute(f"UPDATE leads SET {cols}, updated_at = ? WHERE id = ?",
                                 [*restore.values(), now, lead_id])
                reverted += 1
            if changed_since:
                kept.append((public_id, "merged fields changed since the import: " + ", ".join(changed_since)))
            if apply:
                conn.execute("UPDATE change_log SET undone = 1 WHERE id = ?", (change_id,))
        if apply:
            conn.execute(
                "DELETE FROM activities WHERE kind = 'import' AND json_extract(data, '$.batch_id') = ?",
                (batch_id,),
            )
            conn.execute("DELETE FROM duplicate_candidates WHERE batch_id = ? AND status = 'pending'", (batch_id,))
            # The import added its cost to the campaign's spend; the undo takes it back
            # (cost per qualified lead and per opportunity must not keep paying for it).
            if cost > 0 and campaign:
                conn.execute("UPDATE campaigns SET cost = max(0, coalesce(cost, 0) - ?) WHERE name = ?",
                             (cost, campaign))
            conn.execute("UPDATE import_batches SET undone_at = ? WHERE id = ?", (now, batch_id))
        return UndoReport(batch_id, removed, reverted, kept, cost=cost, campaign=campaign)

    # -- possible duplicates ------------------------------------------------------------------

    def pending_duplicates(self, limit: int = 500) -> list[dict[str, Any]]:
        """Possible duplicates waiting for the rep, each with both leads side by side."""
        cols = ("id", "public_id", "first_name", "last_name", "title", "company", "email", "phone",
                "city", "country", "source", "status", "created_at")
        out = []
        for cand_id, a, b, sim, reason, batch in self.store.conn.execute(
            "SELECT id, lead_id, other_lead_id, similarity, reason, batch_id FROM duplicate_candidates "
            "WHERE status = 'pending' ORDER BY id LIMIT ?", (limit,)
        ).fetchall():
            pair = []
            for lead_id in (a, b):
                r = self.store.conn.execute(f"SELECT {', '.join(cols)} FROM leads WHERE id = ?", (lead_id,)).fetchone()
                pair.append(dict(zip(cols, r, strict=True)) if r else None)
            if None in pair:
                continue
            out.append({"id": cand_id, "new": pair[0], "existing": pair[1], "similarity": sim,
                        "reason": reason, "batch_id": batch})
        return out

    def resolve_duplicate(self, candidate_id: int, decision: str) -> None:
        """'keep' both leads, or 'merge' the new one into the existing one (empty
        fields filled, the new lead's timeline moved over, the new lead removed)."""
        if decision not in {"keep", "merge"}:
            raise ValueError(decision)
        conn = self.store.conn
        now = to_db(self.clock())
        with self.store.transaction():
            row = conn.execute(
                "SELECT lead_id, other_lead_id, batch_id, status FROM duplicate_candidates WHERE id = ?",
                (candidate_id,),
            ).fetchone()
            if row is None or row[3] != "pending":
                raise UserError("This possible duplicate was already decided.")
            new_id, old_id, batch_id, _ = row
            if decision == "merge" and conn.execute(
                "SELECT EXISTS(SELECT 1 FROM handoffs WHERE lead_id = ?)", (new_id,)
            ).fetchone()[0]:
                raise UserError("The new lead was already handed off to field sales; keep both, "
                                "or merge the details by hand.")
            if decision == "merge":
                cols = ", ".join(MERGE_COLUMNS)
                new = dict(zip(MERGE_COLUMNS, conn.execute(f"SELECT {cols} FROM leads WHERE id = ?", (new_id,)).fetchone(), strict=True))
                old = dict(zip(MERGE_COLUMNS, conn.execute(f"SELECT {cols} FROM leads WHERE id = ?", (old_id,)).fetchone(), strict=True))
                fill = {k: v for k, v in new.items() if v not in (None, "") and old[k] in (None, "")}
                if fill:
                    sets = ", ".join(f"{k} = ?" for k in fill)
                    conn.execute(f"UPDATE leads SET {sets}, updated_at = ? WHERE id = ?", [*fill.values(), now, old_id])
                conn.execute(
                    "INSERT INTO change_log (at, label, entity, entity_id, before, after, batch_id, undone) "
                    "VALUES (?, ?, 'lead', ?, ?, ?, NULL, 0)",
                    (now, "Merged a possible duplicate", old_id,
                     json.dumps({k: old[k] for k in fill}, ensure_ascii=False), json.dumps(fill, ensure_ascii=False)),
                )
                conn.execute("UPDATE activities SET lead_id = ? WHERE lead_id = ?", (old_id, new_id))
                conn.execute(
                    "INSERT INTO activities (lead_id, kind, notes, occurred_at, data) VALUES (?, 'import', ?, ?, ?)",
                    (old_id, f"Merged with a possible duplicate from import batch {batch_id}", now,
                     json.dumps({"merged_lead": new_id})),
                )
                conn.execute("UPDATE duplicate_candidates SET status = 'merged', decided_at = ? WHERE id = ?",
                             (now, candidate_id))
                conn.execute("DELETE FROM duplicate_candidates WHERE (lead_id = ? OR other_lead_id = ?) AND id != ?",
                             (new_id, new_id, candidate_id))
                conn.execute("UPDATE duplicate_candidates SET lead_id = NULL WHERE id = ?", (candidate_id,))
                conn.execute("DELETE FROM change_log WHERE entity = 'lead' AND entity_id = ?", (new_id,))
                conn.execute("DELETE FROM leads WHERE id = ?", (new_id,))
            else:
                conn.execute("UPDATE duplicate_candidates SET status = 'kept', decided_at = ? WHERE id = ?",
                             (now, candidate_id))

    # -- internals ---------------------------------------------------------------------------

    def _setting(self, key: str) -> Any:
        from leadtriage.store.settings import SettingsStore

        return SettingsStore(self.store).get(key)

    def _has_leads(self) -> bool:
        return bool(self.store.conn.execute("SELECT EXISTS(SELECT 1 FROM leads)").fetchone()[0])

    def _touch_profile(self, headers: list[str]) -> None:
        with self.store.transaction():
            self.store.conn.execute("UPDATE import_profiles SET used_at = ? WHERE header_signature = ?",
                                    (to_db(self.clock()), header_signature(headers)))


def require_lead_columns(mapping: Mapping, file_name: str) -> None:
    """A list must have at least one column that says who the lead is; otherwise it
    is not a lead list (or needs a hand-made mapping)."""
    if not (mapping.mapped & _IDENTITY):
        raise UserError(
            f"{file_name}: no column could be recognised as a name, company, e-mail or phone; "
            "map the columns by hand (a --mapping file on the command line)."
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _neutralise(text: str | None) -> str:
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text or ""

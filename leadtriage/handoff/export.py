"""Handing leads to field sales: write the briefs, CSV rows and invites, then record
the handoff (status, handoffs row, timeline) in one transaction.

Order matters for "bad input loses nothing": everything is checked before the
first file is created; files are written next; the database is changed last, in
one transaction. A cancel or a failure removes the files this export created and
leaves the database as it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from leadtriage.domain.public_id import parse_public_id
from leadtriage.domain.status import Status
from leadtriage.errors import StorageProblem, UserError
from leadtriage.handoff import csv_export
from leadtriage.handoff.brief import Brief, collect_brief
from leadtriage.handoff.filenames import FileNamer, safe_stem
from leadtriage.paths import restrict_folder
from leadtriage.services.leads import LeadService
from leadtriage.store.db import Store
from leadtriage.store.lenient import as_text, lenient_text
from leadtriage.store.settings import SettingsStore
from leadtriage.store.timeutil import to_db
from leadtriage.util.progress import NO_PROGRESS, Progress

BRIEF_FORMATS = ("pdf", "html", "md", "ics")
CSV_FORMATS = tuple(csv_export.PROFILES)
FORMATS = ("pdf", "html", "md", "csv-salesforce", "csv-hubspot", "csv-sheet", "ics")
# Qualified leads move to handed_off; leads already on the field side may be
# exported again (recorded, no status change).
HANDOFF_FROM = frozenset({Status.QUALIFIED})
RE_EXPORT = frozenset({Status.HANDED_OFF, Status.ACCEPTED, Status.OPPORTUNITY, Status.WON, Status.LOST})
EXPORTABLE = HANDOFF_FROM | RE_EXPORT


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ExportRequest:
    lead_ids: tuple[int, ...]
    formats: tuple[str, ...]
    folder: Path
    combine: bool = False  # one PDF per field rep instead of one per lead
    meeting_at: datetime | None = None  # overrides the recorded meeting for every lead


@dataclass
class ExportResult:
    folder: Path
    files: list[Path] = field(default_factory=list)
    handed_off: list[str] = field(default_factory=list)  # public IDs moved qualified -> handed off
    re_exported: list[str] = field(default_factory=list)  # already handed off: recorded again
    no_meeting: list[str] = field(default_factory=list)  # .ics asked for, no meeting time set
    handoff_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "folder": str(self.folder),
            "files": [str(p) for p in self.files],
            "handed_off": self.handed_off,
            "re_exported": self.re_exported,
            "no_meeting_time": self.no_meeting,
        }


# -- choosing leads --------------------------------------------------------------------


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = []
    for item in (i.strip().lower() for i in items):
        if not item:
            continue
        if item not in FORMATS:
            raise UserError(f"Unknown export format {item!r}; choose from {', '.join(FORMATS)}.")
        if item not in chosen:
            chosen.append(item)
    if not chosen:
        raise UserError(f"Choose at least one export format ({', '.join(FORMATS)}).")
    return tuple(chosen)


def parse_public_ids(text: str) -> list[int]:
    ids, bad = [], []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        row_id = parse_public_id(part)
        if row_id is None:
            bad.append(part)
        elif row_id not in ids:
            ids.append(row_id)
    if bad:
        raise UserError(f"Not a valid lead ID: {', '.join(bad[:3])}{' …' if len(bad) > 3 else ''}.")
    if not ids:
        raise UserError("--ids is empty.")
    return ids


def field_rep_id(conn: sqlite3.Connection, name: str) -> int:
    row = conn.execute("SELECT id FROM field_reps WHERE name = ? COLLATE NOCASE", (name.strip(),)).fetchone()
    if row is None:
        known = [r[0] for r in conn.execute("SELECT name FROM field_reps ORDER BY name LIMIT 8")]
        hint = f" Known field reps: {', '.join(known)}." if known else " No field reps are set up."
        raise UserError(f"No field rep called {name!r}.{hint}")
    return row[0]


def select_leads(
    conn: sqlite3.Connection,
    *,
    status: str | None = None,
    lead_ids: Sequence[int] | None = None,
    field_rep: str | None = None,
) -> list[int]:
    """Lead ids to export. With explicit ids every one must exist (and match the
    other filters); otherwise the filters choose, defaulting to qualified leads."""
    where, params = [], []
    if status:
        try:
            Status(status)
        except ValueError:
            raise UserError(f"Unknown status {status!r}; one of {', '.join(s.value for s in Status)}.") from None
        where.append("status = ?")
        params.append(status)
    elif not lead_ids:
        where.append("status = 'qualified'")
    if field_rep:
        where.append("field_rep_id = ?")
        params.append(field_rep_id(conn, field_rep))
    if lead_ids:
        found = {
            r[0] for r in conn.execute(
                "SELECT l.id FROM json_each(?) j JOIN leads l ON l.id = j.value", (json.dumps(list(lead_ids)),)
            )
        }
        missing = [i for i in lead_ids if i not in found]
        if missing:
            from leadtriage.domain.public_id import format_public_id

            raise UserError(f"No lead with ID {', '.join(format_public_id(i) for i in missing[:3])} in this database.")
        if not where:
            return list(lead_ids)
        sql = f"SELECT id FROM leads WHERE id IN (SELECT value FROM json_each(?)) AND {' AND '.join(where)}"
        keep = {r[0] for r in conn.execute(sql, [json.dumps(list(lead_ids)), *params])}
        return [i for i in lead_ids if i in keep]
    sql = f"SELECT id FROM leads WHERE {' AND '.join(where)} ORDER BY id"
    return [r[0] for r in conn.execute(sql, params)]


def qualified_by_field_rep(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(field rep, qualified leads waiting) for the export dialog's per-rep choice."""
    return [
        (name, n) for name, n in conn.execute(
            "SELECT coalesce(r.name, ''), count(*) FROM leads l LEFT JOIN field_reps r ON r.id = l.field_rep_id "
            "WHERE l.status = 'qualified' GROUP BY r.name ORDER BY r.name"
        )
    ]


# -- exporting ---------------------------------------------------------------------------


class HandoffExporter:
    def __init__(self, store: Store, *, rep_name: str | None = None, clock: Callable[[], datetime] = utc_now):
        self.store = store
        settings = SettingsStore(store)
        self.rep_name = rep_name if rep_name is not None else settings.get("rep_name")
        self.template_folder = settings.get("template_folder")
        self.page_size_setting = settings.get("page_size")
        self.clock = clock

    # The checks a user can fix, before anything is written.
    def check(self, request: ExportRequest) -> list[tuple[int, str, str]]:
        if not request.lead_ids:
            raise UserError("No leads to export: the selection is empty.")
        if not request.formats:
            raise UserError("Choose at least one export format.")
        for fmt in request.formats:
            if fmt not in FORMATS:
                raise UserError(f"Unknown export format {fmt!r}.")
        folder = Path(request.folder)
        if folder.exists() and not folder.is_dir():
            raise UserError(f"{folder} is a file, not a folder.")
        if not folder.exists() and not folder.parent.is_dir():
            raise UserError(f"The folder {folder.parent} does not exist.")
        if self.template_folder and not Path(self.template_folder).expanduser().is_dir():
            raise UserError(f"The brief template folder {self.template_folder} does not exist; fix it in Settings.")
        ids = list(dict.fromkeys(request.lead_ids))  # each lead once, first mention wins
        with lenient_text(self.store.conn) as conn:
            rows = [(lead_id, as_text(pid), as_text(st)) for lead_id, pid, st in conn.execute(
                "SELECT l.id, l.public_id, l.status FROM json_each(?) j JOIN leads l ON l.id = j.value ORDER BY j.key",
                (json.dumps(ids),),
            )]
        if len(rows) != len(ids):
            raise UserError("Some of the chosen leads no longer exist; refresh and try again.")
        refused = [(pid, st) for _, pid, st in rows if st not in EXPORTABLE]
        if refused:
            pid, st = refused[0]
            more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
            raise UserError(
                f"{pid} is {Status(st).label}{more}: only qualified or already handed-off leads go to field sales."
            )
        return rows

    def export(self, request: ExportRequest, progress: Progress = NO_PROGRESS) -> ExportResult:
        # Values a foreign tool left as invalid UTF-8 must not stop the export; nothing
        # read here goes back into a comparison in SQL (see `store.lenient`).
        with lenient_text(self.store.conn):
            return self._export(request, progress)

    def _export(self, request: ExportRequest, progress: Progress) -> ExportResult:
        rows = self.check(request)
        folder = Path(request.folder)
        created = not folder.exists()
        try:
            folder.mkdir(exist_ok=True, mode=0o700)
            if created:
                restrict_folder(folder)  # briefs hold personal data: a new folder is the user's only
        except OSError as exc:
            raise StorageProblem(f"Cannot create the folder {folder}: {exc.strerror or exc}.") from exc
        namer = FileNamer(folder)
        now = self.clock()
        result = ExportResult(folder=namer.folder)
        per_lead: dict[int, list[Path]] = {lead_id: [] for lead_id, _, _ in rows}
        try:
            try:
                result.files = self._write_files(request, [r[0] for r in rows], namer, now, per_lead, result,
                                                 progress)
            except OSError as exc:  # full disk, read-only or vanished folder: the user can fix it
                raise StorageProblem(f"Cannot write the export to {folder}: {exc.strerror or exc}.") from exc
            self._record(request, rows, per_lead, now, result, progress)
        except BaseException:
            namer.remove_claimed()
            if created:
                try:
                    folder.rmdir()  # the folder this export made, now empty again
                except OSError:
                    pass
            raise
        return result

    # -- files -------------------------------------------------------------------------

    def _write_files(
        self, request: ExportRequest, lead_ids: list[int], namer: FileNamer, now: datetime,
        per_lead: dict[int, list[Path]], result: ExportResult, progress: Progress,
    ) -> list[Path]:
        formats = request.formats
        brief_formats = [f for f in formats if f in BRIEF_FORMATS]
        csv_formats = [f for f in formats if f in CSV_FORMATS]
        total = len(lead_ids) * (bool(brief_formats) + len(csv_formats))
        done = 0
        if brief_formats:
            from leadtriage.handoff import render

            page_size = printer = None
            if "pdf" in formats:
                from leadtriage.handoff import pdf

                page_size = pdf.page_size_for(self.page_size_setting)
                if not request.combine:
                    printer = pdf.PdfPrinter(page_size, len(lead_ids))
            combined: dict[str, list[Brief]] = {}
            try:
                for lead_id in lead_ids:
                    progress.report(done, total, "Writing briefs")
                    brief = collect_brief(self.store.conn, lead_id, now=now, rep_name=self.rep_name,
                                          meeting_at=request.meeting_at)
                    self._write_brief(brief, request, namer, now, printer, combined, per_lead, result)
                    done += 1
                if printer is not None:
                    printer.finish()
            finally:
                if printer is not None:
                    printer.close()  # before a cancel or failure removes the files: nothing writes any more
            for rep, briefs in combined.items():
                from leadtriage.handoff import pdf

                progress.report(done, total, f"Printing the combined PDF for {rep or 'unassigned leads'}")
                path = namer.claim(safe_stem("briefs", rep or "unassigned", f"{now:%Y-%m-%d}"), "pdf")
                pdf.write_pdf(render.render_pdf_html(briefs, self.template_folder), path, page_size,
                              title=f"Lead briefs for {rep or 'unassigned leads'}")
                for brief in briefs:
                    per_lead[brief.lead_id].append(path)
        meeting = to_db(request.meeting_at) if request.meeting_at else None
        for fmt in csv_formats:
            profile = csv_export.PROFILES[fmt]
            path = namer.claim(safe_stem("leads", fmt.removeprefix("csv-"), f"{now:%Y-%m-%d-%H%M}"), "csv")
            base = done
            csv_export.export_csv(
                self.store.path, lead_ids, profile, path, meeting_at=meeting,
                on_rows=lambda n, base=base, label=profile.label: progress.report(base + n, total, f"Writing {label}"),
            )
            done += len(lead_ids)
            for lead_id in lead_ids:
                per_lead[lead_id].append(path)
        return list(namer.claimed)

    def _write_brief(
        self, brief: Brief, request: ExportRequest, namer: FileNamer, now: datetime, printer,
        combined: dict[str, list[Brief]], per_lead: dict[int, list[Path]], result: ExportResult,
    ) -> None:
        from leadtriage.handoff import render

        formats, stem, lead_id = request.formats, brief.file_stem, brief.lead_id
        if "pdf" in formats:
            if request.combine:
                combined.setdefault(brief.header.field_rep, []).append(brief)
            else:
                path = namer.claim(stem, "pdf")
                printer.print(render.render_pdf_html([brief], self.template_folder), path,
                              title=f"Lead brief {brief.header.public_id}")
                per_lead[lead_id].append(path)
        if "html" in formats:
            path = namer.claim(stem, "html")
            path.write_text(render.render_html(brief, self.template_folder), "utf-8")
            per_lead[lead_id].append(path)
        if "md" in formats:
            path = namer.claim(stem, "md")
            path.write_text(render.render_markdown(brief, self.template_folder), "utf-8")
            per_lead[lead_id].append(path)
        if "ics" in formats:
            if brief.meeting_at is None:
                result.no_meeting.append(brief.header.public_id)
            else:
                from leadtriage.handoff.ics import build_invite

                path = namer.claim(stem, "ics")
                path.write_bytes(build_invite(brief, now))
                per_lead[lead_id].append(path)

    # -- database ----------------------------------------------------------------------

    def _record(
        self, request: ExportRequest, rows: list[tuple[int, str, str]], per_lead: dict[int, list[Path]],
        now: datetime, result: ExportResult, progress: Progress,
    ) -> None:
        service = LeadService(self.store, rep=self.rep_name or "", clock=lambda: now)
        conn = self.store.conn
        formats = ",".join(request.formats)
        total = len(rows)
        with self.store.transaction():
            for n, (lead_id, public_id, status) in enumerate(rows):
                if n % 200 == 0:
                    progress.report(n, total, "Recording handoffs")
                rep_id, rep_name, owner, current_meeting = map(as_text, conn.execute(
                    "SELECT l.field_rep_id, r.name, l.owner, l.latest_meeting_at FROM leads l LEFT JOIN field_reps r "
                    "ON r.id = l.field_rep_id WHERE l.id = ?", (lead_id,)
                ).fetchone())
                previous = conn.execute(
                    "SELECT meeting_at, outcome, outcome_reason, amount, opportunity_at, outcome_at FROM handoffs "
                    "WHERE lead_id = ? ORDER BY handed_off_at DESC, id DESC LIMIT 1", (lead_id,)
                ).fetchone()
                # The meeting the files show: the one given here (it becomes the booked
                # one), else the one booked at qualification or recorded before.
                meeting = to_db(request.meeting_at) if request.meeting_at else current_meeting
                booked = {"booked_meeting_at": meeting} if request.meeting_at else {}
                if status in HANDOFF_FROM:
                    service.change_status(lead_id, Status.HANDED_OFF, extra=booked,
                                          label=f"Handed off to {rep_name or 'field sales'}")
                    result.handed_off.append(public_id)
                    # A fresh handoff: the field's verdict is still to come.
                    outcome = ("pending", None, None, None, None)
                else:
                    result.re_exported.append(public_id)
                    if booked and booked["booked_meeting_at"] != current_meeting:
                        service.update(lead_id, booked, "Meeting moved")
                    # Sending the brief again does not undo what the field reported.
                    outcome = tuple(previous[1:]) if previous else ("pending", None, None, None, None)
                paths = [str(p) for p in per_lead[lead_id]]
                cur = conn.execute(
                    "INSERT INTO handoffs (lead_id, field_rep_id, field_rep, handed_off_at, meeting_at, formats, "
                    "paths, by_rep, outcome, outcome_reason, amount, opportunity_at, outcome_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (lead_id, rep_id, rep_name, to_db(now), meeting, formats, json.dumps(paths, ensure_ascii=False),
                     self.rep_name or owner, *outcome),
                )
                result.handoff_ids.append(cur.lastrowid)
                again = "again " if status not in HANDOFF_FROM else ""
                service.log_activity(
                    lead_id, "handoff",
                    notes=f"Brief sent {again}to {rep_name or 'field sales'} ({formats})",
                    data={"handoff_id": cur.lastrowid, "field_rep": rep_name, "formats": list(request.formats),
                          "files": [Path(p).name for p in paths], "re_export": bool(again)},
                )
            progress.report(total, total, "Recording handoffs")

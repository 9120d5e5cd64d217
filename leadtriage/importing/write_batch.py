"""Writing one import batch inside the importer's open transaction: rows to lead
records, duplicates placed (merged into a lead, or flagged as possibly the same
person), new leads inserted, and the bulk path for big lists into small databases.
The rules it keeps are in the docstring of `leadtriage.importing.service`."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import unicodedata
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache
from typing import Any

from leadtriage.domain.public_id import format_public_id
from leadtriage.errors import UserError
from leadtriage.importing import normalise as nz
from leadtriage.importing.history import parse_outcome_value, parse_when
from leadtriage.importing.mapping import CUSTOM, IGNORE, TARGETS
from leadtriage.importing.model import Clock, ImportOptions, ImportPlan, ImportResult
from leadtriage.importing.phones import PhoneResolver
from leadtriage.scoring import rules_from_setting
from leadtriage.scoring.current import active_model
from leadtriage.scoring.score_many import BatchScorer
from leadtriage.store.db import Store
from leadtriage.store.settings import SettingsStore
from leadtriage.store.sync_outbox import next_lead_id
from leadtriage.store.timeutil import to_db
from leadtriage.util.gcpause import cyclic_gc_paused
from leadtriage.util.progress import Progress

INSERT_COLUMNS = (
    "id", "public_id", "first_name", "last_name", "title", "company", "company_key", "email", "phone",
    "phone_ext", "phone_raw", "website", "domain", "linkedin", "industry", "employees", "country", "region",
    "city", "timezone", "source", "campaign", "batch_id", "status", "notes", "custom_fields", "flags",
    "created_at", "updated_at", "score", "score_reasons", "status_reason", "qualified_at",
)
# Fields a merge may fill when the existing lead has them empty.
MERGE_COLUMNS = (
    "first_name", "last_name", "title", "company", "company_key", "email", "phone", "phone_ext", "phone_raw",
    "website", "domain", "linkedin", "industry", "employees", "country", "region", "city", "timezone", "notes",
)
_IDX = {c: i for i, c in enumerate(INSERT_COLUMNS)}
FUZZY_THRESHOLD = 88.0
# Names kept for possible-duplicate checks (~20 bytes each plus the name). Above this the
# cache is dropped and companies are read again as they come: a limit too low makes
# every chunk of a big list re-read most of the table (quadratic), so it is generous.
_FUZZY_CACHE_LIMIT = 1_500_000
_SQL_BATCH = 500
BULK_CACHE_KIB = 64 * 1024  # only the company-key index takes random inserts in bulk mode


# Handoffs made for imported history carry this in `by_rep` (undo removes them with the lead).
HISTORY_REP = "(imported history)"
_MAX_WARNINGS = 1000
_FUTURE_SLACK = timedelta(days=1)  # a CRM in another zone may stamp "tomorrow"


class SourceNames:
    """One spelling per source whatever the case: 'google' in a new list becomes the
    'Google' the database already holds (its most common spelling)."""

    def __init__(self, conn):
        self._names: dict[str, str] = {}
        counts: dict[str, tuple[int, str]] = {}
        for name, n in conn.execute("SELECT source, count(*) FROM leads WHERE source IS NOT NULL GROUP BY source"):
            key = str(name).casefold()
            if key not in counts or n > counts[key][0]:
                counts[key] = (n, name)
        self._names = {k: v[1] for k, v in counts.items()}

    def canonical(self, name: str) -> str:
        name = " ".join(name.split())
        return self._names.setdefault(name.casefold(), name)


_NOT_NAME = re.compile(r"[^a-z0-9 ]+")


@lru_cache(maxsize=50_000)
def _name_key(first: str | None, last: str | None) -> str:
    text = f"{first or ''} {last or ''}".strip().lower()
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_NAME.sub("", text)


def chunks(items: list, size: int = _SQL_BATCH) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class BatchWriter:
    """One import inside an open transaction. Kept apart from `Importer` so the
    per-row state (caches, counters, id allocation) lives exactly as long as a batch."""

    def __init__(self, store: Store, plan: ImportPlan, options: ImportOptions, region: str,
                 clock: Clock, progress: Progress):
        self.store, self.conn = store, store.conn
        self.plan, self.options, self.region = plan, options, region
        self.progress = progress
        moment = clock()
        self.now = to_db(moment)
        self.scorer = BatchScorer(rules_from_setting(SettingsStore(store).get("icp")), moment)
        self.learned = active_model(store.conn)  # None: the rules score alone
        self.table = plan.table
        self.labels = plan.table.labels
        self.targets = plan.mapping.targets
        self.rows = self.inserted = self.merged = self.flagged = self.rejected = 0
        # (company_key, initial of the last name) -> [(lead id, name key)]; filled per company
        # (company key, initial of the name key) -> [lead id, name key, lead id, name key, ...]:
        # one flat list per group, the smallest shape for a million mostly one-entry groups
        self.fuzzy: dict[tuple[str, str], list] = {}
        self.fuzzy_loaded: set[str] = set()
        self.fuzzy_size = 0
        self._pending_candidates: list[tuple] = []
        self.dropped: list[str] = []
        self.keys: dict[str, Any] | None = None  # bulk mode: column -> KeyIndex
        self.source = options.source or None
        self.campaign = options.campaign or None
        self.sources = SourceNames(self.conn)
        if self.source:
            self.source = self.sources.canonical(self.source)
        self.moment = moment
        self.history_positive = self.history_negative = self.open_stages = 0
        self.warnings: list[dict[str, Any]] = []
        self._pending_outcome_at: str | None = None
        self._outcome_dates: dict[int, str] = {}  # id(record) -> outcome time, for history handoffs
        self._columns = [(i, None if t == CUSTOM else t, label)
                         for i, (t, label) in enumerate(zip(self.targets, self.labels, strict=False)) if t != IGNORE]
        self.phone_cols = [i for i, t in enumerate(self.targets) if t == "phone"]
        self.country_cols = [i for i, t in enumerate(self.targets) if t == "country"]
        delim = self.table.delimiter or ","
        self._raw_buf = io.StringIO()
        self._raw_writer = csv.writer(self._raw_buf, delimiter=delim, lineterminator="")

    # -- the batch --------------------------------------------------------------------------

    def write(self, started: float) -> ImportResult:
        conn = self.conn
        self.batch_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM import_batches").fetchone()[0]
        self.next_id = next_lead_id(conn)  # inside this laptop's block of IDs on a team
        conn.execute(
            "INSERT INTO import_batches (id, file_name, sha256, source, campaign, cost, encoding, delimiter, "
            "sheet, mapping, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.batch_id, self.plan.path.name, self.plan.sha256, self.source, self.campaign, self.options.cost,
             self.table.encoding, self.table.delimiter, self.table.sheet, self.plan.mapping.to_json(), self.now),
        )
        bulk = self._bulk_worth_it()
        if bulk:
            self._drop_for_bulk()
        size = max(self.table.size, 1)
        # Two-stage pipeline on big lists: the helper process parses chunk N+1's phone
        # numbers while this process normalises and writes chunk N.
        resolver = PhoneResolver(parallel=bulk)
        cache = conn.execute("PRAGMA cache_size").fetchone()[0]
        if bulk:
            # The batch's pages stay dirty until COMMIT; with the default cache they spill to
            # the WAL and are read back for every random-key index insert (e-mail, phone ...).
            conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        with cyclic_gc_paused():  # see there: 12-14% of a 300k-row import
            try:
                pending: tuple[list, tuple] | None = None
                for chunk in self.table.chunks(self.options.chunk_size):
                    phones = resolver.submit(self._phone_pairs(chunk))
                    if pending is not None:
                        self._chunk(pending[0], resolver.results(pending[1]))
                        self._report(size)
                    pending = (chunk, phones)
                if pending is not None:
                    self._chunk(pending[0], resolver.results(pending[1]))
                    self._report(size)
            finally:
                resolver.close()
                conn.execute(f"PRAGMA cache_size = {int(cache)}")
        self.progress.report(self.rows, self.rows, "updating indexes")
        self._restore_after_bulk()
        seconds = time.perf_counter() - started
        conn.execute(
            "UPDATE import_batches SET rows = ?, inserted = ?, merged = ?, duplicates_flagged = ?, rejected = ?, "
            "finished_at = ?, seconds = ? WHERE id = ?",
            (self.rows, self.inserted, self.merged, self.flagged, self.rejected, self.now, round(seconds, 3),
             self.batch_id),
        )
        self._campaign_row()
        return ImportResult(
            batch_id=self.batch_id, rows=self.rows, inserted=self.inserted, merged=self.merged,
            duplicates_flagged=self.flagged, rejected=self.rejected, encoding=self.table.encoding,
            delimiter=self.table.delimiter, sheet=self.table.sheet, seconds=seconds,
            dry_run=self.options.dry_run, file_name=self.plan.path.name,
            same_file_batches=[b["id"] for b in self.plan.previous_batches],
            history_positive=self.history_positive, history_negative=self.history_negative,
            open_stages=self.open_stages, warnings=self.warnings,
        )

    def _report(self, size: int) -> None:
        position = self.table.position or self.table.size
        estimate = max(self.rows, int(self.rows * size / max(position, 1)))
        self.progress.report(self.rows, estimate, f"{self.rows:,} rows")

    def _phone_pairs(self, chunk: list[tuple[int, list[str]]]) -> list[tuple[str, str]]:
        """(raw phone, region) for every row, in order; '' for rows without a phone.
        The region is the row's country when it has one, else the default region."""
        pairs = []
        phone_cols, country_cols, region = self.phone_cols, self.country_cols, self.region
        for _, cells in chunk:
            raw = _first(cells, phone_cols)
            if not raw:
                pairs.append(("", region))
                continue
            country = nz.country_code(_first(cells, country_cols)) if country_cols else None
            pairs.append((raw, country or region))
        return pairs

    def _campaign_row(self) -> None:
        if not self.campaign:
            return
        self.conn.execute(
            "INSERT INTO campaigns (name, source, cost) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
            "cost = coalesce(campaigns.cost, 0) + coalesce(excluded.cost, 0), "
            "source = coalesce(campaigns.source, excluded.source)",
            (self.campaign, self.source, self.options.cost),
        )

    # -- bulk mode ---------------------------------------------------------------------------

    def _bulk_worth_it(self) -> bool:
        existing = self.conn.execute("SELECT max(id) FROM leads").fetchone()[0] or 0
        if self.table.kind == "spreadsheet":
            expected = len(self.table._rows or [])
        else:
            expected = self.table.size // 120  # ~120 bytes a row in typical lead lists
        return expected >= 50_000 and expected > existing

    def _drop_for_bulk(self) -> None:
        """Drop the secondary indexes and every trigger of `leads` (inside the batch's
        transaction, so a kill or a rollback brings them back untouched). Duplicate
        keys are then found through in-memory key indexes; the indexes are built once
        over the finished table and the derived tables (search, counts, metrics)
        rebuilt from it. Only the company-key index stays: possible-duplicate checks
        read existing leads of a company through it."""
        from leadtriage.importing.keyindex import KeyIndex
        from leadtriage.store.bulk import drop_for_bulk

        self.dropped = drop_for_bulk(self.conn, ["leads"], keep={"idx_leads_company_key"})
        self.keys = {column: KeyIndex() for column in ("email", "phone", "linkedin")}
        for column, index in self.keys.items():
            index.load(self.conn.execute(f"SELECT id, {column} FROM leads WHERE {column} IS NOT NULL ORDER BY id"))

    def _restore_after_bulk(self) -> None:
        from leadtriage.store.bulk import restore_after_bulk

        self.keys = None
        self.fuzzy.clear()  # memory back before SQLite sorts the indexes

        def step(i: int, n: int, what: str) -> None:
            self.progress.report(self.rows, self.rows, f"{what} ({i} of {n})")

        restore_after_bulk(self.conn, self.dropped, step)

    # -- one chunk ---------------------------------------------------------------------------

    def _chunk(self, chunk: list[tuple[int, list[str]]], phones: list[nz.PhoneResult]) -> None:
        records: list[list[Any]] = []
        lines: list[int] = []
        rejects: list[tuple] = []
        for (line_no, cells), phone in zip(chunk, phones, strict=True):
            self.rows += 1
            rec, reason = self._record(cells, phone, line_no)
            if rec is None:
                rejects.append((self.batch_id, line_no, reason, self._raw(cells)))
                continue
            records.append(rec)
            lines.append(line_no)
        self.rejected += len(rejects)
        if rejects:
            self.conn.executemany(
                "INSERT INTO import_rejects (batch_id, line_no, reason, raw) VALUES (?, ?, ?, ?)", rejects)
        if records:
            self._place(records, lines)

    def _raw(self, cells: list[str]) -> str:
        buf = self._raw_buf
        buf.seek(0)
        buf.truncate()
        self._raw_writer.writerow(cells)
        return buf.getvalue()

    def _record(self, cells: list[str], res_p: nz.PhoneResult, line_no: int = 0) -> tuple[list[Any] | None, str]:
        values: dict[str, str] = {}
        custom: dict[str, str] = {}
        n = len(cells)
        for i, target, label in self._columns:  # mapped columns in order, ignored ones left out
            if i >= n:
                break
            value = cells[i].strip()
            if not value:
                continue
            if target is None or target in values:
                custom[label] = value
            else:
                values[target] = value
        for j in range(len(self.targets), n):
            if cells[j].strip():
                custom[f"Column {j + 1}"] = cells[j].strip()
        flags: list[str] = []
        get = values.get

        first, last = get("first_name"), get("last_name")
        if not first and not last and get("full_name"):
            first, last = nz.split_full_name(values["full_name"])
        first, last = nz.fix_case(first), nz.fix_case(last)

        email = None
        raw_email = get("email")
        if raw_email:
            res = nz.normalise_email(raw_email)
            email = res.value
            if email is None:
                flags.append("invalid_email")
                custom.setdefault("E-mail (invalid)", raw_email)
            elif res.role:
                flags.append("role_email")

        country = None
        raw_country = get("country")
        if raw_country:
            country = nz.country_code(raw_country)
            if country is None:
                custom.setdefault("Country", raw_country)

        phone = ext = None
        raw_phone = get("phone")
        if raw_phone:
            if res_p.valid:
                phone, ext = res_p.e164, res_p.ext
                if country is None and res_p.region and res_p.region != "001":
                    country = res_p.region if not raw_country else None
            else:
                flags.append("invalid_phone")
                ext = res_p.ext

        website = get("website")
        domain = nz.domain_of(website) if website else None
        if domain is None:
            domain = nz.email_domain(email)

        linkedin = None
        raw_li = get("linkedin")
        if raw_li:
            linkedin = nz.normalise_linkedin(raw_li)
            if linkedin is None:
                custom.setdefault("LinkedIn", raw_li)

        employees = None
        raw_emp = get("employees")
        if raw_emp:
            employees = nz.parse_employees(raw_emp)
            if employees is None or not raw_emp.isdigit():
                custom.setdefault("Employees", raw_emp)

        company = get("company")
        reachable = email or phone or linkedin or (raw_phone and nz.has_digits(raw_phone))
        if not reachable and not (first or last or company):
            if raw_email or raw_phone:
                return None, "no valid phone or e-mail, and no name or company"
            return None, "no phone, e-mail, name or company"
        title, industry = get("title"), get("industry")
        source = self.sources.canonical(get("source")) if get("source") else self.source
        campaign = get("campaign") or self.campaign
        created, status, reason, qualified_at = self._history(values, line_no)
        # New leads are scored as they arrive, so "new leads by score" in Today means something.
        score, reasons = self.scorer.score(industry, employees, title, country, source)
        region, tz = get("region"), nz.timezone_for(phone, country)
        custom_json = json.dumps(custom, ensure_ascii=False) if custom else None
        flags_json = json.dumps(flags) if flags else None
        if self.learned is not None:
            lead = {"source": source, "campaign": campaign, "industry": industry, "country": country,
                    "region": region, "timezone": tz, "title": title, "employees": employees, "email": email,
                    "flags": flags_json, "created_at": created, "custom_fields": custom_json}
            score, chips = self.learned.score(lead, score, json.loads(reasons) if self.learned.weight < 1 else [])
            reasons = json.dumps(chips, ensure_ascii=False)
        rec = [
            None, None, first, last, title, company, nz.company_key(company), email, phone,
            ext, raw_phone, website, domain, linkedin, industry, employees, country, region,
            get("city"), tz, source, campaign, self.batch_id, status,
            get("notes"), custom_json, flags_json, created, self.now, score, reasons, reason, qualified_at,
        ]
        if status in ("opportunity", "won"):
            self._outcome_dates[id(rec)] = self._pending_outcome_at or created
        return rec, ""

    def _history(self, values: dict[str, str], line_no: int) -> tuple[str, str, str | None, str | None]:
        """(created_at, status, status reason, qualified_at) from the row's own date and
        outcome. A date that cannot be read refuses the whole batch (UserError): a
        history with wrong dates would skew every period figure and the model's split."""
        self._pending_outcome_at = None
        created = self.now
        raw_created = values.get("created_at")
        if raw_created:
            try:
                moment = parse_when(raw_created)
            except ValueError as exc:
                raise UserError(f"Line {line_no}: the created date cannot be read: {exc}. Nothing was imported.") from None
            if moment > self.moment + _FUTURE_SLACK:
                raise UserError(f"Line {line_no}: the created date {raw_created} is in the future. Nothing was imported.")
            created = to_db(moment)
        raw_outcome = values.get("outcome")
        if not raw_outcome:
            return created, "new", None, None
        outcome = parse_outcome_value(raw_outcome)
        if outcome is None:
            if len(self.warnings) < _MAX_WARNINGS:
                self.warnings.append({"line": line_no, "problem": f"unknown outcome {raw_outcome!r}: "
                                      "imported without an outcome"})
            return created, "new", None, None
        if not outcome.closed:
            self.open_stages += 1
            qualified = created if outcome.status == "qualified" else None
            return created, outcome.status, None, qualified
        raw_at = values.get("outcome_at")
        if raw_at:
            try:
                at = parse_when(raw_at)
            except ValueError as exc:
                raise UserError(f"Line {line_no}: the outcome date cannot be read: {exc}. Nothing was imported.") from None
            if to_db(at) < created:
                raise UserError(
                    f"Line {line_no}: the outcome is dated {raw_at}, before the lead was created "
                    f"({created[:10]}). Nothing was imported.")
            self._pending_outcome_at = to_db(at)
        if outcome.positive:
            self.history_positive += 1
            return created, outcome.status, None, created
        self.history_negative += 1
        return created, outcome.status, f"Imported history: {raw_outcome}", None

    # -- duplicates and writing ----------------------------------------------------------------

    def _existing(self, column: str, values: set[str]) -> dict[str, int]:
        """value -> the lowest id of a lead that has it, for values already in the database."""
        if self.keys is not None:
            return self._existing_bulk(column, values)
        return self._existing_sql(column, values)

    def _existing_bulk(self, column: str, values: set[str]) -> dict[str, int]:
        """Bulk mode (the column's index is dropped): candidates from the in-memory key
        index, each checked against the lead row it names; a value whose candidate is
        wrong (a hash collision) is looked up in the table itself."""
        found = self.keys[column].candidates(values)  # type: ignore[index]
        if not found:
            return {}
        actual: dict[int, str | None] = {}
        ids = sorted(set(found.values()))
        for part in chunks(ids):
            marks = ",".join("?" * len(part))
            actual.update(self.conn.execute(f"SELECT id, {column} FROM leads WHERE id IN ({marks})", part))
        wrong = {v for v, lead_id in found.items() if actual.get(lead_id) != v}
        if wrong:
            for v in wrong:
                del found[v]
            found.update(self._existing_sql(column, wrong))
        return found

    def _existing_sql(self, column: str, values: set[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        items = sorted(values)
        for part in chunks(items):
            marks = ",".join("?" * len(part))
            for value, lead_id in self.conn.execute(
                f"SELECT {column}, min(id) FROM leads WHERE {column} IN ({marks}) GROUP BY {column}", part
            ):
                found[value] = lead_id
        return found

    def _place(self, records: list[list[Any]], lines: list[int]) -> None:
        i_email, i_phone, i_li = _IDX["email"], _IDX["phone"], _IDX["linkedin"]
        emails = {r[i_email] for r in records if r[i_email]}
        phones = {r[i_phone] for r in records if r[i_phone]}
        lis = {r[i_li] for r in records if r[i_li]}
        by_email = self._existing("email", emails) if emails else {}
        by_phone = self._existing("phone", phones) if phones else {}
        by_li = self._existing("linkedin", lis) if lis else {}
        local: dict[tuple[int, str], list[Any]] = {}  # keys of new leads in this chunk
        new: list[list[Any]] = []
        merges: dict[int, list[tuple[list[Any], int]]] = {}  # existing lead id -> rows to fold in
        activities: list[tuple] = []
        for rec, line in zip(records, lines, strict=True):
            keys = [(k, rec[i]) for k, i in ((0, i_email), (1, i_phone), (2, i_li)) if rec[i]]
            target = None
            for key in keys:
                target = local.get(key)
                if target is not None:
                    break
            if target is not None:
                differs = self._fill_pending(target, rec)
                for key in keys:
                    local.setdefault(key, target)
                activities.append((target[0], line, differs))
                self.merged += 1
                self._outcome_not_applied(rec, line, "an earlier line of this file")
                continue
            existing = None
            for k, value in keys:
                existing = (by_email, by_phone, by_li)[k].get(value)
                if existing is not None:
                    break
            if existing is not None:
                merges.setdefault(existing, []).append((rec, line))
                self.merged += 1
                self._outcome_not_applied(rec, line, f"lead {format_public_id(existing)}")
                continue
            rec[0] = self.next_id
            rec[1] = format_public_id(self.next_id)
            self.next_id += 1
            new.append(rec)
            for key in keys:
                local[key] = rec
        flagged_ids = self._fuzzy(new)
        self.flagged += len(flagged_ids)
        self.inserted += len(new) - len(flagged_ids)
        if new:
            marks = ",".join("?" * len(INSERT_COLUMNS))
            self.conn.executemany(f"INSERT INTO leads ({', '.join(INSERT_COLUMNS)}) VALUES ({marks})", new)
            if self.keys is not None:
                for column, index in self.keys.items():
                    i = _IDX[column]
                    index.add_new((rec[i], rec[0]) for rec in new if rec[i])
        if self._outcome_dates:
            self._history_handoffs(new)
        if merges:
            self._merge_existing(merges)
        if activities:
            self.conn.executemany(
                "INSERT INTO activities (lead_id, kind, notes, occurred_at, data) VALUES (?, 'import', ?, ?, ?)",
                [(lead_id, _also_note(line, differs), self.now,
                  json.dumps({"batch_id": self.batch_id, "line": line, "differs": differs}, ensure_ascii=False))
                 for lead_id, line, differs in activities],
            )
        if self._pending_candidates:
            self.conn.executemany(
                "INSERT INTO duplicate_candidates (lead_id, other_lead_id, batch_id, similarity, reason, status) "
                "VALUES (?, ?, ?, ?, ?, 'pending')", self._pending_candidates)
            self._pending_candidates = []

    def _history_handoffs(self, new: list[list[Any]]) -> None:
        """A lead imported as a started sales cycle gets the handoff record every
        sales-cycle figure reads (by source, campaign, period), marked as imported."""
        rows = []
        i_created, i_status = _IDX["created_at"], _IDX["status"]
        for rec in new:
            at = self._outcome_dates.pop(id(rec), None)
            if at is None:
                continue
            rows.append((rec[0], rec[i_created], HISTORY_REP, rec[i_status], at, at,
                         f"Imported history (batch {self.batch_id})"))
        self._outcome_dates.clear()
        if rows:
            self.conn.executemany(
                "INSERT INTO handoffs (lead_id, handed_off_at, by_rep, outcome, opportunity_at, outcome_at, notes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    def _outcome_not_applied(self, rec: list[Any], line: int, into: str) -> None:
        """A merged row only fills empty fields; its outcome or stage is not applied (a
        lead already in the queue gets its outcome through `leadtriage outcomes`, where
        the handoff it belongs to is known). Said per line, and not counted as history."""
        status = rec[_IDX["status"]]
        if status == "new":
            return
        self._outcome_dates.pop(id(rec), None)
        if status in ("opportunity", "won"):
            self.history_positive -= 1
        elif status == "disqualified":
            self.history_negative -= 1
        else:
            self.open_stages -= 1
        if len(self.warnings) < _MAX_WARNINGS:
            self.warnings.append({"line": line, "problem": f"same person as {into}: merged, its outcome or stage "
                                  "was not applied (field outcomes of leads you have go through Import outcomes)"})

    def _fill_pending(self, target: list[Any], rec: list[Any]) -> dict[str, Any]:
        differs: dict[str, Any] = {}
        for col in MERGE_COLUMNS:
            i = _IDX[col]
            if rec[i] in (None, ""):
                continue
            if target[i] in (None, ""):
                target[i] = rec[i]
            elif target[i] != rec[i] and col != "company_key":
                differs[col] = rec[i]
        target[_IDX["custom_fields"]] = _merge_json_obj(target[_IDX["custom_fields"]], rec[_IDX["custom_fields"]])
        target[_IDX["flags"]] = _merge_json_list(target[_IDX["flags"]], rec[_IDX["flags"]])
        return differs

    def _merge_existing(self, merges: dict[int, list[tuple[list[Any], int]]]) -> None:
        cols = (*MERGE_COLUMNS, "custom_fields", "flags", "batch_id")
        current: dict[int, dict[str, Any]] = {}
        ids = list(merges)
        for part in chunks(ids):
            marks = ",".join("?" * len(part))
            for row in self.conn.execute(f"SELECT id, {', '.join(cols)} FROM leads WHERE id IN ({marks})", part):
                current[row[0]] = dict(zip(cols, row[1:], strict=True))
        updates, logs, activities = [], [], []
        filled: list[tuple[int, dict[str, Any]]] = []
        source = self.source or "no source given"
        for lead_id, rows in merges.items():
            lead = current[lead_id]
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            for rec, line in rows:
                differs: dict[str, Any] = {}
                for col in MERGE_COLUMNS:
                    value = rec[_IDX[col]]
                    if value in (None, ""):
                        continue
                    if lead[col] in (None, ""):
                        before.setdefault(col, lead[col])
                        lead[col] = after[col] = value
                    elif lead[col] != value:
                        differs[col] = value  # never overwritten; kept on the timeline
                custom = _merge_json_obj(lead["custom_fields"], rec[_IDX["custom_fields"]])
                if custom != lead["custom_fields"]:
                    before.setdefault("custom_fields", lead["custom_fields"])
                    lead["custom_fields"] = after["custom_fields"] = custom
                if lead["batch_id"] == self.batch_id:
                    note = f"Also on line {line} of this file"
                else:
                    note = f"Also in batch {self.batch_id} from source {source} ({self.plan.path.name}, line {line})"
                if differs:
                    note += "; different values kept on the lead: " + ", ".join(
                        f"{TARGETS.get(k, k)} {v!s}" for k, v in differs.items() if k != "company_key")
                activities.append((lead_id, note, self.now, json.dumps(
                    {"batch_id": self.batch_id, "line": line, "differs": differs}, ensure_ascii=False)))
            if after:
                sets = ", ".join(f"{k} = ?" for k in after)
                updates.append((f"UPDATE leads SET {sets}, updated_at = ? WHERE id = ?",
                                [*after.values(), self.now, lead_id]))
                filled.append((lead_id, after))
                if lead["batch_id"] != self.batch_id:
                    logs.append((self.now, f"Import batch {self.batch_id}: filled empty fields", lead_id,
                                 json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False),
                                 self.batch_id))
        for sql, params in updates:
            self.conn.execute(sql, params)
        if self.keys is not None:
            for lead_id, after in filled:
                for column, index in self.keys.items():
                    if after.get(column):
                        index.add(after[column], lead_id)
        if logs:
            self.conn.executemany(
                "INSERT INTO change_log (at, label, entity, entity_id, before, after, batch_id, undone) "
                "VALUES (?, ?, 'lead', ?, ?, ?, ?, 0)", logs)
        self.conn.executemany(
            "INSERT INTO activities (lead_id, kind, notes, occurred_at, data) VALUES (?, 'import', ?, ?, ?)",
            activities)

    def _fuzzy(self, new: list[list[Any]]) -> set[int]:
        """Possible duplicates: a similar name at the same company (legal suffixes
        ignored). Existing leads of each company are read once through the
        company_key index and kept, grouped by last-name initial, for the batch."""
        from rapidfuzz import fuzz

        i_key, i_first, i_last = _IDX["company_key"], _IDX["first_name"], _IDX["last_name"]
        wanted = {r[i_key] for r in new if r[i_key] and (r[i_first] or r[i_last])}
        missing = [k for k in wanted if k not in self.fuzzy_loaded]
        if missing:
            if self.fuzzy_size > _FUZZY_CACHE_LIMIT:  # bound memory on huge lists
                self.fuzzy.clear()
                self.fuzzy_loaded.clear()
                self.fuzzy_size = 0
                missing = list(wanted)
            self.fuzzy_loaded.update(missing)
            for part in chunks(missing):
                marks = ",".join("?" * len(part))
                for lead_id, key, first, last in self.conn.execute(
                    f"SELECT id, company_key, first_name, last_name FROM leads WHERE company_key IN ({marks})", part
                ):
                    name = _name_key(first, last)
                    if name:
                        group = self.fuzzy.setdefault((key, _initial(name)), [])
                        group += (lead_id, name)
                        self.fuzzy_size += 1
        flagged: set[int] = set()
        candidates: list[tuple] = []
        for rec in new:
            key = rec[i_key]
            if not key or not (rec[i_first] or rec[i_last]):
                continue
            name = _name_key(rec[i_first], rec[i_last])
            if not name:
                continue
            group = self.fuzzy.get((key, _initial(name)))
            if group is None:
                group = self.fuzzy[(key, _initial(name))] = []
            best, best_id = 0.0, None
            for j in range(1, len(group), 2):
                score = fuzz.token_sort_ratio(name, group[j], score_cutoff=FUZZY_THRESHOLD)
                if score > best:
                    best, best_id = score, group[j - 1]
            if best_id is not None:
                flagged.add(rec[0])
                candidates.append((rec[0], best_id, self.batch_id, round(best, 1),
                                   "similar name at the same company"))
            group += (rec[0], name)
            self.fuzzy_size += 1
        self._pending_candidates = candidates
        return flagged


def _first(cells: list[str], columns: list[int]) -> str:
    """The first non-empty value among `columns` (as `_record` picks it)."""
    for i in columns:
        if i < len(cells):
            value = cells[i].strip()
            if value:
                return value
    return ""


def _initial(name_key: str) -> str:
    return name_key.rsplit(" ", 1)[-1][:1]


def _also_note(line: int, differs: dict[str, Any]) -> str:
    note = f"Also on line {line} of this file"
    if differs:
        note += "; different values kept on the lead: " + ", ".join(
            f"{TARGETS.get(k, k)} {v!s}" for k, v in differs.items())
    return note


def _merge_json_obj(old: str | None, new: str | None) -> str | None:
    if not new:
        return old
    if not old:
        return new
    merged = json.loads(old)
    added = False
    for k, v in json.loads(new).items():
        if k not in merged:
            merged[k] = v
            added = True
    return json.dumps(merged, ensure_ascii=False) if added else old


def _merge_json_list(old: str | None, new: str | None) -> str | None:
    if not new:
        return old
    if not old:
        return new
    items = json.loads(old)
    extra = [f for f in json.loads(new) if f not in items]
    return json.dumps(items + extra) if extra else old


TARGET_LABELS = TARGETS

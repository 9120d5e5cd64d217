"""The bulk import path (indexes and triggers dropped, rebuilt at the end: big
lists into small databases) and the normal path give the same database for the
same rows: same leads, merges, duplicate flags, rejects, history, search index."""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadtriage.importing import write_batch
from leadtriage.importing.service import Importer, ImportOptions
from leadtriage.safety.opening import open_store

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
# Small pools so rows repeat: exact duplicates, same email with another name,
# same person at a differently written company (fuzzy flags), empty and bad cells.
_first = st.sampled_from(["Jane", "JANE", "Jürgen", "Ana", "", "Li", "O'Brien"])
_last = st.sampled_from(["Doe", "Weiß", "Müller", "", "García", "Smith"])
_email = st.sampled_from(["jane@acme.de", "JANE@acme.de", "j.weiss@nordwind.de", "info@acme.de", "",
                          "x@", "ana@example.com", "li@example.org"])
_phone = st.sampled_from(["+49 30 1234567", "030 1234567", "(212) 736-5000", "", "n/a", "12"])
_company = st.sampled_from(["Acme GmbH", "ACME", "Nordwind GmbH", "", "Example Ltd"])
_row = st.tuples(_first, _last, _email, _phone, _company)
HEADER = ["First Name", "Last Name", "Email", "Phone", "Company"]


def _write(folder: Path, name: str, rows: list[tuple]) -> Path:
    path = folder / name
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _import(db: Path, before: Path, batch: Path, *, bulk: bool) -> dict[str, list]:
    shutil.copyfile(_empty_database(), db)
    with open_store(db) as store:
        importer = Importer(store, clock=lambda: NOW)
        importer.import_file(before)  # leads already there: the batch merges into them
        with mock.patch.object(write_batch.BatchWriter, "_bulk_worth_it", lambda self: bulk):
            importer.import_file(batch, ImportOptions(chunk_size=7))
    return _dump(db)


@cache
def _empty_database() -> Path:
    """Made once: building the schema costs more than the two imports."""
    folder = Path(tempfile.mkdtemp(prefix="bulk-property-"))
    with open_store(folder / "empty.db"):
        pass
    return folder / "empty.db"


def _dump(db: Path) -> dict[str, list]:
    with sqlite3.connect(db) as conn:
        # Full-text indexes are compared by what they find, not by their internal
        # segments (one big rebuild and row-by-row inserts lay those out differently).
        virtual = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")]
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            if not any(r[0] == v or r[0].startswith(f"{v}_") for v in virtual)]
        out: dict[str, list] = {"schema": conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()}
        for table in tables:
            rows = sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            if table == "import_batches":  # how long each took is the one thing that differs
                columns = [c[1] for c in conn.execute("PRAGMA table_info(import_batches)")]
                rows = [tuple(v for c, v in zip(columns, r, strict=True) if c != "seconds") for r in rows]
            out[table] = rows
        out["search"] = conn.execute(
            "SELECT rowid FROM leads_fts WHERE leads_fts MATCH 'acme OR jane OR doe OR nordwind' ORDER BY rowid"
        ).fetchall()
        out["phone search"] = conn.execute(
            "SELECT rowid, digits FROM leads_phone_fts WHERE digits MATCH '1234' ORDER BY rowid").fetchall()
        out["phones indexed"] = conn.execute("SELECT rowid, digits FROM leads_phone_fts ORDER BY rowid").fetchall()
        for table in virtual:
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_row, max_size=4), st.lists(_row, min_size=1, max_size=30))
def test_bulk_and_normal_import_give_the_same_database(before_rows, batch_rows):
    with tempfile.TemporaryDirectory() as name, mock.patch.dict(os.environ, {"LEADTRIAGE_IMPORT_WORKERS": "0"}):
        folder = Path(name)
        before = _write(folder, "before.csv", before_rows or [("Old", "Timer", "old@x.io", "", "")])
        batch = _write(folder, "batch.csv", batch_rows)
        normal = _import(folder / "normal.db", before, batch, bulk=False)
        bulk = _import(folder / "bulk.db", before, batch, bulk=True)
    assert bulk == normal

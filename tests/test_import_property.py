"""Property tests: nothing a user can hand us crashes the importer, and every row
ends up somewhere (new, merged, flagged or rejected)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadtriage.errors import UserError
from leadtriage.importing.reader import read_table
from leadtriage.importing.service import Importer, ImportOptions
from leadtriage.safety.opening import open_store

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(st.binary(max_size=2000), st.sampled_from(["x.csv", "x.txt", "x.xlsx", "x.ods"]))
def test_random_bytes_never_crash_the_reader_or_the_importer(data, name):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            table = read_table(path)
            for chunk in table.chunks(7):
                assert all(isinstance(c, str) for _, cells in chunk for c in cells)
        except UserError:
            pass  # a clear refusal is the right answer for junk
        with open_store(Path(folder) / "l.db") as store:
            try:
                result = Importer(store).import_file(path)
            except UserError:
                assert store.conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0
            else:
                assert result.inserted + result.merged + result.duplicates_flagged + result.rejected == result.rows


_cell = st.one_of(
    st.sampled_from(["", "Jane", "DOE", "Müller", "jane@acme.de", "INFO@ACME.DE", "x@", "+49 30 1234567",
                     "030 1234567", "12", "Acme GmbH", "ACME", "Germany", "https://linkedin.com/in/jane",
                     "=1+1", "a\nb", "\"quoted\"", "  ", "n/a", "51-200"]),
    st.text(max_size=12),
)
_headers = st.lists(st.sampled_from(["Name", "First Name", "Last Name", "Email", "Phone", "Company", "Country",
                                     "LinkedIn", "Employees", "Notes", "Email", "Foo", ""]), min_size=1, max_size=7)


@FAST
@given(_headers, st.lists(st.lists(_cell, max_size=9), max_size=25), st.sampled_from([",", ";", "\t", "|"]),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
def test_random_tables_account_for_every_row(headers, rows, delimiter, encoding):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
        with open_store(Path(folder) / "l.db") as store:
            importer = Importer(store)
            for _ in range(2):  # the second time everything is a duplicate of the first
                try:
                    result = importer.import_file(path, ImportOptions(default_region="DE"))
                except UserError:
                    break  # not a lead list (no lead columns) or unreadable: refused, nothing written
                assert result.inserted + result.merged + result.duplicates_flagged + result.rejected == result.rows
                stored = store.conn.execute(
                    "SELECT count(*) FROM leads WHERE batch_id = ?", (result.batch_id,)).fetchone()[0]
                assert stored == result.inserted + result.duplicates_flagged
                rejects = store.conn.execute(
                    "SELECT count(*) FROM import_rejects WHERE batch_id = ?", (result.batch_id,)).fetchone()[0]
                assert rejects == result.rejected
            assert store.integrity_check() == ["ok"]

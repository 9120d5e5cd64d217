"""Handoff exports on the 1M-lead demo database (a scratch copy: exports write
handoff records): PDF briefs per second (budget >= 50/s) and CRM CSV rows per
second (budget >= 100,000/s)."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import big_db, row, scratch_copy

PDF_LEADS = int(os.environ.get("BENCH_PDF_LEADS", "400"))
CSV_LEADS = int(os.environ.get("BENCH_CSV_LEADS", "100000"))


def run() -> None:
    from leadtriage.handoff import ExportRequest, HandoffExporter, csv_export
    from leadtriage.handoff.pdf import ensure_gui_app
    from leadtriage.store import open_store

    print("Handoff exports (scratch copy of the 1M-lead database):")
    db = scratch_copy(big_db(), "bench-handoff.db")
    out = Path(tempfile.mkdtemp(prefix="bench-handoff-"))
    ensure_gui_app()
    try:
        with open_store(db) as store:
            conn = store.conn
            qualified = [r[0] for r in conn.execute(
                "SELECT id FROM leads WHERE status = 'qualified' ORDER BY id LIMIT ?", (PDF_LEADS * 2,))]
            field_side = [r[0] for r in conn.execute(
                "SELECT id FROM leads WHERE status IN ('qualified', 'handed_off', 'accepted', 'opportunity', "
                "'won', 'lost') ORDER BY id LIMIT ?", (CSV_LEADS,))]
            exporter = HandoffExporter(store)

            # PDF: one file per lead, end to end (collect, render, print, record the handoff).
            ids = tuple(qualified[:PDF_LEADS])
            started = time.perf_counter()
            result = exporter.export(ExportRequest(ids, ("pdf",), out / "pdf"))
            elapsed = time.perf_counter() - started
            assert len(result.handed_off) == len(ids)
            rate = len(ids) / elapsed
            row(f"PDF briefs, one file each ({len(ids)} leads)", f"{rate:,.0f} /s", "budget >= 50/s", rate >= 50)

            # Combined: one PDF per field rep.
            ids = tuple(qualified[PDF_LEADS:PDF_LEADS * 2])
            started = time.perf_counter()
            exporter.export(ExportRequest(ids, ("pdf",), out / "combined", combine=True))
            elapsed = time.perf_counter() - started
            row(f"PDF briefs, combined per field rep ({len(ids)})", f"{len(ids) / elapsed:,.0f} /s")

            # CRM CSV rows streamed from SQL, per profile.
            for key in ("csv-salesforce", "csv-hubspot", "csv-sheet"):
                path = out / f"{key}.csv"
                started = time.perf_counter()
                cpu = time.process_time()
                n = csv_export.export_csv(db, field_side, csv_export.PROFILES[key], path)
                elapsed = time.perf_counter() - started
                cpu = time.process_time() - cpu
                rate = n / elapsed
                budget = "budget >= 100,000/s" if key != "csv-sheet" else ""
                row(f"{key} rows ({n:,} leads)", f"{rate:,.0f} rows/s", budget,
                    rate >= 100_000 if budget else None)
                row(f"  (CPU time in the exporting process: {cpu:.2f} s)", "")

            # Recording handoffs (status move + handoffs row + timeline) for a CSV-only export.
            ids = tuple(qualified[PDF_LEADS * 2:PDF_LEADS * 2 + 5000]) or tuple(field_side[:5000])
            started = time.perf_counter()
            exporter.export(ExportRequest(ids, ("csv-salesforce",), out / "record"))
            elapsed = time.perf_counter() - started
            row(f"CSV export incl. recording handoffs ({len(ids):,})", f"{len(ids) / elapsed:,.0f} leads/s")
    finally:
        shutil.rmtree(out, ignore_errors=True)
        for side in ("", "-wal", "-shm", ".lock"):
            Path(str(db) + side).unlink(missing_ok=True)


if __name__ == "__main__":
    run()

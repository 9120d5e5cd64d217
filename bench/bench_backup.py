"""Backups and checks on the 1M-lead database: what the start-up check costs, how
long a backup and its verification take, listing with lead counts, and a restore.
Reads the big database read-only; everything written goes under bench/out/."""

from __future__ import annotations

import shutil
import time

from bench.common import OUT, big_db, p50_p95, row


def run() -> None:
    from leadtriage.safety import backup as backups
    from leadtriage.safety import recovery
    from leadtriage.safety.opening import open_store

    db = big_db()
    size_mb = (db.stat().st_size) / 2**20
    print(f"Backups ({size_mb:,.0f} MB database):")

    samples = []
    for _ in range(5):
        started = time.perf_counter()
        problems = recovery.find_damage(db)  # what the open adds for a big file
        samples.append(time.perf_counter() - started)
    p50, p95 = p50_p95(samples)
    row("check at open (fast test, big file)", f"p50 {p50 * 1000:.1f} ms", "part of the 1 s start budget",
        p95 < 0.1 and not problems)

    folder = OUT / "bench-backups"
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    made = backups.backup_file(db, "bench", folder, verify=False)
    elapsed = time.perf_counter() - started
    row("backup (backup API, unverified)", f"{elapsed:.1f} s", f"{size_mb / elapsed:,.0f} MB/s")

    started = time.perf_counter()
    problems = backups.check_backup(made)
    row("integrity check of the backup (background)", f"{time.perf_counter() - started:.1f} s",
        "ok" if not problems else "PROBLEMS")

    started = time.perf_counter()
    listed = [(b, backups.lead_count(b.path)) for b in backups.list_backups(db, folder)]
    row("list backups with lead counts (1 backup)", f"{(time.perf_counter() - started) * 1000:.0f} ms",
        f"{listed[0][1]:,} leads")

    target = OUT / "bench-restore.db"
    for side in ("", "-wal", "-shm", ".lock"):
        target.with_name(target.name + side).unlink(missing_ok=True)
    with open_store(target) as store:
        started = time.perf_counter()
        result = backups.restore(store, made)
        row("restore into an open database", f"{time.perf_counter() - started:.1f} s", f"{result.leads:,} leads")
    for side in ("", "-wal", "-shm", ".lock"):
        target.with_name(target.name + side).unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(OUT / "bench-restore-backups", ignore_errors=True)

"""Child process for the kill tests (not a test module): writes through the real
services and prints one acknowledgement line after each commit. The parent
SIGKILLs it at a random moment and checks every acknowledged write survived."""

from __future__ import annotations

import sys
from datetime import UTC, datetime


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def log_calls(path: str, seed: int) -> None:
    from leadtriage.safety.opening import open_store
    from leadtriage.services.leads import LeadService

    store = open_store(path)
    service = LeadService(store, rep="crash-test")
    leads = [r[0] for r in store.conn.execute("SELECT id FROM leads ORDER BY id LIMIT 20")]
    say("READY")
    n = seed * 1_000_000
    while True:
        n += 1
        lead = leads[n % len(leads)]
        if n % 3 == 0:
            target = "nurture" if service.get(lead)["status"] == "engaged" else "engaged"
            change = service.change_status(lead, target, reason=f"crash round {n}")
            say(f"S {change.id} {lead} {target}")
        else:
            activity = service.log_activity(lead, "call", notes=f"call {n}", disposition="no_answer",
                                            duration_s=n % 300)
            say(f"A {activity} {lead} {n}")


def import_batches(path: str, seed: int, rows: int) -> None:
    """Stand-in for a batch import: one transaction per batch (the batch row and all
    its leads), exactly what an importer must guarantee."""
    from leadtriage.safety.opening import open_store

    store = open_store(path)
    say("READY")
    n = 0
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    while True:
        n += 1
        with store.transaction() as db:
            batch = db["import_batches"].insert({"file_name": f"batch-{seed}-{n}.csv", "rows": rows,
                                                  "inserted": rows, "started_at": now}).last_pk
            db["leads"].insert_all(
                ({"public_id": f"LT-K{seed:03d}{n:04d}{i:05d}", "first_name": f"Kill{i}", "company": f"Co {n}",
                  "email": f"k{seed}.{n}.{i}@example.com", "status": "new", "batch_id": batch,
                  "created_at": now, "updated_at": now} for i in range(rows)),
                batch_size=500,
            )
        say(f"B {batch} {rows}")


def import_files(path: str, seed: int, rows: int) -> None:
    """The real importer (leadtriage.importing), one CSV file after another."""
    import csv
    from pathlib import Path

    from leadtriage.importing.service import Importer, ImportOptions
    from leadtriage.safety.opening import open_store

    store = open_store(path)
    importer = Importer(store)
    folder = Path(path).parent / f"csv-{seed}"
    folder.mkdir(exist_ok=True)
    say("READY")
    n = 0
    while True:
        n += 1
        source = folder / f"list-{n}.csv"
        with open(source, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["First Name", "Last Name", "Company", "Email", "Phone"])
            for i in range(rows):
                writer.writerow([f"Kim{i}", f"Kill{seed}x{n}", f"Kill Co {seed}-{n}-{i}",
                                 f"kim{i}.s{seed}n{n}@kill{seed}-{n}.example.com", ""])
        result = importer.import_file(source, ImportOptions(source="Kill test"))
        say(f"I {result.batch_id} {result.inserted}")


if __name__ == "__main__":
    # sqlite-utils imports pandas/numpy when present (~1 s); the child writes plain
    # rows and needs neither, and 27 child start-ups must fit the suite's budget.
    sys.modules["pandas"] = None  # type: ignore[assignment]
    sys.modules["numpy"] = None  # type: ignore[assignment]
    mode, db, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "log":
        log_calls(db, seed)
    elif mode == "importer":
        import_files(db, seed, int(sys.argv[4]))
    else:
        import_batches(db, seed, int(sys.argv[4]))

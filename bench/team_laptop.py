"""One simulated laptop for bench_team (a separate process): join as a rep, first
pull, then log N calls and sync them. Prints one JSON line of timings."""

from __future__ import annotations

import json
import sys
import time


def main(path: str, url: str, changes: int) -> None:
    from leadtriage.leadwork.leads import LeadService
    from leadtriage.safety.opening import open_store
    from leadtriage.sync import engine

    out = {"ok": False}
    store = open_store(path)
    try:
        engine.join(store, url)
        t = time.perf_counter()
        first = engine.sync(store)
        out["first_pull_s"], out["leads"] = time.perf_counter() - t, first["pulled"]
        ids = [r[0] for r in store.conn.execute("SELECT id FROM leads ORDER BY id LIMIT ?", (max(changes, 1),))]
        svc = LeadService(store, rep="bench")
        with store.transaction():
            for i in range(changes if ids else 0):
                svc.log_activity(ids[i % len(ids)], "call", disposition="no_answer", notes=f"bench {i}")
        out["ready_at"] = time.time()
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
        sys.stdin.readline()  # the parent starts every second sync at once
        t = time.perf_counter()
        second = engine.sync(store)
        out["sync_s"], out["pushed"] = time.perf_counter() - t, second["pushed"]
        out["ok"] = second["waiting"] == 0
    finally:
        store.close()
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

"""Logging a call on a 1M-lead database: the LeadService commit alone (budget 5 ms)
and the whole save as the workspace does it (commit + reloading the lead and its
timeline for display; budget 100 ms). Works on a scratch copy: never writes to
the shared bench database."""

from __future__ import annotations

import random
import time

from bench.common import big_db, p50_p95, row, scratch_copy

RUNS = 200


def run() -> None:
    from leadtriage.safety.opening import open_store
    from leadtriage.services.leads import LeadService
    from leadtriage.store import queue

    path = scratch_copy(big_db(), "workspace-scratch.db")
    store = open_store(path)
    try:
        service = LeadService(store, rep="Bench")
        ids = [r[0] for r in store.conn.execute(
            "SELECT id FROM leads WHERE status IN ('new','attempting') AND do_not_call = 0 LIMIT 5000")]
        rng = random.Random(5)
        commit, save = [], []
        for i in range(RUNS):
            lead_id = rng.choice(ids)
            started = time.perf_counter()
            service.log_call(lead_id, "no_answer" if i % 3 else "voicemail", notes="bench", duration_s=30)
            commit.append(time.perf_counter() - started)
            lead_id = rng.choice(ids)
            started = time.perf_counter()
            service.log_call(lead_id, "busy", duration_s=12)
            queue.lead_detail(store.conn, lead_id)
            queue.timeline(store.conn, lead_id)
            save.append(time.perf_counter() - started)
        c50, c95 = p50_p95(commit)
        s50, s95 = p50_p95(save)
        print(f"Workspace ({RUNS} calls each, scratch copy of {big_db().name}):")
        row("log a call (commit)", f"p50 {c50 * 1000:.2f} ms p95 {c95 * 1000:.2f} ms", "budget 5 ms", c95 <= 0.005)
        row("save a call (commit + reload lead, timeline)", f"p50 {s50 * 1000:.2f} ms p95 {s95 * 1000:.2f} ms",
            "budget 100 ms", s95 <= 0.1)
    finally:
        store.close()
        for side in ("", "-wal", "-shm"):
            path.with_name(path.name + side).unlink(missing_ok=True)

"""Cadences on the 1M-lead demo (a fifth of the leads enrolled): the Today queue
with its "Cadence step due" band, the counts, opening a due step and working it.
Writes run inside a transaction that is rolled back, so the shared database is
left as it was."""

from __future__ import annotations

import random
import time

from bench.common import big_db, p50_p95, row


class _Rollback(Exception):
    pass


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _report(name: str, samples: list[float], budget_ms: float | None = 100) -> None:
    p50, p95 = p50_p95(samples)
    budget = f"(budget {budget_ms:.0f} ms)" if budget_ms else ""
    row(name, f"p50 {p50 * 1000:.1f} p95 {p95 * 1000:.1f} ms", budget,
        None if budget_ms is None else p95 * 1000 <= budget_ms)


def run() -> None:
    from datetime import UTC, datetime

    from leadtriage.playbook.service import PlaybookService
    from leadtriage.safety.opening import open_store
    from leadtriage.store import queue

    db = big_db()
    store = open_store(db)
    conn = store.conn
    total = conn.execute("SELECT count(*) FROM leads").fetchone()[0]
    running = conn.execute("SELECT count(*) FROM enrolments WHERE ended_at IS NULL").fetchone()[0]
    moment = queue.Moment(datetime.now(UTC))
    due = conn.execute(f"SELECT count(*) FROM enrolments WHERE {queue.CADENCE_BAND.where}", moment.params()).fetchone()[0]
    print(f"Cadences on {total:,} leads, {running:,} in a running cadence, {due:,} steps due now:")

    def today_page():
        segments = queue.plan(conn, queue.QueueQuery(), moment)
        queue.fetch(conn, segments, None, 200)

    _report("Today: plan + first page", [_timed(today_page) for _ in range(20)])
    # Off the UI thread in the app (the worker), like the UI bench's "time-dependent counts".
    _report("Today: counts for the sidebar (worker)", [_timed(lambda: queue.queue_counts(conn, moment))
                                                       for _ in range(10)], None)

    band = queue.plan(conn, queue.QueueQuery(), moment)[queue.CADENCE_BAND_AT]
    pages, cursor = [], None
    for _ in range(30):
        started = time.perf_counter()
        items, cursor = queue.fetch(conn, [band], cursor, 200)
        pages.append(time.perf_counter() - started)
        if cursor is None:
            break
    _report("cadence band: next page of 200 (keyset)", pages)

    service = PlaybookService(store)
    rng = random.Random(3)
    leads = [r[0] for r in conn.execute(
        f"SELECT lead_id FROM enrolments WHERE {queue.CADENCE_BAND.where} LIMIT 2000", moment.params())]
    sample = rng.sample(leads, min(40, len(leads)))
    _report("open a due step (script merged, rules checked)", [_timed(lambda i=i: service.current(i)) for i in sample])

    def work(log, lead_id: int) -> float:
        try:
            with store.transaction():
                took = _timed(lambda: log(lead_id, "no_answer"))
                raise _Rollback
        except _Rollback:
            return took

    for _ in range(2):  # the first pass warms the cache for both
        plain = [work(service.leads.log_call, i) for i in sample]
        advanced = [work(service.log_call, i) for i in sample]
    _report("log a no-answer, plain (reference; commit excluded)", plain, None)
    _report("log a no-answer and advance the cadence", advanced, 5)

    free = [r[0] for r in conn.execute("SELECT id FROM leads WHERE in_cadence IS NULL AND status = 'new' LIMIT 1000")]

    def bulk() -> float:
        try:
            with store.transaction():
                took = _timed(lambda: service.bulk_enrol(free, service.cadence_names()[0]))
                raise _Rollback
        except _Rollback:
            return took

    _report("bulk: enrol 1,000 selected leads", [bulk() for _ in range(3)], None)
    store.close()


if __name__ == "__main__":
    run()

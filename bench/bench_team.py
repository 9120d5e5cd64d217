"""Team mode at scale: one local PostgreSQL holding BENCH_TEAM_LEADS leads (default
1,000,000) spread over 25 reps, rep00 holding 40,000.

Printed, each beside PostgreSQL's own COPY of the same rows (the ceiling):
- a rep's first pull of 40,000 leads (budget < 30 s);
- a sync of 1,000 local changes (budget < 2 s);
- 25 laptops (separate processes) syncing at once: first pulls, then a sync of
  their calls, all at the same moment (budget: all succeed, no deadlock);
- the manager's full pull.

The server's rows are made with SQL (generate_series), not pushed: the bench
measures pulls and syncs, not loading.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import row

REPS = 25
FIRST = 40_000
CHANGES = 1_000
ROOT = Path(__file__).resolve().parent.parent


def _load(conn, total: int) -> None:
    """Leads as a laptop would have pushed them, with one feed entry each."""
    others = max(0, total - FIRST)
    conn.execute(f"""
        INSERT INTO lt.leads (id, public_id, owner, status, data, created_by)
        SELECT i, 'B-' || i, o, 'new', jsonb_build_object(
            'public_id', 'B-' || i, 'first_name', 'First' || i, 'last_name', 'Last' || (i % 977),
            'company', 'Company ' || (i % 5003), 'email', 'p' || i || '@example.com',
            'phone', '+4930' || lpad(i::text, 8, '0'), 'country', (ARRAY['DE','FR','GB','US'])[1 + i % 4],
            'timezone', 'Europe/Berlin', 'source', 'bench', 'campaign', 'scale', 'status', 'new',
            'owner', o, 'score', i % 100, 'created_at', '2026-11-01T09:00:00Z', 'updated_at', '2026-11-01T09:00:00Z'),
            'bench'
        FROM (SELECT i, CASE WHEN i <= {FIRST} THEN 'rep00' ELSE 'rep' || lpad((1 + (i % {REPS - 1}))::text, 2, '0') END AS o
              FROM generate_series(1, {FIRST + others}) i) s
    """)
    conn.execute("INSERT INTO lt.feed (lead_id, owner, kind, payload, hlc, author) "
                 "SELECT id, owner, 'lead', data, '0000000000000.000000.bench', 'bench' FROM lt.leads ORDER BY id")
    conn.execute("ANALYZE lt.leads")
    conn.execute("ANALYZE lt.feed")


def _copy_seconds(conn, query: str) -> tuple[float, int]:
    t = time.perf_counter()
    n = 0
    with conn.cursor().copy(f"COPY ({query}) TO STDOUT") as copy:
        for _ in copy.rows():
            n += 1
    return time.perf_counter() - t, n


def _copy_in_seconds(conn, rows: int) -> float:
    t = time.perf_counter()
    with conn.transaction():
        conn.execute("CREATE TEMP TABLE bench_in (lead_id bigint, data jsonb) ON COMMIT DROP")
        with conn.cursor().copy("COPY bench_in FROM STDIN") as copy:
            for i in range(rows):
                copy.write_row((i, json.dumps({"kind": "call", "notes": f"bench {i}"})))
    return time.perf_counter() - t


def run() -> None:
    import psycopg

    from leadtriage.safety.opening import open_store
    from leadtriage.sync import admin, engine
    from leadtriage.sync.localserver import start_local_server

    total = max(int(os.environ.get("BENCH_TEAM_LEADS", "1000000")), FIRST + 10 * REPS)
    work = Path(tempfile.mkdtemp(prefix="bench-team-"))
    server = start_local_server()
    try:
        with psycopg.connect(server.admin_url(), autocommit=True) as c:
            c.execute("CREATE DATABASE team")
        owner = psycopg.connect(server.admin_url("team"), autocommit=True)
        admin.migrate(owner, "team")
        names = [f"rep{i:02d}" for i in range(REPS)] + ["boss"]
        lines = []
        for name in names:
            admin.add_user(owner, name, "manager" if name == "boss" else "rep", f"{name}-bench-pw")
            lines.append(f"127.0.0.1:{server.port}:team:{name}:{name}-bench-pw")
        pgpass = work / "pgpass"
        pgpass.write_text("\n".join(lines) + "\n")
        os.chmod(pgpass, 0o600)
        os.environ["PGPASSFILE"] = str(pgpass)
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
        t = time.perf_counter()
        with owner.transaction():
            _load(owner, total)
        print(f"  server: {total:,} leads in 25 reps' hands, loaded in {time.perf_counter() - t:.1f} s", flush=True)

        def url(name: str) -> str:
            return f"postgresql://{name}@127.0.0.1:{server.port}/team"

        # 1. A rep's first pull of 40,000 leads.
        with open_store(work / "rep00.db") as store:
            engine.join(store, url("rep00"))
            t = time.perf_counter()
            got = engine.sync(store)
            first = time.perf_counter() - t
            with psycopg.connect(url("rep00")) as rc:
                ceiling, n = _copy_seconds(rc, "SELECT data FROM lt.leads WHERE owner = current_user")
            row(f"a rep's first pull, {got['pulled']:,} leads", f"{first:.1f} s", "< 30 s", first < 30)
            row(f"  COPY of the same {n:,} rows (ceiling)", f"{ceiling:.2f} s")
            # 2. A sync of 1,000 local changes.
            from leadtriage.leadwork.leads import LeadService

            ids = [r[0] for r in store.conn.execute("SELECT id FROM leads ORDER BY id LIMIT ?", (CHANGES,))]
            svc = LeadService(store, rep="bench")
            with store.transaction():
                for i, lead in enumerate(ids):
                    svc.log_activity(lead, "call", disposition="no_answer", notes=f"bench {i}")
            t = time.perf_counter()
            got = engine.sync(store)
            sync_s = time.perf_counter() - t
            with psycopg.connect(url("rep00")) as rc:
                ceiling = _copy_in_seconds(rc, got["pushed"])
            row(f"a sync of {got['pushed']:,} local changes", f"{sync_s:.2f} s", "< 2 s", sync_s < 2)
            row(f"  COPY of {got['pushed']:,} rows in (ceiling)", f"{ceiling:.3f} s")

        # 3. 25 laptops at once.
        procs = []
        for name in names[:REPS]:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "bench.team_laptop", str(work / f"lap-{name}.db"), url(name), "40"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT))
        t = time.perf_counter()
        firsts = [json.loads(p.stdout.readline() or "{}") for p in procs]
        pulls_wall = time.perf_counter() - t
        t = time.perf_counter()
        for p in procs:
            try:
                p.stdin.write("go\n")
                p.stdin.flush()
            except BrokenPipeError:  # that laptop failed already; counted below
                pass
        results = [json.loads(p.stdout.readline() or "{}") for p in procs]
        syncs_wall = time.perf_counter() - t
        codes = [p.wait() for p in procs]
        ok = sum(1 for r, c in zip(results, codes, strict=True) if r.get("ok") and c == 0)
        slowest = max((r.get("sync_s", 0) for r in results), default=0)
        row(f"25 first pulls at once ({sum(f.get('leads', 0) for f in firsts):,} entries)", f"{pulls_wall:.1f} s wall")
        row("25 syncs of 40 calls at once", f"{syncs_wall:.2f} s wall, slowest {slowest:.2f} s")
        row("  of which succeeded", f"{ok}/25", "all 25", ok == REPS)

        # 4. The manager's full pull.
        with open_store(work / "boss.db") as store:
            engine.join(store, url("boss"))
            t = time.perf_counter()
            got = engine.sync(store)
            full = time.perf_counter() - t
            with psycopg.connect(url("boss")) as bc:
                ceiling, n = _copy_seconds(bc, "SELECT data FROM lt.leads")
            row(f"the manager's full pull, {got['pulled']:,} entries", f"{full:.1f} s")
            row(f"  COPY of the {n:,} leads (ceiling)", f"{ceiling:.2f} s")
        owner.close()
    finally:
        server.destroy()
        import shutil

        shutil.rmtree(work, ignore_errors=True)

"""Deterministic demo database: leads from several sources and campaigns, in every
status, with call history, discovery notes, handoffs and field outcomes, and
callbacks due today and overdue.

The same seed and `now` give the same database. Large counts (a million leads for
benchmarks) take the bulk path: secondary indexes and the search-index trigger are
dropped for the insert and rebuilt once, inside the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from leadtriage.demo import pools as P
from leadtriage.domain.public_id import format_public_id
from leadtriage.errors import UserError
from leadtriage.safety.opening import open_store
from leadtriage.scoring import rules_from_setting
from leadtriage.scoring.score_many import BatchScorer
from leadtriage.store.bulk import drop_for_bulk, restore_after_bulk
from leadtriage.store.db import Store, inspect_file
from leadtriage.store.lock import WriterLock
from leadtriage.store.schema import LEAD_COLUMNS
from leadtriage.util import processes

BULK_THRESHOLD = 20_000
BULK_TABLES = ("leads", "activities", "handoffs")
CHUNK = 20_000
REP_NAME = "Alex Morgan"
DAY = 86400.0
HOUR = 3600.0


@dataclass
class DemoSummary:
    leads: int
    activities: int
    handoffs: int
    seconds: float
    by_status: dict[str, int]


_MINUTES: dict[int, str] = {}


_SENIORITY_FIT = {0: 0.55, 1: 0.85, 2: 1.2, 3: 1.6}
_SIZE_FIT = {12: 0.5, 45: 0.7, 120: 1.0, 300: 1.3, 850: 1.5, 2400: 1.3, 9000: 0.9}


def _ts(epoch: float) -> str:
    # Cached per minute: several times faster than time.strftime for the millions
    # of timestamps a big demo needs.
    minute, sec = divmod(int(epoch), 60)
    prefix = _MINUTES.get(minute)
    if prefix is None:
        prefix = _MINUTES[minute] = time.strftime("%Y-%m-%d %H:%M", time.gmtime(minute * 60))
    return f"{prefix}:{sec:02d}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace("'", "")


class _Variants:
    """Pre-rendered JSON blobs: rendering one per lead would dominate a 1M-lead run."""

    def __init__(self, rng: random.Random):
        self.pains = []
        for _ in range(64):
            chosen = rng.sample(P.PAIN_POINTS, rng.randint(1, 3))
            self.pains.append((json.dumps([{"tag": t, "quote": q} for t, q in chosen]), chosen[0][1]))
        self.plans = []
        for i in range(64):
            month = ("January", "March", "April", "June", "September", "November")[i % 6]
            year = 2027
            plan = {
                "timeline": f"Decision by {month} {year}",
                "target_date": f"{year}-{(i % 6) * 2 + 1:02d}-28",
                "budget_status": ("Approved", "Being planned", "Needs business case", "Unknown")[i % 4],
                "budget_range": ("$20-40k a year", "€50-80k a year", "£30k one-off", "$100k+ a year")[i % 4],
                "decision_process": (
                    "Ops director recommends, CFO signs off; procurement runs a 3-vendor comparison.",
                    "COO decides after a pilot with one depot.",
                    "IT security review first, then the steering committee in its monthly meeting.",
                )[i % 3],
                "people": [
                    {"name": rng.choice(P.FIRST_NAMES) + " " + rng.choice(P.LAST_NAMES), "role": "Economic buyer"},
                    {"name": rng.choice(P.FIRST_NAMES) + " " + rng.choice(P.LAST_NAMES), "role": "IT lead"},
                ],
                "current_solution": rng.choice(P.COMPETITORS),
                "competitors": rng.sample(P.COMPETITORS[2:4], 1),
                "next_milestone": rng.choice(P.NEXT_STEPS),
            }
            self.plans.append(json.dumps(plan, ensure_ascii=False))
        evidence = {
            "budget": "Budget line for operations software approved for next year.",
            "authority": "Talking to the COO, who signs up to $150k.",
            "need": "Manual routing costs two planners every morning.",
            "timeline": "Wants it live before the peak season in spring.",
        }
        self.quals = []
        for met_count in range(5):
            keys = list(evidence)
            met = set(keys[:met_count])
            self.quals.append(
                json.dumps({k: {"met": k in met, "evidence": evidence[k] if k in met else ""} for k in keys})
            )


def _chunk(args: tuple) -> tuple[list, list, list, dict[int, int]]:
    """Rows for leads start..end. Seeded per chunk, so the result does not depend on
    which process makes it (big demos make chunks on both cores)."""
    seed, index, start, end, now, rep_ids, batch_ids = args
    maker = _LeadMaker(random.Random(f"{seed}:{index}"), _variants(seed), now, rep_ids, batch_ids)
    leads, acts, hands = [], [], []
    for lead_id in range(start, end + 1):
        maker.make(lead_id, leads, acts, hands)
    return leads, acts, hands, maker.per_batch


@cache
def _variants(seed: int) -> _Variants:
    return _Variants(random.Random(seed))


def generate(
    store: Store,
    leads: int = 2000,
    seed: int = 7,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with demo data, in one transaction."""
    if leads < 1:
        raise UserError("--leads must be at least 1.")
    if store.conn.execute("SELECT EXISTS(SELECT 1 FROM leads)").fetchone()[0]:
        raise UserError("This database already has leads; demo data goes into a new, empty database.")
    started = time.perf_counter()
    now_epoch = (now or datetime.now(UTC)).timestamp()
    bulk = leads >= BULK_THRESHOLD
    if bulk:
        # Sort index builds in memory; set back below.
        store.conn.execute("PRAGMA cache_size = -600000")
        store.conn.execute("PRAGMA threads = 2")
        # The rows are made consistent by construction; checking each activity's
        # parent costs a lookup per row. Checked once at the end instead.
        store.conn.execute("PRAGMA foreign_keys = OFF")
    with store.transaction() as db:
        restore_sql = drop_for_bulk(store.conn, BULK_TABLES) if bulk else []
        rep_ids, batch_ids = _reference_rows(db, now_epoch, seed)
        lead_sql = f"INSERT INTO leads ({', '.join(LEAD_COLUMNS)}) VALUES ({', '.join('?' for _ in LEAD_COLUMNS)})"
        act_sql = (
            "INSERT INTO activities (lead_id, kind, disposition, duration_s, notes, occurred_at, rep, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        hand_sql = (
            "INSERT INTO handoffs (lead_id, field_rep_id, field_rep, handed_off_at, meeting_at, formats, paths, "
            "by_rep, outcome, outcome_reason, amount, opportunity_at, outcome_at, notes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        jobs = [
            (seed, i, start, min(leads, start + CHUNK - 1), now_epoch, rep_ids, batch_ids)
            for i, start in enumerate(range(1, leads + 1, CHUNK))
        ]
        n_acts = n_hand = 0
        per_batch: dict[int, int] = {}
        for lead_rows, act_rows, hand_rows, counts in _run_chunks(jobs, parallel=bulk):
            store.conn.executemany(lead_sql, lead_rows)
            store.conn.executemany(act_sql, act_rows)
            store.conn.executemany(hand_sql, hand_rows)
            n_acts += len(act_rows)
            n_hand += len(hand_rows)
            for batch_id, count in counts.items():
                per_batch[batch_id] = per_batch.get(batch_id, 0) + count
            if progress:
                progress(lead_rows[-1][0], leads)
        for batch_id, count in per_batch.items():
            store.conn.execute(
                "UPDATE import_batches SET rows = ?, inserted = ? WHERE id = ?", (count, count, batch_id)
            )
        if bulk:
            restore_after_bulk(store.conn, restore_sql)
            store.conn.execute("PRAGMA analysis_limit = 1000")
            store.conn.execute("ANALYZE")
    if bulk:
        if store.conn.execute("PRAGMA foreign_key_check").fetchone():
            raise RuntimeError("demo generator produced rows that break a foreign key")
        store.conn.execute("PRAGMA foreign_keys = ON")
    store.conn.execute("PRAGMA cache_size = -32000")
    from leadtriage.demo.cadences import add_cadences  # the playbook's part of the demo

    add_cadences(store, seed, datetime.fromtimestamp(now_epoch, UTC), REP_NAME)
    by_status = dict(store.conn.execute("SELECT status, count(*) FROM leads GROUP BY status").fetchall())
    return DemoSummary(leads, n_acts, n_hand, time.perf_counter() - started, by_status)


def _run_chunks(jobs: list[tuple], parallel: bool) -> Iterator[tuple]:
    if not parallel or len(jobs) < 2:
        yield from map(_chunk, jobs)
        return
    # Both cores make rows while this thread writes; a short window bounds memory.
    # A chunk whose helper could not start or died is made here (same seed, same rows).
    pool = processes.HelperPool(2, what="demo")
    try:
        pending = deque((job, pool.submit(_chunk, job)) for job in jobs[:4])
        for job in jobs[4:]:
            done, future = pending.popleft()
            result = pool.result(future, _chunk, done)
            pending.append((job, pool.submit(_chunk, job)))
            yield result
        while pending:
            done, future = pending.popleft()
            yield pool.result(future, _chunk, done)
    finally:
        pool.close()


def _reference_rows(db, now_epoch: float, seed: int) -> tuple[list[int], list[int]]:
    """Settings, field reps, campaigns and one import batch per campaign."""
    db["settings"].upsert_all(
        [{"key": "rep_name", "value": json.dumps(REP_NAME)}, {"key": "default_region", "value": '"US"'}],
        pk="key",
    )
    db["field_reps"].insert_all([{"name": n, "email": e, "territory": t, "active": 1} for n, e, t in P.FIELD_REPS])
    rep_ids = [r[0] for r in db.execute("SELECT id FROM field_reps ORDER BY id")]
    db["campaigns"].insert_all(
        [
            {"name": name, "source": source, "cost": cost, "starts_on": _ts(now_epoch - 125 * DAY)[:10]}
            for name, source, cost, _ in P.CAMPAIGNS
        ]
    )
    batch_ids = []
    for name, source, cost, _ in P.CAMPAIGNS:
        slug = _ascii(name).replace(" ", "-").replace(":", "")
        batch_ids.append(
            db["import_batches"].insert(
                {
                    "file_name": f"{slug}.csv", "source": source, "campaign": name, "cost": cost,
                    "sha256": hashlib.sha256(f"{slug}:{seed}".encode()).hexdigest(),
                    "encoding": "utf-8", "delimiter": ",",
                    "started_at": _ts(now_epoch - 120 * DAY), "finished_at": _ts(now_epoch - 120 * DAY),
                    "seconds": 0.4, "rows": 0, "inserted": 0, "merged": 0, "duplicates_flagged": 0,
                    "rejected": 0,
                }
            ).last_pk
        )
    return rep_ids, batch_ids


def build_demo_file(
    path: Path,
    leads: int,
    seed: int,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """A big demo for benchmarks: built in a temporary file next to `path` with the
    journal off (nothing to protect yet), then moved into place in one rename, so a
    kill leaves either no database or the whole one."""
    lock = WriterLock(path)
    lock.acquire()
    try:
        if inspect_file(path) is not None:
            with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
                if conn.execute("SELECT EXISTS(SELECT 1 FROM leads)").fetchone()[0]:
                    raise UserError("This database already has leads; demo data goes into a new, empty database.")
        tmp = path.with_name(path.name + ".demo-part")
        _remove_with_sidecars(tmp)
        store = open_store(tmp)
        try:
            store.conn.execute("PRAGMA journal_mode = OFF")
            store.conn.execute("PRAGMA synchronous = OFF")
            summary = generate(store, leads=leads, seed=seed, now=now, progress=progress)
            store.conn.execute("PRAGMA journal_mode = WAL")
        finally:
            store.close()
        # The old file held no leads; its WAL must not be replayed onto the new one.
        for side in ("-wal", "-shm"):
            path.with_name(path.name + side).unlink(missing_ok=True)
        os.replace(tmp, path)
        _remove_with_sidecars(tmp)
        tmp.with_name(tmp.name + ".lock").unlink(missing_ok=True)
    finally:
        lock.release()
    return summary


def _remove_with_sidecars(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)


_FINAL_CALL = {"qualified": "meeting_set", "engaged": "conversation", "nurture": "callback",
               "disqualified": "not_interested"}


class _LeadMaker:
    def __init__(self, rng: random.Random, variants: _Variants, now: float, rep_ids: list[int], batch_ids: list[int]):
        self.rng = rng
        self.v = variants
        self.now = now
        self.rep_ids = rep_ids
        self.batch_ids = batch_ids
        self.per_batch: dict[int, int] = {}
        self.scorer = BatchScorer(rules_from_setting(None), datetime.fromtimestamp(now, UTC))
        self.import_note = [f"Imported from {c[0]}" for c in P.CAMPAIGNS]
        self.batch_data = [json.dumps({"batch_id": b}) for b in batch_ids]
        self.status_data = {
            st: json.dumps({"from": "new", "to": st})
            for st in ("engaged", "qualified", "nurture", "disqualified")
        }
        self.weights = [3, 2, 4, 4, 2, 1, 1, 1, 2, 2]
        self.cum = []
        total = 0
        for w in self.weights:
            total += w
            self.cum.append(total)
        self.total_w = total
        local_midnight = datetime.fromtimestamp(now).astimezone().replace(hour=23, minute=59, second=0)
        self.end_of_today = min(local_midnight.timestamp(), now + 12 * HOUR)
        # "+1212555{:04d}" -> 4 digits to draw
        self.phone_width = {c[4]: int(c[4].split("{:0")[1][0]) for c in P.CITIES}
        self.ascii_first = {n: _ascii(n) for n in P.FIRST_NAMES}
        self.ascii_last = {n: _ascii(n) for n in P.LAST_NAMES}

    def _campaign(self) -> int:
        x = self.rng.random() * self.total_w
        for i, c in enumerate(self.cum):
            if x < c:
                return i
        return len(self.cum) - 1

    def make(self, lead_id: int, leads: list, acts: list, hands: list) -> None:  # noqa: C901 - one recipe
        rng, now = self.rng, self.now
        rnd = rng.random

        # random.choice/randrange cost ~1 µs each; a million leads make ~25 draws each.
        def pick(seq):
            return seq[int(rnd() * len(seq))]

        def below(n: int) -> int:
            return int(rnd() * n)

        ci = self._campaign()
        camp_name, source, _, quality = P.CAMPAIGNS[ci]
        batch_id = self.batch_ids[ci]
        self.per_batch[batch_id] = self.per_batch.get(batch_id, 0) + 1
        first = pick(P.FIRST_NAMES)
        last = pick(P.LAST_NAMES)
        title, seniority = pick(P.TITLES)
        wi, ni = below(len(P.COMPANY_WORDS)), below(len(P.COMPANY_NOUNS))
        word, noun = P.COMPANY_WORDS[wi], P.COMPANY_NOUNS[ni]
        city, region, country, tz, phone_fmt = P.CITIES[(wi * 7 + ni) % len(P.CITIES)]
        suffix = P.LEGAL_SUFFIXES[(wi + ni) % len(P.LEGAL_SUFFIXES)]
        company = f"{word} {noun} {suffix}".strip()
        domain = f"{word}{noun}".lower() + ".com"
        email = f"{self.ascii_first[first]}.{self.ascii_last[last]}@{domain}"
        number = phone_fmt.format(below(10 ** self.phone_width[phone_fmt]))
        employees = (12, 45, 120, 300, 850, 2400, 9000)[below(7)]
        industry = P.INDUSTRIES[(wi + 3 * ni) % len(P.INDUSTRIES)]

        age_days = (rng.random() ** 1.7) * 120
        created = now - age_days * DAY
        # Speed to lead: web forms are called within the hour, lists within days.
        if source in ("Web form", "Referral"):
            delay = rng.random() * (2 * HOUR if rng.random() < 0.7 else 2 * DAY)
        else:
            delay = rng.random() * 5 * DAY
        first_touch = created + delay
        # Who converts depends on where the lead came from (the campaign's quality),
        # how senior the contact is and how big the company is, so the demo's learned
        # score has something real to find (README, "The score").
        fit = _SENIORITY_FIT[seniority] * _SIZE_FIT[employees]
        q = quality * fit
        status, reason = "new", None
        attempts = connects = 0
        next_at = nurture_until = qualified_at = None
        field_rep_id = None
        pain = plan = qual = motiv = None
        dnc = 0
        if first_touch < now and rng.random() < min(0.97, 0.35 + age_days / 12):
            attempts = 1 + int(rng.random() ** 2 * 4)
            if rng.random() < min(0.8, 0.38 * q ** 0.5):
                connects = 1 + int(rng.random() * 2)
                r = rng.random()
                if r < min(0.6, 0.22 * q):
                    status = "qualified"
                elif r < 0.55:
                    status = "engaged"
                elif r < 0.8:
                    status, reason = "nurture", pick(P.NURTURE_REASONS)
                else:
                    status, reason = "disqualified", pick(P.DISQUALIFY_REASONS)
                    dnc = 1 if reason == "Do not call" else 0
            elif attempts >= 4 and rng.random() < 0.4:
                status, reason = "disqualified", "Bad data" if rng.random() < 0.5 else "No need"
            else:
                status = "attempting"
        last_touch = None
        if attempts:
            span = max(60.0, now - first_touch)
            touches = sorted(first_touch + rng.random() * span * 0.9 for _ in range(attempts))
            touches[0] = first_touch
            last_touch = touches[-1]
        else:
            touches = []
        if status in ("engaged", "qualified", "nurture"):
            pain_json, pain_quote = self.v.pains[below(64)]
            pain, motiv = pain_json, pick(P.MOTIVATIONS)
            plan = self.v.plans[below(64)]
            qual = self.v.quals[4 if status == "qualified" and rng.random() < 0.5 else 3 if status == "qualified" else below(3)]
        else:
            pain_quote = None
        outcome = None
        if status == "qualified" and last_touch and now - last_touch > DAY and rng.random() < 0.8:
            outcome = rng.choices(
                ("pending", "accepted", "rejected", "opportunity", "won", "lost"),
                (30, 14, 11 / fit, 24 * fit, 11 * fit, 10 / fit),
            )[0]
        if status == "qualified":
            qualified_at = last_touch or now
            territory = P.TERRITORY_BY_COUNTRY.get(country, (0,))
            field_rep_id = self.rep_ids[territory[below(len(territory))]]
        # Next actions: overdue and due-today callbacks make the Today view real.
        next_action = None
        if status in ("attempting", "engaged"):
            r = rng.random()
            if r < 0.18:
                next_at = now - rng.random() * 4 * DAY - 600  # overdue
            elif r < 0.36 and self.end_of_today > now + 900:
                next_at = now + 300 + rng.random() * (self.end_of_today - now - 300)  # due later today
            else:
                next_at = now + (0.6 + rng.random() * 13) * DAY
            next_action = "Call back" if status == "engaged" else "Next call attempt"
        elif status == "nurture":
            nurture_until = now + (rng.random() * 90 - 20) * DAY  # some already due
            next_at = nurture_until
            next_action = "Resurface from nurture"
        # The app's own scorer, so demo chips read like the ones the app makes.
        score, reasons_json = self.scorer.score(industry, employees, title, country, source, connects, attempts,
                                                (last_touch if connects else None) or created)

        created_s = _ts(created)
        status_final = status
        hand_rows = []
        if outcome:
            status_final = {"pending": "handed_off"}.get(outcome, outcome)
            handed = (qualified_at or now) + rng.random() * 0.5 * DAY
            handed = min(handed, now - 60)
            meeting = handed + (2 + rng.random() * 8) * DAY if rng.random() < 0.6 else None
            outcome_at = None if outcome == "pending" else min(now - 30, handed + (1 + rng.random() * 10) * DAY)
            amount = None
            opp_at = None
            o_reason = None
            if outcome in ("opportunity", "won", "lost"):
                opp_at = _ts(min(now - 30, handed + (1 + rng.random() * 6) * DAY))
                amount = float(pick((18000, 24000, 36000, 48000, 75000, 120000)))
            if outcome == "rejected":
                o_reason = pick(P.REJECT_REASONS)
                reason = o_reason
            if outcome == "lost":
                o_reason = pick(P.LOST_REASONS)
            rep_name = P.FIELD_REPS[self.rep_ids.index(field_rep_id)][0]
            hand_rows.append(
                (
                    lead_id, field_rep_id, rep_name, _ts(handed), _ts(meeting) if meeting else None, "pdf",
                    json.dumps([f"briefs/{format_public_id(lead_id)}.pdf"]), REP_NAME,
                    outcome, o_reason, amount, opp_at, _ts(outcome_at) if outcome_at else None, None,
                )
            )
            hands.extend(hand_rows)

        public_id = format_public_id(lead_id)
        leads.append(
            (
                lead_id, public_id, first, last, title, company, f"{word} {noun}".lower(), email, number,
                None, number, f"https://www.{domain}", domain,
                f"https://www.linkedin.com/in/{self.ascii_first[first]}-{self.ascii_last[last]}-{lead_id:x}",
                industry, employees, country, region, city, tz, source, camp_name, batch_id, status_final,
                reason, REP_NAME, field_rep_id, score, reasons_json, _ts(next_at) if next_at else None,
                next_action, _ts(nurture_until)[:10] if nurture_until else None,
                _ts(touches[0]) if touches else None, _ts(last_touch) if last_touch else None,
                attempts, connects, dnc, 0, pain, motiv, plan, "bant" if qual else None, qual, None,
                None, None, _ts(qualified_at) if qualified_at else None, created_s,
                _ts(last_touch or created),
            )
        )
        acts.append((lead_id, "import", None, None, self.import_note[ci], created_s, None, self.batch_data[ci]))
        for i, t in enumerate(touches):
            final = i == len(touches) - 1
            if final and connects:
                disp = "do_not_call" if dnc else _FINAL_CALL.get(status, "conversation")
            elif i == 0 and connects > 1:
                disp = "conversation"
            else:
                disp = ("no_answer", "voicemail", "no_answer", "gatekeeper", "busy")[below(5)]
            template = P.CALL_NOTES.get(disp)
            note = template.format(campaign=camp_name, first=first, pain=pain_quote or "") if template else None
            duration = 20 + int(rng.random() * 40) if disp in ("no_answer", "busy", "voicemail") else 180 + int(rng.random() * 900)
            acts.append((lead_id, "call", disp, duration, note, _ts(t), REP_NAME, None))
        if status_final not in ("new", "attempting") and touches:
            acts.append((lead_id, "status", None, None, reason, _ts(touches[-1] + 5), REP_NAME,
                         self.status_data[status]))
        for h in hand_rows:
            acts.append((lead_id, "handoff", None, None, f"Brief sent to {h[2]}", h[3], REP_NAME,
                         json.dumps({"field_rep": h[2]})))
            if h[8] != "pending":
                acts.append((lead_id, "outcome", None, None, h[9], h[12], h[2],
                             json.dumps({"outcome": h[8], "amount": h[10]})))

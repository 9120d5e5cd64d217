"""Training the learned score on the database's own closed leads, and re-scoring.

Labels: a lead that reached a sales-cycle start (status opportunity or won, or a
handoff with an opportunity) is positive; one disqualified, rejected by the field
or lost without an opportunity is negative. Imported history counts like any other.

Quality is measured the way the score is used: fitted on the older 70 % of the
history (by arrival), judged on the newest 30 %. The model that goes live is then
fitted on all of it.

Atomic: everything is computed first, reading only; then the model row and every
changed score are written in ONE transaction. A retrain killed at any moment leaves
the previous model and the previous scores (tests/test_learned_score.py kills one).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from leadtriage.scoring.active import (
    FULL_PER_CLASS,
    MIN_PER_CLASS,
    blend_weight,
    regime,
)
from leadtriage.scoring.fast import FastScorer, blend
from leadtriage.scoring.features import READ_COLUMNS, lead_values
from leadtriage.scoring.learned import Model, auc, fit
from leadtriage.scoring.rules import rules_from_setting
from leadtriage.scoring.score_many import BatchScorer
from leadtriage.store.db import Store
from leadtriage.store.settings import SettingsStore
from leadtriage.store.timeutil import to_db
from leadtriage.util.progress import NO_PROGRESS, Progress

POSITIVE_SQL = (
    "(l.status IN ('opportunity', 'won') OR EXISTS (SELECT 1 FROM handoffs h WHERE h.lead_id = l.id "
    "AND (h.opportunity_at IS NOT NULL OR h.outcome IN ('opportunity', 'won'))))"
)
NEGATIVE_STATUSES = "('disqualified', 'rejected', 'lost')"
# Closed statuses through the status index; a lead elsewhere with an opportunity on
# its handoff (rare: status follows the outcome) through the handoffs table.
HISTORY_SQL = (
    f"SELECT l.id AS lead_id, {', '.join('l.' + c for c in READ_COLUMNS)}, {POSITIVE_SQL} AS label FROM leads l "
    f"WHERE l.status IN ('opportunity', 'won', 'disqualified', 'rejected', 'lost') "
    "UNION ALL "
    f"SELECT l.id, {', '.join('l.' + c for c in READ_COLUMNS)}, 1 AS label FROM leads l "
    "WHERE l.status NOT IN ('opportunity', 'won', 'disqualified', 'rejected', 'lost') AND l.id IN "
    "(SELECT lead_id FROM handoffs WHERE opportunity_at IS NOT NULL OR outcome IN ('opportunity', 'won'))"
)  # no ORDER BY: SQLite would walk the whole table in created_at order to avoid a sort; Python sorts
# Leads whose score decides who is called: everything that is not closed history, and
# not pinned by a rep.
OPEN_WHERE = "status NOT IN ('opportunity', 'won', 'lost', 'disqualified') AND score_pinned IS NULL"
RULE_COLUMNS = ("attempts", "connects", "last_touch_at", "score", "score_reasons")
TEST_SHARE = 0.3
BANDS = ((0, 5), (5, 10), (10, 20), (20, 40), (40, 101))
KEEP_MODELS = 10
CHUNK = 20_000
REBUILD_ABOVE = 50_000  # changed scores above which the score indexes are rebuilt, not updated


@dataclass
class History:
    leads: list[dict[str, Any]]
    labels: list[int]

    @property
    def positives(self) -> int:
        return sum(self.labels)

    @property
    def negatives(self) -> int:
        return len(self.labels) - self.positives


def read_history(store: Store) -> History:
    rows = store.conn.execute(HISTORY_SQL).fetchall()
    created = READ_COLUMNS.index("created_at") + 1
    rows.sort(key=lambda r: (r[created] or "", r[0]))  # oldest first: the time split
    leads = [dict(zip(READ_COLUMNS, row[1:-1], strict=True)) for row in rows]
    labels = [1 if row[-1] else 0 for row in rows]
    return History(leads, labels)


def quality(model: Model, leads: list[dict[str, Any]], labels: list[int]) -> dict[str, Any]:
    """Held-out figures: AUC, lift per score decile, conversion per score band,
    precision in the top 10 %, and predicted vs observed conversion."""
    scorer = FastScorer(model)
    probs = [scorer.score(tuple(lead.get(c) for c in READ_COLUMNS))[0] for lead in leads]
    n = len(labels)
    base = sum(labels) / n if n else 0.0
    order = sorted(range(n), key=lambda i: -probs[i])
    deciles = []
    for d in range(10):
        part = order[d * n // 10:(d + 1) * n // 10]
        rate = sum(labels[i] for i in part) / len(part) if part else None
        deciles.append({"decile": d + 1, "leads": len(part), "conversion": rate,
                        "lift": (rate / base) if rate is not None and base else None})
    bands = []
    for lo, hi in BANDS:
        part = [i for i in range(n) if lo <= round(100 * probs[i]) < hi]
        bands.append({"band": f"{lo}-{min(hi, 100) - (0 if hi > 100 else 1)}", "leads": len(part),
                      "conversion": (sum(labels[i] for i in part) / len(part)) if part else None,
                      "predicted": (sum(probs[i] for i in part) / len(part)) if part else None})
    top = order[: max(1, n // 10)] if n else []
    return {
        "auc": auc(probs, labels), "leads": n, "conversion": base,
        "predicted": (sum(probs) / n) if n else None,
        "top10_precision": (sum(labels[i] for i in top) / len(top)) if top else None,
        "deciles": deciles, "bands": bands,
    }


def _factor_changes(now: list[tuple[str, float]], before: list | None) -> list[dict[str, Any]]:
    previous = {str(name): i for i, (name, _) in enumerate(before or [])}
    out = []
    for rank, (name, spread) in enumerate(now):
        was = previous.get(name)
        change = "new" if was is None else "same" if was == rank else ("up" if was > rank else "down")
        out.append({"factor": name, "rank": rank + 1, "weight": spread, "previous_rank": None if was is None else was + 1,
                    "change": change})
    gone = [name for name in previous if name not in {n for n, _ in now}]
    out.extend({"factor": g, "rank": None, "weight": None, "previous_rank": previous[g] + 1, "change": "dropped"}
               for g in gone)
    return out


def train(store: Store, progress: Progress = NO_PROGRESS, clock=lambda: datetime.now(UTC)) -> dict[str, Any]:
    """Retrain and re-score. Returns the report (also stored with the model)."""
    started = time.perf_counter()
    progress.report(0, 4, "reading history")
    history = read_history(store)
    pos, neg = history.positives, history.negatives
    weight = blend_weight(pos, neg)
    report: dict[str, Any] = {
        "trained_at": to_db(clock()), "history": len(history.labels), "positives": pos, "negatives": neg,
        "min_per_class": MIN_PER_CLASS, "full_per_class": FULL_PER_CLASS, "weight": weight,
        "regime": regime(weight), "model_id": None, "rescored": 0, "closed_total": closed_total(store.conn),
    }
    if weight <= 0:
        report["message"] = (f"Rules score in charge: the learned score needs at least {MIN_PER_CLASS} closed leads "
                             f"of each kind (has {pos} that started a sales cycle, {neg} that did not).")
        if store.conn.execute("SELECT EXISTS(SELECT 1 FROM score_models)").fetchone()[0]:
            # History shrank below the minimum (an import undone): back to the rules, atomically.
            updates = _new_scores(store, None, 0.0, clock, progress)
            with store.transaction():
                store.conn.execute("DELETE FROM score_models")
                for i in range(0, len(updates), CHUNK):
                    store.conn.executemany("UPDATE leads SET score = ?, score_reasons = ? WHERE id = ?",
                                           updates[i:i + CHUNK])
            report["rescored"] = len(updates)
        report["seconds"] = round(time.perf_counter() - started, 2)
        return report
    progress.report(1, 4, f"learning from {len(history.labels):,} closed leads")
    cut = int(len(history.labels) * (1 - TEST_SHARE))
    train_labels, test_labels = history.labels[:cut], history.labels[cut:]
    held_out = None
    values = [lead_values(lead) for lead in history.leads]  # once for both fits
    if 0 < sum(train_labels) < len(train_labels) and 0 < sum(test_labels) < len(test_labels):
        trial = fit(history.leads[:cut], train_labels, values=values[:cut])
        held_out = quality(trial, history.leads[cut:], test_labels)
    model = fit(history.leads, history.labels, values=values)
    previous = store.conn.execute("SELECT report FROM score_models ORDER BY id DESC LIMIT 1").fetchone()
    before = json.loads(previous[0]).get("top_factors") if previous else None
    top = model.top_features(10)
    report.update({
        "quality": held_out, "top_factors": top, "factor_changes": _factor_changes(top, before),
        "features": [f.label for f in model.features], "fit_seconds": round(time.perf_counter() - started, 2),
        "split": f"time: fitted on the oldest {100 - int(TEST_SHARE * 100)} %, judged on the newest "
                 f"{int(TEST_SHARE * 100)} %",
    })
    progress.report(2, 4, "scoring open leads")
    updates = _new_scores(store, model, weight, clock, progress)
    with store.transaction():
        cur = store.conn.execute("INSERT INTO score_models (trained_at, model, report) VALUES (?, ?, ?)",
                                 (report["trained_at"], json.dumps(model.to_json()), "{}"))
        model_id = cur.lastrowid
        report["model_id"] = model_id
        report["rescored"] = len(updates)
        report["seconds"] = round(time.perf_counter() - started, 2)
        store.conn.execute("UPDATE score_models SET report = ? WHERE id = ?", (json.dumps(report), model_id))
        # Many new scores: the indexes on score are rebuilt once instead of moving a
        # million entries one by one (6 s instead of 35 s for 1M leads); inside the
        # same transaction, so a kill brings them back untouched.
        indexes = store.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' "
            "AND sql IS NOT NULL AND sql LIKE '%score%'").fetchall() if len(updates) > REBUILD_ABOVE else []
        for name, _ in indexes:
            store.conn.execute(f'DROP INDEX "{name}"')
        for i in range(0, len(updates), CHUNK):
            progress.report(i, len(updates), f"saving scores ({i:,} of {len(updates):,})")  # Cancel rolls back
            store.conn.executemany("UPDATE leads SET score = ?, score_reasons = ? WHERE id = ?", updates[i:i + CHUNK])
        for _, sql in indexes:
            store.conn.execute(sql)
        store.conn.execute("DELETE FROM score_models WHERE id <= ?", (model_id - KEEP_MODELS,))
    progress.report(4, 4, "done")
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report


def _new_scores(store: Store, model: Model | None, weight: float, clock, progress: Progress) -> list[tuple]:
    """(score, reasons, id) for every open lead whose score or reasons change; with no
    model, the rules' scores."""
    rules = BatchScorer(rules_from_setting(SettingsStore(store).get("icp")), clock()) if weight < 1 else None
    total = store.conn.execute(f"SELECT count(*) FROM leads WHERE {OPEN_WHERE}").fetchone()[0]
    cols = ", ".join(("id", *READ_COLUMNS, *RULE_COLUMNS))
    cur = store.conn.execute(f"SELECT {cols} FROM leads WHERE {OPEN_WHERE}")
    updates: list[tuple] = []
    texts: dict[tuple, str] = {}  # chips -> their JSON: a million leads share a few thousand
    done = 0
    width = len(READ_COLUMNS)
    scorer = FastScorer(model) if model is not None else None
    while True:
        rows = cur.fetchmany(CHUNK)
        if not rows:
            break
        for row in rows:
            p, chips = scorer.score(row[1:width + 1]) if scorer is not None else (0.0, [])
            attempts, connects, last_touch, old_score, old_reasons = row[width + 1:]
            if rules is not None:
                lead = dict(zip(READ_COLUMNS, row[1:width + 1], strict=True))
                r_value, r_reasons = rules.score(lead["industry"], lead["employees"], lead["title"], lead["country"],
                                                 lead["source"], connects or 0, attempts or 0,
                                                 _epoch(last_touch) if last_touch else None)
                value = blend(p, r_value, weight)
                chips = chips + json.loads(r_reasons)
            else:
                value = blend(p, 0, 1.0)
            key = tuple(chips)
            reasons = texts.get(key)
            if reasons is None:
                reasons = json.dumps(chips, ensure_ascii=False)
                if len(texts) < 100_000:
                    texts[key] = reasons
            if value != old_score or reasons != old_reasons:
                updates.append((value, reasons, row[0]))
        done += len(rows)
        progress.report(done, max(total, 1), f"scored {done:,} of {total:,} open leads")
    return updates


def _epoch(text: str) -> float:
    return datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()


def latest_report(store: Store) -> dict[str, Any] | None:
    """The report of the model in use (None before the first training)."""
    try:
        row = store.conn.execute("SELECT report FROM score_models ORDER BY id DESC LIMIT 1").fetchone()
    except Exception:  # noqa: BLE001 - an old database without the table
        return None
    if row is None:
        return None
    try:
        data = json.loads(row[0])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


CLOSED_STATUSES = ("opportunity", "won", "disqualified", "rejected", "lost")


def closed_total(conn) -> int:
    """Closed leads, from the trigger-kept status counts: instant on any size."""
    marks = ", ".join("?" * len(CLOSED_STATUSES))
    row = conn.execute(f"SELECT coalesce(sum(n), 0) FROM lead_counts WHERE status IN ({marks})",
                       CLOSED_STATUSES).fetchone()
    return int(row[0])


RETRAIN_EVERY = 10  # newly closed leads that make a retrain worth it (app and command line)


def retrain_due(store: Store) -> bool:
    """Enough leads closed since the last training (an import with outcomes, an
    outcomes file, reps disqualifying) for the score to learn again."""
    report = latest_report(store) or {}
    return abs(closed_total(store.conn) - int(report.get("closed_total") or 0)) >= RETRAIN_EVERY


def retrain_summary(report: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A short JSON object and one line about a retrain, for commands that ran one."""
    q = report.get("quality") or {}
    short = {k: report.get(k) for k in ("regime", "model_id", "positives", "negatives", "rescored", "seconds")}
    short["auc"] = q.get("auc")
    if not report.get("model_id"):
        return short, report.get("message", "")
    auc = f", held-out AUC {q['auc']:.3f}" if q.get("auc") is not None else ""
    return short, (f"Score learned again from {report['history']:,} closed leads ({report['regime']}{auc}); "
                   f"{report['rescored']:,} open leads re-scored.")


def history_counts(store: Store) -> tuple[int, int]:
    """(started a sales cycle, did not) among closed leads."""
    labels = [r[-1] for r in store.conn.execute(HISTORY_SQL.replace(
        f"{', '.join('l.' + c for c in READ_COLUMNS)}, ", "", 2))]
    positives = sum(1 for x in labels if x)
    return positives, len(labels) - positives

"""The learned score.

1. Quality on real outcomes: bank-full (UCI Bank Marketing, 45,211 calls), a 70/30
   stratified split with a fixed seed. The 70 % goes in through the command line as
   history (with `outcome`), the 30 % as new leads; `score --retrain` learns; the new
   leads' stored scores are judged against their real outcomes. Next to it, on the
   same columns of the same split: scikit-learn's LogisticRegression (numbers scaled,
   text one-hot) and HistGradientBoosting (measured for the choice, see README).
   `duration` is known only after the call and is left out everywhere.
2. How much history the learned score needs (the blend thresholds).
3. Scale: train on 100,000 closed leads and re-score 1,000,000 open ones; time and
   peak memory (budget 60 s, 1 GB).
"""

from __future__ import annotations

import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.common import OUT, row

BANK = Path(os.environ.get("BANK_CSV", Path(__file__).resolve().parents[1].parent / "shared" / "data" /
                           "bank-marketing" / "bank-full.csv"))
SEED = 13
NUMERIC = ("age", "balance", "day", "campaign", "pdays", "previous")


def _cli(*args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "leadtriage", *args], check=True, capture_output=True, text=True)
    return out.stdout


def _split(rows: list[dict]) -> tuple[list[int], list[int]]:
    from sklearn.model_selection import train_test_split

    y = [r["y"] for r in rows]
    train, test = train_test_split(list(range(len(rows))), test_size=0.3, stratify=y, random_state=SEED)
    return sorted(train), sorted(test)


def _write(path: Path, rows: list[dict], idx: list[int], cols: list[str], with_y: bool) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Client", *cols, *(["y"] if with_y else [])])
        for i in idx:
            w.writerow([f"Client {i}", *(rows[i][c] for c in cols), *([rows[i]["y"]] if with_y else [])])


def _precision_top10(scores: list[float], labels: list[int]) -> float:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    top = order[: len(order) // 10]
    return sum(labels[i] for i in top) / len(top)


def bank() -> None:
    from sklearn.metrics import roc_auc_score

    if not BANK.exists():
        print(f"  {BANK} not found; set BANK_CSV", flush=True)
        return
    rows = list(csv.DictReader(open(BANK, encoding="utf-8")))
    cols = [c for c in rows[0] if c not in ("duration", "y")]
    train, test = _split(rows)
    work = OUT / "score-bank"
    work.mkdir(parents=True, exist_ok=True)
    db = work / "bank.db"
    for side in ("", "-wal", "-shm"):
        Path(str(db) + side).unlink(missing_ok=True)
    _write(work / "history.csv", rows, train, cols, True)
    _write(work / "new.csv", rows, test, cols, False)
    # Client names the lead; `contact` and `campaign` are bank columns, not the app's fields.
    mapping = work / "map.json"
    mapping.write_text(json.dumps({"Client": "company", "contact": "", "campaign": "", "y": "outcome"}))
    # Just the two imports: the first learns from its history by itself, the second
    # list is scored by what was learned as it comes in.
    t0 = time.perf_counter()
    _cli("import", str(work / "history.csv"), "--db", str(db), "--mapping", str(mapping), "--source", "Bank")
    _cli("import", str(work / "new.csv"), "--db", str(db), "--mapping", str(mapping), "--source", "Bank")
    t1 = time.perf_counter()
    conn = sqlite3.connect(db)
    by_client = dict(conn.execute("SELECT company, score FROM leads WHERE status = 'new'"))
    conn.close()
    report = json.loads(_cli("score", "--db", str(db), "--retrain", "--json"))
    t2 = time.perf_counter()
    conn = sqlite3.connect(db)
    assert by_client == dict(conn.execute("SELECT company, score FROM leads WHERE status = 'new'")), \
        "a retrain on the same history must give the scores the import gave"
    bundle = conn.execute("SELECT length(model) FROM score_models ORDER BY id DESC LIMIT 1").fetchone()[0]
    conn.close()
    labels = [1 if rows[i]["y"] == "yes" else 0 for i in test]
    app_scores = [by_client[f"Client {i}"] for i in test]
    # Ties matter for a 0-100 integer score; the app's order is score, then arrival.
    app_auc, app_p10 = roc_auc_score(labels, app_scores), _precision_top10(app_scores, labels)
    row("imports (31,647 history, learning from it, + 13,564 new), CLI", f"{t1 - t0:.1f} s")
    row("score --retrain (train + re-score), CLI", f"{t2 - t1:.1f} s", f"model {bundle / 1024:.0f} KB of JSON")
    held = report["quality"]
    row("app: time-split AUC inside the history", f"{held['auc']:.3f}")

    import numpy as np
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    df = pd.DataFrame(rows)[cols]
    for c in NUMERIC:
        df[c] = df[c].astype(float)
    cats = [c for c in cols if c not in NUMERIC]
    y = np.array([1 if r["y"] == "yes" else 0 for r in rows])
    lr = make_pipeline(ColumnTransformer([("n", StandardScaler(), list(NUMERIC)),
                                          ("c", OneHotEncoder(handle_unknown="ignore"), cats)]),
                       LogisticRegression(max_iter=2000))
    s = time.perf_counter()
    lr.fit(df.iloc[train], y[train])
    lr_fit = time.perf_counter() - s
    lr_p = lr.predict_proba(df.iloc[test])[:, 1]
    lr_auc, lr_p10 = roc_auc_score(labels, lr_p), _precision_top10(list(lr_p), labels)
    d2 = df.copy()
    for c in cats:
        d2[c] = d2[c].astype("category")
    hgb = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    s = time.perf_counter()
    hgb.fit(d2.iloc[train], y[train])
    hgb_fit = time.perf_counter() - s
    hgb_p = hgb.predict_proba(d2.iloc[test])[:, 1]
    import pickle

    print(f"  {'on the 30 % new leads':<48} {'AUC':>8} {'top-10 % precision':>20}   fit", flush=True)
    print(f"  {'LeadTriage (stored 0-100 score)':<48} {app_auc:>8.3f} {app_p10:>20.1%}   "
          f"{report.get('fit_seconds', 0):.1f} s (incl. time-split check)", flush=True)
    print(f"  {'scikit-learn LogisticRegression, same columns':<48} {lr_auc:>8.3f} {lr_p10:>20.1%}   {lr_fit:.1f} s",
          flush=True)
    print(f"  {'scikit-learn HistGradientBoosting (reference)':<48} {roc_auc_score(labels, hgb_p):>8.3f} "
          f"{_precision_top10(list(hgb_p), labels):>20.1%}   {hgb_fit:.1f} s, pickle {len(pickle.dumps(hgb)) // 1024} KB",
          flush=True)
    row("bank-full held-out AUC: app (LogisticRegression)", f"{app_auc:.3f} ({lr_auc:.3f})", "at least the baseline",
        app_auc >= lr_auc)
    row("bank-full top-10 % precision: app (LogisticRegression)", f"{app_p10:.1%} ({lr_p10:.1%})",
        "at least the baseline", app_p10 >= lr_p10)
    _history_needed(rows, cols, train, test, labels)


def _history_needed(rows, cols, train, test, labels) -> None:
    """Held-out AUC when only n closed leads of each kind are known: where to start
    blending (MIN_PER_CLASS) and where the learned score alone is good (FULL_PER_CLASS)."""
    from sklearn.metrics import roc_auc_score

    from leadtriage.scoring.learned import fit

    def lead(i):
        return {"custom_fields": json.dumps({c: rows[i][c] for c in cols})}

    pos = [i for i in train if rows[i]["y"] == "yes"]
    neg = [i for i in train if rows[i]["y"] != "yes"]
    rnd = random.Random(SEED)
    new = [lead(i) for i in test]
    line = []
    for n in (25, 50, 100, 200, 400, 1000):
        aucs = []
        for _ in range(3):
            sample = rnd.sample(pos, n) + rnd.sample(neg, n)
            model = fit([lead(i) for i in sample], [1 if rows[i]["y"] == "yes" else 0 for i in sample])
            aucs.append(roc_auc_score(labels, [model.logit(x) for x in new]))
        line.append(f"{n}: {sum(aucs) / len(aucs):.3f}")
    row("held-out AUC by closed leads of each kind", "")
    print("    " + ", ".join(line), flush=True)


# -- scale ---------------------------------------------------------------------------------

INDUSTRIES = ["Logistics", "Manufacturing", "Retail", "Healthcare", "Software", "Finance", "Education", "Energy"]
SOURCES = ["Referral", "Web form", "Webinar", "Trade show", "LinkedIn", "List vendor", "Content download"]
TITLES = ["CEO", "Head of Operations", "IT Manager", "Buyer", "Director of Logistics", "Engineer", "Owner"]
COUNTRIES = ["US", "DE", "GB", "FR", "NL", "ES", "CA"]


def _scale_db(closed: int, open_: int) -> Path:
    from leadtriage.safety.opening import open_store
    from leadtriage.store.bulk import drop_for_bulk, restore_after_bulk

    path = OUT / f"score-scale-{closed}-{open_}.db"
    if path.exists():
        return path
    print(f"  building a {closed + open_:,}-lead database (once) ...", flush=True)
    rnd = random.Random(SEED)
    store = open_store(path)
    now = "2026-11-01 09:00:00"
    with store.transaction():
        dropped = drop_for_bulk(store.conn, ["leads"])
        batch = []
        for i in range(1, closed + open_ + 1):
            src, ind, title = rnd.choice(SOURCES), rnd.choice(INDUSTRIES), rnd.choice(TITLES)
            emp = rnd.choice([5, 20, 80, 250, 600, 1500, 5000])
            custom = json.dumps({"Product interest": rnd.choice(["Fleet", "Warehouse", "Both", "None"]),
                                 "Web visits": rnd.randint(0, 50)})
            if i <= closed:
                p = 0.05 + 0.15 * (src == "Referral") + 0.1 * (emp >= 250) + 0.1 * ("Head" in title)
                status = "won" if rnd.random() < p else "disqualified"
            else:
                status = "new"
            batch.append((i, f"L{i:08d}", "Jane", f"Doe{i}", title, f"Firm {i}", ind, emp, rnd.choice(COUNTRIES), src,
                          status, custom, f"2025-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00:00", now))
            if len(batch) == 50_000:
                store.conn.executemany(
                    "INSERT INTO leads (id, public_id, first_name, last_name, title, company, industry, employees, "
                    "country, source, status, custom_fields, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
                batch = []
        restore_after_bulk(store.conn, dropped, lambda *a: None)
    store.conn.execute("ANALYZE")
    store.close()
    return path


def scale() -> None:
    closed = int(os.environ.get("BENCH_SCORE_CLOSED", "100000"))
    open_ = int(os.environ.get("BENCH_SCORE_OPEN", "1000000"))
    path = _scale_db(closed, open_)
    work = OUT / "score-scale-work.db"
    from bench.common import scratch_copy

    scratch_copy(path, work.name)
    code = ("import json, resource, sys, time\n"
            "from leadtriage.safety.opening import open_store\n"
            "from leadtriage.scoring.training import train\n"
            "s = time.perf_counter()\n"
            "with open_store(sys.argv[1]) as store:\n"
            "    r = train(store)\n"
            "print(json.dumps({'seconds': time.perf_counter() - s, 'rescored': r['rescored'], 'fit': r['fit_seconds'],"
            " 'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))\n")
    out = subprocess.run([sys.executable, "-c", code, str(work)], check=True, capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    row(f"train on {closed:,} closed + re-score {open_:,} open", f"{r['seconds']:.1f} s", "budget 60 s",
        r["seconds"] <= 60)
    row("  of which fitting (with the time-split check)", f"{r['fit']:.1f} s")
    row("  leads re-scored", f"{r['rescored']:,}")
    row("  peak memory of the retrain process", f"{r['peak_kb'] / 1024:.0f} MB", "budget 1,024 MB",
        r["peak_kb"] / 1024 <= 1024)


def run() -> None:
    bank()
    if os.environ.get("BENCH_SCORE_SKIP_SCALE") != "1":
        scale()

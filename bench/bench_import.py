"""CSV import end to end (read, normalise, dedupe, write, index) for a 1M-row,
14-column lead list, next to SQLite's own `.import` (the C ceiling: no parsing
beyond CSV, no normalising, no indexes) and `sqlite-utils insert --csv`.
Budget: >= 50,000 rows/s and peak memory <= 500 MB.

The list is generated once under bench/out (BENCH_IMPORT_ROWS overrides the size).
Each run happens in a fresh subprocess so peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.common import OUT, row

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
HEADERS = ["First Name", "Last Name", "Title", "Company", "Email", "Phone", "Website", "LinkedIn URL",
           "Industry", "Employees", "Country", "State", "City", "Notes"]

FIRST = ("Anna Ben Carla David Emma Felix Greta Hugo Ines Jonas Karin Luca Mia Noah Olga Paul Quinn Rosa "
         "Sofia Tom Ulla Vera Will Xenia Yusuf Zoe Jürgen Zoë Chloé Søren Lucía François Björn Aoife Raj Priya "
         "Mateo Camille Hannah Liam Olivia Marco Julia Karim Aiko Samuel Nina Ian").split()
LAST = ("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Smith Johnson Brown "
        "Taylor Wilson Martin Bernard Dubois Lefèvre García Martínez López Rossi Bianchi Jensen Nielsen "
        "O'Brien Murphy Patel Sharma Sato Tanaka Novak Kowalski Costa Silva Walker Young King Hall").split()
WORDS = ("Acme Alpine Atlas Beacon Blue Cedar Crest Delta Evergreen Falcon Granite Harbor Helix Iron "
         "Juniper Keystone Lumen Meridian North Nordic Nova Oak Orbit Pioneer Prism Quarry Riverside "
         "Silver Summit Vertex").split()
KINDS = "Systems Labs Foods Motors Pharma Retail Logistics Energy Finance Clinics Analytics Freight".split()
LEGAL = ["GmbH", "AG", "Inc.", "LLC", "Ltd", "SAS", "S.L.", "", "", ""]
COUNTRIES = [
    ("DE", "Germany", lambda r: f"+49 30 {r.randint(1000000, 9999999)}", "Berlin"),
    ("US", "United States", lambda r: f"({r.choice([212, 312, 415, 617, 303])}) {r.randint(201, 549)}-"
                                      f"{r.randint(1000, 9999)}", "Chicago"),
    ("GB", "United Kingdom", lambda r: f"+44 20 {r.randint(7000, 8999)} {r.randint(1000, 9999)}", "London"),
    ("FR", "France", lambda r: f"01 {r.randint(40, 49)} {r.randint(10, 99)} {r.randint(10, 99)} "
                               f"{r.randint(10, 99)}", "Paris"),
    ("CH", "Schweiz", lambda r: f"044 {r.randint(200, 499)} {r.randint(10, 99)} {r.randint(10, 99)}", "Zürich"),
    ("ES", "España", lambda r: f"+34 91 {r.randint(200, 799)} {r.randint(1000, 9999)}", "Madrid"),
    ("NL", "Netherlands", lambda r: f"+31 20 {r.randint(2000000, 8999999)}", "Amsterdam"),
]
INDUSTRIES = ["Software", "Manufacturing", "Healthcare", "Retail", "Logistics", "Finance", "Energy"]
TITLES = ["CEO", "Head of Operations", "IT Manager", "Procurement Lead", "CFO", "Plant Manager", "VP Sales"]


def make_csv(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    companies = [f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(KINDS)} {rng.choice(LEGAL)}".strip()
                 for _ in range(60_000)]
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            company = rng.choice(companies)
            _code, country, make_phone, city = rng.choice(COUNTRIES)
            phone = make_phone(rng)
            domain = company.split(" ")[0].lower() + company.split(" ")[1].lower() + f"{i % 9973}.com"
            email = f"{first.lower()}.{last.lower()}{i}@{domain}".encode("ascii", "ignore").decode()
            if i % 50 == 7:
                email = f"info@{domain}"
            if i % 100 == 3 and i > 10:  # ~1 % repeats of an earlier row's e-mail: merged
                email = f"{first.lower()}.{last.lower()}{i - 10}@{domain}".encode("ascii", "ignore").decode()
            if i % 200 == 5:
                phone = "n/a"
            linkedin = f"https://www.linkedin.com/in/{first.lower()}-{last.lower()}-{i:x}" if i % 3 == 0 else ""
            w.writerow([first.upper() if i % 10 == 0 else first, last, rng.choice(TITLES), company, email, phone,
                        f"www.{domain}", linkedin, rng.choice(INDUSTRIES), str(rng.choice([12, 50, 250, 1200])),
                        country, "", city, "met at booth" if i % 7 == 0 else ""])
            if i % 5000 == 4999 and rng.random() < 0.2:
                w.writerow([""] * 14)  # a blank row now and then
    tmp.replace(path)


CHILD = r"""
import json, os, resource, sys, threading, time
started = time.perf_counter()

# The phone helper's memory is sampled from /proc: its ru_maxrss would count the pages
# it shared with this process between fork and exec, not what it uses.
def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return 0

def children():
    found = []
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        try:
            with open(f"/proc/{os.getpid()}/task/{task}/children") as fh:
                found += [int(p) for p in fh.read().split()]
        except OSError:
            pass
    return found

peaks = {"helper": 0, "both": 0}
done = threading.Event()

def sample():
    while not done.wait(0.2):
        helper = max([rss_kib(p) for p in children()] or [0])
        peaks["helper"] = max(peaks["helper"], helper)
        peaks["both"] = max(peaks["both"], rss_kib(os.getpid()) + helper)

threading.Thread(target=sample, daemon=True).start()
from leadtriage.importing.service import Importer, ImportOptions
from leadtriage.safety.opening import open_store
with open_store(sys.argv[2]) as store:
    result = Importer(store).import_file(sys.argv[1], ImportOptions(source="bench", default_region="US"))
seconds = time.perf_counter() - started
done.set()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak": peak, "helper_peak": peaks["helper"] * 1024,
                  "both_sampled": peaks["both"] * 1024, **result.to_json()}))
"""


def _timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return time.perf_counter() - started, proc


def _fresh(path: Path) -> Path:
    for side in ("", "-wal", "-shm", ".lock"):
        Path(str(path) + side).unlink(missing_ok=True)
    return path


FLOOR = r"""
import json, sqlite3, sys, time
from leadtriage.safety.opening import open_store
from leadtriage.store.bulk import drop_for_bulk, restore_after_bulk
with open_store(sys.argv[2]) as store:
    conn = store.conn
    conn.execute("ATTACH ? AS src", (sys.argv[1],))
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    dropped = drop_for_bulk(conn, ["leads"])
    conn.execute("INSERT INTO import_batches SELECT * FROM src.import_batches")  # leads refer to it
    conn.execute("INSERT INTO leads SELECT * FROM src.leads")
    loaded = time.perf_counter()
    restore_after_bulk(conn, dropped)
    conn.execute("COMMIT")
    done = time.perf_counter()
    conn.execute("DETACH src")
print(json.dumps({"insert": loaded - started, "indexes": done - loaded}))
"""


def _phone_rate(source: Path, sample: int = 50_000) -> float:
    """phonenumbers on this list's own numbers, one core: parse, validate, format."""
    from leadtriage.importing.countries import country_code
    from leadtriage.importing.normalise import normalise_phone

    with open(source, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        phone, country = header.index("Phone"), header.index("Country")
        pairs = [(r[phone], country_code(r[country]) or "US") for _, r in zip(range(sample), reader, strict=False)
                 if len(r) > country and r[phone]]
    started = time.perf_counter()
    for raw, region in pairs:
        normalise_phone.__wrapped__(raw, region)
    return len(pairs) / (time.perf_counter() - started)


def _child_env() -> dict[str, str]:
    return dict(os.environ, LEADTRIAGE_NO_LOG_FILE="1", LEADTRIAGE_HOME=str(OUT / "home"))


def _reference(label: str, short: str, ours: float, cmd: list[str] | None, missing: str) -> None:
    """A reference tool's rate on the same file, and ours as a multiple of it."""
    if not cmd:
        row(label, f"skipped: {missing}")
        return
    secs, proc = _timed(cmd)
    if proc.returncode != 0:
        row(label, "failed: " + proc.stderr.strip()[:60])
        return
    rate = ROWS / secs
    row(label, f"{rate:,.0f} rows/s")
    row(f"  LeadTriage / {short}", f"{ours / rate:.2f}x")


def _floors(source: Path, imported: Path, ours: float) -> None:
    """What the budget is up against, measured in the same run: the phone-number
    library alone, and SQLite alone loading the rows our import produced (already
    normalised) into the app's schema and building its indexes and search index."""
    rate = _phone_rate(source)
    row("floor: phonenumbers alone, one core", f"{rate:,.0f} numbers/s",
        f"= {ROWS / rate:.0f} CPU-s for {ROWS:,} numbers")
    target = _fresh(OUT / "import-floor.db")
    proc = subprocess.run([sys.executable, "-c", FLOOR, str(imported), str(target)], capture_output=True,
                          text=True, env=_child_env())
    if proc.returncode != 0:
        row("floor: SQLite alone", "failed: " + proc.stderr.strip()[-80:])
        return
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    total = res["insert"] + res["indexes"]
    row("floor: SQLite alone, normalised rows into our schema", f"{ROWS / total:,.0f} rows/s",
        f"insert {res['insert']:.1f} s + indexes and search {res['indexes']:.1f} s")
    row("  LeadTriage / SQLite-alone floor", f"{ours / (ROWS / total):.2f}x")
    _fresh(target)


def run() -> None:
    OUT.mkdir(exist_ok=True)
    source = OUT / f"import-{ROWS}.csv"
    if not source.exists():
        print(f"generating {ROWS:,}-row lead list (once) ...", flush=True)
        make_csv(source, ROWS)
    size_mb = source.stat().st_size / 1e6
    print(f"CSV import, {ROWS:,} rows x {len(HEADERS)} columns ({size_mb:.0f} MB):")

    db = _fresh(OUT / "import-bench.db")
    wall, proc = _timed([sys.executable, "-c", CHILD, str(source), str(db)], env=_child_env())
    if proc.returncode != 0:
        print(proc.stderr)
        raise RuntimeError("import failed")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    ours = res["rows"] / res["seconds"]
    row("LeadTriage import (end to end, own process)", f"{ours:,.0f} rows/s", ">= 50,000 rows/s", ours >= 50_000)
    row("  wall time incl. interpreter start", f"{wall:.1f} s")
    total = res["peak"] + res["helper_peak"]
    row("  peak memory, importer process (ru_maxrss)", f"{res['peak'] / 1e6:,.0f} MB")
    row("  peak memory, phone helper process (sampled)", f"{res['helper_peak'] / 1e6:,.0f} MB")
    row("  peak memory, both at once (sampled every 0.2 s)", f"{res['both_sampled'] / 1e6:,.0f} MB")
    row("  peak memory, both peaks added (upper bound)", f"{total / 1e6:,.0f} MB", "<= 500 MB", total <= 500e6)
    row("  new / merged / flagged / rejected",
        f"{res['inserted']:,}/{res['merged']:,}/{res['duplicates_flagged']:,}/{res['rejected']:,}")

    _floors(source, db, ours)

    sqlite = shutil.which("sqlite3")
    _reference("sqlite3 .import (C ceiling, no normalising)", "sqlite3", ours,
               sqlite and [sqlite, str(_fresh(OUT / "import-sqlite3.db")), "-cmd", ".mode csv", f".import {source} leads"],
               "sqlite3 CLI not installed (apt-get install sqlite3)")
    su = shutil.which("sqlite-utils") or str(Path(sys.executable).with_name("sqlite-utils"))
    _reference("sqlite-utils insert --csv (no normalising)", "sqlite-utils", ours,
               Path(su).exists() and [su, "insert", str(_fresh(OUT / "import-sqlite-utils.db")), "leads", str(source),
                                      "--csv"],
               "sqlite-utils not installed")
    for name in ("import-bench.db", "import-sqlite3.db", "import-sqlite-utils.db", "import-floor.db"):
        _fresh(OUT / name)

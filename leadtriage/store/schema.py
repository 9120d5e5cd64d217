"""Numbered schema migrations. Each runs in one transaction; `db.py` backs the file
up first. Never edit a released step: add a new one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from leadtriage.store import cadence_tables, sync_outbox
from leadtriage.store.derived import discovery_summary, latest_meeting

if TYPE_CHECKING:
    import sqlite_utils

TEXT, INT, REAL = str, int, float

LEAD_COLUMNS: dict[str, type] = {
    "id": INT,
    "public_id": TEXT,
    "first_name": TEXT,
    "last_name": TEXT,
    "title": TEXT,
    "company": TEXT,
    "company_key": TEXT,  # company name without legal suffix, lowercased: for matching
    "email": TEXT,
    "phone": TEXT,  # E.164
    "phone_ext": TEXT,
    "phone_raw": TEXT,
    "website": TEXT,
    "domain": TEXT,
    "linkedin": TEXT,
    "industry": TEXT,
    "employees": INT,
    "country": TEXT,  # ISO 3166 alpha-2
    "region": TEXT,
    "city": TEXT,
    "timezone": TEXT,  # IANA name, from phone or country
    "source": TEXT,
    "campaign": TEXT,
    "batch_id": INT,
    "status": TEXT,
    "status_reason": TEXT,  # nurture / disqualify / rejection reason
    "owner": TEXT,  # lead-development rep
    "field_rep_id": INT,
    "score": INT,
    "score_reasons": TEXT,  # JSON list of short strings
    "next_action_at": TEXT,
    "next_action": TEXT,
    "nurture_until": TEXT,  # date
    "first_touch_at": TEXT,
    "last_touch_at": TEXT,
    "attempts": INT,
    "connects": INT,
    "do_not_call": INT,
    "do_not_email": INT,
    "pain_points": TEXT,  # JSON list of {tag, quote}
    "motivations": TEXT,
    "buying_plan": TEXT,  # JSON object
    "framework": TEXT,
    "qualification": TEXT,  # JSON {criterion: {met, evidence}}
    "notes": TEXT,
    "custom_fields": TEXT,  # JSON: imported columns we have no field for
    "flags": TEXT,  # JSON list: role_email, invalid_phone, invalid_email, ...
    "qualified_at": TEXT,
    "created_at": TEXT,
    "updated_at": TEXT,
}

LEAD_DEFAULTS = {"status": "new", "attempts": 0, "connects": 0, "do_not_call": 0, "do_not_email": 0, "score": 0}


def _v1_core(db: sqlite_utils.Database) -> None:
    db["field_reps"].create(
        {"id": INT, "name": TEXT, "email": TEXT, "territory": TEXT, "active": INT},
        pk="id",
        not_null={"name"},
        defaults={"active": 1},
    )
    db["field_reps"].create_index(["name"], unique=True)
    db["campaigns"].create(
        {"id": INT, "name": TEXT, "source": TEXT, "cost": REAL, "starts_on": TEXT, "ends_on": TEXT, "notes": TEXT},
        pk="id",
        not_null={"name"},
    )
    db["campaigns"].create_index(["name"], unique=True)
    db["import_batches"].create(
        {
            "id": INT, "file_name": TEXT, "sha256": TEXT, "source": TEXT, "campaign": TEXT,
            "cost": REAL, "encoding": TEXT, "delimiter": TEXT, "sheet": TEXT, "mapping": TEXT,
            "rows": INT, "inserted": INT, "merged": INT, "duplicates_flagged": INT, "rejected": INT,
            "started_at": TEXT, "finished_at": TEXT, "seconds": REAL, "undone_at": TEXT,
        },
        pk="id",
    )
    db["import_batches"].create_index(["sha256"])
    db["import_rejects"].create(
        {"id": INT, "batch_id": INT, "line_no": INT, "reason": TEXT, "raw": TEXT},
        pk="id",
        foreign_keys=[("batch_id", "import_batches", "id")],
    )
    db["import_rejects"].create_index(["batch_id", "line_no"])
    db["leads"].create(
        LEAD_COLUMNS,
        pk="id",
        not_null={"public_id", "status", "created_at", "updated_at"},
        defaults=LEAD_DEFAULTS,
        foreign_keys=[("batch_id", "import_batches", "id"), ("field_rep_id", "field_reps", "id")],
    )
    leads = db["leads"]
    leads.create_index(["public_id"], unique=True)
    # The queue views: status + the order each view sorts by (keyset paging).
    leads.create_index(["status", "next_action_at"])
    leads.create_index(["status", "score", "created_at"])
    leads.create_index(["status", "last_touch_at"])
    leads.create_index(["next_action_at"])
    # Duplicate look-ups during import.
    leads.create_index(["email"])
    leads.create_index(["phone"])
    leads.create_index(["linkedin"])
    leads.create_index(["company_key"])
    leads.create_index(["batch_id"])
    leads.create_index(["source", "campaign"])
    leads.create_index(["created_at"])

    db["activities"].create(
        {
            "id": INT, "lead_id": INT, "kind": TEXT, "disposition": TEXT, "duration_s": INT,
            "notes": TEXT, "occurred_at": TEXT, "rep": TEXT, "data": TEXT,
        },
        pk="id",
        not_null={"lead_id", "kind", "occurred_at"},
        foreign_keys=[("lead_id", "leads", "id")],
    )
    db["activities"].create_index(["lead_id", "occurred_at"])
    db["activities"].create_index(["kind", "occurred_at"])

    db["handoffs"].create(
        {
            "id": INT, "lead_id": INT, "field_rep_id": INT, "field_rep": TEXT, "handed_off_at": TEXT,
            "meeting_at": TEXT, "formats": TEXT, "paths": TEXT, "by_rep": TEXT,
            "outcome": TEXT, "outcome_reason": TEXT, "amount": REAL,
            "opportunity_at": TEXT, "outcome_at": TEXT, "notes": TEXT,
        },
        pk="id",
        not_null={"lead_id", "handed_off_at", "outcome"},
        defaults={"outcome": "pending"},
        foreign_keys=[("lead_id", "leads", "id"), ("field_rep_id", "field_reps", "id")],
    )
    db["handoffs"].create_index(["lead_id"])
    db["handoffs"].create_index(["outcome", "handed_off_at"])
    db["handoffs"].create_index(["field_rep_id"])

    db["settings"].create({"key": TEXT, "value": TEXT}, pk="key")
    # Undo: each user-visible change records what it replaced.
    db["change_log"].create(
        {
            "id": INT, "at": TEXT, "label": TEXT, "entity": TEXT, "entity_id": INT,
            "before": TEXT, "after": TEXT, "batch_id": INT, "undone": INT,
        },
        pk="id",
        defaults={"undone": 0},
    )
    db["change_log"].create_index(["entity", "entity_id"])
    db["change_log"].create_index(["batch_id"])


FTS_COLUMNS = ["first_name", "last_name", "company", "email", "phone", "public_id", "notes"]


def _v2_search_and_profiles(db: sqlite_utils.Database) -> None:
    # External-content FTS5 kept in step by triggers. Written by hand rather than
    # with enable_fts() for two reasons: prefix indexes make search-as-you-type
    # cheap, and the update trigger fires only when a searched column changes
    # (logging a call must not rewrite the index).
    cols = ", ".join(FTS_COLUMNS)
    new_cols = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old_cols = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    db.executescript(f"""
        CREATE VIRTUAL TABLE leads_fts USING fts5(
            {cols}, content='leads', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2', prefix='2 3');
        INSERT INTO leads_fts(leads_fts) VALUES('rebuild');
        CREATE TRIGGER leads_fts_ai AFTER INSERT ON leads BEGIN
          INSERT INTO leads_fts(rowid, {cols}) VALUES (new.id, {new_cols});
        END;
        CREATE TRIGGER leads_fts_ad AFTER DELETE ON leads BEGIN
          INSERT INTO leads_fts(leads_fts, rowid, {cols}) VALUES ('delete', old.id, {old_cols});
        END;
        CREATE TRIGGER leads_fts_au AFTER UPDATE OF {cols} ON leads BEGIN
          INSERT INTO leads_fts(leads_fts, rowid, {cols}) VALUES ('delete', old.id, {old_cols});
          INSERT INTO leads_fts(rowid, {cols}) VALUES (new.id, {new_cols});
        END;
    """)
    db["import_profiles"].create(
        {"id": INT, "name": TEXT, "header_signature": TEXT, "mapping": TEXT, "created_at": TEXT, "used_at": TEXT},
        pk="id",
    )
    db["import_profiles"].create_index(["header_signature"], unique=True)
    db["duplicate_candidates"].create(
        {
            "id": INT, "lead_id": INT, "other_lead_id": INT, "batch_id": INT, "similarity": REAL,
            "reason": TEXT, "status": TEXT, "decided_at": TEXT,
        },
        pk="id",
        defaults={"status": "pending"},
        foreign_keys=[("lead_id", "leads", "id"), ("other_lead_id", "leads", "id")],
    )
    db["duplicate_candidates"].create_index(["status"])
    db["duplicate_candidates"].create_index(["lead_id"])


LEAD_COUNTS_REBUILD = [
    "DELETE FROM lead_counts",
    "INSERT INTO lead_counts (status, do_not_call, n) "
    "SELECT status, coalesce(do_not_call, 0), count(*) FROM leads GROUP BY 1, 2",
]


def _v3_queue_counts_and_sorts(db: sqlite_utils.Database) -> None:
    """The rep's queue on a million leads.

    - `lead_counts`: leads per (status, do_not_call), kept exact by triggers, so the
      sidebar's status counts are a 20-row read instead of a 1M-row scan. The
      time-dependent counts (overdue, due today, nurture due) cannot be kept by
      triggers (time moves without a write); they are covering-index range scans.
    - Indexes behind each sortable column of the queue table (keyset paging needs an
      index that yields rows in sort order), and a covering index for the Today bands
      that replaces the narrower (status, next_action_at) one (`id` is spelled out
      so ORDER BY next_action_at, id still reads straight off the index).
    """
    db.executescript("""
        CREATE TABLE lead_counts (
            status TEXT NOT NULL, do_not_call INTEGER NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (status, do_not_call)) WITHOUT ROWID;
        CREATE TRIGGER lead_counts_ai AFTER INSERT ON leads BEGIN
          INSERT INTO lead_counts (status, do_not_call, n) VALUES (new.status, coalesce(new.do_not_call, 0), 1)
            ON CONFLICT (status, do_not_call) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER lead_counts_ad AFTER DELETE ON leads BEGIN
          UPDATE lead_counts SET n = n - 1
            WHERE status = old.status AND do_not_call = coalesce(old.do_not_call, 0);
        END;
        CREATE TRIGGER lead_counts_au AFTER UPDATE OF status, do_not_call ON leads
        WHEN old.status IS NOT new.status OR coalesce(old.do_not_call, 0) IS NOT coalesce(new.do_not_call, 0)
        BEGIN
          UPDATE lead_counts SET n = n - 1
            WHERE status = old.status AND do_not_call = coalesce(old.do_not_call, 0);
          INSERT INTO lead_counts (status, do_not_call, n) VALUES (new.status, coalesce(new.do_not_call, 0), 1)
            ON CONFLICT (status, do_not_call) DO UPDATE SET n = n + 1;
        END;
        DROP INDEX IF EXISTS idx_leads_status_next_action_at;
        CREATE INDEX idx_leads_queue_due ON leads (status, next_action_at, id, connects, do_not_call);
        CREATE INDEX idx_leads_status_company ON leads (status, company COLLATE NOCASE);
        CREATE INDEX idx_leads_company_nocase ON leads (company COLLATE NOCASE);
        CREATE INDEX idx_leads_score_created ON leads (score, created_at);
        CREATE INDEX idx_leads_last_touch ON leads (last_touch_at);
        CREATE INDEX idx_leads_timezone ON leads (timezone);
    """)
    for sql in LEAD_COUNTS_REBUILD:
        db.execute(sql)
    # A database that was analysed before (big imports and demos are) gets statistics
    # for the new indexes too, or the planner may ignore them.
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        db.execute("PRAGMA analysis_limit = 1000")
        db.execute("ANALYZE leads")


# -- metrics cubes ---------------------------------------------------------------------
# The dashboard must answer in well under a second on a million leads, and a scan of
# even a covering index over 1M rows takes seconds on a busy laptop. So two small
# count tables ("cubes") are kept in step by triggers, one row per combination of the
# keys a metric can group or filter by, with a count. Metrics read a few thousand cube
# rows instead of a million leads. Keys are never NULL ('' / 0 instead), so UPSERT
# conflicts match.

# Time-to-first-touch bins: upper bounds in seconds (the last bin is open-ended).
TTF_BOUNDS: tuple[int, ...] = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800,
                              259200, 432000, 604800, 1209600)

_QUALIFIED_OR_LATER = "('qualified','handed_off','accepted','rejected','opportunity','won','lost')"


def _lead_key_exprs(r: str) -> dict[str, str]:
    """SQL for each cube key of lead row alias `r` (new/old, or a table alias)."""
    bins = " ".join(f"WHEN d < {b} THEN {i}" for i, b in enumerate(TTF_BOUNDS))
    return {
        "day": f"substr({r}.created_at, 1, 10)",
        "source": f"coalesce({r}.source, '')",
        "campaign": f"coalesce({r}.campaign, '')",
        "owner": f"coalesce({r}.owner, '')",
        "batch_id": f"coalesce({r}.batch_id, 0)",
        "attempted": f"(coalesce({r}.attempts, 0) > 0 OR {r}.first_touch_at IS NOT NULL)",
        "connected": f"(coalesce({r}.connects, 0) > 0)",
        "qualified": f"({r}.qualified_at IS NOT NULL OR {r}.status IN {_QUALIFIED_OR_LATER})",
        "untouched": f"({r}.status = 'new' AND {r}.first_touch_at IS NULL AND coalesce({r}.attempts, 0) = 0)",
        "ttf_bin": (
            f"(SELECT CASE WHEN d IS NULL THEN -1 {bins} ELSE {len(TTF_BOUNDS)} END FROM "
            f"(SELECT unixepoch({r}.first_touch_at) - unixepoch({r}.created_at) AS d))"
        ),
    }


LEAD_CUBE_KEYS = tuple(_lead_key_exprs("x"))
CALL_CUBE_KEYS = ("hour", "rep", "disposition")


def _call_key_exprs(r: str) -> dict[str, str]:
    return {
        "hour": f"substr({r}.occurred_at, 1, 13)",
        "rep": f"coalesce({r}.rep, '')",
        "disposition": f"coalesce({r}.disposition, '')",
    }


def _cube_statements(table: str, keys: dict[str, str], *, add: bool, where: str = "") -> str:
    cols = ", ".join(keys)
    if add:
        return (
            f"INSERT INTO {table} ({cols}, n) SELECT {', '.join(keys.values())}, 1 {where} "
            f"ON CONFLICT ({cols}) DO UPDATE SET n = n + 1;"
        )
    cond = " AND ".join(f"{k} = {v}" for k, v in keys.items())
    return f"UPDATE {table} SET n = n - 1 WHERE {cond};"


def metrics_cube_sql() -> list[str]:
    """DDL for the cubes and their triggers (used by the migration and by tests)."""
    lead_cols = LEAD_CUBE_KEYS
    lead_watch = "status, attempts, connects, first_touch_at, qualified_at, source, campaign, owner, batch_id, created_at"
    new, old = _lead_key_exprs("new"), _lead_key_exprs("old")
    cnew, cold = _call_key_exprs("new"), _call_key_exprs("old")
    return [
        f"CREATE TABLE metrics_lead_cube ({', '.join(lead_cols)}, n INTEGER NOT NULL DEFAULT 0, "
        f"PRIMARY KEY ({', '.join(lead_cols)})) WITHOUT ROWID",
        f"CREATE TABLE metrics_call_cube ({', '.join(CALL_CUBE_KEYS)}, n INTEGER NOT NULL DEFAULT 0, "
        f"PRIMARY KEY ({', '.join(CALL_CUBE_KEYS)})) WITHOUT ROWID",
        "CREATE TRIGGER metrics_leads_ai AFTER INSERT ON leads BEGIN "
        + _cube_statements("metrics_lead_cube", new, add=True, where="WHERE true") + " END",
        "CREATE TRIGGER metrics_leads_ad AFTER DELETE ON leads BEGIN "
        + _cube_statements("metrics_lead_cube", old, add=False) + " END",
        f"CREATE TRIGGER metrics_leads_au AFTER UPDATE OF {lead_watch} ON leads BEGIN "
        + _cube_statements("metrics_lead_cube", old, add=False)
        + _cube_statements("metrics_lead_cube", new, add=True, where="WHERE true") + " END",
        "CREATE TRIGGER metrics_calls_ai AFTER INSERT ON activities WHEN new.kind = 'call' BEGIN "
        + _cube_statements("metrics_call_cube", cnew, add=True, where="WHERE true") + " END",
        "CREATE TRIGGER metrics_calls_ad AFTER DELETE ON activities WHEN old.kind = 'call' BEGIN "
        + _cube_statements("metrics_call_cube", cold, add=False) + " END",
        "CREATE TRIGGER metrics_calls_au AFTER UPDATE OF kind, occurred_at, rep, disposition ON activities "
        "WHEN old.kind = 'call' OR new.kind = 'call' BEGIN "
        "UPDATE metrics_call_cube SET n = n - 1 WHERE old.kind = 'call' AND "
        + " AND ".join(f"{k} = {v}" for k, v in cold.items()) + "; "
        + _cube_statements("metrics_call_cube", cnew, add=True, where="WHERE new.kind = 'call'") + " END",
    ]


def metrics_cube_rebuild_sql() -> list[str]:
    """Refill both cubes from the tables (after a bulk load that bypassed triggers)."""
    lead, call = _lead_key_exprs("x"), _call_key_exprs("x")
    return [
        "DELETE FROM metrics_lead_cube",
        f"INSERT INTO metrics_lead_cube ({', '.join(lead)}, n) SELECT {', '.join(f'{v} AS {k}' for k, v in lead.items())}, "
        f"count(*) FROM leads AS x GROUP BY {', '.join(lead)}",
        "DELETE FROM metrics_call_cube",
        f"INSERT INTO metrics_call_cube ({', '.join(call)}, n) SELECT {', '.join(f'{v} AS {k}' for k, v in call.items())}, "
        f"count(*) FROM activities AS x WHERE x.kind = 'call' GROUP BY {', '.join(call)}",
    ]


# Handoff facts: one narrow row per handoff with its lead's grouping keys, so handoff
# stages, opportunity dates and follow-ups never touch the wide lead or handoff rows.
HANDOFF_OPP_DATE = (
    "coalesce({h}.opportunity_at, CASE WHEN {h}.outcome IN ('opportunity', 'won') "
    "THEN coalesce({h}.outcome_at, {h}.handed_off_at) END)"
)


def _handoff_fact_select(h: str, lead_filter: str) -> str:
    return (
        f"SELECT {h}.id, {h}.lead_id, l.created_at, coalesce(l.source, ''), coalesce(l.campaign, ''), "
        f"coalesce(l.owner, ''), coalesce(l.batch_id, 0), {h}.field_rep_id, coalesce({h}.field_rep, ''), "
        f"{h}.handed_off_at, {h}.outcome, ({h}.outcome <> 'pending' OR {h}.outcome_at IS NOT NULL), "
        f"{HANDOFF_OPP_DATE.format(h=h)}, {h}.amount "
        f"FROM leads l WHERE l.id = {lead_filter}"
    )


HANDOFF_FACT_COLUMNS = (
    "handoff_id, lead_id, created_at, source, campaign, owner, batch_id, field_rep_id, field_rep, "
    "handed_off_at, outcome, has_feedback, opp_at, amount"
)


def metrics_facts_sql() -> list[str]:
    return [
        # Keyed by lead first: handoff stages aggregate per lead in key order.
        "CREATE TABLE metrics_handoff_facts (handoff_id INTEGER NOT NULL, lead_id INTEGER NOT NULL, "
        "created_at TEXT, source TEXT, campaign TEXT, owner TEXT, batch_id INTEGER, field_rep_id INTEGER, "
        "field_rep TEXT, handed_off_at TEXT, outcome TEXT, has_feedback INTEGER, opp_at TEXT, amount REAL, "
        "PRIMARY KEY (lead_id, handoff_id)) WITHOUT ROWID",
        "CREATE TRIGGER metrics_handoffs_ai AFTER INSERT ON handoffs BEGIN "
        f"INSERT OR REPLACE INTO metrics_handoff_facts ({HANDOFF_FACT_COLUMNS}) "
        f"{_handoff_fact_select('new', 'new.lead_id')}; END",
        "CREATE TRIGGER metrics_handoffs_au AFTER UPDATE ON handoffs BEGIN "
        "DELETE FROM metrics_handoff_facts WHERE lead_id = old.lead_id AND handoff_id = old.id; "
        f"INSERT OR REPLACE INTO metrics_handoff_facts ({HANDOFF_FACT_COLUMNS}) "
        f"{_handoff_fact_select('new', 'new.lead_id')}; END",
        "CREATE TRIGGER metrics_handoffs_ad AFTER DELETE ON handoffs BEGIN "
        "DELETE FROM metrics_handoff_facts WHERE lead_id = old.lead_id AND handoff_id = old.id; END",
        "CREATE TRIGGER metrics_leads_keys_au AFTER UPDATE OF source, campaign, owner, batch_id, created_at "
        "ON leads BEGIN UPDATE metrics_handoff_facts SET created_at = new.created_at, "
        "source = coalesce(new.source, ''), campaign = coalesce(new.campaign, ''), owner = coalesce(new.owner, ''), "
        "batch_id = coalesce(new.batch_id, 0) WHERE lead_id = new.id; END",
    ]


def metrics_facts_rebuild_sql() -> list[str]:
    return [
        "DELETE FROM metrics_handoff_facts",
        f"INSERT INTO metrics_handoff_facts ({HANDOFF_FACT_COLUMNS}) "
        + _handoff_fact_select("h", "h.lead_id").replace("FROM leads l WHERE l.id = h.lead_id",
                                                          "FROM handoffs h JOIN leads l ON l.id = h.lead_id"),
    ]


def _v4_metrics(db: sqlite_utils.Database) -> None:
    for sql in [*metrics_cube_sql(), *metrics_facts_sql(), *metrics_cube_rebuild_sql(), *metrics_facts_rebuild_sql()]:
        db.execute(sql)

def derived_rebuild_sql() -> list[str]:
    """Everything triggers normally keep in step with leads, activities and handoffs
    (search index, queue counts, metrics cubes, discovery summaries, latest meetings),
    rebuilt from the tables: for bulk loads that drop the triggers for speed."""
    return [
        "INSERT INTO leads_fts(leads_fts) VALUES('rebuild')",
        *LEAD_COUNTS_REBUILD,
        *metrics_cube_rebuild_sql(),
        *metrics_facts_rebuild_sql(),
        discovery_summary.rebuild_sql(),
        latest_meeting.rebuild_sql(),
        *PHONE_DIGITS_REBUILD,
    ]


def _v5_crm_export(db: sqlite_utils.Database) -> None:
    """CRM exports at 100,000 rows a second: the discovery summary kept with the lead
    (see `discovery_summary`), and the latest meeting of a lead read off an index
    in handoff order instead of sorting its handoffs for every exported row."""
    db.execute("ALTER TABLE leads ADD COLUMN discovery_summary TEXT")
    for sql in discovery_summary.ddl():
        db.execute(sql)
    db.execute(discovery_summary.rebuild_sql())
    db.execute(f"CREATE INDEX {latest_meeting.INDEX} ON handoffs (lead_id, handed_off_at) WHERE meeting_at IS NOT NULL")


def _v6_latest_meeting(db: sqlite_utils.Database) -> None:
    """The latest recorded meeting kept with the lead (see `latest_meeting`): a CRM
    export read it per lead from the handoffs, an eighth of its time."""
    db.execute("ALTER TABLE leads ADD COLUMN latest_meeting_at TEXT")
    for sql in latest_meeting.ddl(booked=False):
        db.execute(sql)
    db.execute(latest_meeting.rebuild_sql(booked=False))


def _booked_meetings(db: sqlite_utils.Database) -> None:
    """The first meeting ticked in the Qualify dialog is the meeting in every format
    (`leads.booked_meeting_at`, see `latest_meeting`). Leads qualified with a meeting
    before this step kept it only as their next action ("Field meeting with ..."): it is
    taken from there. Written to run once whatever its number (tests rewind v6 alone)."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(leads)").fetchall()}
    if "booked_meeting_at" not in columns:
        db.execute("ALTER TABLE leads ADD COLUMN booked_meeting_at TEXT")
    for name in (*latest_meeting.TRIGGERS, *latest_meeting.BOOKED_TRIGGERS):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    for sql in latest_meeting.ddl():
        db.execute(sql)
    db.execute("UPDATE leads SET booked_meeting_at = next_action_at WHERE booked_meeting_at IS NULL "
               "AND status = 'qualified' AND next_action_at IS NOT NULL AND next_action LIKE 'Field meeting with %'")
    db.execute(latest_meeting.rebuild_sql())


def known_rep(conn) -> str | None:
    """The one local user's name as the data knows it: the name in Settings, else the
    only name the activities, handoffs and lead owners carry. None when there is no
    name or more than one (a database shared by several reps)."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'rep_name'").fetchone()
    try:
        name = json.loads(row[0]) if row else None
    except (ValueError, TypeError):
        name = None
    if isinstance(name, str) and name.strip():
        return name.strip()
    names = [r[0] for r in conn.execute(
        "SELECT rep FROM activities WHERE rep IS NOT NULL AND rep <> '' "
        "UNION SELECT by_rep FROM handoffs WHERE by_rep IS NOT NULL AND by_rep <> '' "
        "UNION SELECT owner FROM leads WHERE owner IS NOT NULL AND owner <> '' LIMIT 2").fetchall()]
    return names[0] if len(names) == 1 and isinstance(names[0], str) else None


def _activity_reps(db: sqlite_utils.Database) -> None:
    """Every activity carries the rep who did it. Calls logged before this step, and
    anything logged before the rep's name was set, have none: with one local user the
    rep is known (the name in Settings, else the one name the activities already
    carry) and fills them; imports stay without, as the file brought those leads."""
    rep = known_rep(db.conn)
    if rep:
        db.execute("UPDATE activities SET rep = ? WHERE rep IS NULL AND kind <> 'import'", [rep])


def _playbook(db: sqlite_utils.Database) -> None:
    """Cadences, scripts, e-mail templates and enrolments (see `cadence_tables`)."""
    for sql in cadence_tables.ddl():
        db.execute(sql)


def _learned_score(db: sqlite_utils.Database) -> None:
    """The learned score (see `leadtriage.scoring.learned`): the trained models as JSON
    numbers (a format that cannot run code, so a database from elsewhere cannot
    smuggle any in), a rep's pinned priority, and sources that differ only in case
    folded into their most common spelling."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS score_models (id INTEGER PRIMARY KEY, trained_at TEXT NOT NULL, "
        "model TEXT NOT NULL, report TEXT NOT NULL)")
    columns = {r[1] for r in db.execute("PRAGMA table_info(leads)")}
    if "score_pinned" not in columns:
        db.execute("ALTER TABLE leads ADD COLUMN score_pinned INTEGER")  # 0-100 set by a rep; NULL: the score decides
    fold_source_case(db.conn)


def fold_source_case(conn) -> int:
    """'google' and 'Google' become one source, spelled as most leads spell it."""
    spellings: dict[str, list[tuple[int, str]]] = {}
    for name, n in conn.execute("SELECT source, count(*) FROM leads WHERE source IS NOT NULL GROUP BY source"):
        spellings.setdefault(str(name).casefold(), []).append((n, str(name)))
    changed = 0
    for variants in spellings.values():
        if len(variants) < 2:
            continue
        variants.sort(key=lambda v: (-v[0], v[1]))
        keep = variants[0][1]
        for _, name in variants[1:]:
            for table in ("leads", "import_batches", "campaigns"):
                changed += conn.execute(f"UPDATE {table} SET source = ? WHERE source = ?", (keep, name)).rowcount
    if changed:
        # The triggers moved the counts to the kept spelling; the emptied cube rows
        # would still list the old spelling as a group of nobody.
        conn.execute("DELETE FROM metrics_lead_cube WHERE n = 0")
    return changed


PHONE_DIGITS_REBUILD = [
    "DELETE FROM leads_phone_fts",
    "INSERT INTO leads_phone_fts (rowid, digits) SELECT id, replace(phone, '+', '') FROM leads WHERE phone IS NOT NULL",
]


def _phone_digit_search(db: sqlite_utils.Database) -> None:
    """Find a lead by any run of digits of its number: `030 5525372` (national form),
    `+49 30 5525372` or `5525372` (the last digits) for +49305525372. The word index
    only matches a number from its first digit, so the number's digits get their own
    trigram index, where a run of three or more digits is an indexed look-up (see
    `store.queue.phone_digits`). Kept by triggers, rebuilt with the other derived
    tables after a bulk load. Safe to run again over its own result (IF NOT EXISTS;
    the index is rebuilt from the leads)."""
    db.executescript("""
        CREATE VIRTUAL TABLE IF NOT EXISTS leads_phone_fts USING fts5(digits, tokenize='trigram');
        CREATE TRIGGER IF NOT EXISTS leads_phone_fts_ai AFTER INSERT ON leads WHEN new.phone IS NOT NULL BEGIN
          INSERT INTO leads_phone_fts (rowid, digits) VALUES (new.id, replace(new.phone, '+', ''));
        END;
        CREATE TRIGGER IF NOT EXISTS leads_phone_fts_ad AFTER DELETE ON leads BEGIN
          DELETE FROM leads_phone_fts WHERE rowid = old.id;
        END;
        CREATE TRIGGER IF NOT EXISTS leads_phone_fts_au AFTER UPDATE OF phone ON leads BEGIN
          DELETE FROM leads_phone_fts WHERE rowid = old.id;
          INSERT INTO leads_phone_fts (rowid, digits)
            SELECT new.id, replace(new.phone, '+', '') WHERE new.phone IS NOT NULL;
        END;
    """)
    for sql in PHONE_DIGITS_REBUILD:
        db.execute(sql)


def _queue_sorts_by_name_and_within_bands(db: sqlite_utils.Database) -> None:
    """Sorting the queue by name, and sorting Today's bands by any column.

    - Name sorts by last name: an index per status view and one for All, like company.
    - Today's Overdue and Due today bands are ranges of next_action_at; sorted by
      another column, every lead of the band is read and sorted. The band index (it
      replaces the cadence step's, whose columns it keeps, in_cadence included) now
      carries the sortable columns too, so that read stays inside the index (a
      17,000-lead band sorted by score: 185 ms through the table, 15-30 ms here)."""
    db.executescript("""
        DROP INDEX IF EXISTS idx_leads_queue_due;
        DROP INDEX IF EXISTS idx_leads_queue_due_cadence;
        CREATE INDEX IF NOT EXISTS idx_leads_queue_band ON leads (status, next_action_at, id, connects, do_not_call,
            in_cadence, score, created_at, last_touch_at, company COLLATE NOCASE, last_name COLLATE NOCASE);
        CREATE INDEX IF NOT EXISTS idx_leads_status_last_name ON leads (status, last_name COLLATE NOCASE);
        CREATE INDEX IF NOT EXISTS idx_leads_last_name_nocase ON leads (last_name COLLATE NOCASE);
    """)
    # As in the queue-counts migration: an analysed database needs statistics for
    # the new indexes, or the planner may pass them over (seconds per page).
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        db.execute("PRAGMA analysis_limit = 1000")
        db.execute("ANALYZE leads")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_core,
    _v2_search_and_profiles,
    _v3_queue_counts_and_sorts,
    _v4_metrics,
    _v5_crm_export,
    _v6_latest_meeting,
    _playbook,
    _booked_meetings,
    _activity_reps,
    _learned_score,
    _phone_digit_search,
    _queue_sorts_by_name_and_within_bands,
    sync_outbox.migrate,  # team mode: outbox, clock, team-wide IDs (see sync_outbox)
]
LATEST_VERSION = len(MIGRATIONS)

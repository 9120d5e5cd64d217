"""Numbered schema migrations. Each runs in one transaction; `db.py` backs the file
up first. Never edit a released step: add a new one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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
        INSERT INTO lead_counts (status, do_not_call, n)
            SELECT status, coalesce(do_not_call, 0), count(*) FROM leads GROUP BY 1, 2;
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
    # A database that was analysed before (big imports and demos are) gets statistics
    # for the new indexes too, or the planner may ignore them.
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        db.execute("PRAGMA analysis_limit = 1000")
        db.execute("ANALYZE leads")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _v1_core,
    _v2_search_and_profiles,
    _v3_queue_counts_and_sorts,
]
LATEST_VERSION = len(MIGRATIONS)

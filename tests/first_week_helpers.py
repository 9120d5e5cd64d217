"""Undoing the schema versions of the first-week fixes (tests of upgrades): the phone
digit index and the name / within-band sort indexes. Older upgrade tests rewind this
first, then their own versions."""

from __future__ import annotations


def rewind_first_week(conn) -> None:
    from leadtriage.store.schema import MIGRATIONS, _phone_digit_search
    from tests.team_helpers import rewind_team

    rewind_team(conn)  # the team step comes after these
    for name in ("leads_phone_fts_ai", "leads_phone_fts_ad", "leads_phone_fts_au"):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    conn.execute("DROP TABLE IF EXISTS leads_phone_fts")
    for name in ("idx_leads_queue_band", "idx_leads_status_last_name", "idx_leads_last_name_nocase"):
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    conn.execute("CREATE INDEX IF NOT EXISTS idx_leads_queue_due_cadence "
                 "ON leads (status, next_action_at, id, connects, do_not_call, in_cadence)")
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_phone_digit_search)}")

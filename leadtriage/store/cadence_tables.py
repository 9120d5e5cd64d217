"""Tables of the rep's playbook (cadences, their steps, scripts, templates,
enrolments and the touches made along them), and how the queue sees them.

Two things are kept by SQLite triggers so that no writer can forget them:

- `leads.in_cadence` is 1 while the lead has a running enrolment (not ended, not
  paused). The Today queue keeps such leads out of its other bands, so a lead shows
  once, in "Cadence due", when its step is due; a paused lead goes back to
  the rep's ordinary work (its callbacks, attempts). The flag is the last column of the covering index the Today bands
  read, so the extra condition costs no row look-ups.
- An enrolment ends, with its reason, when the lead leaves the working queue by any
  path (the call panel, a bulk action, a handoff, an outcome import): qualified,
  nurtured, disqualified, or marked do-not-call / do-not-e-mail. A lead that had
  run out of steps ends as `out_of_steps`, with the rep's decision beside it.
"""

from __future__ import annotations

QUALIFIED_OR_LATER = "('qualified', 'handed_off', 'accepted', 'opportunity', 'won')"

_EXIT_WHEN = (
    "("
    f"(old.status IS NOT new.status AND new.status IN ('nurture', 'disqualified', {QUALIFIED_OR_LATER[1:-1]})) "
    "OR (coalesce(new.do_not_call, 0) = 1 AND coalesce(old.do_not_call, 0) = 0) "
    "OR (coalesce(new.do_not_email, 0) = 1 AND coalesce(old.do_not_email, 0) = 0))"
)
_REASON = (
    "CASE WHEN coalesce(new.do_not_call, 0) = 1 AND coalesce(old.do_not_call, 0) = 0 THEN 'do_not_call' "
    "WHEN coalesce(new.do_not_email, 0) = 1 AND coalesce(old.do_not_email, 0) = 0 THEN 'do_not_email' "
    f"WHEN new.status IN {QUALIFIED_OR_LATER} THEN 'qualified' "
    "WHEN new.status = 'nurture' THEN 'nurtured' ELSE 'disqualified' END"
)
_IN_CADENCE = (
    "UPDATE leads SET in_cadence = CASE WHEN EXISTS (SELECT 1 FROM enrolments e "
    "WHERE e.lead_id = leads.id AND e.ended_at IS NULL AND e.paused_at IS NULL) THEN 1 END WHERE id = {who}"
)


def ddl() -> list[str]:
    return [
        "CREATE TABLE cadences (id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE, "
        "description TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE TABLE cadence_steps (cadence_id INTEGER NOT NULL REFERENCES cadences(id) ON DELETE CASCADE, "
        "position INTEGER NOT NULL, kind TEXT NOT NULL, delay_days INTEGER NOT NULL, window_start TEXT, "
        "window_end TEXT, title TEXT, script TEXT, template TEXT, PRIMARY KEY (cadence_id, position))",
        "CREATE TABLE email_templates (id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE, "
        "subject TEXT NOT NULL, body TEXT NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE TABLE objections (id INTEGER PRIMARY KEY, cadence_id INTEGER NOT NULL "
        "REFERENCES cadences(id) ON DELETE CASCADE, objection TEXT NOT NULL, answer TEXT NOT NULL)",
        "CREATE INDEX objections_cadence ON objections (cadence_id)",
        "CREATE TABLE source_scripts (source TEXT PRIMARY KEY COLLATE NOCASE, body TEXT NOT NULL)",
        "CREATE TABLE enrolments (id INTEGER PRIMARY KEY, lead_id INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE, "
        "cadence_id INTEGER NOT NULL REFERENCES cadences(id), step INTEGER NOT NULL DEFAULT 0, due_at TEXT, "
        "wait_reason TEXT, enrolled_at TEXT NOT NULL, enrolled_by TEXT, paused_at TEXT, ended_at TEXT, "
        "exit_reason TEXT, decision TEXT, last_activity_id INTEGER NOT NULL DEFAULT 0)",
        # One running enrolment per lead; the Today band walks the due index in order.
        "CREATE UNIQUE INDEX enrolments_running ON enrolments (lead_id) WHERE ended_at IS NULL",
        "CREATE INDEX enrolments_due ON enrolments (due_at, lead_id) WHERE ended_at IS NULL AND paused_at IS NULL",
        "CREATE INDEX enrolments_cadence ON enrolments (cadence_id, ended_at)",
        "CREATE INDEX enrolments_lead ON enrolments (lead_id)",
        "CREATE TABLE cadence_touches (id INTEGER PRIMARY KEY, enrolment_id INTEGER NOT NULL "
        "REFERENCES enrolments(id) ON DELETE CASCADE, step INTEGER NOT NULL, kind TEXT NOT NULL, activity_id INTEGER, "
        "outcome TEXT NOT NULL, connected INTEGER NOT NULL DEFAULT 0, replied_at TEXT, at TEXT NOT NULL)",
        "CREATE INDEX cadence_touches_enrolment ON cadence_touches (enrolment_id, step)",
        # Bulk actions on a queue selection, each undone as one step.
        "CREATE TABLE playbook_bulk (id INTEGER PRIMARY KEY, at TEXT NOT NULL, label TEXT NOT NULL, "
        "undo TEXT NOT NULL, undone INTEGER NOT NULL DEFAULT 0)",
        "ALTER TABLE leads ADD COLUMN in_cadence INTEGER",
        # The Today bands' covering index, with the cadence flag as its last column.
        "DROP INDEX IF EXISTS idx_leads_queue_due",
        "CREATE INDEX idx_leads_queue_due_cadence ON leads (status, next_action_at, id, connects, do_not_call, in_cadence)",
        # New leads held by a cadence, counted without touching the other new leads.
        "CREATE INDEX idx_leads_in_cadence ON leads (status, do_not_call) WHERE in_cadence = 1",
        *triggers(),
    ]


def triggers() -> list[str]:
    return [
        "CREATE TRIGGER enrolments_ai AFTER INSERT ON enrolments WHEN new.ended_at IS NULL AND new.paused_at IS NULL BEGIN "
        + _IN_CADENCE.format(who="new.lead_id") + "; END",
        "CREATE TRIGGER enrolments_au AFTER UPDATE OF ended_at, paused_at, lead_id ON enrolments BEGIN "
        + _IN_CADENCE.format(who="old.lead_id") + "; " + _IN_CADENCE.format(who="new.lead_id") + "; END",
        "CREATE TRIGGER enrolments_ad AFTER DELETE ON enrolments BEGIN "
        + _IN_CADENCE.format(who="old.lead_id") + "; END",
        f"CREATE TRIGGER leads_cadence_exit AFTER UPDATE OF status, do_not_call, do_not_email ON leads "
        f"WHEN {_EXIT_WHEN} BEGIN "
        "UPDATE enrolments SET ended_at = coalesce(new.updated_at, strftime('%Y-%m-%d %H:%M:%S', 'now')), "
        "due_at = NULL, paused_at = NULL, wait_reason = NULL, "
        "exit_reason = CASE WHEN step >= (SELECT count(*) FROM cadence_steps s WHERE s.cadence_id = enrolments.cadence_id) "
        f"THEN 'out_of_steps' ELSE {_REASON} END, decision = {_REASON} "
        "WHERE lead_id = new.id AND ended_at IS NULL; END",
    ]


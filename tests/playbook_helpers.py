"""A small cadence and a movable clock for the playbook tests."""

from __future__ import annotations

from datetime import UTC, datetime

from leadtriage.playbook.service import PlaybookService
from leadtriage.services.leads import LeadService

CADENCE_YAML = """\
name: Inbound
description: Webinar sign-ups
steps:
  - type: call
    delay: 0
    title: First call
    script: |
      Hi {{ first_name }}, this is {{ rep_name }} about {{ company }}.
  - type: email
    delay: 1
    template: intro
  - type: voicemail
    delay: 2
    window: "10:00-12:00"
  - type: linkedin
    delay: 1
  - type: task
    delay: 0
    title: Research the account
objections:
  - objection: We already have a tool
    answer: Most of our customers did too; what made you sign up?
  - objection: Send me an e-mail
    answer: Gladly; what should it answer for you?
templates:
  - name: intro
    subject: "{{ company }} and us"
    body: |
      Hi {{ first_name }},
      thanks for joining the webinar.
"""


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def playbook(store, now: datetime = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)) -> tuple[PlaybookService, Clock]:
    clock = Clock(now)
    service = PlaybookService(store, LeadService(store, "Rita", clock))
    service.import_text(CADENCE_YAML, "inbound.yaml")
    return service, clock


def rewind_playbook(conn) -> None:
    """Undo the schema version that added the playbook's tables (tests of upgrades:
    an older test rewinds this first, then its own version)."""
    from leadtriage.store.schema import MIGRATIONS, _playbook
    from tests.first_week_helpers import rewind_first_week

    rewind_first_week(conn)  # the versions after this one first
    for name in ("enrolments_ai", "enrolments_au", "enrolments_ad", "leads_cadence_exit"):
        conn.execute(f"DROP TRIGGER {name}")
    for table in ("playbook_bulk", "cadence_touches", "enrolments", "source_scripts", "objections",
                  "email_templates", "cadence_steps", "cadences"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP INDEX idx_leads_in_cadence")
    conn.execute("DROP INDEX idx_leads_queue_due_cadence")
    conn.execute("CREATE INDEX idx_leads_queue_due ON leads (status, next_action_at, id, connects, do_not_call)")
    conn.execute("ALTER TABLE leads DROP COLUMN in_cadence")
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(_playbook)}")

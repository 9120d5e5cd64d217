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

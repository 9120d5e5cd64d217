"""What a cadence is: a named list of steps, each a kind of touch, a delay in
business days after the step before (or the enrolment), and an optional window in
the lead's local time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum


class StepKind(StrEnum):
    CALL = "call"
    VOICEMAIL = "voicemail"
    EMAIL = "email"
    LINKEDIN = "linkedin"
    TASK = "task"

    @property
    def label(self) -> str:
        return {"call": "Call", "voicemail": "Voicemail", "email": "E-mail",
                "linkedin": "LinkedIn", "task": "Task"}[self.value]

    @property
    def phones(self) -> bool:
        return self in (StepKind.CALL, StepKind.VOICEMAIL)

    @property
    def activity(self) -> str:
        """The timeline kind that does this step (a voicemail is a call that found nobody)."""
        return {"call": "call", "voicemail": "call", "email": "email", "linkedin": "linkedin",
                "task": "note"}[self.value]


@dataclass(frozen=True)
class Window:
    start: time
    end: time

    def text(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Step:
    kind: StepKind
    delay_days: int = 0
    window: Window | None = None
    title: str = ""
    script: str = ""  # call / voicemail / task: what to say or do, with merge fields
    template: str = ""  # e-mail: the template's name

    @property
    def label(self) -> str:
        return self.title or self.kind.label


@dataclass(frozen=True)
class Template:
    name: str
    subject: str
    body: str


@dataclass(frozen=True)
class Objection:
    objection: str
    answer: str


@dataclass(frozen=True)
class Cadence:
    name: str
    steps: tuple[Step, ...]
    description: str = ""
    objections: tuple[Objection, ...] = ()


@dataclass(frozen=True)
class CadenceFile:
    """Everything one file brings: cadences and the templates and per-source default
    scripts they use."""

    cadences: tuple[Cadence, ...]
    templates: tuple[Template, ...] = ()
    source_scripts: dict[str, str] = field(default_factory=dict)


# Exit reasons, as stored and as a rep reads them.
EXIT_REASONS = {
    "qualified": "Reached and qualified",
    "nurtured": "Nurtured",
    "disqualified": "Disqualified",
    "do_not_call": "Marked do-not-call",
    "do_not_email": "Marked do-not-e-mail",
    "out_of_steps": "Out of steps",
    "ended": "Taken out by the rep",
}

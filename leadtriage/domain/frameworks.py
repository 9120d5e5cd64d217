"""Qualification frameworks (BANT, CHAMP, MEDDPICC, GPCTBA), defined as data files.

Each file in resources/frameworks/ names its criteria and how many must be met
before a lead may be qualified; teams can add their own file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DEFAULT_FRAMEWORK = "bant"


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    question: str


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    description: str
    threshold: int
    criteria: tuple[Criterion, ...]

    def completeness(self, answers: dict) -> float:
        """Share of criteria marked met (0..1)."""
        if not self.criteria:
            return 0.0
        met = sum(1 for c in self.criteria if (answers.get(c.key) or {}).get("met"))
        return met / len(self.criteria)

    def meets_threshold(self, answers: dict) -> bool:
        met = sum(1 for c in self.criteria if (answers.get(c.key) or {}).get("met"))
        return met >= self.threshold


def _load(path: Path) -> Framework:
    data = json.loads(path.read_text("utf-8"))
    criteria = tuple(Criterion(c["key"], c["label"], c.get("question", "")) for c in data["criteria"])
    return Framework(
        key=data["key"],
        name=data["name"],
        description=data.get("description", ""),
        threshold=int(data.get("threshold", len(criteria))),
        criteria=criteria,
    )


@cache
def load_frameworks(folder: Path | None = None) -> dict[str, Framework]:
    if folder is None:
        from leadtriage.paths import resource

        folder = resource("frameworks")
    frameworks = {}
    for path in sorted(folder.glob("*.json")):
        fw = _load(path)
        frameworks[fw.key] = fw
    return frameworks


def get_framework(key: str | None) -> Framework:
    frameworks = load_frameworks()
    return frameworks.get(key or DEFAULT_FRAMEWORK) or frameworks[DEFAULT_FRAMEWORK]

"""What an import is asked to do and what it reports: plain data shared by the
importer, the batch writer, the wizard and the command line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leadtriage.importing.mapping import Mapping
from leadtriage.importing.reader import Table

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ImportOptions:
    source: str | None = None
    campaign: str | None = None
    cost: float | None = None
    dry_run: bool = False
    default_region: str | None = None  # None: the `default_region` setting
    save_profile: bool = False  # remember the mapping for lists with these headers
    chunk_size: int = 5000


@dataclass
class ImportPlan:
    """What `prepare` found: the opened table and the mapping to use."""

    table: Table
    mapping: Mapping
    sha256: str
    mapping_source: str  # "profile", "file" or "automatic"
    previous_batches: list[dict] = field(default_factory=list)  # earlier imports of the same file

    @property
    def path(self) -> Path:
        return self.table.path


@dataclass
class ImportResult:
    batch_id: int | None
    rows: int
    inserted: int
    merged: int
    duplicates_flagged: int
    rejected: int
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    seconds: float
    dry_run: bool
    file_name: str
    same_file_batches: list[int] = field(default_factory=list)
    # Rows with an outcome: closed ones are history (won/opportunity vs disqualified),
    # open ones entered the queue at their stage.
    history_positive: int = 0
    history_negative: int = 0
    open_stages: int = 0
    # Lines whose outcome fits no known value (the lead came in without one).
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        return out


@dataclass
class UndoReport:
    batch_id: int
    removed: int
    reverted: int
    kept: list[tuple[str, str]]  # (public id, why it stayed)
    cost: float = 0.0  # the batch's cost, taken out of the spend with it
    campaign: str = ""

    def summary(self, money: Callable[[float], str] = "{:,.2f}".format) -> str:
        text = f"Batch {self.batch_id}: removed {self.removed:,} new leads, reverted {self.reverted:,} merges."
        if self.cost:
            text += f" Its cost of {money(self.cost)} no longer counts."
        if self.kept:
            text += f" {len(self.kept):,} could not be undone (see details)."
        return text

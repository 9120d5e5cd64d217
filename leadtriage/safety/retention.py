"""Which backups are kept. Retention follows long-trusted desktop apps: every backup
from today and yesterday, then the newest of each of the 12 most recent days, 10
weeks and 9 months that have one. `choose_keep` is a pure function so the rule can
be tested with made-up dates."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from leadtriage.paths import backups_dir
from leadtriage.safety.backup import list_backups, remove_stale_parts

log = logging.getLogger(__name__)

KEEP_DAILY = 12
KEEP_WEEKLY = 10
KEEP_MONTHLY = 9


def choose_keep(stamps: Iterable[datetime], today: date) -> set[datetime]:
    """Which backups to keep: all from today and yesterday; of the older ones, the
    newest in each of the 12 most recent days, 10 most recent ISO weeks and 9 most
    recent months that have a backup. Backups dated in the future (a clock that
    jumped) are kept: we cannot tell how old they really are."""
    stamps = sorted(set(stamps), reverse=True)
    yesterday = today - timedelta(days=1)
    keep = {s for s in stamps if s.date() >= yesterday}
    older = [s for s in stamps if s.date() < yesterday]
    for bucket, limit in (
        (lambda d: d.date(), KEEP_DAILY),
        (lambda d: d.isocalendar()[:2], KEEP_WEEKLY),
        (lambda d: (d.year, d.month), KEEP_MONTHLY),
    ):
        seen: set[object] = set()
        for stamp in older:  # newest first: the first of each bucket is its newest
            key = bucket(stamp)
            if key in seen:
                continue
            if len(seen) == limit:
                break
            seen.add(key)
            keep.add(stamp)
    return keep


def prune(db_path: Path, folder: Path | None = None, *, now: datetime | None = None) -> list[Path]:
    """Delete backups the retention rule no longer keeps; returns what was deleted.
    The newest backup that passes its check is never deleted."""
    now = now or datetime.now()
    backups = list_backups(db_path, folder)
    keep = choose_keep((b.created for b in backups), now.date())
    removed: list[Path] = []
    for info in backups:
        if info.created in keep:
            continue
        try:
            info.path.unlink()
            removed.append(info.path)
        except OSError as exc:
            log.warning("could not remove old backup %s: %s", info.path.name, exc.strerror)
    remove_stale_parts(folder or backups_dir(db_path), db_path.stem)
    if removed:
        log.info("removed %d old backups", len(removed))
    return removed

"""Phone numbers for a whole chunk at once, optionally in a helper process.

phonenumbers parses and validates roughly 20-50k numbers a second on one core,
and lead lists rarely repeat numbers, so on a big import it is the largest single
cost. `PhoneResolver` lets the importer hand a chunk's numbers to one helper
process while it normalises and writes the previous chunk (a two-stage pipeline).
Small imports resolve in-process: a process start costs more than it saves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from leadtriage.importing.normalise import PhoneResult, normalise_phone

log = logging.getLogger(__name__)
Pair = tuple[str, str]  # (raw text, region to read it in)


def resolve(pairs: Sequence[Pair]) -> list[tuple]:
    """Plain tuples travel between processes faster than dataclasses."""
    out = []
    for raw, region in pairs:
        r = normalise_phone(raw, region)
        out.append((r.e164, r.ext, r.valid, r.region))
    return out


def _watch_parent(parent: int) -> None:
    """In the helper: exit as soon as the importing process is gone (killed, crashed),
    instead of lingering as an orphan."""
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class _Done(Future):
    def __init__(self, value: list[tuple]):
        super().__init__()
        self.set_result(value)


class PhoneResolver:
    def __init__(self, parallel: bool):
        self._pool: ProcessPoolExecutor | None = None
        # Not in a frozen bundle: multiprocessing there needs freeze_support() at start-up.
        if (parallel and (os.cpu_count() or 1) > 1 and not getattr(sys, "frozen", False)
                and os.environ.get("LEADTRIAGE_IMPORT_WORKERS", "1") != "0"):
            # spawn, not fork: the app has Qt threads running, and fork with threads is unsafe.
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_watch_parent, initargs=(os.getpid(),))

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def submit(self, pairs: list[Pair]) -> tuple[list[Pair], Future]:
        if self._pool is None or len(pairs) < 200:
            return pairs, _Done(resolve(pairs))
        return pairs, self._pool.submit(resolve, pairs)

    def results(self, pending: tuple[list[Pair], Future]) -> list[PhoneResult]:
        pairs, future = pending
        try:
            values = future.result()
        except BrokenProcessPool:
            # The helper could not start or died: carry on in this process (slower, same answers).
            log.warning("phone helper process failed; continuing in-process")
            self.close()
            values = resolve(pairs)
        return [PhoneResult(*t) for t in values]

    def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                pool.shutdown(wait=True, cancel_futures=True)
            except BrokenProcessPool:
                pass

"""Phone numbers for a whole chunk at once, optionally in a helper process.

phonenumbers parses and validates roughly 20-50k numbers a second on one core,
and lead lists rarely repeat numbers, so on a big import it is the largest single
cost. `PhoneResolver` lets the importer hand a chunk's numbers to one helper
process while it normalises and writes the previous chunk (a two-stage pipeline).
Small imports resolve in-process: a process start costs more than it saves.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import Future

from leadtriage.importing.normalise import PhoneResult, normalise_phone
from leadtriage.util import processes

Pair = tuple[str, str]  # (raw text, region to read it in)


def resolve(pairs: Sequence[Pair]) -> list[tuple]:
    """Plain tuples travel between processes faster than dataclasses."""
    out = []
    for raw, region in pairs:
        r = normalise_phone(raw, region)
        out.append((r.e164, r.ext, r.valid, r.region))
    return out


class PhoneResolver:
    def __init__(self, parallel: bool):
        # Not in a frozen bundle: multiprocessing there needs freeze_support() at start-up.
        helper = (parallel and processes.spare_core() and not getattr(sys, "frozen", False)
                  and os.environ.get("LEADTRIAGE_IMPORT_WORKERS", "1") != "0")
        self._pool = processes.HelperPool(1, what="phone", run_here=not helper, watch_parent=True)

    @property
    def parallel(self) -> bool:
        return self._pool.parallel

    def submit(self, pairs: list[Pair]) -> tuple[list[Pair], Future]:
        if not self._pool.parallel or len(pairs) < 200:
            done: Future = Future()
            done.set_result(resolve(pairs))
            return pairs, done
        return pairs, self._pool.submit(resolve, pairs)

    def results(self, pending: tuple[list[Pair], Future]) -> list[PhoneResult]:
        pairs, future = pending
        return [PhoneResult(*t) for t in self._pool.result(future, resolve, pairs)]

    def close(self) -> None:
        self._pool.close()

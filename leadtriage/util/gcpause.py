"""Bulk work with Python's cyclic garbage collector paused.

An import batch or a CSV export makes next to no reference cycles, but millions of
objects (records, caches, split cells), and each collection walks every object the
process holds, the app's own included: 10-14% of such work's time. Paused for the
work, resumed after, whatever happens (cancel, error)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

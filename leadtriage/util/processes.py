"""Work in other processes, with one fallback: when the system will not give us a
process (process limits, memory), or a helper dies, the work runs in this process
instead: slower, same answers. The phone parser, the PDF writer, the demo
generator and the learned score's retraining all go through here.

Always "spawn", never "fork": the app has Qt threads running, and forking a
process with threads is unsafe. Spawn also works in the bundled app
(packaging/entry.py calls freeze_support first)."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def context() -> SpawnContext:
    return multiprocessing.get_context("spawn")


def spare_core() -> bool:
    """A helper process only pays where another core runs it beside this one."""
    return (os.cpu_count() or 1) > 1


def start_helper(target: Callable[..., Any], args: tuple, *, name: str, what: str) -> SpawnProcess | None:
    """A started daemon process, or None (logged) when none can be had: the caller
    then does `what` in this process."""
    process = context().Process(target=target, args=args, name=name, daemon=True)
    try:
        process.start()
    except OSError as exc:
        log.warning("could not start the %s helper process (%s); working in this process", what, exc.strerror)
        return None
    return process


def exit_with_parent(parent: int) -> None:
    """Pool initializer: the helper exits as soon as the process that started it is
    gone (killed, crashed), instead of lingering as an orphan."""
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class HelperPool:
    """Spawn processes that run functions for us. `run_here=True` (or a pool that
    broke) runs every call in this process; `result` re-runs a call whose helper
    died, here, so the caller's answer never depends on the helpers."""

    def __init__(self, workers: int, *, what: str, run_here: bool = False, watch_parent: bool = False):
        self.what = what
        self._pool: ProcessPoolExecutor | None = None
        if not run_here:
            extra: dict[str, Any] = (
                {"initializer": exit_with_parent, "initargs": (os.getpid(),)} if watch_parent else {})
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context(), **extra)

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        if self._pool is not None:
            try:
                return self._pool.submit(fn, *args)
            except (OSError, BrokenProcessPool) as exc:  # no process to be had
                self._broken(exc)
        done: Future[T] = Future()
        done.set_result(fn(*args))
        return done

    def result(self, future: Future[T], fn: Callable[..., T], *args: Any) -> T:
        """`future`'s value; computed here when its helper could not start or died."""
        try:
            return future.result()
        except BrokenProcessPool as exc:
            self._broken(exc)
            return fn(*args)

    def _broken(self, exc: BaseException) -> None:
        log.warning("the %s helper process failed (%s); continuing in this process", self.what, exc)
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            try:
                pool.shutdown(wait=True, cancel_futures=True)
            except BrokenProcessPool:
                pass

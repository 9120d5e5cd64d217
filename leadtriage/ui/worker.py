"""The app's one way to run long work off the UI thread.

`Worker.run(fn, on_done=...)` calls `fn(progress)` on a QThreadPool and delivers the
result, the error or progress on the UI thread. Tests pass `synchronous=True` and
get the same callbacks, in order, without threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from leadtriage.util.progress import Cancelled, Progress

log = logging.getLogger(__name__)


class _Relay(QObject):
    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(object)
    cancelled = Signal()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[Progress], Any], relay: _Relay, progress: Progress):
        super().__init__()
        self.fn, self.relay, self.progress = fn, relay, progress

    def run(self) -> None:
        try:
            result = self.fn(self.progress)
        except Cancelled:
            self.relay.cancelled.emit()
        except BaseException as exc:  # delivered to on_error on the UI thread
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(result)


class TaskHandle:
    def __init__(self, progress: Progress, relay: _Relay):
        self._progress = progress
        self.relay = relay  # keeps the signal object alive until the task ends

    def cancel(self) -> None:
        self._progress.cancel()


class Worker(QObject):
    def __init__(self, parent: QObject | None = None, synchronous: bool = False):
        super().__init__(parent)
        self.synchronous = synchronous
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._running: set[TaskHandle] = set()

    def run(
        self,
        fn: Callable[[Progress], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> TaskHandle:
        relay = _Relay()
        progress = Progress(relay.progress.emit)
        handle = TaskHandle(progress, relay)
        if on_progress:
            relay.progress.connect(on_progress)

        def finish(callback: Callable | None, *args: Any) -> None:
            self._running.discard(handle)
            if callback:
                callback(*args)

        relay.done.connect(lambda result: finish(on_done, result))
        relay.failed.connect(lambda exc: finish(on_error or _reraise, exc))
        relay.cancelled.connect(lambda: finish(on_cancelled))
        self._running.add(handle)
        job = _Job(fn, relay, progress)
        if self.synchronous:
            job.run()
        else:
            self.pool.start(job)
        return handle

    def wait(self, msecs: int = 30000) -> bool:
        return self.pool.waitForDone(msecs)


def _reraise(exc: BaseException) -> None:
    raise exc

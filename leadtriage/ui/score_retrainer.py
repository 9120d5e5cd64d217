"""Retraining the score on its own: when enough leads closed since the last training
(an import with outcomes, field outcomes coming back, reps disqualifying), the model
learns again in a child process (see `scoring.background`) while the queue stays
usable; the status bar shows progress and the queue reloads with the new scores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow

from leadtriage.scoring.training import RETRAIN_EVERY as EVERY  # newly closed leads per retrain
from leadtriage.store.db import Store
from leadtriage.ui.worker import Worker


class ScoreRetrainer(QObject):
    finished = Signal(object)  # the training report

    def __init__(self, store: Store, worker: Worker, window: QMainWindow, on_done: Callable[[], None]):
        super().__init__(window)
        self.store, self.worker, self.window, self.on_done = store, worker, window, on_done
        self._task = None
        self._last: int | None = None

    def due(self) -> bool:
        from leadtriage.scoring.training import closed_total, latest_report

        if self._last is None:
            report = latest_report(self.store) or {}
            self._last = int(report.get("closed_total") or 0)
        return abs(closed_total(self.store.conn) - self._last) >= EVERY  # an undone import counts too

    def check(self) -> bool:
        """Start a retrain when one is due. A synchronous worker is the tests' stand-in,
        where a retrain would run inside every refresh: there only `start()` retrains."""
        if self._task is not None or self.worker.synchronous or not self.due():
            return False
        self.start()
        return True

    def start(self) -> None:
        from leadtriage.scoring.background import run_in_child
        from leadtriage.scoring.training import closed_total

        self._last = closed_total(self.store.conn)
        path = self.store.path
        bar = self.window.statusBar()

        def progress(done: int, total: int, message: str) -> None:
            bar.showMessage(f"Score: {message}")

        def done(report: Any = None, error: BaseException | None = None) -> None:
            self._task = None
            if error is not None:
                bar.showMessage(str(error), 10000)
                return
            q = (report or {}).get("quality") or {}
            if report and report.get("model_id"):
                auc = f", AUC {q['auc']:.2f} on recent history" if q.get("auc") is not None else ""
                bar.showMessage(f"Score retrained on {report['history']:,} closed leads{auc}; "
                                f"{report['rescored']:,} leads re-scored.", 10000)
            self.finished.emit(report)
            self.on_done()

        self._task = self.worker.run(lambda p: run_in_child(path, p), on_done=done,
                                     on_error=lambda exc: done(error=exc), on_progress=progress)

"""Retraining in a child process, for the app.

Scoring a million leads is Python work that would hold the GIL and stall the
window for tens of seconds, so the app's worker thread only waits for a child
process and relays its progress. Cancel kills the child: training writes in one
transaction at the end, so a killed child leaves the previous model and scores
(the same guarantee a crash gets). The child opens the database without a writer
lock of its own: the app that started it holds that lock.

The child is started by `leadtriage.util.processes` (a "spawn" process, which also
works in the bundled app); where no process can be had, training runs here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leadtriage.util import processes
from leadtriage.util.progress import Cancelled, Progress


def run_in_child(db_path: Path, progress: Progress) -> dict[str, Any]:
    receive, send = processes.context().Pipe(duplex=False)
    child = processes.start_helper(_child, (str(db_path), send), name="leadtriage-retrain", what="retraining")
    if child is None:  # no process to be had: train here (the window may stall, the answer is the same)
        receive.close()
        send.close()
        return _train_here(Path(db_path), progress)
    send.close()  # the child holds the only writing end: EOF when it ends
    report: dict[str, Any] | None = None
    failure = ""
    try:
        while True:
            try:
                kind, *payload = receive.recv()
            except EOFError:
                break
            if kind == "progress":
                progress.report(*payload)  # raises Cancelled when the user cancelled
            elif kind == "report":
                report = payload[0]
            elif kind == "error":
                failure = payload[0]
    except Cancelled:
        child.kill()
        child.join()
        raise
    finally:
        receive.close()
    child.join()
    if child.exitcode != 0 or report is None:
        why = failure or f"exit code {child.exitcode}"
        raise RuntimeError(f"Retraining the score stopped ({why}); the previous model and scores stay.")
    return report


def _train_here(path: Path, progress: Progress) -> dict[str, Any]:
    from leadtriage.scoring.training import train
    from leadtriage.store.db import Store, connect

    store = Store(path, connect(path, readonly=False), lock=None)
    try:
        return train(store, progress)
    finally:
        store.conn.close()


def _child(path: str, send) -> None:
    from leadtriage.scoring.training import train
    from leadtriage.store.db import Store, connect

    def relay(done: int, total: int, message: str) -> None:
        send.send(("progress", done, total, message))

    store = Store(Path(path), connect(Path(path), readonly=False), lock=None)
    try:
        send.send(("report", train(store, Progress(relay))))
    except Exception as exc:  # noqa: BLE001 - reported to the app as one line, then the child ends
        send.send(("error", f"{type(exc).__name__}: {exc}"))
        raise SystemExit(1) from None
    finally:
        store.conn.close()
        send.close()

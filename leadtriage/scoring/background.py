"""Retraining in a child process, for the app.

Scoring a million leads is Python work that would hold the GIL and stall the
window for tens of seconds, so the app's worker thread only waits for a child
process and relays its progress. Cancel kills the child: training writes in one
transaction at the end, so a killed child leaves the previous model and scores
(the same guarantee a crash gets). The child opens the database without a writer
lock of its own: the app that started it holds that lock.

The child is a multiprocessing "spawn" process, which also works in the bundled
app (packaging/entry.py calls freeze_support first).
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from leadtriage.progress import Cancelled, Progress


def run_in_child(db_path: Path, progress: Progress) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(str(db_path), send), daemon=True)
    child.start()
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


def _child(path: str, send) -> None:
    from leadtriage.scoring.training import train
    from leadtriage.store.db import Store, _connect

    def relay(done: int, total: int, message: str) -> None:
        send.send(("progress", done, total, message))

    store = Store(Path(path), _connect(Path(path), readonly=False), lock=None)
    try:
        send.send(("report", train(store, Progress(relay))))
    except Exception as exc:  # noqa: BLE001 - reported to the app as one line, then the child ends
        send.send(("error", f"{type(exc).__name__}: {exc}"))
        raise SystemExit(1) from None
    finally:
        store.conn.close()
        send.close()

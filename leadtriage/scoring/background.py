"""Retraining in a child process, for the app.

Scoring a million leads is Python work that would hold the GIL and stall the
window for tens of seconds, so the app's worker thread only waits for a child
process and relays its progress. Cancel kills the child: training writes in one
transaction at the end, so a killed child leaves the previous model and scores
(the same guarantee a crash gets). The child opens the database without a writer
lock of its own: the app that started it holds that lock.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from leadtriage.progress import Cancelled, Progress


def run_in_child(db_path: Path, progress: Progress) -> dict[str, Any]:
    proc = subprocess.Popen([sys.executable, "-m", "leadtriage.scoring.background", str(db_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    report: dict[str, Any] | None = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            message = json.loads(line)
            if "report" in message:
                report = message["report"]
            else:
                progress.report(message["done"], message["total"], message["message"])
    except Cancelled:
        proc.kill()
        proc.wait()
        raise
    finally:
        if proc.poll() is None and report is None and progress.cancelled:
            proc.kill()
        err = proc.stderr.read() if proc.stderr else ""
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    code = proc.wait()
    if code != 0 or report is None:
        last = err.strip().splitlines()[-1] if err.strip() else f"exit code {code}"
        raise RuntimeError(f"Retraining the score stopped ({last}); the previous model and scores stay.")
    return report


def _main(path: str) -> int:
    from leadtriage.scoring.training import train
    from leadtriage.store.db import Store, _connect

    def relay(done: int, total: int, message: str) -> None:
        sys.stdout.write(json.dumps({"done": done, "total": total, "message": message}) + "\n")
        sys.stdout.flush()

    store = Store(Path(path), _connect(Path(path), readonly=False), lock=None)
    try:
        report = train(store, Progress(relay))
    finally:
        store.conn.close()
    sys.stdout.write(json.dumps({"report": report}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1]))

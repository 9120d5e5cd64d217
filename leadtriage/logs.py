"""Log file in the data folder. Messages name counts, ids and timings, never a
lead's name, phone, e-mail or notes: the log may be sent to support."""

from __future__ import annotations

import logging
import logging.handlers
import os

from leadtriage.paths import log_dir, restrict_file

_configured = False


def setup_logging(level: int = logging.INFO) -> None:
    global _configured
    if _configured or os.environ.get("LEADTRIAGE_NO_LOG_FILE"):
        return
    try:
        path = log_dir() / "leadtriage.log"
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        restrict_file(path)
    except OSError:
        return  # a read-only home must not stop the app; messages still reach stderr
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    _configured = True

"""Log file in the data folder. Messages name counts, ids and timings, never a
lead's name, phone, e-mail or notes: the log may be sent to support."""

from __future__ import annotations

import logging
import logging.handlers
import os
import traceback

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


def scrubbed_traceback(exc: BaseException) -> str:
    """Where a bug happened, without what it was about: the stack (code locations and
    source lines) and the exception types of the chain, never their messages. A
    message can carry a lead's name, e-mail or a cell of an imported file (a file name
    built from a name, a value that failed to parse), and the log may go to support."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current).__name__
        errno = getattr(current, "errno", None)
        parts.append("".join(traceback.format_tb(current.__traceback__))
                     + f"{kind}{f' (errno {errno})' if isinstance(errno, int) else ''}\n")
        current = current.__cause__ or current.__context__
    return "\n-- caused by or during --\n".join(reversed(parts))

"""Reading a CSV export's chunks ahead, on a thread with its own read-only connection.

SQLite runs a statement without Python's global lock, so the next chunk's SQL and
this chunk's checks and writing share two cores. More readers do not help: two
threads running SQLite statements in one process are no faster together than one
alone (SQLite takes a global lock around every memory allocation), and a helper
process costs ~0.2 s to start and a copy of every chunk, with both cores already
busy (tried: slower on this 2-core machine).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from leadtriage.store.lenient import decode_text


def reader(db_path: Path) -> sqlite3.Connection:
    """A read-only connection for streaming an export (it sees what is committed).
    The whole file memory-mapped (SQLite caps the size at its own limit, 2 GB)."""
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    # Lenient: the rows it reads are written out, never compared again (see `store.lenient`).
    conn.text_factory = decode_text
    conn.execute("PRAGMA mmap_size = 17179869184")
    conn.execute("PRAGMA cache_size = -32000")
    return conn


class ChunkReader:
    """`fetch(conn, chunk)` for each chunk, yielded in order, the next one read by a
    thread while the caller works on this one. Use `with`: closing stops the thread,
    also when the caller stops early (cancel, error)."""

    def __init__(self, db_path: Path, chunks: Sequence[Sequence[int]],
                 fetch: Callable[[sqlite3.Connection, Sequence[int]], tuple]):
        self._chunks = chunks
        self._fetch = fetch
        self._conn = reader(db_path)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="csv-read-ahead")
        self._pending = None

    def __iter__(self) -> Iterator[tuple]:
        if not self._chunks:
            return
        self._pending = self._pool.submit(self._fetch, self._conn, self._chunks[0])
        for chunk in self._chunks[1:]:
            current, self._pending = self._pending, self._pool.submit(self._fetch, self._conn, chunk)
            yield current.result()
        current, self._pending = self._pending, None
        yield current.result()

    def close(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
        self._pool.shutdown(wait=True)  # a statement under way finishes first: the connection closes after
        self._conn.close()

    def __enter__(self) -> ChunkReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Database jobs get a connection of their own, closed whatever the job's end."""

import sqlite3

import pytest

from leadtriage.ui.worker import Worker
from leadtriage.util.progress import Cancelled


def _run(store, fn, **callbacks):
    seen = {}

    def job(own, progress):
        seen["own"] = own
        return fn(own, progress)

    Worker(synchronous=True).run_db(store, job, **callbacks)
    return seen["own"]


def _closed(own) -> bool:
    try:
        own.conn.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def test_a_job_reads_on_its_own_connection_and_closes_it(store):
    results = []
    own = _run(store, lambda own, _p: own.conn.execute("SELECT COUNT(*) FROM leads").fetchone()[0],
               on_done=results.append)
    assert results == [0]
    assert own.conn is not store.conn
    assert _closed(own)
    assert store.conn.execute("SELECT 1").fetchone() == (1,)  # the UI thread's stays open


def test_a_failing_job_reports_the_error_and_still_closes(store):
    errors = []

    def boom(_own, _p):
        raise ValueError("bad file")

    own = _run(store, boom, on_done=lambda _r: pytest.fail("no result expected"), on_error=errors.append)
    assert [str(e) for e in errors] == ["bad file"]
    assert _closed(own)


def test_a_cancelled_job_closes_too(store):
    cancelled = []

    def stop(_own, _p):
        raise Cancelled()

    own = _run(store, stop, on_done=lambda _r: pytest.fail("no result expected"),
               on_cancelled=lambda: cancelled.append(True))
    assert cancelled == [True]
    assert _closed(own)

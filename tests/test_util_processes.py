"""Work in other processes has one fallback: when the system gives no process, or a
helper dies, the same work runs in this process with the same answers."""

from __future__ import annotations

import errno
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import SpawnProcess

import pytest

from leadtriage.importing.normalise import normalise_phone
from leadtriage.importing.phones import PhoneResolver
from leadtriage.util import processes

PAIRS = [(f"030 {1000000 + i}", "DE") for i in range(250)] + [("(212) 736-5000", "US")]


@pytest.fixture
def no_processes(monkeypatch):
    """A machine at its process limit: every start fails as fork/spawn does there."""
    def refuse(self):
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(SpawnProcess, "start", refuse)


def square(n: int) -> int:
    return n * n


def test_start_helper_gives_none_when_no_process_can_start(no_processes):
    assert processes.start_helper(square, (3,), name="t", what="test") is None


def test_pool_runs_here_when_no_process_can_start(no_processes):
    pool = processes.HelperPool(1, what="test")
    try:
        future = pool.submit(square, 7)
        assert pool.result(future, square, 7) == 49
        assert not pool.parallel
    finally:
        pool.close()


def test_pool_reruns_here_what_a_dead_helper_left():
    pool = processes.HelperPool(1, what="test", run_here=True)
    broken: Future = Future()
    broken.set_exception(BrokenProcessPool("helper died"))
    assert pool.result(broken, square, 5) == 25


def test_phone_import_parses_here_when_no_process_can_start(no_processes):
    resolver = PhoneResolver(parallel=True)
    try:
        got = resolver.results(resolver.submit(PAIRS))
    finally:
        resolver.close()
    assert got == [normalise_phone(raw, region) for raw, region in PAIRS]
    assert not resolver.parallel


def test_pdf_briefs_print_here_when_no_process_can_start(no_processes, tmp_path, qapp):
    from leadtriage.handoff import pdf

    with pdf.PdfPrinter(pdf.page_size_for("a4"), 50, helper=True) as printer:
        assert not printer.parallel
        printer.print("<p>Needs a fleet plan</p>", tmp_path / "a.pdf")
        printer.finish()
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")

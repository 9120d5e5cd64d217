"""The phone helper process gives the same answers as in-process parsing, and a
failed helper does not fail the import."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

from leadtriage.importing.normalise import normalise_phone
from leadtriage.importing.phones import PhoneResolver

PAIRS = [(f"030 {1000000 + i}", "DE") for i in range(150)] + [(f"(212) 736-{5000 + i}", "US") for i in range(150)] + [
    ("n/a", "DE"), ("", "US"), ("+44 20 7946 0018 ext 12", "FR")]


def expected() -> list:
    return [normalise_phone(raw, region) for raw, region in PAIRS]


def test_helper_process_matches_in_process():
    resolver = PhoneResolver(parallel=True)
    try:
        assert resolver.results(resolver.submit(PAIRS)) == expected()
    finally:
        resolver.close()


def test_broken_helper_falls_back_to_in_process():
    resolver = PhoneResolver(parallel=False)
    broken: Future = Future()
    broken.set_exception(BrokenProcessPool("helper died"))
    assert resolver.results((PAIRS, broken)) == expected()

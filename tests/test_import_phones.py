"""The phone helper process gives the same answers as in-process parsing, and a
failed helper does not fail the import."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

from hypothesis import given, settings
from hypothesis import strategies as st

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


def _library_reading(raw: str, region: str) -> tuple:
    """What phonenumbers says about the text exactly as written, with its own
    is_valid_number(): the reading normalise_phone must match."""
    import phonenumbers

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return (None, False, None)
    if not phonenumbers.is_valid_number(number):
        return (None, False, None)
    return (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True,
            phonenumbers.region_code_for_number(number))


def _ours(raw: str, region: str) -> tuple:
    r = normalise_phone.__wrapped__(raw, region)
    return (r.e164, r.valid, r.region)


def test_every_regions_example_numbers_read_as_the_library_reads_them():
    import phonenumbers

    checked = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            for fmt in (phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.INTERNATIONAL):
                text = phonenumbers.format_number(example, fmt)
                assert _ours(text, region) == _library_reading(text, region), (region, text)
                assert _ours(text, "US") == _library_reading(text, "US"), (region, text)
                checked += 1
    assert checked > 400


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789 ()-./+", min_size=1, max_size=22),
       st.sampled_from(["DE", "US", "GB", "FR", "CH", "IT", "AR", "MX", "BR", "IN", "JP", "AU"]))
def test_layout_characters_never_change_the_reading(raw, region):
    assert _ours(raw, region) == _library_reading(raw, region)

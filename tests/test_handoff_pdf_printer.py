"""Many PDF briefs: the helper process prints the same briefs, stops at once on
cancel, and a helper that dies or fails never costs a brief or hides an error."""

from __future__ import annotations

import multiprocessing

import pytest

from leadtriage.handoff import pdf
from leadtriage.util.progress import Cancelled, Progress
from tests.handoff_helpers import export, insert_lead, pdf_text

PAINS = [f"Brief {n}: the planners lose {n} hours to the whiteboard." for n in range(5)]


def html(text: str) -> str:
    return f"<html><body><h1>Lead</h1><p>{text}</p></body></html>"


def helpers_running() -> list:
    return [p for p in multiprocessing.active_children() if p.name == "leadtriage-pdf"]


def test_helper_prints_the_same_briefs_as_this_process(tmp_path):
    size = pdf.page_size_for("a4")
    texts = {}
    for helper in (False, True):
        folder = tmp_path / str(helper)
        folder.mkdir()
        with pdf.PdfPrinter(size, len(PAINS), helper=helper) as printer:
            for n, text in enumerate(PAINS):
                printer.print(html(text), folder / f"{n}.pdf", title=f"Brief {n}")
            printer.finish()
            assert printer.parallel is helper  # the helper ran to the end, nothing fell back
        texts[helper] = [pdf_text(folder / f"{n}.pdf") for n in range(len(PAINS))]
    assert texts[True] == texts[False]
    assert all(text in page for text, page in zip(PAINS, texts[True], strict=True))
    assert helpers_running() == []


def test_big_export_uses_the_helper_and_records_every_lead(store, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "HELPER_THRESHOLD", 3)
    leads = [insert_lead(store, first_name=f"P{n}", pain_points=f'[{{"tag": "T", "quote": "{q}"}}]')
             for n, q in enumerate(PAINS)]
    result = export(store, leads, ["pdf"], tmp_path / "out")
    assert len(result.files) == len(PAINS) == len(result.handed_off)
    for path, quote in zip(result.files, PAINS, strict=True):
        assert quote in pdf_text(path)
    assert store.conn.execute("SELECT count(*) FROM handoffs").fetchone()[0] == len(PAINS)


def test_cancel_stops_the_helper_and_leaves_no_files(store, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "HELPER_THRESHOLD", 3)
    leads = [insert_lead(store, first_name=f"P{n}") for n in range(8)]

    def on_progress(done, total, message):
        if done >= 4:
            progress.cancel()

    progress = Progress(on_progress)
    out = tmp_path / "out"
    with pytest.raises(Cancelled):
        export(store, leads, ["pdf"], out, progress=progress)
    assert helpers_running() == []  # nothing can write into the folder any more
    assert not out.exists()
    assert store.conn.execute("SELECT count(*) FROM handoffs").fetchone()[0] == 0


def test_briefs_of_a_helper_that_dies_are_printed_here(tmp_path):
    with pdf.PdfPrinter(pdf.page_size_for("a4"), len(PAINS), helper=True) as printer:
        printer.print(html(PAINS[0]), tmp_path / "0.pdf")
        printer._process.kill()  # a crash, or the system ending it
        for n, text in enumerate(PAINS[1:], start=1):
            printer.print(html(text), tmp_path / f"{n}.pdf")
        printer.finish()
        assert not printer.parallel
    for n, text in enumerate(PAINS):
        assert text in pdf_text(tmp_path / f"{n}.pdf")


def test_an_error_in_the_helper_fails_the_export_naming_the_file(tmp_path):
    with pdf.PdfPrinter(pdf.page_size_for("a4"), 2, helper=True) as printer:
        printer.print(42, tmp_path / "broken.pdf")  # type: ignore[arg-type]  # Qt refuses it
        with pytest.raises(RuntimeError, match=r"broken\.pdf.*TypeError"):
            printer.finish()
    assert helpers_running() == []


def test_built_in_brief_embeds_a_single_font(store, tmp_path):
    """Every face in a PDF is one more font subset to build and embed per file:
    the built-in brief sticks to one (the PDF budget depends on it)."""
    from pypdf import PdfReader

    (path,) = export(store, [insert_lead(store)], ["pdf"], tmp_path).files
    fonts = {font["/BaseFont"] for page in PdfReader(path).pages
             for font in (f.get_object() for f in page["/Resources"]["/Font"].values())}
    assert len(fonts) == 1, fonts

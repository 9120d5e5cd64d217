"""Export file names never leave the chosen folder and never collide."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from leadtriage.handoff.filenames import FileNamer, safe_stem
from tests.handoff_helpers import export, insert_lead


def test_path_parts_are_flattened():
    for hostile in ("../../etc/passwd", "/etc/passwd", "C:\\Windows\\system32", "..", ".", "~/.ssh/id_rsa",
                    "a/../../b", "\x00name", "name\n.pdf"):
        stem = safe_stem(hostile)
        assert "/" not in stem and "\\" not in stem and ".." not in stem and "\x00" not in stem
        assert stem and not stem.startswith(".")


def test_reserved_device_names_are_prefixed():
    for name in ("CON", "con", "NUL", "COM1", "LPT9", "aux"):
        assert safe_stem(name).upper() != name.upper()
        assert safe_stem(name).startswith("_")


def test_collisions_get_numbered_and_existing_files_survive(tmp_path):
    (tmp_path / "LT-0000AB_Anna.pdf").write_text("earlier export")
    namer = FileNamer(tmp_path)
    first = namer.claim("LT-0000AB_Anna", "pdf")
    second = namer.claim("LT-0000AB_Anna", "pdf")
    third = namer.claim("lt-0000ab_anna", "pdf")  # case-insensitive file systems
    assert [p.name for p in (first, second, third)] == ["LT-0000AB_Anna-2.pdf", "LT-0000AB_Anna-3.pdf",
                                                         "lt-0000ab_anna-4.pdf"]
    assert (tmp_path / "LT-0000AB_Anna.pdf").read_text() == "earlier export"
    namer.remove_claimed()
    assert sorted(os.listdir(tmp_path)) == ["LT-0000AB_Anna.pdf"]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_any_text_stays_inside_the_folder(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("out")
    namer = FileNamer(folder)
    path = namer.claim(text, "md")
    assert path.parent == folder.resolve() and path.exists()
    assert len(path.name) <= 100


def test_lead_names_cannot_escape_the_export_folder(store, tmp_path):
    a = insert_lead(store, first_name="../../..", last_name="/etc/passwd")
    b = insert_lead(store, first_name="CON", last_name="")
    c = insert_lead(store, first_name="Anna", last_name="Meyer")
    d = insert_lead(store, first_name="Anna", last_name="Meyer")
    out = tmp_path / "out"
    result = export(store, [a, b, c, d], ["md"], out)
    assert len(result.files) == 4 and len({p.name for p in result.files}) == 4
    assert all(p.parent == out.resolve() for p in result.files)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in result.files)
    assert not (tmp_path / "etc").exists()

"""Lead lists someone else made, damaged by accident or on purpose (issue 14): a stray
quote, mixed encodings, spreadsheets that would exhaust memory, devices and pipes,
codecs that are not text encodings, numbers that are not finite. Every hostile file
is generated here, small; each case refuses with exit 2 and one sentence, or reads
the file right."""

from __future__ import annotations

import json
import os
import threading
import zipfile
from pathlib import Path

import pytest

from leadtriage.cli import main
from leadtriage.errors import UserError
from leadtriage.importing.reader import DamagedLine, UnreadableFile, read_table
from leadtriage.safety.opening import open_store

HEADER = "first_name,last_name,email,company\n"


def _rows(n: int) -> list[str]:
    return [f"Anna{i},Meyer{i},anna{i}@example.com,Acme {i}\n" for i in range(n)]


def _all(table) -> list[tuple[int, list[str]]]:
    return [row for chunk in table.chunks(100) for row in chunk]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse refuses an option value this way
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# -- item 3: one stray quote must not swallow the rest of the file ----------------------

def test_stray_quote_that_never_closes_refuses_the_batch_with_its_line(tmp_path: Path, capsys):
    rows = _rows(1000)
    rows[2] = '"Anna2,Meyer2,anna2@example.com,Acme 2\n'  # the quote opens on line 4 and never closes
    src = tmp_path / "list.csv"
    src.write_text(HEADER + "".join(rows), encoding="utf-8")
    db = tmp_path / "l.db"
    for extra in (["--dry-run"], []):
        code, out, err = run(capsys, "import", str(src), "--db", str(db), "--json", *extra)
        assert code == 2 and out == ""
        assert "line 4" in err and "never closes" in err and len(err.strip().splitlines()) == 1
    assert not db.exists()  # a refused list leaves no database behind


def test_stray_quote_closed_by_a_later_quote_refuses_the_batch(tmp_path: Path, capsys):
    rows = _rows(50)
    rows[5] = 'Anna5,"Meyer5,anna5@example.com,Acme 5\n'  # line 7: opens a quote
    rows[20] = 'Anna20,"Meyer, Jr.",anna20@example.com,Acme 20\n'  # line 22: its quote closes the stray one
    src = tmp_path / "list.csv"
    src.write_text(HEADER + "".join(rows), encoding="utf-8")
    db = tmp_path / "l.db"
    with open_store(db) as store:  # an existing database: refused inside the transaction
        store.conn.execute("SELECT 1")
    code, _, err = run(capsys, "import", str(src), "--db", str(db))
    assert code == 2 and "line 7" in err and "line 22" in err
    with open_store(db, writer=False) as store:
        assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 0


def test_stray_quote_that_closes_at_a_field_starting_with_the_delimiter(tmp_path: Path):
    rows = _rows(6)
    rows[1] = 'Anna1,"Meyer1,anna1@example.com,Acme 1\n'
    rows[2] = 'Anna2,",Meyer2",anna2@example.com,Acme 2\n'  # ',Meyer2' quoted: the stray quote closes cleanly
    src = tmp_path / "list.csv"
    src.write_text(HEADER + "".join(rows), encoding="utf-8")
    with pytest.raises(DamagedLine) as info:
        _all(read_table(src))
    assert info.value.line_no == 3 and info.value.line_text.startswith('Anna1,"Meyer1')


def test_field_longer_than_64_kb_is_refused_not_stored(tmp_path: Path):
    src = tmp_path / "list.csv"
    src.write_text(HEADER + f'Anna,Meyer,a@example.com,"{"x" * 70_000}"\nBen,Roe,b@example.com,B\n',
                   encoding="utf-8")
    with pytest.raises(DamagedLine, match="line 2: a field starting on this line is longer than 64 KB"):
        _all(read_table(src))


def test_legit_multiline_notes_still_import(tmp_path: Path, capsys):
    src = tmp_path / "notes.csv"
    src.write_text('email,name,notes\na@example.com,Ann,"Called twice.\r\nWants a demo, ""soon""."\n'
                   'b@example.com,Ben,"Line one\nline two\nline three"\nc@example.com,Cy,plain\n', encoding="utf-8")
    rows = _all(read_table(src))
    assert [r[0] for r in rows] == [2, 4, 7]
    assert rows[0][1][2] == 'Called twice.\r\nWants a demo, "soon".'
    db = tmp_path / "l.db"
    code, out, err = run(capsys, "import", str(src), "--db", str(db), "--json")
    assert code == 0, err
    assert json.loads(out)["inserted"] == 3


# -- item 4: mixed encodings -------------------------------------------------------------

def test_utf8_file_with_one_cp1252_line_keeps_every_other_name(tmp_path: Path, capsys):
    utf8 = "".join(f"Jürgen{i},Müller,j{i}@example.de,Grüße GmbH\n" for i in range(300)).encode("utf-8")
    legacy = "Jörg,Weiß,jw@example.de,Straße AG\n".encode("cp1252")
    src = tmp_path / "mixed.csv"
    src.write_bytes(HEADER.encode() + utf8 + legacy)
    table = read_table(src)
    assert table.encoding == "utf-8+cp1252"
    assert table.legacy_lines == [302] and table.legacy_line_count == 1
    rows = _all(table)
    assert rows[0][1][:2] == ["Jürgen0", "Müller"] and rows[-1][1] == ["Jörg", "Weiß", "jw@example.de", "Straße AG"]
    db = tmp_path / "l.db"
    code, out, err = run(capsys, "import", str(src), "--db", str(db), "--json")
    assert code == 0
    assert json.loads(out)["lines_read_as_cp1252"] == [302]
    assert "1 line(s) of mixed.csv are not valid UTF-8" in err and "line 302" in err
    with open_store(db, writer=False) as store:
        names = {r[0] for r in store.conn.execute("SELECT last_name FROM leads")}
    assert names == {"Müller", "Weiß"}


def test_genuine_cp1252_file_is_still_read_as_cp1252(tmp_path: Path):
    src = tmp_path / "legacy.csv"
    src.write_bytes((HEADER + "".join(f"Jörg{i},Weiß,j{i}@x.de,Café\n" for i in range(2000))).encode("cp1252"))
    table = read_table(src)
    assert table.encoding == "cp1252" and _all(table)[5][1][1] == "Weiß"


def test_explicit_utf8_on_a_mixed_file_names_the_line(tmp_path: Path):
    src = tmp_path / "mixed.csv"
    src.write_bytes(HEADER.encode() + "Jürgen,Müller,j@x.de,A\n".encode() + "Jörg,Weiß,jw@x.de,B\n".encode("cp1252"))
    with pytest.raises(UnreadableFile, match="near line 3"):
        _all(read_table(src, encoding="utf-8"))
    big = tmp_path / "big.csv"  # the invalid line beyond the first 256 KB: found while reading rows
    big.write_bytes(HEADER.encode() + "Jürgen,Müller,j@x.de,A\n".encode() * 20_000
                    + "Jörg,Weiß,jw@x.de,B\n".encode("cp1252"))
    table = read_table(big, encoding="utf-8")
    with pytest.raises(UnreadableFile, match="near line 20002"):
        _all(table)


@pytest.mark.parametrize("codec", ["rot13", "base64", "hex", "zlib", "undefined", "punycode", "idna"])
def test_encoding_must_be_a_text_encoding(tmp_path: Path, capsys, codec: str):
    src = tmp_path / "list.csv"
    src.write_text(HEADER + "".join(_rows(3)), encoding="utf-8")
    code, out, err = run(capsys, "import", str(src), "--db", str(tmp_path / "l.db"), "--encoding", codec)
    assert code == 2 and out == "" and "not a text encoding" in err


# -- item 6: spreadsheets that would exhaust memory ---------------------------------------

def test_sparse_xlsx_is_refused_before_calamine_allocates(tmp_path: Path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active["A1"] = "email"
    book.active["XFD1048576"] = "x"
    src = tmp_path / "sparse.xlsx"
    book.save(src)
    assert src.stat().st_size < 10_000
    for command in ("import", "outcomes"):
        db = tmp_path / "l.db"
        if command == "outcomes":
            with open_store(db):
                pass
        code, out, err = run(capsys, command, str(src), "--db", str(db))
        assert code == 2 and "1,048,576 rows by 16,384 columns" in err


def _zip_sheet(path: Path, sheet_xml: bytes, shared: bytes | None = None) -> None:
    """A minimal XLSX written by hand, so the sheet XML can omit references or lie."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {ns} {rel}><sheets><sheet name="Leads" '
                   'sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                   '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)


def test_sheet_without_cell_references_is_measured_by_counting(tmp_path: Path):
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    wide = b"<c/>" * 5000
    sheet = (b'<?xml version="1.0"?><worksheet ' + ns + b'><sheetData><row r="1"><c t="inlineStr"><is><t>email'
             b'</t></is></c>' + wide + b'</row><row r="5000"><c t="inlineStr"><is><t>x</t></is></c></row>'
             b'</sheetData></worksheet>')
    src = tmp_path / "wide.xlsx"
    _zip_sheet(src, sheet)
    with pytest.raises(UserError, match="5,000 rows by 5,001 columns"):
        read_table(src)


def test_huge_shared_strings_are_refused_from_the_zip_directory(tmp_path: Path, monkeypatch, capsys):
    from leadtriage.importing import sheetguard

    monkeypatch.setattr(sheetguard, "MAX_SHARED_STRINGS", 1024 * 1024)  # the real limit is 128 MB
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    sheet = (b'<?xml version="1.0"?><worksheet ' + ns + b'><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
             b'</row></sheetData></worksheet>')
    shared = b'<?xml version="1.0"?><sst ' + ns + b'><si><t>' + b"x" * (2 * 1024 * 1024) + b"</t></si></sst>"
    src = tmp_path / "bomb.xlsx"
    _zip_sheet(src, sheet, shared)
    assert src.stat().st_size < 20_000
    code, _, err = run(capsys, "import", str(src), "--db", str(tmp_path / "l.db"))
    assert code == 2 and "of text, more than a lead list can" in err


def test_ordinary_xlsx_still_reads(tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["email", "name"])
    book.active.append(["a@example.com", "Jürgen Müller"])
    src = tmp_path / "ok.xlsx"
    book.save(src)
    assert _all(read_table(src)) == [(2, ["a@example.com", "Jürgen Müller"])]


# -- item 11: devices and pipes are refused, not read forever --------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_and_dev_zero_are_refused(tmp_path: Path, capsys):
    fifo = tmp_path / "list.csv"
    os.mkfifo(fifo)
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "".join(_rows(2)), encoding="utf-8")
    db = tmp_path / "l.db"
    with open_store(db):
        pass
    results: list[tuple] = []

    def attempt() -> None:  # in a thread, so a regression hangs the thread, not the test run
        results.append(run(capsys, "import", str(fifo), "--db", str(db)))
        results.append(run(capsys, "import", "/dev/zero", "--db", str(db)))
        results.append(run(capsys, "outcomes", str(fifo), "--db", str(db)))
        results.append(run(capsys, "import", str(good), "--db", str(db), "--mapping", str(fifo)))

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(60)
    if thread.is_alive():  # unblock the reader so the thread can end, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO hung")
    assert [r[0] for r in results] == [2, 2, 2, 2]
    assert all("not a regular file" in r[2] for r in results)


# -- item 9: numbers that are not finite -------------------------------------------------------

@pytest.mark.parametrize("cost", ["inf", "-inf", "NaN", "1e300", "-5"])
def test_cost_must_be_a_finite_plausible_number(tmp_path: Path, capsys, cost: str):
    src = tmp_path / "list.csv"
    src.write_text(HEADER + "".join(_rows(2)), encoding="utf-8")
    db = tmp_path / "l.db"
    code, out, err = run(capsys, "import", str(src), "--db", str(db), f"--cost={cost}")
    assert code == 2 and out == "" and "--cost" in err
    assert not db.exists()

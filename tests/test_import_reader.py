"""The reader: encodings, delimiters, duplicate headers, ragged rows, spreadsheets."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from leadtriage.importing.reader import UnreadableFile, read_table

HEADER = "First Name,Last Name,Company,Email,Phone,Zip\n"
ROWS = "Jürgen,Müller,Bäckerei Größ GmbH,j.mueller@example.de,+49 30 1234567,01067\n" \
       "Zoë,Lefèvre,Café Crème SARL,zoe@example.fr,01 42 68 53 00,75001\n"


def _all(table):
    return [row for chunk in table.chunks(2) for row in chunk]


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_encodings_arrive_intact(tmp_path: Path, encoding, bom, expected):
    path = tmp_path / "list.csv"
    path.write_bytes(bom + (HEADER + ROWS).encode(encoding))
    table = read_table(path)
    assert table.encoding == expected
    assert table.headers[0] == "First Name"  # no BOM glued to the first header
    rows = _all(table)
    assert rows[0] == (2, ["Jürgen", "Müller", "Bäckerei Größ GmbH", "j.mueller@example.de", "+49 30 1234567", "01067"])
    assert rows[1][1][1] == "Lefèvre"


def test_umlaut_only_at_the_end_still_detected_as_cp1252(tmp_path: Path):
    body = "name,email\n" + "".join(f"Person {i},p{i}@example.com\n" for i in range(20000))
    path = tmp_path / "late.csv"
    path.write_bytes((body + "Jörg Weiß,jw@example.de\n").encode("cp1252"))
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert _all(table)[-1][1] == ["Jörg Weiß", "jw@example.de"]


def test_user_can_override_encoding(tmp_path: Path):
    path = tmp_path / "l.csv"
    path.write_bytes("name\nGrüße\n".encode("latin-1"))
    assert _all(read_table(path, encoding="latin-1"))[0][1] == ["Grüße"]
    with pytest.raises(UnreadableFile):
        read_table(path, encoding="no-such-codec")


@pytest.mark.parametrize("delim", [",", ";", "\t", "|"])
def test_delimiters_detected(tmp_path: Path, delim):
    path = tmp_path / "d.txt"
    path.write_text(delim.join(["Name", "E-Mail", "Telefon"]) + "\n" + delim.join(["A, B", "a@x.de", "0301"]) + "\n",
                    encoding="utf-8")
    if delim == ",":
        path.write_text('Name,E-Mail,Telefon\n"A, B",a@x.de,0301\n', encoding="utf-8")
    table = read_table(path)
    assert table.delimiter == delim
    assert _all(table) == [(2, ["A, B", "a@x.de", "0301"])]


def test_quoted_newlines_duplicate_headers_ragged_blank_lines_and_long_fields(tmp_path: Path):
    long = "x" * 60_000  # long notes are real; beyond 64 KB a field is refused (test_import_hostile)
    path = tmp_path / "messy.csv"
    path.write_text(
        "Email,Phone,Phone,\n"
        "\n"
        f'a@example.com,"123\n456",789,"{long}"\n'
        "b@example.com\n"
        "c@example.com,1,2,3,4,5\n",
        encoding="utf-8",
    )
    table = read_table(path)
    assert table.headers == ["Email", "Phone", "Phone", ""]
    assert table.labels == ["Email", "Phone", "Phone (2)", "Column 4"]
    rows = _all(table)
    assert [r[0] for r in rows] == [3, 5, 6]  # physical line where each record starts
    assert rows[0][1][1] == "123\n456" and len(rows[0][1][3]) == 60_000
    assert rows[1][1] == ["b@example.com"]
    assert rows[2][1] == ["c@example.com", "1", "2", "3", "4", "5"]


def test_leading_zeros_survive(tmp_path: Path):
    path = tmp_path / "z.csv"
    path.write_text("zip;phone\n01067;0049301234\n", encoding="utf-8")
    assert _all(read_table(path))[0][1] == ["01067", "0049301234"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n\n  \n", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "binary"),
    ],
)
def test_unreadable_files_are_refused_with_one_clear_sentence(tmp_path: Path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=message):
        read_table(path)


def test_broken_workbook_is_refused(tmp_path: Path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(UnreadableFile, match="spreadsheet"):
        read_table(path)


def test_xlsx_sheet_choice_and_text_cells(tmp_path: Path):
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = "Notes"
    first.append(["nothing to see"])
    leads = book.create_sheet("Leads")
    leads.append(["Vorname", "Nachname", "PLZ", "Mitarbeiter", "Telefon"])
    leads.append(["Jürgen", "Groß", "01067", 250, "030 1234567"])
    leads.append([None, None, None, None, None])
    leads.append(["Anna", "Ölz", "80331", 12.5, None])
    path = tmp_path / "messe.xlsx"
    book.save(path)

    table = read_table(path, sheet="Leads")
    assert table.sheets == ["Notes", "Leads"]
    assert table.headers == ["Vorname", "Nachname", "PLZ", "Mitarbeiter", "Telefon"]
    rows = _all(table)
    assert rows == [(2, ["Jürgen", "Groß", "01067", "250", "030 1234567"]),
                    (4, ["Anna", "Ölz", "80331", "12.5", ""])]
    assert read_table(path).sheet == "Notes"
    with pytest.raises(UnreadableFile, match="no sheet named"):
        read_table(path, sheet="Missing")


def _write_ods(path: Path, rows: list[list[str]]) -> None:
    """A minimal OpenDocument spreadsheet written by hand (no odfpy needed)."""
    import zipfile
    from xml.sax.saxutils import escape

    cells = "".join(
        "<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(c)}</text:p></table:table-cell>'
            for c in row) + "</table:table-row>"
        for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Leads">{cells}</table:table>'
        '</office:spreadsheet></office:body></office:document-content>')
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)


def test_ods_reads_too(tmp_path: Path):
    path = tmp_path / "list.ods"
    _write_ods(path, [["Email", "Name"], ["a@b.de", "Åsa"]])
    table = read_table(path)
    assert table.sheet == "Leads"
    assert _all(table) == [(2, ["a@b.de", "Åsa"])]

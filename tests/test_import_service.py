"""The importer end to end on small lists: what a rep sees after importing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from leadtriage.domain.public_id import format_public_id
from leadtriage.errors import UserError
from leadtriage.importing.mapping import Mapping
from leadtriage.importing.service import Importer, ImportOptions
from leadtriage.services.leads import LeadService
from leadtriage.store.settings import SettingsStore
from leadtriage.util.progress import Cancelled, Progress


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def leads(store, where: str = "1", params: tuple = ()) -> list[dict]:
    cur = store.conn.execute(f"SELECT * FROM leads WHERE {where} ORDER BY id", params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def accounted(result) -> bool:
    return result.inserted + result.merged + result.duplicates_flagged + result.rejected == result.rows


GERMAN_BOOTH = (
    "Anrede;Vorname;Nachname;Firma;E-Mail-Adresse;Telefon;PLZ;Ort;Land;Bemerkung\n"
    "Herr;JÜRGEN;MÜLLER;Bäckerei Größ GmbH;J.Mueller@Baeckerei-Groess.de;030 1234567-12;01067;Dresden;"
    "Deutschland;Interesse an Öfen\n"
    "Frau;anna;schmidt;Weiß & Söhne KG;info@weiss-soehne.de;+49 (89) 123456 Durchwahl 7;80331;München;DE;\n"
    "Herr;Björn;Groß;;;12;;;;kein Kontakt\n"
    ";;;;;;;;;\n"
    ";;;;;n/a;;;;\n"
)


def test_german_booth_scan_in_cp1252(store, tmp_path):
    path = write(tmp_path, "messe.csv", GERMAN_BOOTH, "cp1252")
    result = Importer(store).import_file(path, ImportOptions(source="Messe Hannover", campaign="HMI 2026", cost=1200))
    assert (result.encoding, result.delimiter) == ("cp1252", ";")
    assert (result.rows, result.inserted, result.rejected) == (4, 3, 1)
    assert accounted(result)
    jurgen, anna, bjorn = leads(store)
    assert (jurgen["first_name"], jurgen["last_name"], jurgen["company"]) == ("Jürgen", "Müller", "Bäckerei Größ GmbH")
    assert jurgen["email"] == "j.mueller@baeckerei-groess.de"
    assert jurgen["country"] == "DE" and jurgen["timezone"] == "Europe/Berlin"
    assert jurgen["city"] == "Dresden"
    assert json.loads(jurgen["custom_fields"]) == {"Anrede": "Herr", "PLZ": "01067"}  # leading zero kept
    assert jurgen["notes"] == "Interesse an Öfen"
    assert jurgen["public_id"] == format_public_id(jurgen["id"])
    assert jurgen["source"] == "Messe Hannover" and jurgen["campaign"] == "HMI 2026"
    assert (anna["first_name"], anna["last_name"]) == ("Anna", "Schmidt")
    assert anna["phone"] == "+4989123456" and anna["phone_ext"] == "7"
    assert json.loads(anna["flags"]) == ["role_email"]
    assert anna["company_key"] == "weiss and sohne"
    # An invalid number is kept raw and flagged, the row is not dropped.
    assert bjorn["phone"] is None and bjorn["phone_raw"] == "12" and "invalid_phone" in json.loads(bjorn["flags"])
    rejects = Importer(store).rejects(result.batch_id)
    assert rejects == [{"line_no": 6, "reason": "no valid phone or e-mail, and no name or company",
                        "raw": ";;;;;n/a;;;;"}]
    batch = store.conn.execute("SELECT file_name, sha256, source, campaign, cost, rows, inserted, rejected, seconds "
                               "FROM import_batches").fetchone()
    assert batch[0] == "messe.csv" and len(batch[1]) == 64 and batch[2:8] == ("Messe Hannover", "HMI 2026", 1200.0, 4, 3, 1)
    assert store.conn.execute("SELECT cost FROM campaigns WHERE name = 'HMI 2026'").fetchone() == (1200.0,)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # Salesforce report export
        ("First Name,Last Name,Title,Account Name,Email,Phone,Mailing Country,Lead Source", None),
        # HubSpot contacts export
        ("Record ID,First Name,Last Name,Email,Phone Number,Company Name,Job Title,Country/Region,Website URL", None),
        # LinkedIn Sales Navigator (via a scraper export)
        ("Full Name,Job Title,Company,Person Linkedin Url,Location,Company Domain", None),
        # ZoomInfo / Apollo
        ("First Name,Last Name,Title,Company,Email,Corporate Phone,Person Linkedin Url,# Employees,Company Country", None),
        # French and Spanish
        ("Prénom,Nom,Société,Courriel,Téléphone,Pays", None),
        ("Nombre,Apellidos,Empresa,Correo electrónico,Teléfono,País", None),
    ],
)
def test_crm_and_vendor_headers_map_automatically(store, tmp_path, header, expected):
    cols = header.split(",")
    values = {
        "first_name": "Zoë", "last_name": "Lefèvre", "full_name": "Dr. Zoë Lefèvre", "company": "Acme SARL",
        "email": "zoe@acme.fr", "phone": "+33 1 42 68 53 00", "title": "DSI", "country": "France",
        "linkedin": "https://linkedin.com/in/zoe-lefevre/", "website": "acme.fr", "employees": "51-200",
    }
    from leadtriage.importing.mapping import auto_map

    targets = auto_map(cols)
    row = [values.get(t, f"x{i}") for i, t in enumerate(targets)]
    buf = [",".join(cols), ",".join(row)]
    path = write(tmp_path, "export.csv", "\n".join(buf) + "\n")
    result = Importer(store).import_file(path)
    assert result.inserted == 1
    lead = leads(store)[0]
    assert (lead["first_name"], lead["last_name"]) == ("Zoë", "Lefèvre")
    for field in ("email", "company", "linkedin"):
        if field in targets:
            assert lead[field] == {"email": "zoe@acme.fr", "company": "Acme SARL",
                                   "linkedin": "https://www.linkedin.com/in/zoe-lefevre"}[field]
    if "phone" in targets:
        assert lead["phone"] == "+33142685300"
    if "country" in targets:
        assert lead["country"] == "FR"
    assert "Record ID" not in (lead["custom_fields"] or "")  # ids of the old system are dropped


def test_full_name_is_split_and_unknown_columns_become_custom_fields(store, tmp_path):
    path = write(tmp_path, "webinar.csv",
                 "Name,Email,Webinar,Registered\n\"Doe, Jane\",jane@doe.io,Pricing 101,2026-11-02\n"
                 "Ludwig van Beethoven,lvb@bonn.de,Pricing 101,2026-11-03\n")
    Importer(store).import_file(path)
    jane, ludwig = leads(store)
    assert (jane["first_name"], jane["last_name"]) == ("Jane", "Doe")
    assert (ludwig["first_name"], ludwig["last_name"]) == ("Ludwig", "van Beethoven")
    assert json.loads(jane["custom_fields"]) == {"Webinar": "Pricing 101", "Registered": "2026-11-02"}


def test_default_region_comes_from_settings_or_the_rows_country(store, tmp_path):
    SettingsStore(store).set("default_region", "GB")
    path = write(tmp_path, "l.csv", "name,phone,country\nA B,020 7946 0018,\nC D,030 1234567,Germany\n")
    Importer(store).import_file(path)
    assert [lead["phone"] for lead in leads(store)] == ["+442079460018", "+49301234567"]


def test_duplicates_merge_fill_empty_fields_and_never_overwrite(store, tmp_path):
    first = write(tmp_path, "a.csv", "First Name,Last Name,Company,Email,Phone,Title\n"
                                     "Jane,Doe,Acme GmbH,jane@acme.de,,\n"
                                     "Max,Mustermann,Beta AG,,+49 30 1234567,\n"
                                     "Li,Wei,Gamma Ltd,,,\n")
    importer = Importer(store)
    a = importer.import_file(first, ImportOptions(source="Trade show"))
    jane = leads(store, "email = ?", ("jane@acme.de",))[0]
    LeadService(store).update(jane["id"], {"title": "Head of IT"}, "title typed by the rep")

    second = write(tmp_path, "b.csv",
                   "Name,E-Mail,Telefon,Position,Firma,LinkedIn\n"
                   "Jane Doe,JANE@ACME.DE,+49 89 7654321,Intern,,\n"            # same e-mail
                   "Max Mustermann,,030 1234567,CEO,,\n"                      # same phone, other format
                   "Jane Doe,,,,,https://www.linkedin.com/in/jane-doe\n"       # same file later: LinkedIn added
                   "J. Doe,,,,,linkedin.com/in/Jane-Doe/?trk=abc\n"            # same LinkedIn, another spelling
                   "Li Wei,,+44 20 7946 0018,,Gamma Ltd,\n")                   # different person? new phone
    b = importer.import_file(second, ImportOptions(source="Webinar", default_region="DE"))
    assert accounted(b)
    # Jane by e-mail, Max by phone, "J. Doe" by LinkedIn onto the row above it; Li Wei
    # has a new number and is only flagged as a possible duplicate.
    assert (b.rows, b.merged, b.inserted, b.duplicates_flagged) == (5, 3, 1, 1)
    jane = leads(store, "email = ?", ("jane@acme.de",))[0]
    assert jane["title"] == "Head of IT"  # the rep's value survived
    assert jane["phone"] == "+49897654321"  # empty field filled
    assert jane["source"] == "Trade show"  # first source stays on the lead
    timeline = [r[0] for r in store.conn.execute(
        "SELECT notes FROM activities WHERE lead_id = ? AND kind = 'import' ORDER BY id", (jane["id"],))]
    assert any(f"Also in batch {b.batch_id} from source Webinar" in t for t in timeline)
    assert any("Intern" in t for t in timeline)  # the value that was not taken is on record
    max_ = leads(store, "last_name = 'Mustermann'")[0]
    assert max_["title"] == "CEO"
    log = store.conn.execute("SELECT entity_id, before, after FROM change_log WHERE batch_id = ?", (b.batch_id,)).fetchall()
    assert {row[0] for row in log} == {jane["id"], max_["id"]}
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 3 + b.inserted + b.duplicates_flagged
    assert a.batch_id != b.batch_id


def test_similar_name_at_same_company_is_flagged_not_merged(store, tmp_path):
    importer = Importer(store)
    importer.import_file(write(tmp_path, "a.csv", "Name,Company,Email\nJohn Smith,ACME Inc.,john@acme.com\n"))
    result = importer.import_file(write(tmp_path, "b.csv", "Name,Company,Email\nJon Smith,Acme,jsmith@gmail.com\n"
                                                            "Mary Major,Acme,mary@acme.com\n"))
    assert (result.duplicates_flagged, result.inserted, result.merged) == (1, 1, 0)
    pending = importer.pending_duplicates()
    assert len(pending) == 1
    assert pending[0]["new"]["first_name"] == "Jon" and pending[0]["existing"]["first_name"] == "John"
    assert pending[0]["similarity"] >= 88
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 3

    importer.resolve_duplicate(pending[0]["id"], "merge")
    john = leads(store, "first_name = 'John'")[0]
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 2
    assert john["email"] == "john@acme.com"  # not overwritten by the gmail address
    assert importer.pending_duplicates() == []


def test_keep_both_leaves_both_leads(store, tmp_path):
    importer = Importer(store)
    importer.import_file(write(tmp_path, "a.csv", "Name,Company,Phone\nAnna Berg,Nord AB,+46 8 123 456 78\n"))
    importer.import_file(write(tmp_path, "b.csv", "Name,Company,Phone\nAnna Bergh,Nord,+46 8 123 999 99\n"))
    (cand,) = importer.pending_duplicates()
    importer.resolve_duplicate(cand["id"], "keep")
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 2
    with pytest.raises(UserError):
        importer.resolve_duplicate(cand["id"], "merge")


def test_same_file_again_is_detected(store, tmp_path):
    path = write(tmp_path, "l.csv", "email\na@b.de\n")
    importer = Importer(store)
    first = importer.import_file(path)
    plan = importer.prepare(path)
    assert [b["id"] for b in plan.previous_batches] == [first.batch_id]
    again = importer.run(plan, ImportOptions())
    assert again.same_file_batches == [first.batch_id] and again.merged == 1 and again.inserted == 0


def test_dry_run_counts_exactly_and_writes_nothing(store, tmp_path):
    path = write(tmp_path, "messe.csv", GERMAN_BOOTH, "cp1252")
    importer = Importer(store)
    dry = importer.import_file(path, ImportOptions(dry_run=True))
    assert dry.dry_run and (dry.rows, dry.inserted, dry.rejected) == (4, 3, 1)
    for table in ("leads", "import_batches", "import_rejects", "activities", "change_log"):
        assert store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    real = importer.import_file(path)
    assert (real.inserted, real.merged, real.duplicates_flagged, real.rejected) == (
        dry.inserted, dry.merged, dry.duplicates_flagged, dry.rejected)


def test_cancel_rolls_back_everything(store, tmp_path):
    lines = ["email"] + [f"p{i}@example.com" for i in range(300)]
    path = write(tmp_path, "l.csv", "\n".join(lines) + "\n")
    progress = Progress()
    seen = []

    def report(done, total, message):
        seen.append(done)
        if done >= 100:
            progress.cancel()

    progress._callback = report
    with pytest.raises(Cancelled):
        Importer(store).import_file(path, ImportOptions(chunk_size=50), progress)
    assert seen and store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 0
    assert store.conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0


def test_cyclic_gc_is_back_on_after_an_import_and_after_cancel(store, tmp_path):
    import gc

    lines = ["email"] + [f"p{i}@example.com" for i in range(120)]
    path = write(tmp_path, "l.csv", "\n".join(lines) + "\n")
    Importer(store).import_file(path, ImportOptions(chunk_size=50))
    assert gc.isenabled()
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        Importer(store).import_file(path, ImportOptions(chunk_size=50), progress)
    assert gc.isenabled()


def test_undo_batch_removes_untouched_leads_reverts_merges_and_says_what_stayed(store, tmp_path):
    importer = Importer(store)
    base = importer.import_file(write(tmp_path, "a.csv", "Name,Email,Phone,Company\n"
                                                         "Ann Lee,ann@x.io,,X Corp\nBob Ray,bob@y.io,,\n"))
    batch = importer.import_file(write(tmp_path, "b.csv", "Name,Email,Phone,Company\n"
                                                          "Ann Lee,ann@x.io,+1 212 736 5000,\n"
                                                          "Bob Ray,bob@y.io,+1 415 555 0100,Y Inc\n"
                                                          "Cy Twombly,cy@z.io,,\nDee Dee,dee@z.io,,\n"))
    assert (batch.merged, batch.inserted) == (2, 2)
    service = LeadService(store)
    cy = leads(store, "email = 'cy@z.io'")[0]
    service.change_status(cy["id"], "attempting")  # the rep started working Cy
    bob = leads(store, "email = 'bob@y.io'")[0]
    service.update(bob["id"], {"phone": "+14155550199"}, "rep corrected the number")

    report = importer.undo_batch(batch.batch_id)
    assert report.removed == 1 and report.reverted == 2
    assert leads(store, "email = 'dee@z.io'") == []
    kept = dict(report.kept)
    assert cy["public_id"] in kept and "worked" in kept[cy["public_id"]]
    assert "phone" in kept[bob["public_id"]]
    ann = leads(store, "email = 'ann@x.io'")[0]
    bob = leads(store, "email = 'bob@y.io'")[0]
    assert ann["phone"] is None  # the merge's fill was taken back
    assert bob["phone"] == "+14155550199" and bob["company"] is None  # rep's edit stays; untouched fill reverted
    assert store.conn.execute("SELECT count(*) FROM activities WHERE kind = 'import'").fetchone()[0] == 0
    with pytest.raises(UserError, match="already undone"):
        importer.undo_batch(batch.batch_id)
    base_report = importer.undo_batch(base.batch_id)
    assert base_report.removed == 1  # Ann was never worked; Bob's number was edited by the rep
    assert base_report.kept == [(bob["public_id"], "edited since the import")]
    assert store.integrity_check() == ["ok"]


def test_saved_profile_is_reused_for_the_same_headers(store, tmp_path):
    importer = Importer(store)
    path = write(tmp_path, "odd.csv", "Kol A,Kol B\nJane,jane@x.io\n")
    plan = importer.prepare(path)
    assert plan.mapping_source == "automatic"
    plan.mapping = Mapping(["full_name", "email"])
    importer.run(plan, ImportOptions(save_profile=True))
    again = importer.prepare(write(tmp_path, "odd2.csv", "kol a, KOL B\nJoe,joe@x.io\n"))
    assert again.mapping_source == "profile" and again.mapping.targets == ["full_name", "email"]


def test_list_without_any_lead_columns_is_refused(store, tmp_path):
    path = write(tmp_path, "prose.txt", "Dear team,\nplease find attached the notes.\n")
    with pytest.raises(UserError, match="no column could be recognised"):
        Importer(store).import_file(path)
    assert store.conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0


def test_hostile_content_is_data(store, tmp_path):
    rows = [["Notes", "Name", "Email", "Company"],
            ["+cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil\")", "x@evil.io", "<b>Bold</b> & Co"],
            ["@SUM(1+1)", "", "not-an-address", ""]]
    path = tmp_path / "hostile.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    importer = Importer(store)
    result = importer.import_file(path)
    lead = leads(store)[0]
    assert lead["company"] == "<b>Bold</b> & Co" and lead["notes"] == "+cmd|' /C calc'!A0"
    out = tmp_path / "rejects.csv"
    assert importer.export_rejects(result.batch_id, out) == 1
    with out.open(encoding="utf-8-sig", newline="") as fh:
        exported = list(csv.reader(fh))
    assert exported[0] == ["line", "reason", "row"]
    assert exported[1][0] == "3" and exported[1][2].startswith("'")  # a formula cell is neutralised


def test_bulk_path_rebuilds_indexes_and_search(store, tmp_path, monkeypatch):
    from leadtriage.importing import write_batch

    importer = Importer(store)
    importer.import_file(write(tmp_path, "a.csv", "Name,Email\nOld Timer,old@x.io\n"))
    monkeypatch.setattr(write_batch.BatchWriter, "_bulk_worth_it", lambda self: True)
    indexes_before = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type IN ('index','trigger')")}
    lines = ["Name,Email,Company"] + [f"Person {i},p{i}@example.com,Firm {i % 7}" for i in range(400)]
    lines.append("Old Timer,old@x.io,Renamed Firm")  # merges into a lead from before the batch
    messages: list[str] = []
    progress = Progress(lambda done, total, message: messages.append(message))
    result = importer.import_file(write(tmp_path, "big.csv", "\n".join(lines) + "\n"), ImportOptions(chunk_size=100),
                                  progress)
    assert result.inserted + result.duplicates_flagged == 400 and result.merged == 1
    # The long last phase says what it is doing, step by step (the bar would otherwise sit at 100 %).
    rebuild = [m for m in messages if " of " in m]
    assert any(m.startswith("building the search index (") for m in rebuild)
    assert rebuild[-1].endswith(")") and rebuild[-1].split("(")[1].split(" of ")[0] == rebuild[-1].split(" of ")[1][:-1]
    indexes_after = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type IN ('index','trigger')")}
    assert indexes_after == indexes_before
    hits = store.conn.execute("SELECT count(*) FROM leads_fts WHERE leads_fts MATCH 'person'").fetchone()[0]
    assert hits == 400
    assert store.conn.execute("SELECT count(*) FROM leads_fts WHERE leads_fts MATCH 'renamed'").fetchone()[0] == 1
    store.conn.execute("INSERT INTO leads_fts(leads_fts) VALUES ('integrity-check')")
    assert store.integrity_check() == ["ok"]


def test_spreadsheet_import_with_sheet_choice(store, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Cover"
    sheet = book.create_sheet("Contacts")
    sheet.append(["Vorname", "Nachname", "Firma", "Telefon", "PLZ"])
    sheet.append(["Eva", "Öztürk", "Kraft GmbH", "0049 221 123456", "04109"])
    path = tmp_path / "kollege.xlsx"
    book.save(path)
    result = Importer(store).import_file(path, sheet="Contacts")
    assert result.inserted == 1 and result.sheet == "Contacts"
    lead = leads(store)[0]
    assert lead["phone"] == "+49221123456" and json.loads(lead["custom_fields"]) == {"PLZ": "04109"}


def test_cancel_while_rebuilding_indexes_leaves_the_database_as_it_was(store, tmp_path, monkeypatch):
    from leadtriage.importing import write_batch

    importer = Importer(store)
    importer.import_file(write(tmp_path, "a.csv", "Name,Email\nOld Timer,old@x.io\n"))
    monkeypatch.setattr(write_batch.BatchWriter, "_bulk_worth_it", lambda self: True)
    schema_before = store.conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    # Cancel as the wizard's button does, in the middle of the rebuild.
    progress = Progress(lambda done, total, message: message.startswith("building the search index")
                        and progress.cancel())
    lines = ["Name,Email"] + [f"Person {i},p{i}@example.com" for i in range(300)]
    with pytest.raises(Cancelled):
        importer.import_file(write(tmp_path, "big.csv", "\n".join(lines) + "\n"), ImportOptions(chunk_size=100),
                             progress)
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 1
    assert store.conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall() == schema_before
    assert store.conn.execute("SELECT count(*) FROM leads_fts WHERE leads_fts MATCH 'old'").fetchone()[0] == 1

"""`leadtriage import`: the contract scripts rely on."""

from __future__ import annotations

import json
from pathlib import Path

from leadtriage.cli import main
from leadtriage.safety.opening import open_store


def test_import_json_report(tmp_path: Path, capsys):
    src = tmp_path / "list.csv"
    src.write_bytes("Vorname;Nachname;E-Mail;Telefon;Land\nJörg;Weiß;jw@example.de;030 1234567;DE\n;;;;\n;;bad;;\n"
                    .encode("cp1252"))
    db = tmp_path / "l.db"
    before = src.read_bytes()
    code = main(["import", str(src), "--db", str(db), "--source", "Messe", "--campaign", "HMI", "--cost", "99.5",
                 "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("batch_id", "rows", "inserted", "merged", "duplicates_flagged", "rejected", "encoding",
                "delimiter", "seconds"):
        assert key in out
    assert (out["rows"], out["inserted"], out["rejected"], out["encoding"], out["delimiter"]) == (2, 1, 1, "cp1252", ";")
    assert src.read_bytes() == before  # the source file is never modified
    with open_store(db, writer=False) as store:
        assert store.conn.execute("SELECT last_name, phone FROM leads").fetchall() == [("Weiß", "+49301234567")]


def test_dry_run_and_overrides(tmp_path: Path, capsys):
    src = tmp_path / "list.txt"
    src.write_text("email|name\na@b.de|A B\n", encoding="latin-1")
    db = tmp_path / "l.db"
    assert main(["import", str(src), "--db", str(db), "--dry-run", "--json", "--delimiter", "|",
                 "--encoding", "latin-1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dry_run"] and out["inserted"] == 1 and out["delimiter"] == "|"
    with open_store(db, writer=False) as store:
        assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 0


def test_mapping_file_is_used_and_remembered(tmp_path: Path, capsys):
    src = tmp_path / "odd.csv"
    src.write_text("c1,c2\nJane Roe,jane@roe.io\n", encoding="utf-8")
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"c1": "full_name", "c2": "email"}), encoding="utf-8")
    db = tmp_path / "l.db"
    assert main(["import", str(src), "--db", str(db), "--mapping", str(mapping), "--json"]) == 0
    capsys.readouterr()
    src2 = tmp_path / "odd2.csv"
    src2.write_text("c1,c2\nJoe Doe,joe@doe.io\n", encoding="utf-8")
    assert main(["import", str(src2), "--db", str(db), "--json"]) == 0  # the saved profile maps it
    assert json.loads(capsys.readouterr().out)["inserted"] == 1


def test_same_file_twice_warns(tmp_path: Path, capsys):
    src = tmp_path / "l.csv"
    src.write_text("email\na@b.de\n", encoding="utf-8")
    db = tmp_path / "l.db"
    assert main(["import", str(src), "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["import", str(src), "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "already imported as batch 1" in err


def test_unreadable_files_exit_2_with_one_line_and_write_nothing(tmp_path: Path, capsys):
    db = tmp_path / "never.db"
    cases = {
        "empty.csv": b"",
        "blank.csv": b"\n \n",
        "binary.csv": bytes(range(256)) * 50,
        "image.png": b"\x89PNG\r\n\x1a\n" + b"\x00\x01" * 300,
        "fake.xlsx": b"PK\x03\x04garbage",
        "prose.txt": b"Dear team, see the attached notes.\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        assert main(["import", str(path), "--db", str(db)]) == 2, name
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("leadtriage: "), (name, err)
        assert not db.exists(), name
    assert main(["import", str(tmp_path / "missing.csv"), "--db", str(db)]) == 2
    assert "does not exist" in capsys.readouterr().err

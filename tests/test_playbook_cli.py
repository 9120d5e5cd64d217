"""`leadtriage cadence ...`, `import --cadence` and `stats --by cadence`: the contract."""

from __future__ import annotations

import json
from pathlib import Path

from leadtriage.cli import main
from leadtriage.safety.opening import open_store
from tests.playbook_helpers import CADENCE_YAML


def cadence_file(tmp_path: Path, text: str = CADENCE_YAML, name: str = "inbound.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def test_import_list_export(tmp_path: Path, capsys):
    db = tmp_path / "l.db"
    assert main(["cadence", "import", str(cadence_file(tmp_path)), "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"imported": ["Inbound"]}
    assert main(["cadence", "--db", str(db), "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["cadences"]
    assert [(c["name"], c["steps"], c["enrolled"], c["active"], c["finished"]) for c in listed] == [
        ("Inbound", 5, 0, 0, 0)]
    out = tmp_path / "out.json"
    assert main(["cadence", "export", "inbound", "--db", str(db), "--format", "json", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["name"] == "Inbound" and data["templates"][0]["name"] == "intro"
    # The export imports again unchanged.
    assert main(["cadence", "import", str(out), "--db", str(db)]) == 0


def test_bad_file_exits_2_with_line_and_writes_nothing(tmp_path: Path, capsys):
    db = tmp_path / "l.db"
    bad = cadence_file(tmp_path, CADENCE_YAML.replace("delay: 2", "delay: soon"), "bad.yaml")
    assert main(["cadence", "import", str(bad), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "bad.yaml line 13 (cadence 'Inbound', step 3): delay must be a whole number" in err
    assert not db.exists()  # checked before any database was created


def test_import_with_cadence_enrols_the_batch(tmp_path: Path, capsys):
    db = tmp_path / "l.db"
    main(["cadence", "import", str(cadence_file(tmp_path)), "--db", str(db)])
    src = tmp_path / "list.csv"
    src.write_text("first_name,company,email,phone,country\nAnn,Acme,ann@acme.de,030 1234567,DE\n"
                   "Bo,Beta,bo@beta.de,030 7654321,DE\n", "utf-8")
    capsys.readouterr()
    assert main(["import", str(src), "--db", str(db), "--cadence", "Inbound", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cadence"] == {"name": "Inbound", "enrolled": 2, "skipped": {}}
    assert main(["cadence", "list", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cadences"][0]["active"] == 2


def test_import_with_an_unknown_cadence_imports_nothing(tmp_path: Path, capsys):
    db = tmp_path / "l.db"
    main(["cadence", "import", str(cadence_file(tmp_path)), "--db", str(db)])
    src = tmp_path / "list.csv"
    src.write_text("first_name,email\nAnn,ann@acme.de\n", "utf-8")
    assert main(["import", str(src), "--db", str(db), "--cadence", "Nope"]) == 2
    assert "No cadence named “Nope”" in capsys.readouterr().err
    with open_store(db, writer=False) as store:
        assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 0


def test_stats_by_cadence(tmp_path: Path, capsys):
    from leadtriage.playbook.service import PlaybookService

    db = tmp_path / "l.db"
    main(["cadence", "import", str(cadence_file(tmp_path)), "--db", str(db)])
    from tests.queue_data import add

    with open_store(db) as store:
        service = PlaybookService(store)
        a, b = add(store, email="a@x.test"), add(store, email="b@x.test")
        service.enrol([a, b], "Inbound")
        service.log_call(a, "no_answer")
        service.log_call(b, "meeting_set")
    capsys.readouterr()
    assert main(["stats", "--db", str(db), "--by", "cadence", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    c = out["cadences"][0]
    assert (c["name"], c["enrolled"], c["touches"], c["connects"], c["meetings"]) == ("Inbound", 2, 2, 1, 1)
    first = c["steps"][0]
    assert (first["reached"], first["done"], first["connect_rate"], first["meetings"]) == (2, 2, 0.5, 1)
    assert c["steps"][1]["reached"] == 2 and c["median_days_to_first_connect"] is not None


def test_unknown_cadence_and_missing_database_exit_2(tmp_path: Path, capsys):
    db = tmp_path / "l.db"
    assert main(["cadence", "list", "--db", str(db)]) == 2
    assert "No LeadTriage database" in capsys.readouterr().err and not db.exists()
    main(["cadence", "import", str(cadence_file(tmp_path)), "--db", str(db)])
    capsys.readouterr()
    assert main(["cadence", "export", "Nope", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No cadence named “Nope” (known: Inbound)" in err

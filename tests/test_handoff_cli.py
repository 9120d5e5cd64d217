"""`leadtriage export`: exit codes, --json, nothing written on bad input."""

from __future__ import annotations

import json

import pytest

from leadtriage.cli import main
from leadtriage.domain.public_id import format_public_id
from tests.handoff_helpers import insert_lead


@pytest.fixture
def db(store, db_path):
    ids = [insert_lead(store), insert_lead(store, first_name="Bo"), insert_lead(store, status="engaged")]
    store.close()
    return db_path, ids


def run(capsys, *args):
    code = main(["export", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lists_files_and_handed_off_leads(db, tmp_path, capsys):
    path, ids = db
    out = tmp_path / "briefs"
    code, stdout, err = run(capsys, "--db", path, "--format", "md,csv-sheet", "--out", out, "--json")
    assert code == 0, err
    payload = json.loads(stdout)
    assert payload["handed_off"] == [format_public_id(i) for i in ids[:2]]
    assert len(payload["files"]) == 3 and all((out / p.split("/")[-1]).exists() for p in payload["files"])


def test_ids_select_leads(db, tmp_path, capsys):
    path, ids = db
    code, stdout, _ = run(capsys, "--db", path, "--ids", format_public_id(ids[1]).lower(), "--format", "md",
                          "--out", tmp_path / "o", "--json")
    assert code == 0 and json.loads(stdout)["handed_off"] == [format_public_id(ids[1])]


@pytest.mark.parametrize("args, message", [
    (["--format", "pdf,docx"], "Unknown export format"),
    (["--format", "md", "--ids", "LT-00001X"], "Not a valid lead ID"),
    (["--format", "md", "--ids", "LT-000ZZZ"], None),
    (["--format", "md", "--rep", "Nobody"], "No field rep called"),
    (["--format", "md", "--status", "sleeping"], "Unknown status"),
    (["--format", "md", "--status", "engaged"], "only qualified or already handed-off"),
    (["--format", "md", "--status", "won"], "No leads match"),
])
def test_bad_input_exits_2_and_writes_nothing(db, tmp_path, capsys, args, message):
    path, _ = db
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "--db", path, "--out", out, *args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("leadtriage: ")
    if message:
        assert message in err
    assert not out.exists()


def test_missing_database_is_exit_2(tmp_path, capsys):
    code, _, err = run(capsys, "--db", tmp_path / "none.db", "--format", "md", "--out", tmp_path / "o")
    assert code == 2 and not (tmp_path / "none.db").exists()


@pytest.mark.slow
def test_pdf_from_a_process_without_a_qt_application(db, tmp_path):
    """The command line has no QApplication: PDF printing makes its own offscreen one."""
    import os
    import subprocess
    import sys

    path, ids = db
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    proc = subprocess.run(
        [sys.executable, "-m", "leadtriage", "export", "--db", str(path), "--format", "pdf", "--out",
         str(tmp_path / "pdf"), "--json"], capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    files = json.loads(proc.stdout)["files"]
    assert len(files) == 2 and all(f.endswith(".pdf") for f in files)


def test_duplicate_ids_are_exported_once(db, tmp_path, capsys):
    path, ids = db
    pid = format_public_id(ids[0])
    code, stdout, err = run(capsys, "--db", path, "--ids", f"{pid},{pid}", "--format", "md", "--out", tmp_path,
                            "--json")
    assert code == 0, err
    assert json.loads(stdout)["handed_off"] == [pid]

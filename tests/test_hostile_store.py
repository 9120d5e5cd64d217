"""Databases reached by another name, device files given as databases, and the
files a killed backup leaves: the one-writer lock holds for the file itself, and
nothing that is not an ordinary file is touched."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leadtriage.cli import main
from leadtriage.domain.public_id import format_public_id
from leadtriage.errors import DatabaseBusy, NotALeadTriageDatabase, UserError
from leadtriage.safety import backup as backups
from leadtriage.safety.opening import open_store
from tests.handoff_helpers import insert_lead


@pytest.fixture
def real(tmp_path):
    """A database with a qualified lead, and a backup of it, in tmp/data/."""
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    path = folder / "leads.db"
    with open_store(path) as store:
        lead = insert_lead(store)
        backup = backups.backup(store, folder=tmp_path / "elsewhere")
    return path, lead, backup


def make_alias(kind: str, real: Path, tmp_path: Path, monkeypatch) -> str:
    if kind == "symlink":
        link = tmp_path / "link.db"
        link.symlink_to(real)
        return str(link)
    if kind == "folder-symlink":
        (tmp_path / "dirlink").symlink_to(real.parent, target_is_directory=True)
        return str(tmp_path / "dirlink" / real.name)
    if kind == "hardlink":
        other = tmp_path / "other"
        other.mkdir()
        os.link(real, other / "copy.db")
        return str(other / "copy.db")
    if kind == "dotdot":
        # jump -> data/sub, so jump/.. is data/ for the system but tmp/ when read as text
        (tmp_path / "jump").symlink_to(real.parent / "sub", target_is_directory=True)
        return str(tmp_path / "jump" / ".." / real.name)
    if kind == "relative":
        monkeypatch.chdir(real.parent / "sub")
        return os.path.join("..", real.name)
    raise AssertionError(kind)


ALIASES = ("symlink", "folder-symlink", "hardlink", "dotdot", "relative")


def counts(path: Path) -> tuple:
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("leads", "activities", "handoffs", "import_batches"))


@pytest.mark.parametrize("kind", ALIASES)
def test_a_second_writer_through_another_name_is_busy(real, tmp_path, monkeypatch, kind):
    path, _, _ = real
    alias = make_alias(kind, path, tmp_path, monkeypatch)
    with open_store(path):
        with pytest.raises(DatabaseBusy, match="already open"):
            open_store(alias)
    # and the other way round: the app opened it through the alias
    with open_store(alias):
        with pytest.raises(DatabaseBusy, match="already open"):
            open_store(path)


def _commands(path: Path, lead: int, backup: Path, tmp_path: Path) -> dict[str, list[str]]:
    leads_csv = tmp_path / "list.csv"
    leads_csv.write_text("first_name,last_name,company,email\nBo,Berg,Acme,bo@acme.example\n", "utf-8")
    outcomes_csv = tmp_path / "outcomes.csv"
    outcomes_csv.write_text(f"Lead ID,Outcome\n{format_public_id(lead)},accepted\n", "utf-8")
    return {
        "import": ["import", str(leads_csv)],
        "outcomes": ["outcomes", str(outcomes_csv)],
        "restore": ["restore", str(backup)],
        "demo": ["demo", "--leads", "20"],
        "demo-bulk": ["demo", "--leads", "100000"],
        "export": ["export", "--format", "md", "--out", str(tmp_path / "out")],
    }


@pytest.mark.parametrize("kind", ALIASES)
@pytest.mark.parametrize("command", ["import", "outcomes", "restore", "demo", "demo-bulk", "export"])
def test_every_writing_command_through_an_alias_waits_for_the_app(real, tmp_path, monkeypatch, capsys,
                                                                   kind, command):
    path, lead, backup = real
    argv = _commands(path, lead, backup, tmp_path)[command]
    alias = make_alias(kind, path, tmp_path, monkeypatch)
    with open_store(path) as app:  # the app holds the database for its lifetime
        before = counts(path)
        code = main([argv[0], "--db", alias, *argv[1:]])
        err = capsys.readouterr().err
        assert code == 2, err
        assert "already open" in err and len(err.strip().splitlines()) == 1
        assert counts(path) == before
        assert app.conn.execute("SELECT status FROM leads WHERE id = ?", (lead,)).fetchone()[0] == "qualified"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("kind", ALIASES)
def test_backup_through_an_alias_reads_beside_the_app_instead_of_writing(real, tmp_path, monkeypatch, capsys,
                                                                           kind):
    from leadtriage.safety import recovery

    path, _, _ = real
    alias = make_alias(kind, path, tmp_path, monkeypatch)
    seen: list[BaseException] = []
    original = recovery.open_or_recover

    def spy(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        except BaseException as exc:
            seen.append(exc)
            raise

    monkeypatch.setattr(recovery, "open_or_recover", spy)
    with open_store(path):
        assert main(["backup", "--db", alias]) == 0, capsys.readouterr()
    assert [type(e) for e in seen] == [DatabaseBusy]  # it never became a second writer


# -- device files and other non-files (item 7) -----------------------------------------


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can chmod /dev/null")
@pytest.mark.parametrize("command", [["check"], ["backup"], ["demo", "--leads", "5"], ["stats"], ["restore", "X"]])
def test_dev_null_as_the_database_is_refused_and_untouched(tmp_path, capsys, command):
    before = os.stat("/dev/null")
    siblings = {side: Path("/dev/null" + side).exists() for side in ("-journal", "-wal", "-shm", ".lock")}
    argv = [str(tmp_path / "backup.db") if a == "X" else a for a in command]
    if argv[0] == "restore":
        with open_store(tmp_path / "src.db") as store:
            made = backups.backup(store, folder=tmp_path)
        argv[1] = str(made)
    code = main([argv[0], "--db", "/dev/null", *argv[1:]])
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1
    after = os.stat("/dev/null")
    assert (after.st_mode, after.st_uid) == (before.st_mode, before.st_uid)
    assert {side: Path("/dev/null" + side).exists() for side in siblings} == siblings


def test_a_fifo_or_folder_as_the_database_is_refused_before_touching_it(tmp_path):
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo, 0o644)
    with pytest.raises(NotALeadTriageDatabase, match="not an ordinary file"):
        open_store(fifo)
    assert oct(fifo.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.db"]
    with pytest.raises(UserError):
        open_store(tmp_path / "pipe.db" / "inside.db")  # a "folder" that is a pipe
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.db"]


# -- what killed backups leave (item 12) -------------------------------------------------


def _killed_backup_leftovers(folder: Path, stem: str, age_s: float = 60) -> list[Path]:
    """The two files a backup killed mid-copy leaves: the part and its journal."""
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{stem}_2026-11-23_140000_000001_manual.db.part"
    part.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    journal = part.with_name(part.name + "-journal")
    journal.write_bytes(b"\x00" * 512)
    old = time.time() - age_s
    for p in (part, journal):
        os.utime(p, (old, old))
    return [part, journal]


def test_a_killed_backups_part_files_go_at_the_next_backup(demo_store, db_path, capsys):
    leftovers = _killed_backup_leftovers(backups.backups_dir(db_path), db_path.stem)
    demo_store.close()
    assert main(["backup", "--db", str(db_path)]) == 0, capsys.readouterr()
    assert not any(p.exists() for p in leftovers)
    assert len(backups.list_backups(db_path)) == 1


def test_a_killed_backups_part_files_go_at_the_next_open(db_path):
    with open_store(db_path):
        pass
    leftovers = _killed_backup_leftovers(backups.backups_dir(db_path), db_path.stem)
    with open_store(db_path):
        assert not any(p.exists() for p in leftovers)


def test_a_part_being_written_by_another_process_is_kept(db_path, tmp_path):
    with open_store(db_path):
        pass
    part, journal = _killed_backup_leftovers(backups.backups_dir(db_path), db_path.stem)
    # Another process is writing this backup right now (it holds the part's lock).
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX); "
         "print('locked', flush=True); time.sleep(60)", str(part)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "locked"
        with open_store(db_path) as store:
            backups.backup(store)
        assert part.exists() and journal.exists()
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()
    with open_store(db_path):
        assert not part.exists() and not journal.exists()  # its writer died: now it goes


@pytest.mark.parametrize("kind", ["symlink", "hardlink"])
def test_a_second_app_through_an_alias_is_told_and_the_first_is_untouched(qtbot, real, tmp_path, monkeypatch,
                                                                           capsys, kind):
    from PySide6.QtWidgets import QMessageBox

    from leadtriage.ui import app as app_module

    path, lead, _ = real
    alias = make_alias(kind, path, tmp_path, monkeypatch)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # start() installs the app's hook
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    with open_store(path) as first:
        assert app_module.run_app(alias) == 2
        assert shown and "already open" in shown[0]
        assert first.conn.execute("SELECT status FROM leads WHERE id = ?", (lead,)).fetchone()[0] == "qualified"
    capsys.readouterr()


@pytest.mark.parametrize("kind", ["symlink", "hardlink"])
def test_restoring_the_database_onto_itself_through_an_alias_is_refused(real, tmp_path, monkeypatch, capsys, kind):
    path, _, _ = real
    alias = make_alias(kind, path, tmp_path, monkeypatch)
    before = counts(path)
    code = main(["restore", "--db", str(path), alias])
    err = capsys.readouterr().err
    assert code == 2 and "database itself" in err
    assert counts(path) == before

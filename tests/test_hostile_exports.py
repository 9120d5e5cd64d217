"""Export folders and file names against a hostile folder: a planted symlink is never
followed, folders LeadTriage creates are private, and the log never names a lead."""

from __future__ import annotations

import logging
import os
import stat

from leadtriage.cli import main
from leadtriage.handoff.filenames import FileNamer
from tests.handoff_helpers import insert_lead


def test_a_symlink_at_the_export_file_name_is_never_followed(store, db_path, tmp_path, capsys, caplog):
    from leadtriage.domain.public_id import format_public_id

    pid = format_public_id(insert_lead(store, first_name="Zebulonia", last_name="Quixotesque"))
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", "utf-8")
    # The name the brief would get, planted as a link to the victim.
    (out / f"{pid}_Zebulonia-Quixotesque.md").symlink_to(victim)
    with caplog.at_level(logging.DEBUG):
        code = main(["export", "--db", str(db_path), "--format", "md", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err  # refused with a sentence, not an internal error
    assert victim.read_text("utf-8") == "precious"
    assert [p.name for p in out.iterdir() if not p.is_symlink()] == []
    assert "Zebulonia" not in caplog.text + err and "Quixotesque" not in caplog.text + err


def test_an_unsafe_name_error_does_not_carry_the_name(tmp_path):
    namer = FileNamer(tmp_path)
    # safe_stem makes this impossible; the check behind it still must not leak the name
    import leadtriage.handoff.filenames as filenames

    original = filenames.safe_stem
    filenames.safe_stem = lambda stem: stem
    try:
        try:
            namer.claim("../Zebulonia Quixotesque", "md")
        except ValueError as exc:
            assert "Zebulonia" not in str(exc)
        else:
            raise AssertionError("an unsafe name was accepted")
    finally:
        filenames.safe_stem = original
    assert list(tmp_path.iterdir()) == []


def test_export_folder_and_log_folder_made_by_leadtriage_are_private(store, db_path, tmp_path, capsys,
                                                                      monkeypatch):
    from leadtriage import logs, paths

    insert_lead(store)
    store.close()
    old = os.umask(0o022)
    try:
        out = tmp_path / "new-folder"
        assert main(["export", "--db", str(db_path), "--format", "md", "--out", str(out)]) == 0, capsys.readouterr()
        assert stat.S_IMODE(out.stat().st_mode) == 0o700
        mine = tmp_path / "mine"
        mine.mkdir(mode=0o755)  # a folder the user made keeps its own mode
        os.chmod(mine, 0o755)
        insert_db = db_path
        assert main(["export", "--db", str(insert_db), "--status", "handed_off", "--format", "md",
                     "--out", str(mine)]) == 0, capsys.readouterr()
        assert stat.S_IMODE(mine.stat().st_mode) == 0o755
        monkeypatch.delenv("LEADTRIAGE_NO_LOG_FILE")
        monkeypatch.setattr(logs, "_configured", False)
        root = logging.getLogger()
        handlers = list(root.handlers)
        try:
            logs.setup_logging()
            assert stat.S_IMODE(paths.log_dir().stat().st_mode) == 0o700
        finally:
            for handler in root.handlers[:]:
                if handler not in handlers:
                    root.removeHandler(handler)
                    handler.close()
    finally:
        os.umask(old)

"""`leadtriage --selftest`: the smoke test a built bundle runs, usable by support."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

import leadtriage
from leadtriage import selftest
from leadtriage.cli import main


def test_selftest_passes_and_reports_each_step(qapp, isolated_home):
    out = io.StringIO()
    assert selftest.run(out) == 0
    text = out.getvalue()
    assert text.startswith(f"LeadTriage {leadtriage.__version__} selftest")
    for step in ("demo database", "main window offscreen", "open a lead", "brief to PDF", "Qt modules"):
        assert f"ok    {step}" in text
    assert "selftest passed" in text
    # The user's data folder and environment are left as they were.
    assert not any(isolated_home.iterdir())
    assert os.environ["LEADTRIAGE_HOME"] == str(isolated_home)


def test_selftest_brief_is_a_real_pdf_of_a_demo_lead(qapp, tmp_path):
    from pypdf import PdfReader

    assert selftest.run(io.StringIO(), keep=tmp_path) == 0
    reader = PdfReader(tmp_path / "brief.pdf")
    assert len(reader.pages) >= 1
    text = "".join(page.extract_text() for page in reader.pages)
    from leadtriage.safety.opening import open_store

    with open_store(tmp_path / "selftest.db") as store:
        public_id = store.conn.execute("SELECT public_id FROM leads ORDER BY id DESC LIMIT 1").fetchone()[0]
        company = store.conn.execute("SELECT company FROM leads ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert public_id in text and company.split()[0] in text


def test_selftest_fails_loudly_when_a_piece_is_missing(qapp, monkeypatch):
    def missing():
        raise FileNotFoundError("LeadTriage resources folder is missing; reinstall the app")

    monkeypatch.setattr("leadtriage.paths.resources_dir", missing)
    out = io.StringIO()
    assert selftest.run(out) == 1
    text = out.getvalue()
    assert "FAIL  resources: FileNotFoundError" in text
    assert "selftest FAILED" in text and "resources" in text.splitlines()[-1]


def test_cli_flag_runs_the_selftest(qapp, capsys):
    assert main(["--selftest"]) == 0
    assert "selftest passed" in capsys.readouterr().out


@pytest.mark.slow
def test_selftest_as_a_separate_process(tmp_path):
    env = {**os.environ, "LEADTRIAGE_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "leadtriage", "--selftest"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "selftest passed" in proc.stdout
    assert not (tmp_path / "home").exists()

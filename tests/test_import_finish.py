"""The end of an import as the rep sees it: one way out, and timings that make sense."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QWizard

from leadtriage.ui.importing.wizard import summary_text
from tests.test_import_wizard import booth_file, make_wizard


def test_a_finished_import_offers_only_close_and_no_zero_second_rate(qtbot, store, tmp_path):
    wizard = make_wizard(qtbot, store, booth_file(tmp_path))
    wizard.next()
    wizard.next()
    wizard.next()
    run = wizard.run_page
    assert run.result is not None and run.result.inserted == 2
    close = wizard.button(QWizard.WizardButton.FinishButton)
    assert close.isVisible() and close.isEnabled() and close.text() == "Close"
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()
    assert "0.0 s" not in run.report.text()
    assert "rows/s" not in run.rate.text()  # the running rate is gone once the report is there


def test_timings_read_naturally_from_milliseconds_to_minutes(store, tmp_path):
    from leadtriage.importing.service import Importer

    result = Importer(store).import_file(booth_file(tmp_path))
    fast = summary_text(dataclasses.replace(result, seconds=0.0123), preview=False)
    assert "written in 12 ms." in fast and "rows a second" not in fast
    instant = summary_text(dataclasses.replace(result, seconds=0.0002), preview=True)
    assert "in less than a millisecond." in instant
    big = summary_text(dataclasses.replace(result, rows=1_000_000, seconds=12.5), preview=False)
    assert "written in 12.5 s (80,000 rows a second)." in big

"""The end of an import as the rep sees it: one way out, and timings that make sense."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
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


# -- undoing an import: confirmation that says what goes and what stays, and its cost goes


def _spend(store):
    from datetime import date

    from leadtriage.metrics import compute
    from leadtriage.metrics.period import custom

    dash = compute(store.conn, custom(date(2000, 1, 1), date(2100, 1, 1)), "campaign")
    return dash.totals.cost, dash.unattributed_cost


def _two_batches(store, tmp_path):
    from leadtriage.importing.service import Importer, ImportOptions
    from leadtriage.services.leads import LeadService

    importer = Importer(store)
    first = tmp_path / "first.csv"
    first.write_text("Name,Email,Company\nAnn Lee,ann@x.io,X Corp\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text("Name,Email,Company\nCy Twombly,cy@z.io,Z\nDee Dee,dee@z.io,Z\n", encoding="utf-8")
    importer.import_file(first, ImportOptions(source="Trade show", campaign="Expo", cost=100))
    batch = importer.import_file(second, ImportOptions(source="Trade show", campaign="Expo", cost=250))
    cy = store.conn.execute("SELECT id, public_id FROM leads WHERE email = 'cy@z.io'").fetchone()
    LeadService(store, rep="Alex").change_status(cy[0], "attempting")  # the rep started on Cy
    return importer, batch.batch_id, cy[1]


def test_undoing_an_import_takes_its_cost_with_it(store, tmp_path):
    importer, batch_id, _cy = _two_batches(store, tmp_path)
    assert _spend(store)[0] == 350
    report = importer.undo_batch(batch_id)
    assert report.cost == 250 and "250.00" in report.summary()
    cost, unattributed = _spend(store)
    assert (cost, unattributed) == (100, 0)  # only the first list's spend is left, none of it floating


def test_undo_asks_first_and_shows_what_goes_and_what_stays(qtbot, store, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from leadtriage.ui.importing.review import ImportHistoryDialog

    importer, batch_id, cy = _two_batches(store, tmp_path)
    dialog = ImportHistoryDialog(store)
    qtbot.addWidget(dialog)
    dialog.view.selectRow(0)  # newest first: the second list
    asked: list[str] = []

    def answer(no: bool):
        def fake(_parent, _title, text, *args, **kwargs):
            asked.append(text)
            return QMessageBox.StandardButton.No if no else QMessageBox.StandardButton.Yes
        return fake

    monkeypatch.setattr(QMessageBox, "question", answer(no=True))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    assert dialog.undo_selected() is None  # the rep said No: nothing happened
    text = asked[-1]
    assert "Removed: 1 new lead " in text
    assert cy in text and "worked since the import" in text  # what stays, and why
    assert "250.00" in text  # and the cost that goes with it
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 3
    monkeypatch.setattr(QMessageBox, "question", answer(no=False))
    assert "no longer counts" in dialog.undo_selected()
    assert store.conn.execute("SELECT count(*) FROM leads").fetchone()[0] == 2
    assert _spend(store)[0] == 100


def test_import_costs_show_the_currency(qtbot, store, tmp_path):
    from leadtriage.store.settings import SettingsStore
    from leadtriage.ui.importing.review import ImportHistoryDialog

    SettingsStore(store).set("currency", "EUR")
    _two_batches(store, tmp_path)
    wizard = make_wizard(qtbot, store, booth_file(tmp_path))
    assert wizard.details_page.cost.suffix() == " EUR"
    dialog = ImportHistoryDialog(store)
    qtbot.addWidget(dialog)
    headers = [dialog.model.headerData(c, Qt.Orientation.Horizontal) for c in range(dialog.model.columnCount())]
    column = headers.index("Cost (EUR)")
    assert dialog.model.data(dialog.model.index(0, column)) == "250.00"

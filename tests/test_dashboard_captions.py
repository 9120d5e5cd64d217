"""The dashboard explains its two opportunity numbers, and every cost carries the
currency of the `currency` setting (dashboard and `stats`)."""

from __future__ import annotations

import json
from datetime import UTC

import pytest
from PySide6.QtCore import Qt

from leadtriage.store.settings import SettingsStore
from leadtriage.ui.dashboard import DashboardView
from leadtriage.ui.worker import Worker
from tests.conftest import FIXED_NOW


@pytest.fixture
def view(qtbot, demo_store):
    SettingsStore(demo_store).set("currency", "EUR")
    v = DashboardView(demo_store, Worker(synchronous=True), now=FIXED_NOW, tz=UTC)
    qtbot.addWidget(v)
    v.refresh()
    return v


def test_sales_cycle_starts_and_opportunities_say_what_each_counts(view):
    headline = view.headline_note.text() + view.headline_value.toolTip()
    assert "opened in" in headline and "whatever" in headline  # an event count, by opportunity date
    kpi = view.kpis["opportunities"]
    assert "this period's leads" in kpi.note.text()  # a cohort: leads created in the period
    assert "Sales-cycle starts" in kpi.toolTip() and "created in" in kpi.toolTip()
    model = view.group_model
    headers = {model.headerData(c, Qt.Orientation.Horizontal): model.headerData(c, Qt.Orientation.Horizontal,
                                                                                 Qt.ItemDataRole.ToolTipRole)
               for c in range(model.columnCount())}
    assert "created in the period" in headers["Opportunities"]
    assert "opened in the period" in headers["Sales-cycle starts"]


def test_costs_show_the_currency_everywhere(view):
    for key in ("cpl", "cpq", "cpo"):
        assert view.kpis[key].value.text().startswith("EUR "), key
    assert "EUR" in view.kpis["cpl"].note.text() and "EUR" in view.kpis["won"].note.text()
    model = view.group_model
    cost_headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())
                    if "Cost" in str(model.headerData(c, Qt.Orientation.Horizontal))]
    assert cost_headers and all(h.endswith("(EUR)") for h in cost_headers)


def test_stats_command_prints_the_currency(demo_store, db_path, capsys):
    from leadtriage.cli import main

    SettingsStore(demo_store).set("currency", "EUR")
    demo_store.close()
    assert main(["stats", "--db", str(db_path), "--period", "all"]) == 0
    out = capsys.readouterr().out
    assert "Cost EUR " in out and "per qualified EUR " in out
    assert main(["stats", "--db", str(db_path), "--period", "all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["currency"] == "EUR"


def test_dashboard_export_names_the_currency(view, tmp_path):
    import csv

    from leadtriage.metrics.export import write_csv

    path = write_csv(view.dashboard, tmp_path / "d.csv", view.currency)
    header = list(csv.reader(path.read_text("utf-8-sig").splitlines()))[1]
    assert "Cost per qualified (EUR)" in header and "Won amount (EUR)" in header


def test_the_currency_is_set_in_settings(qtbot, store):
    from leadtriage.services.field_reps import FieldRepService
    from leadtriage.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(SettingsStore(store), FieldRepService(store))
    qtbot.addWidget(dialog)
    assert dialog.currency.text() == "USD"  # the default
    dialog.currency.setText("eur")
    dialog.accept()
    assert SettingsStore(store).get("currency") == "EUR"

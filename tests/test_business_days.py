"""Next steps land on working days (issue 15, item 11): for the rep and, where its
zone is known, for the lead. FIXED_NOW is Monday 23 Nov 2026, 14:00 UTC; the tests
run with the machine's zone set to UTC so "9:00" is stated plainly."""

from __future__ import annotations

import time as _time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadtriage.domain.localtime import DEFAULT_WEEK, WorkWeek, on_working_day
from leadtriage.services.calls import next_step_at, retry_at
from leadtriage.services.leads import LeadService
from leadtriage.store.settings import SettingsStore
from leadtriage.store.timeutil import from_db
from tests.conftest import FIXED_NOW
from tests.queue_data import add

FRIDAY = FIXED_NOW + timedelta(days=4)  # Fri 27 Nov 2026, 14:00 UTC
WEDNESDAY = FIXED_NOW + timedelta(days=2)


@pytest.fixture(autouse=True)
def utc_machine(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    _time.tzset()
    yield
    monkeypatch.undo()
    _time.tzset()


def test_work_week_parsing():
    assert WorkWeek.parse("Mon-Fri") == DEFAULT_WEEK
    assert WorkWeek.parse("sun-thu").days == frozenset({6, 0, 1, 2, 3})
    assert WorkWeek.parse("Mon, Tue,Thursday").days == frozenset({0, 1, 3})
    assert WorkWeek.parse("Fri-Mon").days == frozenset({4, 5, 6, 0})
    for bad in ("", "Funday", "Mon-Tue-Wed", "-"):
        with pytest.raises(ValueError, match="Working days"):
            WorkWeek.parse(bad)


def test_working_day_arithmetic():
    saturday = date(2026, 11, 28)
    assert DEFAULT_WEEK.roll_forward(saturday) == date(2026, 11, 30)
    assert DEFAULT_WEEK.add(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert DEFAULT_WEEK.add(date(2026, 11, 26), 3) == date(2026, 12, 1)
    gulf = WorkWeek.parse("Sun-Thu")
    assert gulf.add(date(2026, 11, 26), 1) == date(2026, 11, 29)  # Thursday -> Sunday


def test_quick_picks_skip_the_weekend():
    assert next_step_at("tomorrow", FRIDAY) == datetime(2026, 11, 30, 9, 0).astimezone()
    assert next_step_at("3d", FRIDAY) == datetime(2026, 12, 2, 9, 0).astimezone()
    assert next_step_at("3d", WEDNESDAY) == datetime(2026, 11, 30, 9, 0).astimezone()
    assert next_step_at("next_week", WEDNESDAY) == datetime(2026, 11, 30, 9, 0).astimezone()
    assert next_step_at("tomorrow", FIXED_NOW) == datetime(2026, 11, 24, 9, 0).astimezone()


def test_retry_and_the_leads_own_weekend():
    assert retry_at(FRIDAY, 24) == datetime(2026, 11, 30, 14, 0).astimezone()
    assert retry_at(FIXED_NOW, 24) == datetime(2026, 11, 24, 14, 0).astimezone()
    # Thursday 23:00 UTC + 24 h is Friday 23:00 for the rep, but Saturday in Sydney.
    thursday_night = datetime(2026, 11, 26, 23, 0).astimezone()
    sydney = ZoneInfo("Australia/Sydney")
    assert retry_at(thursday_night, 24).date() == date(2026, 11, 27)
    moved = retry_at(thursday_night, 24, DEFAULT_WEEK, sydney)
    assert moved.date() == date(2026, 11, 30) and moved.astimezone(sydney).weekday() < 5
    assert on_working_day(moved, DEFAULT_WEEK, sydney) == moved


def _service(store, now):
    return LeadService(store, rep="Robin", clock=lambda: now)


def test_no_answer_on_a_friday_is_tried_again_on_monday(store):
    lead = add(store, status="new", phone="+12125550100", timezone="America/New_York", country="US")
    result = _service(store, FRIDAY).log_call(lead, "no_answer")
    assert from_db(result.next_action_at).astimezone().strftime("%a %d %H:%M") == "Mon 30 14:00"


def test_working_week_setting_is_used(store):
    SettingsStore(store).set("working_days", "Sun-Thu")
    lead = add(store, status="new", phone="+97142345678", timezone="Asia/Dubai", country="AE")
    thursday = FIXED_NOW + timedelta(days=3)
    result = _service(store, thursday).log_call(lead, "no_answer")
    # Thursday + 24 h is Friday, a day off: Sunday, same hour.
    assert from_db(result.next_action_at).astimezone().strftime("%a %d %H:%M") == "Sun 29 14:00"


def test_nurture_resurfaces_on_a_working_day(store):
    lead = add(store, status="engaged")
    svc = _service(store, WEDNESDAY)
    saturday = date(2027, 2, 27)  # "3 months" from a Wednesday
    assert saturday.weekday() == 5
    svc.nurture(lead, "Budget not yet approved", saturday)
    row = svc.get(lead)
    assert row["nurture_until"] == (saturday + timedelta(days=2)).isoformat()
    assert from_db(row["next_action_at"]).astimezone().strftime("%a %H:%M") == "Mon 09:00"


def test_settings_dialog_sets_the_working_week(qtbot, store, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from leadtriage.services.field_reps import FieldRepService
    from leadtriage.ui.settings_dialog import SettingsDialog

    settings = SettingsStore(store)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    dialog = SettingsDialog(settings, FieldRepService(store))
    qtbot.addWidget(dialog)
    assert dialog.working_days.text() == "Mon-Fri"
    dialog.working_days.setText("Someday")
    dialog.accept()
    assert warnings and "Working days" in warnings[0] and settings.get("working_days") == "Mon-Fri"
    dialog.working_days.setText("Sun-Thu")
    dialog.accept()
    assert settings.get("working_days") == "Sun-Thu"


def test_nurture_dialog_quick_picks_fall_on_working_days(qtbot):
    from PySide6.QtWidgets import QPushButton

    from leadtriage.ui.lead.dialogs import NurtureDialog

    friday = date(2026, 12, 4)
    dialog = NurtureDialog(friday)
    qtbot.addWidget(dialog)
    assert dialog.until.date().toPython().weekday() < 5  # the proposed date
    for button in dialog.findChildren(QPushButton):
        if "month" in button.text():
            button.click()
            picked = dialog.until.date().toPython()
            assert picked.weekday() < 5, (button.text(), picked)
            assert picked >= friday + timedelta(days=28)
    six_day_week = NurtureDialog(friday, week=WorkWeek.parse("Mon-Sat"))
    qtbot.addWidget(six_day_week)
    assert six_day_week.until.date().toPython().weekday() < 6

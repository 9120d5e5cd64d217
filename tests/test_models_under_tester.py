"""Every table model the rep sees passes Qt's own model tester with demo data (the
queue, import, backup and source-group models are checked beside their screens)."""

from __future__ import annotations

from datetime import UTC, timedelta

from leadtriage.metrics import compute
from leadtriage.metrics.period import Period
from leadtriage.services.field_reps import FieldRepService
from leadtriage.store import queue
from leadtriage.ui.dashboard.models import ActivityModel, FollowUpModel, RepFollowUpModel
from leadtriage.ui.lead.timeline import TimelineModel
from leadtriage.ui.settings_dialog import RepModel
from tests.conftest import FIXED_NOW


def test_timeline_model(qtmodeltester, demo_store):
    lead_id = demo_store.conn.execute(
        "SELECT lead_id FROM activities GROUP BY lead_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    model = TimelineModel()
    model.set_rows(queue.timeline(demo_store.conn, lead_id))
    qtmodeltester.check(model)
    assert model.rowCount() > 3


def test_field_rep_model(qtmodeltester, demo_store):
    model = RepModel()
    model.set_rows(FieldRepService(demo_store).list())
    qtmodeltester.check(model)
    assert model.rowCount() > 0


def test_dashboard_activity_and_follow_up_models(qtmodeltester, demo_store):
    period = Period(FIXED_NOW.date() - timedelta(days=365), FIXED_NOW.date(), "last year")
    dash = compute(demo_store.conn, period, "source", now=FIXED_NOW, tz=UTC)
    activity = ActivityModel()
    activity.set_rows(dash.activity)
    qtmodeltester.check(activity)
    assert activity.rowCount() > 0
    reps = RepFollowUpModel()
    reps.set_rows(list(dash.followups.values()))
    qtmodeltester.check(reps)
    assert reps.rowCount() > 0
    items = FollowUpModel()
    items.set_rows(reps.row_object(0).items)
    qtmodeltester.check(items)
    assert items.rowCount() > 0

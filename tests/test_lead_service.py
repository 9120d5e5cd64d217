import pytest

from leadtriage.domain.status import TransitionError
from leadtriage.services.leads import LeadService
from tests.conftest import FIXED_NOW


@pytest.fixture
def service(store, make_lead):
    make_lead(first_name="Ana", last_name=None)
    return LeadService(store, rep="Alex", clock=lambda: FIXED_NOW)


def test_status_change_is_checked_logged_and_undoable(service):
    service.change_status(1, "attempting")
    change = service.change_status(1, "engaged")
    assert service.get(1)["status"] == "engaged"
    kinds = service.store.conn.execute("SELECT kind, data FROM activities ORDER BY id").fetchall()
    assert [k for k, _ in kinds] == ["status", "status"]
    with pytest.raises(TransitionError):
        service.change_status(1, "won")
    assert service.last_undoable() == change
    service.undo()
    assert service.get(1)["status"] == "attempting"
    service.undo()
    assert service.get(1)["status"] == "new"
    assert service.undo() is None


def test_field_update_undo_restores_old_value(service):
    service.update(1, {"company": "Nordwind GmbH"}, "Edit company")
    service.update(1, {"company": "Nordwind AG"}, "Edit company")
    service.undo()
    assert service.get(1)["company"] == "Nordwind GmbH"
    service.undo()
    assert service.get(1)["company"] is None


def test_qualifying_stamps_the_time(service):
    for status in ("attempting", "engaged", "qualified"):
        service.change_status(1, status)
    assert service.get(1)["qualified_at"] == "2026-11-23 14:00:00"

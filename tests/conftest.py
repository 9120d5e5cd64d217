"""Test configuration: Qt offscreen, every test on its own temp data folder and database."""

from __future__ import annotations

import os

# Before any Qt import: no display in CI, and tests must not depend on one.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["LEADTRIAGE_NO_LOG_FILE"] = "1"

from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from leadtriage.domain.public_id import format_public_id  # noqa: E402
from leadtriage.safety.opening import open_store  # noqa: E402
from leadtriage.store import Store  # noqa: E402

FIXED_NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

# The team tests' real PostgreSQL server and team fixtures.
pytest_plugins = ["tests.team_fixtures"]

# CI gates landing, so it runs the same property examples every time (.ci/run picks
# this profile): a red CI is then a real regression, not an unlucky seed. `make test`
# on a developer's machine keeps exploring new examples, which is where new finds belong.
# No example deadline in either: the tests assert behaviour, never time (`make bench`
# measures speed), and on a busy machine one example can take 0.3 s.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("LEADTRIAGE_HOME", str(home))
    monkeypatch.delenv("LEADTRIAGE_DB", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "leads.db"


@pytest.fixture
def store(db_path: Path) -> Store:
    s = open_store(db_path)
    yield s
    s.close()


LEAD_DEFAULTS = {"first_name": "Ana", "last_name": "Silva", "status": "new",
                 "created_at": "2026-11-01 10:00:00", "updated_at": "2026-11-01 10:00:00"}


def add_lead(store: Store, lead_id: int | None = None, **fields: object) -> int:
    """Insert one valid lead and return its id: the next free id unless given, and
    the public ID the app would give it (with its check character), so tests never
    hold IDs an outcome file or the search would refuse."""
    with store.transaction():
        if lead_id is None:
            lead_id = store.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM leads").fetchone()[0]
        row = {**LEAD_DEFAULTS, **fields, "id": lead_id, "public_id": format_public_id(lead_id)}
        store.conn.execute(f"INSERT INTO leads ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                           list(row.values()))
    return lead_id


@pytest.fixture
def make_lead(store: Store):
    """`make_lead(**fields)` adds a valid lead to `store` (`into=` another store)."""
    def make(lead_id: int | None = None, *, into: Store | None = None, **fields: object) -> int:
        return add_lead(into or store, lead_id, **fields)

    return make


@pytest.fixture
def demo_store(db_path: Path) -> Store:
    from leadtriage.demo import generate

    s = open_store(db_path)
    generate(s, leads=600, seed=11, now=FIXED_NOW)
    yield s
    s.close()


@pytest.fixture
def qsettings(tmp_path: Path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)

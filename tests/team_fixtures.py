"""A real PostgreSQL for the team tests (no mocks): one server per test session,
one fresh team database per test.

The server programs come from the system (tools/ensure_postgres.sh installs them;
`make test` runs it). Missing programs fail the tests rather than skip them.
Passwords go to an in-memory keyring backend here, never to the developer's real
keyring; subprocesses get libpq's own PGPASSFILE.
"""

from __future__ import annotations

import atexit
import itertools
import os
from pathlib import Path

import keyring
import psycopg
import pytest
from keyring.backend import KeyringBackend

from leadtriage.safety.opening import open_store
from leadtriage.store import Store
from leadtriage.sync import admin, engine
from leadtriage.sync.localserver import LocalServer, ServerUnavailable, start_local_server

_server: LocalServer | None = None
_counter = itertools.count(1)


def shared_server() -> LocalServer:
    global _server
    if _server is None:
        try:
            _server = start_local_server()
        except ServerUnavailable as exc:
            pytest.fail(f"team tests need PostgreSQL's server programs: {exc} (run tools/ensure_postgres.sh)")
        atexit.register(_server.destroy)
    return _server


class MemoryKeyring(KeyringBackend):
    """Process-local keyring for tests: real keyring API, nothing written anywhere."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        self.items.pop((service, username), None)


class Team:
    def __init__(self, server: LocalServer, tmp: Path, prepare: bool = True):
        self.server = server
        self.tmp = tmp
        self.n = next(_counter)
        self.db = f"team{self.n}"
        with psycopg.connect(server.admin_url(), autocommit=True) as c:
            c.execute(f"CREATE DATABASE {self.db}")
        if prepare:
            admin.init_team(self.owner_url, password=server.password)
        self.passwords: dict[str, str] = {}
        self.stores: list[Store] = []

    @property
    def owner_url(self) -> str:
        return self.server.url(dbname=self.db)

    def owner(self) -> psycopg.Connection:
        return psycopg.connect(self.server.admin_url(self.db), autocommit=True)

    def login(self, name: str) -> str:
        return f"{name}_{self.n}"

    def add(self, name: str, role: str = "rep") -> str:
        login = self.login(name)
        password = f"pw-{login}-secret"
        with self.owner() as c:
            admin.add_user(c, login, role, password)
        self.passwords[login] = password
        return login

    def url(self, login: str) -> str:
        return self.server.url(login, self.db)

    def laptop(self, login: str, name: str | None = None) -> Store:
        store = open_store(self.tmp / f"{name or login}.db")
        engine.join(store, self.url(login), password=self.passwords[login])
        self.stores.append(store)
        return store

    def sql(self, login: str) -> psycopg.Connection:
        return psycopg.connect(self.server.url(login, self.db, self.passwords[login]), autocommit=True)

    def close(self) -> None:
        for s in self.stores:
            s.close()


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(before)


@pytest.fixture
def team(tmp_path, memory_keyring) -> Team:
    t = Team(shared_server(), tmp_path)
    yield t
    t.close()


def pgpass(tmp: Path, team: Team, login: str) -> Path:
    path = tmp / f"pgpass-{login}"
    path.write_text(f"127.0.0.1:{team.server.port}:{team.db}:{login}:{team.passwords[login]}\n")
    os.chmod(path, 0o600)
    return path

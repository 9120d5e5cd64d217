"""The manager's side: preparing the team database and managing people."""

from __future__ import annotations

import re
from typing import Any

from leadtriage.sync import server_schema
from leadtriage.sync.connect import checked_params, connect, translate_server_error
from leadtriage.sync.errors import TeamError

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def check_name(name: str) -> str:
    if not NAME_RE.match(name or ""):
        raise TeamError(f"{name!r} is not a usable login name: lowercase letters, digits and _, "
                        "starting with a letter (at most 63).")
    return name


def group_roles(dbname: str) -> tuple[str, str]:
    return f"{dbname}_managers", f"{dbname}_reps"


def server_version(conn) -> int:
    row = conn.execute(
        "SELECT to_regclass('lt.meta') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    got = conn.execute("SELECT value FROM lt.meta WHERE key = 'schema_version'").fetchone()
    return int(got[0]) if got else 0


def migrate(conn, dbname: str) -> tuple[int, int]:
    """Bring the server schema up to date in one transaction; (before, after)."""
    from psycopg import sql

    with conn.transaction():
        conn.execute("CREATE SCHEMA IF NOT EXISTS lt")
        conn.execute("CREATE TABLE IF NOT EXISTS lt.meta (key text PRIMARY KEY, value text NOT NULL)")
        conn.execute("LOCK TABLE lt.meta IN EXCLUSIVE MODE")  # two inits at once: one waits
        before = server_version(conn)
        if before > server_schema.SERVER_VERSION:
            raise TeamError(f"The team server's schema is v{before}, newer than this LeadTriage "
                            f"(v{server_schema.SERVER_VERSION}). Update LeadTriage; nothing was changed.")
        managers, reps = group_roles(dbname)
        for role in (managers, reps):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        q = lambda r: sql.Identifier(r).as_string(conn)  # noqa: E731
        for number in range(before + 1, server_schema.SERVER_VERSION + 1):
            conn.execute(server_schema.MIGRATIONS[number - 1](q(managers), q(reps)))
        if before == 0:
            conn.execute("INSERT INTO lt.meta VALUES ('owner', current_user), ('created_at', now()::text)")
            # Only members (and the owner) connect to the team database.
            conn.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(sql.Identifier(dbname)))
        conn.execute("INSERT INTO lt.meta VALUES ('schema_version', %s) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                     (str(server_schema.SERVER_VERSION),))
    return before, server_schema.SERVER_VERSION


def init_team(url: str, *, password: str | None = None) -> dict[str, Any]:
    params = checked_params(url)
    conn = connect(params, password=password, autocommit=True)
    try:
        before, after = migrate(conn, params["dbname"])
    except TeamError:
        raise
    except Exception as exc:
        raise translate_server_error(exc, params) from None
    finally:
        conn.close()
    return {"database": params["dbname"], "owner": params["user"], "schema_before": before, "schema": after}


def scram_verifier(conn, name: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier libpq computes on this machine: the server stores
    it, never the password."""
    return conn.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()


def add_user(conn, name: str, role: str, password: str) -> dict[str, Any]:
    check_name(name)
    if role not in ("rep", "manager"):
        raise TeamError("--role must be rep or manager.")
    if len(password) < 8:
        raise TeamError("The password must have at least 8 characters.")
    with conn.transaction():
        conn.execute("SELECT lt.add_member(%s, %s, %s)", (name, role, scram_verifier(conn, name, password)))
    return {"name": name, "role": role, "added": True}


def remove_user(conn, name: str) -> dict[str, Any]:
    check_name(name)
    with conn.transaction():
        returned = conn.execute("SELECT lt.remove_member(%s)", (name,)).fetchone()[0]
    return {"name": name, "removed": True, "leads_returned_to_pool": returned}


def assign(conn, rule: str) -> dict[str, Any]:
    with conn.transaction():
        result = conn.execute("SELECT lt.assign(%s)", (rule,)).fetchone()[0]
    return {"rule": rule, **result}


def reassign(conn, public_id: str, to: str | None) -> dict[str, Any]:
    """Move one lead (with its whole history) to another rep, or to the pool."""
    from leadtriage.domain.public_id import parse_public_id

    lead_id = parse_public_id(public_id)
    if lead_id is None:
        raise TeamError(f"{public_id!r} is not a valid lead ID.")
    if to is not None:
        check_name(to)
    with conn.transaction():
        conn.execute("SELECT lt.reassign(%s, %s)", (lead_id, to))
    return {"public_id": public_id, "owner": to}


def set_territory(conn, name: str, territory: list[str], cap: int | None) -> None:
    """A rep's territory (countries as ISO codes, or time zones) and cap of open leads,
    used by `assign --rule territory` and every rule's cap."""
    if cap is not None and cap < 0:
        raise TeamError("--cap must be 0 or more.")
    with conn.transaction():
        conn.execute("SELECT lt.set_terms(%s, %s, %s)", (name, [t.strip() for t in territory if t.strip()], cap))

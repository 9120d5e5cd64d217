"""Connecting to the team server: connection strings, TLS, the keyring, error words.

- A password never travels in the URL (it would land in shell history and in the
  local database): `team join` refuses such a URL. The password comes from the OS
  keyring (stored at join when it was given through PGPASSWORD or a file), or from
  libpq's own ways: PGPASSWORD, ~/.pgpass (PGPASSFILE), a service file.
- A server that is not on this machine is reached over TLS with the certificate and
  host name verified (sslmode=verify-full); a weaker sslmode is refused.
"""

from __future__ import annotations

import logging
from typing import Any

from leadtriage.sync.errors import AccessRevoked, Offline, TeamError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "leadtriage-team"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def parse_url(url: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = {k: str(v) for k, v in conninfo_to_dict(url).items()}
    except Exception as exc:  # psycopg.ProgrammingError: libpq's own words
        raise TeamError(f"Not a PostgreSQL connection string or URL: {str(exc).strip()}") from None
    return params


def is_local(params: dict[str, str]) -> bool:
    hosts = [h for h in params.get("host", "").split(",") if h] + \
            [h for h in params.get("hostaddr", "").split(",") if h]
    return all(h in LOCAL_HOSTS or h.startswith("/") for h in hosts)


def checked_params(url: str) -> dict[str, str]:
    """The URL's parameters, made safe to store and use: no password, TLS verified
    when the server is elsewhere."""
    params = parse_url(url)
    if "password" in params:
        raise TeamError("Put the password in PGPASSWORD, ~/.pgpass or --password-file, not in the URL "
                        "(a URL ends up in shell history).")
    if not params.get("user"):
        raise TeamError("The URL must name your login (postgresql://NAME@host/db).")
    if not params.get("dbname"):
        raise TeamError("The URL must name the team database (postgresql://NAME@host/DATABASE).")
    if not is_local(params):
        mode = params.get("sslmode", "verify-full")
        if mode != "verify-full":
            raise TeamError(f"sslmode={mode} does not verify the server's certificate; a team server on "
                            "another machine needs sslmode=verify-full (the default here).")
        params["sslmode"] = "verify-full"
    return params


def keyring_account(params: dict[str, str]) -> str:
    return f"{params['user']}@{params.get('host', '')}:{params.get('port', '5432')}/{params['dbname']}"


def store_password(params: dict[str, str], password: str) -> bool:
    """Put the password in the OS keyring. False when this machine has no usable
    keyring (then libpq's own ways must provide it on each sync)."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, keyring_account(params), password)
        return keyring.get_password(KEYRING_SERVICE, keyring_account(params)) == password
    except KeyringError as exc:
        log.info("no OS keyring: %s", type(exc).__name__)
        return False


def forget_password(params: dict[str, str]) -> None:
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, keyring_account(params))
    except (KeyringError, PasswordDeleteError):
        pass


def keyring_password(params: dict[str, str]) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, keyring_account(params))
    except KeyringError:
        return None


def connect(params: dict[str, str], *, password: str | None = None, timeout: int = 10, **kw: Any):
    """A psycopg connection, or `Offline` / `AccessRevoked` / `TeamError` in words."""
    import psycopg

    args = dict(params)
    pw = password if password is not None else keyring_password(params)
    if pw is not None:
        args["password"] = pw
    args.setdefault("connect_timeout", str(timeout))
    args.setdefault("application_name", "leadtriage")
    try:
        return psycopg.connect(**args, **kw)
    except psycopg.OperationalError as exc:
        raise translate_connect_error(exc, params) from None


def translate_connect_error(exc: Exception, params: dict[str, str]) -> TeamError:
    text = str(exc)
    who = params.get("user", "?")
    if "not permitted to log in" in text or "permission denied for database" in text:
        return AccessRevoked(f"The team server no longer lets {who} in (removed from the team?). "
                             "Your local work stays on this laptop; ask your manager.")
    if "password authentication failed" in text or "no password supplied" in text:
        return AccessRevoked(f"The team server refused {who}'s password (removed from the team, or the "
                             "password changed). Your local work stays on this laptop; ask your manager.")
    if "does not exist" in text and "database" in text:
        return TeamError(f"The team database {params.get('dbname')!r} does not exist on the server.")
    if "certificate" in text or "SSL" in text:
        return TeamError(f"Secure connection to the team server failed: {text.strip().splitlines()[-1]}")
    return Offline("Offline: the team server cannot be reached "
                   f"({text.strip().splitlines()[-1] if text.strip() else type(exc).__name__}).")


def translate_server_error(exc: Exception, params: dict[str, str]) -> TeamError:
    """Errors raised while talking (not connecting)."""
    import psycopg

    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return AccessRevoked(f"The team server refused {params.get('user')}: {exc.diag.message_primary}. "
                             "Your local work stays on this laptop; ask your manager.")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return Offline("Offline: the connection to the team server was lost; nothing was lost here, "
                       "the next sync catches up.")
    if isinstance(exc, psycopg.Error) and exc.diag.message_primary:
        return TeamError(f"The team server said: {exc.diag.message_primary}")
    return TeamError(str(exc))

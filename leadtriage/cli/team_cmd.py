"""`leadtriage team ...`: team mode on a shared PostgreSQL server (see leadtriage/sync)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from leadtriage.cli.output import emit

NAME = "team"
HELP = "team mode: a shared PostgreSQL server, each laptop with its own working copy"


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="team_command", required=True, parser_class=type(p))

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_, description=help_)
        c.add_argument("--db", default=argparse.SUPPRESS,
                       help="database file (default: your data folder, or $LEADTRIAGE_DB)")
        c.add_argument("--json", action="store_true", help="print one JSON object")
        return c

    c = cmd("init", "prepare the team database on the server (run as the role that owns it)")
    c.add_argument("url", help="libpq connection string or URI of the database owner (no password in it)")
    c = cmd("join", "connect this laptop's database to the team")
    c.add_argument("url", help="postgresql://YOUR_LOGIN@host:port/teamdb (password via PGPASSWORD, ~/.pgpass "
                               "or --password-file; it is then kept in the OS keyring)")
    c.add_argument("--password-file", help="file whose first line is your password")
    users = cmd("users", "add or remove people (a manager)")
    users.add_argument("action", choices=["add", "remove"])
    users.add_argument("name", help="login name: lowercase letters, digits, _")
    users.add_argument("--role", choices=["rep", "manager"], help="with add")
    users.add_argument("--password-file", help="with add: file whose first line is the new person's password")
    users.add_argument("--territory", help="with add: countries (ISO codes) and/or time zones, comma-separated, "
                                           "for assign --rule territory")
    users.add_argument("--cap", type=int, help="with add: most open leads this rep gets from assign")
    users.add_argument("--url", help="connect as this owner or manager instead of this laptop's login")
    cmd("status", "this laptop's team state: changes waiting, conflicts, last sync")
    cmd("sync", "send this laptop's changes and receive the team's")
    c = cmd("claim", "take the next N leads from the team's pool")
    c.add_argument("n", type=int)
    c = cmd("reassign", "move one lead, with its whole history, to another rep or the pool (a manager)")
    c.add_argument("public_id", help="the lead ID printed on briefs (LT-...)")
    c.add_argument("--to", help="the rep's login name; leave out to return the lead to the pool")
    c.add_argument("--url", help="connect as this manager instead of this laptop's login")
    c = cmd("assign", "hand out the pool's leads to reps (a manager)")
    c.add_argument("--rule", choices=["round-robin", "territory"], required=True)
    c.add_argument("--url", help="connect as this manager instead of this laptop's login")


def _read_password(path: str | None) -> str | None:
    from leadtriage.errors import UserError

    if not path:
        return None
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise UserError(f"Cannot read the password file {path}: {exc.strerror}.") from None
    password = text.splitlines()[0] if text.strip() else ""
    if not password:
        raise UserError(f"The password file {path} is empty.")
    return password


def _open(args, *, create: bool, writer: bool = True):
    from leadtriage.paths import resolve_db_path
    from leadtriage.safety.opening import open_store

    return open_store(Path(resolve_db_path(getattr(args, "db", None))), create=create, writer=writer)


def _connection(args):
    """The connection for a manager's command: --url, else this laptop's login."""
    from leadtriage.sync.connect import checked_params, connect
    from leadtriage.sync.engine import open_connection

    if getattr(args, "url", None):
        return connect(checked_params(args.url))
    # Only this laptop's saved server and login are read: no writer lock, so the
    # manager's commands run while the app is open.
    with _open(args, create=False, writer=False) as store:
        return open_connection(store)


def run(args: argparse.Namespace) -> int:
    from leadtriage.sync import admin, engine
    from leadtriage.sync.connect import translate_server_error

    action = args.team_command
    if action == "init":
        payload = admin.init_team(args.url)
        human = (f"Team database {payload['database']} ready (server schema v{payload['schema']}). "
                 "Add people with: leadtriage team users add NAME --role rep --password-file F")
    elif action == "join":
        password = _read_password(args.password_file) or os.environ.get("PGPASSWORD")
        with _open(args, create=True) as store:
            payload = engine.join(store, args.url, password=password)
        where = "in the OS keyring" if payload["password_in_keyring"] else "where libpq finds it (PGPASSWORD, ~/.pgpass)"
        human = (f"Joined {payload['database']} as {payload['user']} ({payload['role']}); password kept {where}. "
                 f"{payload['queued']:,} existing records go out with the first sync: leadtriage team sync")
    elif action == "users":
        import psycopg

        from leadtriage.errors import UserError

        if args.action == "add" and (not args.role or not args.password_file):
            raise UserError("team users add needs --role rep|manager and --password-file F.")
        password = _read_password(args.password_file) if args.action == "add" else None
        conn = _connection(args)
        try:
            if args.action == "add":
                payload = admin.add_user(conn, args.name, args.role, password)
                if args.territory or args.cap is not None:
                    territory = (args.territory or "").split(",")
                    admin.set_territory(conn, args.name, territory, args.cap)
                    payload.update(territory=[t.strip() for t in territory if t.strip()], cap=args.cap)
                human = f"Added {args.name} ({args.role}). They join with: leadtriage team join postgresql://{args.name}@HOST/DB"
            else:
                payload = admin.remove_user(conn, args.name)
                human = (f"Removed {args.name}: no more logins; {payload['leads_returned_to_pool']:,} open leads "
                         "went back to the pool.")
        except psycopg.Error as exc:
            raise translate_server_error(exc, {"user": "this login"}) from None
        finally:
            conn.close()
    elif action == "reassign":
        import psycopg

        conn = _connection(args)
        try:
            payload = admin.reassign(conn, args.public_id, args.to)
        except psycopg.Error as exc:
            raise translate_server_error(exc, {"user": "this login"}) from None
        finally:
            conn.close()
        human = f"{args.public_id} now belongs to {args.to or 'the pool'}; laptops see it at their next sync."
    elif action == "assign":
        import psycopg

        conn = _connection(args)
        try:
            payload = admin.assign(conn, args.rule)
        except psycopg.Error as exc:
            raise translate_server_error(exc, {"user": "this login"}) from None
        finally:
            conn.close()
        human = f"Assigned {payload['assigned']:,} pool leads: " + ", ".join(
            f"{k} {v:,}" for k, v in sorted(payload.get("per_rep", {}).items()))
    else:
        with _open(args, create=False) as store:
            if action == "status":
                payload = engine.status(store)
                human = _human_status(payload)
            elif action == "sync":
                payload = engine.sync(store)
                human = (f"Synced: sent {payload['pushed']:,} changes, received {payload['pulled']:,}. "
                         + _human_status(payload))
            else:  # claim
                payload = engine.claim(store, args.n)
                human = f"Claimed {payload['claimed']:,} leads: " + ", ".join(payload["public_ids"][:20])
    emit(args, payload, human)
    return 0


def _human_status(s: dict) -> str:
    if not s["joined"]:
        return "Not on a team (single-user mode)."
    bits = [f"{s['user']} ({s['role']}) on {s['database']}@{s['host']}",
            f"{s['waiting']:,} changes waiting", f"{s['conflicts']:,} conflicts"]
    bits.append(f"last sync {s['last_sync_at']}" if s["last_sync_at"] else "never synced")
    if s["last_error"]:
        bits.append(f"last attempt: {s['last_error']}")
    return "; ".join(bits)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: leadtriage team ...")

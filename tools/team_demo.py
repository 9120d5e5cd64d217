"""`make team-demo`: team mode on one machine in one command.

Starts a throw-away PostgreSQL (127.0.0.1, a free port, data in a temporary folder),
prepares a team database, adds a manager (mona) and two reps (alice, bob), gives
the manager's laptop 2,000 demo leads, assigns them round-robin and syncs all three
laptops. Then it prints the commands to open each laptop and waits; Ctrl+C stops
the server. Passwords go to a libpq password file in the demo folder (never to your
OS keyring: this is a demo).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="team-demo", help="folder for the laptops' databases (default: team-demo)")
    ap.add_argument("--leads", type=int, default=2000)
    ap.add_argument("--no-wait", action="store_true", help="stop the server at the end instead of waiting")
    args = ap.parse_args()
    folder = Path(args.dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db*"):
        old.unlink()

    import psycopg

    from leadtriage.sync.localserver import start_local_server

    print("Starting a local PostgreSQL ...", flush=True)
    server = start_local_server()
    try:
        with psycopg.connect(server.admin_url(), autocommit=True) as c:
            c.execute("CREATE DATABASE team")
        people = {"mona": "manager", "alice": "rep", "bob": "rep"}
        pgpass = folder / "pgpass"
        lines = [f"127.0.0.1:{server.port}:*:{server.superuser}:{server.password}"]
        lines += [f"127.0.0.1:{server.port}:team:{name}:{name}-demo-pw" for name in people]
        pgpass.write_text("\n".join(lines) + "\n")
        os.chmod(pgpass, 0o600)
        env = {**os.environ, "PGPASSFILE": str(pgpass),
               # A demo never writes to your real keyring.
               "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}

        def lt(*argv: str) -> None:
            cmd = [sys.executable, "-m", "leadtriage", *argv]
            print("  $ leadtriage " + " ".join(argv), flush=True)
            subprocess.run(cmd, env=env, check=True)

        owner_url = f"postgresql://{server.superuser}@127.0.0.1:{server.port}/team"
        lt("team", "init", owner_url)
        for name, role in people.items():
            pw = folder / f"{name}.pw"
            pw.write_text(f"{name}-demo-pw\n")
            os.chmod(pw, 0o600)
            lt("team", "users", "add", name, "--role", role, "--password-file", str(pw), "--url", owner_url)
            pw.unlink()
        db = {name: str(folder / f"{name}.db") for name in people}
        lt("demo", "--db", db["mona"], "--leads", str(args.leads))
        for name in people:
            lt("team", "join", f"postgresql://{name}@127.0.0.1:{server.port}/team", "--db", db[name])
        lt("team", "sync", "--db", db["mona"])
        lt("team", "assign", "--rule", "round-robin", "--db", db["mona"])
        for name in people:
            lt("team", "sync", "--db", db[name])
        print(f"\nTeam mode is running (PostgreSQL on 127.0.0.1:{server.port}). Open a laptop:")
        for name in people:
            print(f"  PGPASSFILE={pgpass} PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring "
                  f".venv/bin/leadtriage --db {db[name]}")
        print("Or on the command line: leadtriage team status --db ...; leadtriage team claim 10 --db ...")
        if not args.no_wait:
            print("\nCtrl+C stops the server (the laptops keep their data and work offline).", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    finally:
        server.destroy()
        print("Server stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

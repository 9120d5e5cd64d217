"""Child process for the team kill tests (not a test module): syncs one laptop
database with small batches so the parent can SIGKILL it mid-push or mid-pull, or
stop the server under it. Passwords come from PGPASSFILE (libpq), never a keyring."""

from __future__ import annotations

import sys


def main(path: str, batch: int, bulk: bool) -> None:
    import psycopg  # noqa: F401  (imported before READY: the parent times its kill from there)

    from leadtriage.safety.opening import open_store
    from leadtriage.sync import engine
    from leadtriage.sync.errors import TeamError

    engine.PUSH_BATCH = engine.PULL_BATCH = batch
    if bulk:
        engine.BULK_PULL = 10  # a first pull this long goes the bulk way
    store = open_store(path)
    from leadtriage.sync.connect import keyring_password

    keyring_password(engine.saved_params(store))  # loads the keyring backend before READY too
    sys.stdout.write("READY\n")
    sys.stdout.flush()
    try:
        engine.sync(store)
    except TeamError as exc:
        sys.stdout.write(f"TEAMERROR {type(exc).__name__}\n")
    store.close()
    sys.stdout.write("DONE\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1")

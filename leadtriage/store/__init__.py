"""SQLite storage: connection, schema, migrations, queries. Pure Python, no Qt."""

from leadtriage.store.db import APPLICATION_ID, Store, open_store

__all__ = ["APPLICATION_ID", "Store", "open_store"]

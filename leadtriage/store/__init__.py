"""SQLite storage: connection, schema, migrations, queries. Pure Python, no Qt.
Opening a database for use is `leadtriage.safety.opening.open_store`."""

from leadtriage.store.db import APPLICATION_ID, Store

__all__ = ["APPLICATION_ID", "Store"]

"""Derived data: columns and tables computed from the rep's own rows and kept in
step by SQLite triggers (every writer is covered: the app, undo, merges, a script),
so reads are cheap. They can always be rebuilt from the rows (recovery does).
Other derived data still lives in `store/schema.py` (the metrics cubes, the phone
trigram index) because their migrations define them inline."""

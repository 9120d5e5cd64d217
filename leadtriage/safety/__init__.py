"""Keeping the rep's data safe: backups and their retention, the check at open,
recovery of a damaged file, WAL inspection and the backup schedule. Pure Python,
no Qt. Built on `store/` (which knows nothing of it)."""

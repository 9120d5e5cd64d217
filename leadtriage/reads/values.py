"""Stored values as the screens show them. Times are stored as UTC text
('YYYY-MM-DD HH:MM:SS'); `from_db` turns one into an aware datetime (None stays None)."""

from leadtriage.store.timeutil import from_db

__all__ = ["from_db"]

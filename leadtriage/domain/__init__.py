"""Pure-Python rules of the trade: statuses, transitions, dispositions, frameworks."""

"""Backup scheduling, until it moves to its own package with the rest of the safety
code. The rep's work on a lead is in `leadtriage.leadwork`."""

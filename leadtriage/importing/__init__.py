"""Importing lead lists: reading any table (`reader`), mapping its columns
(`mapping`), normalising values (`normalise`) and writing batches with duplicate
handling and undo (`service`). No Qt here: the CLI and the wizard share it."""

from leadtriage.importing.reader import Table, UnreadableFile, read_table

__all__ = ["Table", "UnreadableFile", "read_table"]

"""The import wizard, the possible-duplicates review and the import history."""

"""A damaged schema page whose bytes are not UTF-8: SQLite quotes them in its error,
Python cannot even read that message (UnicodeDecodeError), and the file must still
be reported as damaged, not crash the app or `leadtriage check`."""

from __future__ import annotations

import pytest

from leadtriage.errors import DatabaseDamaged
from leadtriage.safety import check
from leadtriage.safety.opening import open_store
from leadtriage.store.db import inspect_file


def test_schema_text_that_is_not_utf8_is_damage(db_path):
    open_store(db_path).close()
    data = bytearray(db_path.read_bytes())
    name = data.find(b"indexidx_leads_status_companyleads")  # sqlite_master: type, name, tbl_name
    sql = data.find(b"idx_leads_status_company ON leads")
    assert name > 0 and sql > 0
    data[name + 8] = 0x82  # the index's name: not UTF-8
    data[sql + 28] = 0x28  # its SQL: no longer parses, so SQLite names it in the error
    db_path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged, match="damaged"):
        inspect_file(db_path)
    with pytest.raises(DatabaseDamaged):
        open_store(db_path)
    assert check.find_damage(db_path, full=True)
    assert check.find_damage(db_path, full=False)

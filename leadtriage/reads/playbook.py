"""The cadence results' read side."""

from __future__ import annotations

from typing import Any


def cadence_results(store: Any) -> list:
    """Per cadence and step (`playbook.stats.CadenceStats`); hundreds of thousands of
    enrolments on a big database, so run it in a worker job (`Worker.run_db`)."""
    from leadtriage.playbook.stats import cadence_stats  # only when the results are asked for

    return cadence_stats(store.conn)

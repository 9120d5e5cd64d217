"""The import wizard's "Enrol in cadence" choice: the leads of the new batch enter
the chosen cadence right after the import, on the import's own worker connection
(a big list is never enrolled on the UI thread)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox

from leadtriage.playbook.service import EnrolReport, PlaybookService
from leadtriage.store.db import Store

NONE = "(none)"


class CadencePicker(QComboBox):
    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self.setObjectName("importCadence")
        self.addItem(NONE)
        self.addItems(PlaybookService(store).cadence_names())
        self.setEnabled(self.count() > 1)
        self.setToolTip("The imported leads start this cadence's first step" if self.count() > 1
                        else "No cadences yet: import one from Cadences › Import cadence file…")
        self.report: EnrolReport | None = None

    @property
    def cadence(self) -> str | None:
        return None if self.currentIndex() <= 0 else self.currentText()

    def wrap(self, run: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        """`run(importer, progress)` followed by the enrolment of its batch."""
        cadence = self.cadence
        self.report = None

        def task(importer, progress):
            result = run(importer, progress)
            if cadence and result.batch_id is not None and not result.dry_run:
                self.report = PlaybookService(importer.store).enrol_batch(result.batch_id, cadence)
            return result

        return task

    def report_text(self) -> str:
        return f"\nCadence {self.cadence}: {self.report.text()}." if self.report is not None else ""

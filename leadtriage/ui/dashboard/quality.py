"""The dashboard's "Score quality" page: can the queue's order be trusted?

It shows what the stored report of the latest training says (the same figures as
`leadtriage score --json`): held-out AUC on the newest 30 % of the history, lift by
score decile, conversion by score band, and how the top factors moved since the
training before. "Retrain now" learns again in the background.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leadtriage.scoring.active import MIN_PER_CLASS
from leadtriage.store.db import Store
from leadtriage.ui.dashboard.charts import ACCENT, GOOD, BarChart
from leadtriage.ui.worker import Worker

CHANGE_WORDS = {"new": "new in the top 10", "same": "same place", "up": "moved up", "down": "moved down",
                "dropped": "left the top 10"}


def _label(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


class ScoreQualityView(QWidget):
    retrained = Signal(object)  # the report, after a retrain finished

    def __init__(self, store: Store, worker: Worker, parent=None):
        super().__init__(parent)
        self.store, self.worker = store, worker
        self.report: dict[str, Any] | None = None
        self._task = None
        self.setObjectName("scoreQuality")
        self.headline = _label("", "cardValue")
        self.summary = _label("", "cardNote")
        self.retrain_button = QPushButton("Retrain now")
        self.retrain_button.setToolTip("Learn again from every closed lead and re-score the open ones "
                                       "(in the background; the queue stays usable)")
        self.retrain_button.clicked.connect(self.retrain)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.progress.setMaximumWidth(260)
        top = QHBoxLayout()
        title = _label("Score quality", "headlineTitle")
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.progress)
        top.addWidget(self.retrain_button)

        self.lift_chart = BarChart()
        self.lift_chart.setMinimumHeight(240)
        self.band_chart = BarChart()
        self.band_chart.setMinimumHeight(240)
        self.factors = QTableWidget(0, 3)
        self.factors.setHorizontalHeaderLabels(["Factor", "Rank", "Since the last training"])
        self.factors.verticalHeader().hide()
        self.factors.horizontalHeader().setStretchLastSection(True)
        self.factors.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.factors.setMinimumHeight(260)

        content = QWidget()
        grid = QGridLayout(content)
        grid.addLayout(top, 0, 0, 1, 2)
        grid.addWidget(self.headline, 1, 0, 1, 2)
        grid.addWidget(self.summary, 2, 0, 1, 2)
        grid.addWidget(self._card("Lift by score decile (1 = the best-scored tenth; 1.0 = average)", self.lift_chart),
                       3, 0)
        grid.addWidget(self._card("Conversion by score band (held-out leads, %)", self.band_chart), 3, 1)
        grid.addWidget(self._card("Top factors", self.factors), 4, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(5, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    @staticmethod
    def _card(title: str, body: QWidget) -> QFrame:
        card = QFrame()
        card.setObjectName("card")
        box = QVBoxLayout(card)
        box.setContentsMargins(14, 10, 14, 12)
        box.addWidget(_label(title, "sectionTitle"))
        box.addWidget(body, 1)
        return card

    # -- reading -------------------------------------------------------------------------

    def load(self) -> None:
        from leadtriage.scoring.training import latest_report

        self.show_report(latest_report(self.store))

    def show_report(self, report: dict[str, Any] | None) -> None:
        self.report = report
        if not report or not report.get("model_id"):
            self.headline.setText("Rules score in charge")
            message = (report or {}).get("message") or (
                f"The score learns from outcomes once at least {MIN_PER_CLASS} closed leads of each kind are "
                "known (started a sales cycle, or disqualified / lost). Import history with an outcome column, "
                "or bring field outcomes back, then retrain.")
            self.summary.setText(message)
            self.lift_chart.set_data([], [])
            self.band_chart.set_data([], [])
            self.factors.setRowCount(0)
            return
        q = report.get("quality") or {}
        regime = {"learned": "Learned score", "blended": "Learned score blended with the rules"}.get(
            report.get("regime"), "Score")
        auc = q.get("auc")
        self.headline.setText(f"{regime}: AUC {auc:.2f} on the newest 30 % of history" if auc is not None
                              else f"{regime}: not enough recent history to judge it yet")
        self.summary.setText(
            f"Trained {report.get('trained_at')} UTC on {report.get('history', 0):,} closed leads "
            f"({report.get('positives', 0):,} started a sales cycle, {report.get('negatives', 0):,} did not); "
            f"learned share {report.get('weight', 0):.0%}. On the held-out leads the best-scored tenth converted at "
            f"{_pct(q.get('top10_precision'))} against {_pct(q.get('conversion'))} overall "
            f"(predicted {_pct(q.get('predicted'))}). AUC 0.5 is a coin toss, 1.0 a perfect order.")
        deciles = q.get("deciles") or []
        self.lift_chart.set_data([str(d["decile"]) for d in deciles],
                                 [("Lift", [round(d["lift"] or 0.0, 1) for d in deciles], ACCENT)], number_format="@value")
        bands = q.get("bands") or []
        self.band_chart.set_data([f"{b['band']} ({b['leads']:,})" for b in bands],
                                 [("Converted %", [round(100 * (b["conversion"] or 0.0)) for b in bands], GOOD)],
                                 number_format="@value")
        changes = report.get("factor_changes") or []
        self.factors.setRowCount(len(changes))
        for r, c in enumerate(changes):
            rank = "" if c.get("rank") is None else str(c["rank"])
            change = CHANGE_WORDS.get(c.get("change"), c.get("change") or "")
            if c.get("previous_rank") and c.get("change") in ("up", "down"):
                change += f" (was {c['previous_rank']})"
            for col, text in enumerate((str(c["factor"]), rank, change)):
                self.factors.setItem(r, col, QTableWidgetItem(text))
        self.factors.resizeColumnsToContents()

    # -- retraining ------------------------------------------------------------------------

    def retrain(self) -> None:
        if self._task is not None:
            return
        from leadtriage.scoring.background import run_in_child

        path = self.store.path
        self.retrain_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)

        def progress(done: int, total: int, message: str) -> None:
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(min(done, total))
            self.progress.setFormat(message)

        def finished(report: Any = None, error: BaseException | None = None) -> None:
            self._task = None
            self.retrain_button.setEnabled(True)
            self.progress.setVisible(False)
            if error is not None:
                self.summary.setText(str(error))
                return
            self.load()
            self.retrained.emit(report)

        self._task = self.worker.run(lambda p: run_in_child(path, p), on_done=finished,
                                     on_error=lambda exc: finished(error=exc), on_progress=progress,
                                     on_cancelled=lambda: finished(error=RuntimeError("Retrain cancelled.")))

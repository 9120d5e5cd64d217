"""Settings: the rep, phone region, calling hours, field reps, the ideal customer
profile with score weights, the qualification framework and call dispositions.
Nothing is written until every tab checks out; a bad value is named and the
dialog stays open with everything typed still there."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from leadtriage.domain.dispositions import DEFAULT_DISPOSITIONS
from leadtriage.domain.frameworks import load_frameworks
from leadtriage.errors import UserError
from leadtriage.leadwork.calls import disposition_to_setting, dispositions_from_setting
from leadtriage.leadwork.field_reps import FieldRep, FieldRepService
from leadtriage.scoring import DEFAULT_ICP, rules_from_setting
from leadtriage.store.settings import SettingsStore

Index = QModelIndex | QPersistentModelIndex
FLAGS = ("attempt", "connect", "conversation", "disqualify")


class RepModel(QAbstractTableModel):
    HEADERS = ("Name", "E-mail", "Territory", "Active")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[FieldRep] = []

    def set_rows(self, rows: list[FieldRep]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        r = self.rows[index.row()]
        return (r.name, r.email, r.territory, "yes" if r.active else "no")[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


def _disposition_lines(value: list) -> str:
    lines = []
    for d in dispositions_from_setting(value):
        flag = ("disqualify" if d.disqualifies else "conversation" if d.conversation
                else "connect" if d.connected else "attempt")
        retry = "" if d.retry_hours is None else f"{d.retry_hours:g}"
        lines.append(f"{d.shortcut} | {d.label} | {flag} | {retry}".rstrip(" |"))
    return "\n".join(lines)


def parse_disposition_lines(text: str) -> list[dict[str, Any]]:
    """`KEY | Label | attempt|connect|conversation|disqualify | retry hours`, one per line."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2 or not parts[1]:
            raise UserError(f"Dispositions, line {n}: write it as  KEY | Label | kind | retry hours.")
        kind = (parts[2] if len(parts) > 2 else "attempt").lower() or "attempt"
        if kind not in FLAGS:
            raise UserError(f"Dispositions, line {n}: the kind must be one of {', '.join(FLAGS)}.")
        retry = None
        if len(parts) > 3 and parts[3]:
            try:
                retry = float(parts[3])
            except ValueError:
                raise UserError(f"Dispositions, line {n}: retry hours must be a number.") from None
        entry: dict[str, Any] = {"label": parts[1], "shortcut": parts[0], "retry_hours": retry,
                                 "connected": kind != "attempt", "conversation": kind == "conversation",
                                 "disqualifies": None}
        if kind == "disqualify":
            entry["disqualifies"] = "Do not call" if "call" in parts[1].lower() else parts[1]
        out.append(entry)
    try:
        final = dispositions_from_setting(out)
    except ValueError as exc:
        raise UserError(f"Dispositions: {exc}") from None
    chosen = [disposition_to_setting(d) for d in final]
    return [] if chosen == [disposition_to_setting(d) for d in DEFAULT_DISPOSITIONS] else chosen


class SettingsDialog(QDialog):
    def __init__(self, settings: SettingsStore, reps: FieldRepService, parent=None,
                 extra_pages: tuple[tuple[QWidget, str], ...] = ()):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.reps = reps
        values = settings.all()
        tabs = QTabWidget()
        tabs.addTab(self._general(values), "&General")
        tabs.addTab(self._field_reps(), "&Field reps")
        tabs.addTab(self._scoring(values), "&Scoring")
        tabs.addTab(self._dispositions(values), "&Dispositions")
        for page, title in extra_pages:  # e.g. Team (leadtriage.ui.team)
            tabs.addTab(page, title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.resize(640, 560)

    # -- tabs -------------------------------------------------------------------------

    def _general(self, v: dict) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.rep_name = QLineEdit(v["rep_name"])
        self.region = QLineEdit(v["default_region"])
        self.region.setMaxLength(2)
        self.hours_start = QTimeEdit(QTime.fromString(v["calling_hours_start"], "HH:mm"))
        self.hours_end = QTimeEdit(QTime.fromString(v["calling_hours_end"], "HH:mm"))
        for t in (self.hours_start, self.hours_end):
            t.setDisplayFormat("HH:mm")
        self.framework = QComboBox()
        for key, fw in load_frameworks().items():
            self.framework.addItem(fw.name, key)
        self.framework.setCurrentIndex(max(0, self.framework.findData(v["framework"])))
        self.threshold = QSpinBox()
        self.threshold.setRange(0, 20)
        self.threshold.setSpecialValueText("Framework's own")
        self.threshold.setValue(v["qualify_threshold"])
        hours = QHBoxLayout()
        hours.addWidget(self.hours_start)
        hours.addWidget(QLabel("to"))
        hours.addWidget(self.hours_end)
        form.addRow("Your name", self.rep_name)
        form.addRow("Default phone region", self.region)
        form.addRow("Calling hours (lead's time)", hours)
        self.working_days = QLineEdit(v.get("working_days") or "Mon-Fri")
        self.working_days.setObjectName("workingDays")
        self.working_days.setToolTip("Next steps and retries fall on these days, yours and the lead's: "
                                     "Mon-Fri, Sun-Thu, or a list such as Mon,Tue,Thu")
        form.addRow("Working days", self.working_days)
        form.addRow("Qualification framework", self.framework)
        form.addRow("Criteria needed to qualify", self.threshold)
        self.currency = QLineEdit(v["currency"])
        self.currency.setObjectName("currency")
        self.currency.setMaxLength(3)
        self.currency.setToolTip("Three-letter code shown with every cost, such as USD, EUR or GBP.")
        form.addRow("Currency of costs", self.currency)
        return page

    def _field_reps(self) -> QWidget:
        page = QWidget()
        self.rep_model = RepModel(self)
        self.rep_model.set_rows(self.reps.list())
        self.rep_table = QTableView()
        self.rep_table.setModel(self.rep_model)
        self.rep_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.rep_table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.rep_table.selectionModel().currentRowChanged.connect(self._rep_selected)
        self.rep_form_name = QLineEdit()
        self.rep_form_email = QLineEdit()
        self.rep_form_territory = QLineEdit()
        self.rep_form_active = QCheckBox("Active (offered when qualifying)")
        self.rep_form_active.setChecked(True)
        self.editing_rep: int | None = None
        add = QPushButton("&New rep", clicked=self._new_rep)
        save = QPushButton("Save &rep", clicked=self._save_rep)
        form = QFormLayout()
        form.addRow("Name", self.rep_form_name)
        form.addRow("E-mail", self.rep_form_email)
        form.addRow("Territory", self.rep_form_territory)
        form.addRow("", self.rep_form_active)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(save)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.rep_table, 1)
        layout.addLayout(form)
        layout.addLayout(row)
        return page

    def _rep_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        r = self.rep_model.rows[current.row()]
        self.editing_rep = r.id
        self.rep_form_name.setText(r.name)
        self.rep_form_email.setText(r.email)
        self.rep_form_territory.setText(r.territory)
        self.rep_form_active.setChecked(r.active)

    def _new_rep(self) -> None:
        self.rep_table.clearSelection()
        self.editing_rep = None
        for w in (self.rep_form_name, self.rep_form_email, self.rep_form_territory):
            w.clear()
        self.rep_form_active.setChecked(True)
        self.rep_form_name.setFocus()

    def _save_rep(self) -> bool:
        try:
            self.reps.save(self.rep_form_name.text(), self.rep_form_email.text(), self.rep_form_territory.text(),
                           self.rep_form_active.isChecked(), self.editing_rep)
        except UserError as exc:
            QMessageBox.warning(self, "Field rep", str(exc))
            return False
        self.rep_model.set_rows(self.reps.list())
        self._new_rep()
        return True

    def _scoring(self, v: dict) -> QWidget:
        icp = {**DEFAULT_ICP, **(v["icp"] or {})}
        page = QWidget()
        form = QFormLayout(page)
        self.icp_industries = QLineEdit(", ".join(icp["industries"]))
        self.icp_countries = QLineEdit(", ".join(icp["countries"]))
        self.icp_min = QSpinBox(maximum=10_000_000, value=int(icp["employees_min"]))
        self.icp_max = QSpinBox(maximum=10_000_000, value=int(icp["employees_max"]))
        size = QHBoxLayout()
        size.addWidget(self.icp_min)
        size.addWidget(QLabel("to"))
        size.addWidget(self.icp_max)
        seniority = icp["seniority"] if isinstance(icp["seniority"], dict) else DEFAULT_ICP["seniority"]
        self.icp_levels = {lvl: QLineEdit(", ".join(seniority.get(lvl, []))) for lvl in ("3", "2", "1")}
        self.icp_sources = QPlainTextEdit("\n".join(f"{k} = {p:g}" for k, p in icp["sources"].items()))
        self.icp_sources.setMaximumHeight(120)
        self.points = {}
        for key in ("industry_points", "size_points", "seniority_points", "country_points", "connect_points",
                    "recent_points", "unanswered_penalty"):
            self.points[key] = QSpinBox(maximum=100, value=int(icp[key]))
        weights = icp["weights"] if isinstance(icp["weights"], dict) else {}
        self.weights = {}
        wrow = QHBoxLayout()
        for g in ("fit", "interest", "activity"):
            box = QDoubleSpinBox(maximum=5.0, singleStep=0.1, value=float(weights.get(g, 1.0)))
            self.weights[g] = box
            wrow.addWidget(QLabel(g.capitalize()))
            wrow.addWidget(box)
        form.addRow("Target industries", self.icp_industries)
        form.addRow("Target countries", self.icp_countries)
        form.addRow("Company size (employees)", size)
        form.addRow("Executive titles", self.icp_levels["3"])
        form.addRow("Director titles", self.icp_levels["2"])
        form.addRow("Manager titles", self.icp_levels["1"])
        form.addRow("Points per source", self.icp_sources)
        labels = {"industry_points": "Industry points", "size_points": "Size points",
                  "seniority_points": "Executive points", "country_points": "Country points",
                  "connect_points": "Points per conversation", "recent_points": "Recent activity points",
                  "unanswered_penalty": "Penalty: unanswered tries"}
        for key, box in self.points.items():
            form.addRow(labels[key], box)
        form.addRow("Weights", wrow)
        return page

    def _dispositions(self, v: dict) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        hint = QLabel("One per line:  KEY | Label | attempt, connect, conversation or disqualify | retry hours")
        hint.setWordWrap(True)
        try:
            text = _disposition_lines(v["dispositions"])
        except ValueError:
            text = _disposition_lines([])
        self.dispositions = QPlainTextEdit(text)
        self.dispositions.setObjectName("dispositionLines")
        reset = QPushButton("Use the built-in list", clicked=lambda: self.dispositions.setPlainText(
            _disposition_lines([])))
        layout.addWidget(hint)
        layout.addWidget(self.dispositions, 1)
        layout.addWidget(reset)
        return page

    # -- saving -----------------------------------------------------------------------

    def icp_value(self) -> dict[str, Any]:
        sources = {}
        for n, line in enumerate(self.icp_sources.toPlainText().splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, pts = line.rpartition("=")
            try:
                if not sep or not name.strip():
                    raise ValueError
                sources[name.strip()] = float(pts)
            except ValueError:
                raise UserError(f"Points per source, line {n}: write it as  Source = points.") from None
        icp = {
            "industries": [s.strip() for s in self.icp_industries.text().split(",") if s.strip()],
            "countries": [s.strip().upper() for s in self.icp_countries.text().split(",") if s.strip()],
            "employees_min": self.icp_min.value(), "employees_max": self.icp_max.value(),
            "seniority": {lvl: [w.strip() for w in e.text().split(",") if w.strip()]
                          for lvl, e in self.icp_levels.items()},
            "sources": sources,
            **{k: box.value() for k, box in self.points.items()},
            "weights": {g: box.value() for g, box in self.weights.items()},
        }
        problems = rules_from_setting(icp).problems
        if problems:
            raise UserError("Scoring: " + "; ".join(problems))
        return icp

    def collect(self) -> dict[str, Any]:
        region = self.region.text().strip().upper()
        import phonenumbers

        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise UserError(f"Default phone region: “{region}” is not a two-letter country code.")
        if self.hours_start.time() >= self.hours_end.time():
            raise UserError("Calling hours: the start must be before the end.")
        from leadtriage.domain.localtime import WorkWeek

        try:
            WorkWeek.parse(self.working_days.text())
        except ValueError as exc:
            raise UserError(str(exc)) from None
        currency = self.currency.text().strip().upper()
        if currency and not (len(currency) == 3 and currency.isalpha() and currency.isascii()):
            raise UserError(f"Currency: “{currency}” is not a three-letter code such as USD or EUR.")
        icp = self.icp_value()
        return {
            "working_days": self.working_days.text().strip(),
            "currency": currency,
            "rep_name": self.rep_name.text().strip(),
            "default_region": region,
            "calling_hours_start": self.hours_start.time().toString("HH:mm"),
            "calling_hours_end": self.hours_end.time().toString("HH:mm"),
            "framework": self.framework.currentData(),
            "qualify_threshold": self.threshold.value(),
            "icp": {} if icp == {**{k: DEFAULT_ICP[k] for k in icp}} else icp,
            "dispositions": parse_disposition_lines(self.dispositions.toPlainText()),
        }

    def accept(self) -> None:
        try:
            values = self.collect()
            if self.rep_form_name.text().strip() and self.editing_rep is None and not self._save_rep():
                return
        except UserError as exc:
            QMessageBox.warning(self, "Settings", str(exc))
            return
        for key, value in values.items():
            self.settings.set(key, value)
        super().accept()

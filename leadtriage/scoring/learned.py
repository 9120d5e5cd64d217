"""The learned score: the calibrated chance (0-100 %) that a lead starts a sales cycle.

A logistic regression over one token per feature (see `features.py`): text as
categories with rare values pooled into "(other)", numbers in up to ten quantile
bins. Why this and not gradient boosting (measured on bank-full, see README): the
same held-out AUC within 0.01, it trains in about a second on 100,000 leads, it is
calibrated by construction, each factor is one number a rep can be told about
("Source Reference: 9x the average"), and the model is a small JSON object of
numbers: a database from elsewhere cannot make the app run code by carrying one
(nothing is unpickled, ever).

scikit-learn is imported only to fit; scoring a lead is a few dictionary look-ups.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from leadtriage.scoring.features import (
    BLANK,
    OTHER,
    STANDARD,
    as_number,
    category_key,
    feature_label,
    lead_values,
)

FORMAT = "leadtriage-logit-1"
MIN_CATEGORY = 20  # leads a value needs in the history to get its own weight
MAX_CATEGORIES = 60  # per feature; the rest are "(other)"
MAX_BINS = 10
NUMERIC_SHARE = 0.95  # a custom field is a number when this share of its values are
C = 0.5  # inverse regularisation, chosen on bank-full's time-split hold-out (README)
SHOWN_FACTOR = math.log(1.25)  # a factor is worth a chip from 1.25x / 0.8x the average


@dataclass
class Feature:
    key: str
    label: str
    kind: str  # "cat" or "num"
    weights: dict[str, float]  # token -> weight
    labels: dict[str, str]  # token -> how a rep reads it ("Reference", "250-1,000")
    edges: list[float]  # num: bin edges
    mean: float  # average weight over the history: the "average lead"
    # Numbers also pull linearly within their clipped range (a bin alone is a step):
    # weight += slope * (clip(x, lo, hi) - center) / scale
    slope: float = 0.0
    lo: float = 0.0
    hi: float = 0.0
    center: float = 0.0
    scale: float = 1.0

    def linear(self, value: Any) -> float:
        if not self.slope:
            return 0.0
        number = as_number(value)
        if number is None:
            return 0.0
        return self.slope * (min(max(number, self.lo), self.hi) - self.center) / self.scale

    def pull(self, value: Any) -> tuple[str, float]:
        """(token, weight) of a raw value: its category or bin, plus the linear part."""
        token = self.token(value)
        return token, self.weight(token) + (self.linear(value) if self.kind == "num" else 0.0)

    def token(self, value: Any) -> str:
        if self.kind == "num":
            number = as_number(value)
            if number is None:
                return BLANK
            i = 0
            while i < len(self.edges) and number >= self.edges[i]:
                i += 1
            return f"b{i}"
        key = category_key(value)
        if key is None:
            return BLANK
        return key if key in self.weights else OTHER

    def weight(self, token: str) -> float:
        return self.weights.get(token, self.mean)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "kind": self.kind, "weights": self.weights,
                "labels": self.labels, "edges": self.edges, "mean": self.mean, "slope": self.slope, "lo": self.lo,
                "hi": self.hi, "center": self.center, "scale": self.scale}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Feature:
        kind = d["kind"]
        if kind not in ("cat", "num"):
            raise ValueError("feature kind")
        weights = {str(k): _finite(v) for k, v in d["weights"].items()}
        labels = {str(k): str(v) for k, v in d["labels"].items()}
        linear = {k: _finite(d.get(k, default)) for k, default in
                  (("slope", 0.0), ("lo", 0.0), ("hi", 0.0), ("center", 0.0), ("scale", 1.0))}
        if linear["scale"] <= 0:
            raise ValueError("scale")
        return cls(str(d["key"]), str(d["label"]), kind, weights, labels, [_finite(e) for e in d["edges"]],
                   _finite(d["mean"]), **linear)


def _finite(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("not a finite number")
    return float(value)


@dataclass
class Factor:
    feature: str  # label
    value: str
    log_ratio: float  # this lead's weight minus the average lead's

    @property
    def ratio(self) -> float:
        return math.exp(self.log_ratio)

    def text(self) -> str:
        r = self.ratio
        shown = f"{r:.0f}" if r >= 9.5 else f"{r:.1f}".rstrip("0").rstrip(".")
        return f"{self.feature} {self.value}: {shown}× the average"


@dataclass
class Model:
    intercept: float
    features: list[Feature]

    def logit(self, lead: dict[str, Any]) -> float:
        values = lead_values(lead)
        return self.intercept + sum(f.pull(values.get(f.key))[1] for f in self.features)

    def probability(self, lead: dict[str, Any]) -> float:
        return _sigmoid(self.logit(lead))

    def factors(self, lead: dict[str, Any]) -> list[Factor]:
        """Every feature's pull on this lead against the average lead, strongest first."""
        values = lead_values(lead)
        out = []
        for f in self.features:
            token, weight = f.pull(values.get(f.key))
            out.append(Factor(f.label, f.labels.get(token, token), weight - f.mean))
        out.sort(key=lambda x: -abs(x.log_ratio))
        return out

    def explain(self, lead: dict[str, Any], for_n: int = 3, against_n: int = 2) -> list[str]:
        """Chips: the strongest factors for, then against ('Source Reference: 9× the average')."""
        factors = [f for f in self.factors(lead) if abs(f.log_ratio) >= SHOWN_FACTOR]
        pro = [f.text() for f in factors if f.log_ratio > 0][:for_n]
        con = [f.text() for f in factors if f.log_ratio < 0][:against_n]
        return pro + con

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "intercept": self.intercept, "features": [f.to_json() for f in self.features]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Model:
        """Strict: anything but the expected numbers and strings is refused (ValueError)."""
        if not isinstance(d, dict) or d.get("format") != FORMAT:
            raise ValueError("not a LeadTriage score model")
        return cls(_finite(d["intercept"]), [Feature.from_json(f) for f in d["features"]])

    def top_features(self, n: int = 10) -> list[tuple[str, float]]:
        """Features by how much they move scores (the widest spread of weights)."""
        spread = [(f.label, max(f.weights.values()) - min(f.weights.values())) for f in self.features if f.weights]
        spread.sort(key=lambda x: -x[1])
        return [(label, round(s, 3)) for label, s in spread[:n]]


def is_probability_factor(text: str) -> bool | None:
    """For chips: True for a factor for the lead, False against, None for other text."""
    if "× the average" not in text:
        return None
    try:
        return float(text.rsplit(": ", 1)[1].split("×")[0]) >= 1
    except (ValueError, IndexError):
        return None


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


# -- fitting ---------------------------------------------------------------------------------


def _num_label(x: float) -> str:
    if abs(x) >= 1000 or x == int(x):
        return f"{x:,.0f}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def _describe(values: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """The features to use: the standard ones plus every custom field seen, each as
    numbers when nearly all its values are numbers."""
    custom: Counter[str] = Counter()
    numeric: Counter[str] = Counter()
    for v in values:
        for k, x in v.items():
            if k.startswith("custom:"):
                custom[k] += 1
                if as_number(x) is not None:
                    numeric[k] += 1
    out = list(STANDARD)
    for k in sorted(custom):
        distinct = len({category_key(v.get(k)) for v in values[:5000] if v.get(k) is not None})
        kind = "num" if numeric[k] >= NUMERIC_SHARE * custom[k] and distinct > 12 else "cat"
        out.append((k, feature_label(k), kind))
    return out


def _plan_feature(key: str, label: str, kind: str, column: list[Any]) -> Feature | None:
    """Categories or bins from the history; None for a feature with nothing to learn
    (one value for everybody)."""
    if kind == "num":
        import numpy as np

        nums = [n for n in (as_number(x) for x in column) if n is not None]
        if len(set(nums[:20000])) < 2:
            return None
        qs = np.quantile(np.array(nums), np.linspace(0, 1, MAX_BINS + 1)[1:-1])
        edges = sorted({float(q) for q in qs})
        lo = min(nums)
        edges = [e for e in edges if e > lo] or [float(np.median(nums))]
        labels = {BLANK: "unknown"}
        for i in range(len(edges) + 1):
            if i == 0:
                labels["b0"] = f"under {_num_label(edges[0])}"
            elif i == len(edges):
                labels[f"b{i}"] = f"{_num_label(edges[-1])} or more"
            else:
                labels[f"b{i}"] = f"{_num_label(edges[i - 1])}–{_num_label(edges[i])}"
        return Feature(key, label, kind, {}, labels, edges, 0.0)
    counts: Counter[str] = Counter()
    spelling: dict[str, Counter[str]] = {}
    for x in column:
        k = category_key(x)
        if k is not None:
            counts[k] += 1
            spelling.setdefault(k, Counter())[" ".join(str(x).split())] += 1
    kept = [k for k, n in counts.most_common(MAX_CATEGORIES) if n >= MIN_CATEGORY]
    if not kept or (len(kept) == 1 and counts[kept[0]] >= len(column) - MIN_CATEGORY):
        return None  # (nearly) one value for everybody: nothing to learn, and a later change would only shift
    labels = {k: spelling[k].most_common(1)[0][0] for k in kept}
    labels[BLANK], labels[OTHER] = "unknown", "other"
    weights = dict.fromkeys(kept, 0.0)
    return Feature(key, label, kind, weights, labels, [], 0.0)


@dataclass
class Fitted:
    model: Model
    seconds: float


def fit(leads: list[dict[str, Any]], labels: list[int], c: float = C,
        values: list[dict[str, Any]] | None = None) -> Model:
    """Fit on history rows (lead dicts with READ_COLUMNS) and 0/1 labels; `values`
    are their `lead_values` when the caller has them already."""
    import numpy as np
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    if values is None:
        values = [lead_values(lead) for lead in leads]
    features: list[Feature] = []
    for key, label, kind in _describe(values):
        f = _plan_feature(key, label, kind, [v.get(key) for v in values])
        if f is not None:
            features.append(f)
    # Token per lead and feature -> one-hot columns.
    vocab: dict[tuple[int, str], int] = {}
    rows, cols = [], []
    tokens_by_feature: list[list[str]] = []
    for fi, f in enumerate(features):
        toks = [f.token(v.get(f.key)) for v in values]
        tokens_by_feature.append(toks)
        for r, t in enumerate(toks):
            j = vocab.setdefault((fi, t), len(vocab))
            rows.append(r)
            cols.append(j)
    n = len(values)
    data = [1.0] * len(rows)
    linear_cols: dict[int, int] = {}
    for fi, f in enumerate(features):
        if f.kind != "num":
            continue
        nums = [as_number(v.get(f.key)) for v in values]
        known = np.array([x for x in nums if x is not None])
        f.lo, f.hi = float(np.quantile(known, 0.01)), float(np.quantile(known, 0.99))
        if f.hi <= f.lo:
            continue
        clipped = np.clip(known, f.lo, f.hi)
        f.center, f.scale = float(clipped.mean()), float(clipped.std()) or 1.0
        f.slope = 1.0
        j = linear_cols[fi] = len(vocab) + len(linear_cols)
        for r, x in enumerate(nums):
            if x is not None:
                rows.append(r)
                cols.append(j)
                data.append(f.linear(x))
    x = sparse.csr_matrix((np.array(data), (rows, cols)), shape=(n, max(len(vocab) + len(linear_cols), 1)))
    y = np.asarray(labels, dtype=int)
    clf = LogisticRegression(C=c, max_iter=2000)
    clf.fit(x, y)
    coef = clf.coef_[0]
    for fi, f in enumerate(features):
        weights = {t: float(coef[j]) for (i, t), j in vocab.items() if i == fi}
        f.slope = float(coef[linear_cols[fi]]) if fi in linear_cols else 0.0
        counts = Counter(tokens_by_feature[fi])
        # The linear part averages to zero over the history (it is centred), except
        # for blanks, which contribute nothing: close enough for "the average lead".
        f.mean = float(sum(weights[t] * c_ for t, c_ in counts.items()) / max(n, 1))
        f.weights = weights  # tokens never seen in the history fall back to the mean (the average lead)
    return Model(float(clf.intercept_[0]), features)


def auc(scores: list[float], labels: list[int]) -> float | None:
    if len(set(labels)) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))

"""The cross-field review of a design: what a reviewer checks by reading several answers together.

A :class:`~mlsd.design.DesignDoc` is mostly prose. Prose cannot be checked without guessing at its
words, so the facts a reviewer compares across fields are written as small **entries** inside the
answers' lists, next to the prose (each renders as one readable line):

=====================  ===================  ====================================================
entry                  in field             states
=====================  ===================  ====================================================
:class:`Kind`          ``decision``         what the output is used for (rank, threshold, ...)
:class:`Metric`        ``metrics_offline``  a metric of :mod:`mlsd.metrics`, by function name
:class:`Label`         ``data_labels``      a label and how long it takes to arrive
:class:`Retraining`    ``data_freshness``   how often the model is retrained
:class:`Budget`        ``serving``          the request's p99 deadline
:class:`Dependency`    ``serving``          an online call: its p99 and what serves without it
:class:`Alert`         ``monitoring``       a signal, its rule and who is woken
=====================  ===================  ====================================================

:func:`review` (``DesignDoc.review()``) then makes these checks, each finding with its reason:

- **placeholders and gaps** — a point still empty, or an answer that is only a placeholder
  (``TODO``, ``TBD``, ``FIXME``, ``XXX``, ``?``, ``...``), is not an answer;
- **metrics fit the decision** — the metric families the :class:`Kind` needs are among the offline
  metrics (ranking metrics to rank; a calibration-sensitive metric when the probability is priced;
  a cost or precision/recall at the threshold to threshold; regression errors to estimate; pinball
  loss or late rate to promise a quantile);
- **latency fits the budget** — no dependency's p99 exceeds the budget, and the dependencies' p99s
  together fit it (calls made one after another can all be slow at once: without a simulation or
  measurement of the whole path, their sum is the reviewer's bound);
- **a fallback for each dependency** — every :class:`Dependency` names what is served without it;
- **every alert has an owner** — and a filled monitoring answer states at least one :class:`Alert`;
- **labels against retraining** — a model retrained more often than its slowest label arrives
  trains, each time, on rows whose labels are not in yet: say how (wait, or correct for delay).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "Alert", "Budget", "Dependency", "Finding", "Kind", "Label", "Metric", "Retraining", "Review",
    "ENTRY_FIELDS", "METRIC_FAMILIES", "review",
]

METRIC_FAMILIES: dict[str, str] = {
    **dict.fromkeys(("precision_at_k", "recall_at_k", "hit_rate_at_k", "map_at_k", "ndcg_at_k",
                     "mrr", "roc_auc", "grouped_roc_auc", "average_precision", "pr_auc"),
                    "ranking"),
    **dict.fromkeys(("log_loss", "normalized_entropy", "calibration_ratio",
                     "expected_calibration_error"), "calibration"),
    **dict.fromkeys(("expected_cost", "precision", "recall", "fbeta", "f1", "specificity"),
                    "decision"),
    **dict.fromkeys(("mae", "rmse", "mape", "within_tolerance"), "regression"),
    **dict.fromkeys(("pinball_loss", "late_rate"), "quantile"),
    **dict.fromkeys(("catalog_coverage", "novelty", "intra_list_diversity"), "beyond accuracy"),
}
"""The family of every metric of :mod:`mlsd.metrics` a :class:`Metric` entry may name."""

DECISION_NEEDS: dict[str, tuple[str, str]] = {
    "ranking": ("ranking", "the output orders items, so a ranking metric must say whether the "
                           "order is right"),
    "threshold": ("decision", "the output is thresholded, so the cost (or precision and recall) "
                              "at the chosen threshold is what the decision earns"),
    "priced probability": ("calibration", "the probability itself sets a price or a bid, so a "
                                          "calibration-sensitive metric must check its level, "
                                          "not only its order"),
    "estimate": ("regression", "the output is a number acted on as is, so its error in the "
                               "number's own unit must be measured"),
    "quantile promise": ("quantile", "the output is a promise that should hold a stated share of "
                                     "the time, so pinball loss or the late rate must be measured"),
}
"""For each :class:`Kind`, the metric family it needs and why."""

_PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b|^\W*$|^\s*(\?+|\.\.\.|…)\s*$", re.IGNORECASE)


def _text(name: str, value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-blank string; got {value!r}")
    return value


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Kind:
    """What the output is used for: one of :data:`DECISION_NEEDS` (``"ranking"``, ...)."""

    kind: str

    def __post_init__(self):
        if self.kind not in DECISION_NEEDS:
            raise ValueError(f"Kind must be one of {', '.join(DECISION_NEEDS)}; got {self.kind!r}")

    def __str__(self) -> str:
        return f"Kind of decision: {self.kind}."


@dataclass(frozen=True)
class Metric:
    """An offline metric, by the name of its function in :mod:`mlsd.metrics`."""

    name: str

    def __post_init__(self):
        if self.name not in METRIC_FAMILIES:
            raise ValueError(f"Metric must name a function of mlsd.metrics, one of "
                             f"{', '.join(METRIC_FAMILIES)}; got {self.name!r}")

    @property
    def family(self) -> str:
        """The metric's family in :data:`METRIC_FAMILIES`."""
        return METRIC_FAMILIES[self.name]

    def __str__(self) -> str:
        return f"{self.name} ({self.family})"


@dataclass(frozen=True)
class Label:
    """A training label and the longest it takes to arrive after the event, in hours."""

    name: str
    delay_hours: float

    def __post_init__(self):
        _text("Label.name", self.name)
        _positive(f"Label {self.name}: delay_hours", self.delay_hours)

    def __str__(self) -> str:
        return f"{self.name}: arrives up to {self.delay_hours:g} h after the event"


@dataclass(frozen=True)
class Retraining:
    """How often the model is retrained, in hours."""

    every_hours: float

    def __post_init__(self):
        _positive("Retraining.every_hours", self.every_hours)

    def __str__(self) -> str:
        return f"Retrained every {self.every_hours:g} h"


@dataclass(frozen=True)
class Budget:
    """The p99 deadline of a whole request, in milliseconds."""

    p99_ms: float

    def __post_init__(self):
        _positive("Budget.p99_ms", self.p99_ms)

    def __str__(self) -> str:
        return f"Latency budget: p99 {self.p99_ms:g} ms per request"


@dataclass(frozen=True)
class Dependency:
    """An online call of the serving path: its p99 latency and what is served without it."""

    name: str
    p99_ms: float
    fallback: str = ""

    def __post_init__(self):
        _text("Dependency.name", self.name)
        _positive(f"Dependency {self.name}: p99_ms", self.p99_ms)
        if not isinstance(self.fallback, str):
            raise ValueError(f"Dependency {self.name}: fallback must be a string; "
                             f"got {self.fallback!r}")

    def __str__(self) -> str:
        fallback = self.fallback.strip() or "none named"
        return f"{self.name}: p99 {self.p99_ms:g} ms; without it: {fallback}"


@dataclass(frozen=True)
class Alert:
    """A monitored signal, the rule that fires, and the owner it wakes."""

    signal: str
    rule: str
    owner: str = ""

    def __post_init__(self):
        _text("Alert.signal", self.signal)
        _text(f"Alert {self.signal}: rule", self.rule)
        if not isinstance(self.owner, str):
            raise ValueError(f"Alert {self.signal}: owner must be a string; got {self.owner!r}")

    def __str__(self) -> str:
        return f"Alert on {self.signal} when {self.rule} → {self.owner.strip() or 'no owner'}"


ENTRY_FIELDS: dict[type, tuple[str, ...]] = {
    Kind: ("decision",),
    Metric: ("metrics_offline",),
    Label: ("data_labels",),
    Retraining: ("data_freshness",),
    Budget: ("serving",),
    Dependency: ("serving",),
    Alert: ("monitoring",),
}
"""The fields each kind of entry may appear in."""


@dataclass(frozen=True)
class Finding:
    """One thing a reviewer would send back: the checklist point, what is wrong, and why."""

    point: str
    problem: str
    reason: str


@dataclass(frozen=True)
class Review:
    """The findings of :func:`review`, in checklist order; no findings means nothing to send back."""

    title: str
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        """True when there is no finding."""
        return not self.findings

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: point, problem, reason."""
        return pd.DataFrame([vars(finding) for finding in self.findings],
                            columns=["point", "problem", "reason"])

    def to_markdown(self) -> str:
        """The findings as a Markdown list under a heading."""
        head = f"## Review: {self.title}\n\n"
        if self.passed:
            return head + "No findings: every cross-field check passes.\n"
        lines = [f"- **{f.point}:** {f.problem} — *{f.reason}*" for f in self.findings]
        return head + f"**{len(self.findings)} finding(s)**\n\n" + "\n".join(lines) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def review(doc) -> Review:
    """Every cross-field check of the module docstring on ``doc`` (a ``DesignDoc``)."""
    from mlsd.design import CHECKLIST

    findings: list[Finding] = []
    for point in CHECKLIST:
        for part in point.parts:
            findings.extend(_gaps(point.title, part, getattr(doc, part.field)))
    findings.extend(_metrics_fit(doc))
    findings.extend(_latency_fits(doc))
    findings.extend(_fallbacks(doc))
    findings.extend(_alerts(doc))
    findings.extend(_labels_against_retraining(doc))
    order = {point.title: index for index, point in enumerate(CHECKLIST)}
    return Review(doc.title, tuple(sorted(findings, key=lambda f: order[f.point])))


def entries(value, kind: type) -> list:
    """The entries of type ``kind`` in an answer (a string answer has none)."""
    return [item for item in value if isinstance(item, kind)] if isinstance(value, list) else []


def _gaps(title: str, part, value) -> list[Finding]:
    label = f"{part.label.lower()} " if part.label else ""
    items = [value] if isinstance(value, str) else value
    texts = [item for item in items if isinstance(item, str) and item.strip()]
    if not texts and not [item for item in items if not isinstance(item, str)]:
        return [Finding(title, f"the {label}answer is empty", part.prompt)]
    return [Finding(title, f"the {label}answer {text.strip()!r} is a placeholder",
                    "a placeholder is not an answer: " + part.prompt)
            for text in texts if _PLACEHOLDER.search(text)]


def _metrics_fit(doc) -> list[Finding]:
    kinds = entries(doc.decision, Kind)
    metrics = entries(doc.metrics_offline, Metric)
    if not kinds:
        return [Finding("Decision", "no Kind entry says what the output is used for",
                        "without it, nobody can check that the metrics fit the decision")]
    families = {metric.family for metric in metrics}
    findings = []
    for kind in kinds:
        family, why = DECISION_NEEDS[kind.kind]
        if family not in families:
            named = ", ".join(name for name, fam in METRIC_FAMILIES.items() if fam == family)
            findings.append(Finding("Metrics", f"a {kind.kind} decision has no {family} metric "
                                    f"offline (one of {named})", why))
    return findings


def _latency_fits(doc) -> list[Finding]:
    budgets = entries(doc.serving, Budget)
    dependencies = entries(doc.serving, Dependency)
    if not budgets:
        return [Finding("Serving", "no Budget entry states the request's p99 deadline",
                        "a serving design is judged against its deadline")]
    budget = min(b.p99_ms for b in budgets)
    findings = [
        Finding("Serving", f"{d.name} alone takes {d.p99_ms:g} ms at p99, over the "
                f"{budget:g} ms budget", "one slow call decides the whole request's tail")
        for d in dependencies if d.p99_ms > budget
    ]
    total = sum(d.p99_ms for d in dependencies)
    if not findings and total > budget:
        findings.append(Finding(
            "Serving", f"the dependencies' p99s add up to {total:g} ms, over the {budget:g} ms "
            "budget", "calls made one after another can all be slow at once; show a simulation "
            "or measurement of the whole path (mlsd.serving), or run them in parallel"))
    return findings


def _fallbacks(doc) -> list[Finding]:
    return [Finding("Fallback", f"no fallback is named for {d.name}",
                    "every online dependency fails or times out sometimes; the request still "
                    "needs an answer")
            for d in entries(doc.serving, Dependency) if not d.fallback.strip()]


def _alerts(doc) -> list[Finding]:
    alerts = entries(doc.monitoring, Alert)
    if not alerts:
        return [Finding("Monitoring", "no Alert entry: nothing watched wakes anyone",
                        "a dashboard nobody is paged from is noticed only after the damage")]
    return [Finding("Monitoring", f"the alert on {a.signal} has no owner",
                    "an alert without an owner is an alert nobody acts on")
            for a in alerts if not a.owner.strip()]


def _labels_against_retraining(doc) -> list[Finding]:
    labels = entries(doc.data_labels, Label)
    cadences = entries(doc.data_freshness, Retraining)
    if not labels or not cadences:
        return []
    slowest = max(labels, key=lambda label: label.delay_hours)
    every = min(c.every_hours for c in cadences)
    if every >= slowest.delay_hours:
        return []
    return [Finding("Data", f"the model is retrained every {every:g} h but {slowest.name} takes "
                    f"up to {slowest.delay_hours:g} h to arrive",
                    "each retrain sees the newest rows without their labels yet: train only on "
                    "rows whose label window has closed, or correct for delayed feedback")]

"""Every thresholded metric at every threshold, from one sort.

:class:`ThresholdCurve` sorts the scores once (O(n log n)) and keeps cumulative class counts
below each distinct score; any threshold is then answered by one binary search (O(log n)),
giving exactly the counts and floats that :mod:`mlsd.metrics.classification` computes from
scratch. It is the engine behind interactive threshold explorers.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlsd.metrics.classification import (
    ConfusionCounts,
    _average_precision,
    _counts_at,
    _expected_cost_from_counts,
    _false_positive_rate_from_counts,
    _fbeta_from_counts,
    _labels_and_scores,
    _pr_auc,
    _pr_curve,
    _precision_from_counts,
    _recall_from_counts,
    _require_both_classes,
    _require_positives,
    _roc_auc,
    _roc_curve,
    _score_table,
    _specificity_from_counts,
    _zero_division_value,
)
from mlsd.validation import check_number


class BestThreshold(NamedTuple):
    """The cost-minimising threshold and its mean cost per example."""

    threshold: float
    cost: float


class ThresholdCurve:
    """Confusion counts and derived metrics of one set of scores at any threshold.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1.
    y_score : array-like of shape (n,)
        Scores; higher means more likely positive.

    Notes
    -----
    Formula: with the k distinct scores ``u_1 < … < u_k`` and ``j(t)`` the number of them below
    ``t``, the examples flagged at ``t`` are those scoring ``>= u_{j(t)+1}``, so
    ``fn(t) = positives scoring below t`` and ``tn(t) = negatives scoring below t`` are read
    from cumulative counts, and ``tp = P − fn``, ``fp = N − tn``.

    Convention: predicted positive when ``score >= t``, as everywhere in ``mlsd.metrics``.
    Thresholds may be scalars (results are Python ints / floats) or arrays (results are arrays of
    the same shape); ``-inf`` flags everything and ``+inf`` nothing; NaN is an error. Every
    method returns exactly what the matching function of
    :mod:`mlsd.metrics.classification` returns on the raw data. Lookups do not copy the data;
    the stored arrays are read-only.

    References
    ----------
    Fawcett, T. (2006). An introduction to ROC analysis. Pattern Recognition Letters 27(8),
    Algorithm 1 (one sorted pass yields the counts at every threshold).
    """

    def __init__(self, y_true, y_score):
        labels, scores = _labels_and_scores(y_true, y_score)
        self._table = _score_table(labels, scores)
        for array in self._table:
            array.setflags(write=False)

    @property
    def n(self) -> int:
        """Number of examples."""
        return self.n_positives + self.n_negatives

    @property
    def n_positives(self) -> int:
        """Number of examples labelled 1."""
        return int(self._table.positives_below[-1])

    @property
    def n_negatives(self) -> int:
        """Number of examples labelled 0."""
        return int(self._table.negatives_below[-1])

    @property
    def distinct_scores(self) -> np.ndarray:
        """The distinct scores, increasing (read-only): the thresholds where the counts change."""
        return self._table.distinct

    def counts(self, threshold) -> ConfusionCounts:
        """``(tp, fp, tn, fn)`` when flagging ``score >= threshold``; ints, or int arrays."""
        thresholds = _thresholds(threshold)
        counts = _counts_at(self._table, thresholds)
        if thresholds.ndim:
            return counts
        return ConfusionCounts(*(int(count) for count in counts))

    def precision(self, threshold, zero_division=0.0):
        """``tp / (tp + fp)``; ``zero_division`` where nothing is flagged."""
        return _precision_from_counts(self.counts(threshold), _zero_division_value(zero_division))

    def recall(self, threshold, zero_division=0.0):
        """``tp / (tp + fn)``; ``zero_division`` when there are no positives."""
        return _recall_from_counts(self.counts(threshold), _zero_division_value(zero_division))

    def fpr(self, threshold, zero_division=0.0):
        """False-positive rate ``fp / (fp + tn)``; ``zero_division`` when there are no negatives."""
        counts = self.counts(threshold)
        return _false_positive_rate_from_counts(counts, _zero_division_value(zero_division))

    def specificity(self, threshold, zero_division=0.0):
        """``tn / (tn + fp)``; ``zero_division`` when there are no negatives."""
        counts = self.counts(threshold)
        return _specificity_from_counts(counts, _zero_division_value(zero_division))

    def fbeta(self, threshold, beta=1.0, zero_division=0.0):
        """``(1 + beta²) tp / ((1 + beta²) tp + beta² fn + fp)``, as ``classification.fbeta``."""
        return _fbeta_from_counts(
            self.counts(threshold),
            check_number("beta", beta, 0),
            _zero_division_value(zero_division),
        )

    def expected_cost(self, threshold, cost_fp=1.0, cost_fn=1.0):
        """Mean cost per example ``(cost_fp · fp + cost_fn · fn) / n``."""
        return _expected_cost_from_counts(
            self.counts(threshold),
            check_number("cost_fp", cost_fp, 0),
            check_number("cost_fn", cost_fn, 0),
        )

    def best_threshold(self, cost_fp=1.0, cost_fn=1.0) -> BestThreshold:
        """The threshold with the lowest :meth:`expected_cost`, and that cost.

        Candidates are every distinct score (the lowest flags everything) plus ``+inf``, which
        flags nothing; no other threshold gives different counts. Ties go to the highest
        candidate threshold, i.e. the one flagging the fewest examples.
        """
        candidates = np.r_[self._table.distinct, np.inf]
        costs = self.expected_cost(candidates, cost_fp, cost_fn)
        best = len(costs) - 1 - int(np.argmin(costs[::-1]))
        return BestThreshold(threshold=float(candidates[best]), cost=float(costs[best]))

    def pr_curve(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(precision, recall, thresholds)``, exactly ``sklearn``'s ``precision_recall_curve``.

        Thresholds are the distinct scores in increasing order; precision and recall have one
        more entry, the closing point (1, 0). Needs at least one positive.
        """
        _require_positives(self._table, "pr_curve")
        return _pr_curve(self._table)

    def roc_curve(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(fpr, tpr, thresholds)``, exactly ``sklearn``'s ``roc_curve(drop_intermediate=False)``.

        Thresholds start at ``+inf`` (point (0, 0)) and then run through the distinct scores in
        decreasing order. Needs both classes.
        """
        _require_both_classes(self._table, "roc_curve")
        return _roc_curve(self._table)

    def roc_auc(self) -> float:
        """As :func:`mlsd.metrics.classification.roc_auc`."""
        _require_both_classes(self._table, "roc_auc")
        return _roc_auc(self._table)

    def average_precision(self) -> float:
        """As :func:`mlsd.metrics.classification.average_precision`."""
        _require_positives(self._table, "average_precision")
        return _average_precision(self._table)

    def pr_auc(self) -> float:
        """As :func:`mlsd.metrics.classification.pr_auc`."""
        _require_positives(self._table, "pr_auc")
        return _pr_auc(self._table)


def _thresholds(threshold) -> np.ndarray:
    """Thresholds as a float array of any shape (0-d for a scalar).

    Numbers only, as :func:`mlsd.validation.is_number` counts them (no bools, no text); ``±inf``
    allowed, NaN an error.
    """
    try:
        values = np.asarray(threshold)
    except ValueError:  # lists of unequal lengths
        values = None
    if values is None or values.dtype.kind not in "iuf":
        raise ValueError(f"threshold must be a number or an array of numbers; got {threshold!r}")
    values = values.astype(float)
    if np.isnan(values).any():
        raise ValueError("threshold must not be NaN")
    return values


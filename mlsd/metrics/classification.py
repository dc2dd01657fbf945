"""Binary classification metrics: thresholded counts, ranking quality and probabilistic loss.

Every function takes labels in {0, 1} and a score per example. Thresholded metrics predict the
positive class when ``score >= threshold``, the convention of scikit-learn's
``precision_recall_curve``. The ranking metrics (``roc_auc``, ``average_precision``, ``pr_auc``)
share one sorted, cumulative-count table with :class:`mlsd.metrics.thresholds.ThresholdCurve`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from mlsd.validation import (
    as_1d,
    binary_labels,
    check_number,
    is_number,
    probabilities,
    same_length,
)


class ConfusionCounts(NamedTuple):
    """Confusion-matrix entries at one threshold (ints), or at many thresholds (int arrays)."""

    tp: int
    fp: int
    tn: int
    fn: int


def confusion_counts(y_true, y_score, threshold=0.5) -> ConfusionCounts:
    """Count true/false positives/negatives when predicting positive at ``score >= threshold``.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1.
    y_score : array-like of shape (n,)
        Scores or probabilities; higher means more likely positive.
    threshold : float, default=0.5
        Decision threshold; ``-inf`` flags everything, ``+inf`` flags nothing.

    Returns
    -------
    ConfusionCounts
        ``(tp, fp, tn, fn)`` as Python ints; ``tp + fp + tn + fn == n``.

    Notes
    -----
    Formula: ``tp = #{y = 1, s >= t}``, ``fp = #{y = 0, s >= t}``, ``tn = #{y = 0, s < t}``,
    ``fn = #{y = 1, s < t}``.

    Convention: an example is predicted positive when its score is greater than *or equal to* the
    threshold, as in ``sklearn.metrics.precision_recall_curve``. With 0/1 predictions and the
    default threshold this is ``sklearn.metrics.confusion_matrix(y_true, y_pred).ravel()``
    reordered from ``(tn, fp, fn, tp)``.

    References
    ----------
    Fawcett, T. (2006). An introduction to ROC analysis. Pattern Recognition Letters 27(8).
    """
    labels, scores = _labels_and_scores(y_true, y_score)
    flagged = scores >= _threshold_value(threshold)
    positive = labels == 1
    return ConfusionCounts(
        tp=int(np.count_nonzero(flagged & positive)),
        fp=int(np.count_nonzero(flagged & ~positive)),
        tn=int(np.count_nonzero(~flagged & ~positive)),
        fn=int(np.count_nonzero(~flagged & positive)),
    )


def precision(y_true, y_score, threshold=0.5, zero_division=0.0) -> float:
    """Fraction of flagged examples that are positive.

    Parameters
    ----------
    y_true, y_score, threshold
        As in :func:`confusion_counts`.
    zero_division : float, default=0.0
        Returned when nothing is flagged (``tp + fp == 0``); 0, 1 or NaN.

    Returns
    -------
    float

    Notes
    -----
    Formula: ``precision = tp / (tp + fp)``.

    Convention: positive when ``score >= threshold``; with nothing flagged the value is
    ``zero_division``, as ``sklearn.metrics.precision_score(zero_division=...)``.

    References
    ----------
    Manning, C., Raghavan, P. & Schütze, H. (2008). Introduction to Information Retrieval, §8.3.
    """
    counts = confusion_counts(y_true, y_score, threshold)
    return _precision_from_counts(counts, _zero_division_value(zero_division))


def recall(y_true, y_score, threshold=0.5, zero_division=0.0) -> float:
    """Fraction of positives that are flagged (sensitivity, true-positive rate).

    Parameters
    ----------
    y_true, y_score, threshold
        As in :func:`confusion_counts`.
    zero_division : float, default=0.0
        Returned when there are no positives (``tp + fn == 0``); 0, 1 or NaN.

    Returns
    -------
    float

    Notes
    -----
    Formula: ``recall = tp / (tp + fn)``.

    Convention: positive when ``score >= threshold``; without positives the value is
    ``zero_division``, as ``sklearn.metrics.recall_score(zero_division=...)``.

    References
    ----------
    Manning, C., Raghavan, P. & Schütze, H. (2008). Introduction to Information Retrieval, §8.3.
    """
    counts = confusion_counts(y_true, y_score, threshold)
    return _recall_from_counts(counts, _zero_division_value(zero_division))


def specificity(y_true, y_score, threshold=0.5, zero_division=0.0) -> float:
    """Fraction of negatives that are not flagged (true-negative rate, ``1 - FPR``).

    Parameters
    ----------
    y_true, y_score, threshold
        As in :func:`confusion_counts`.
    zero_division : float, default=0.0
        Returned when there are no negatives (``tn + fp == 0``); 0, 1 or NaN.

    Returns
    -------
    float

    Notes
    -----
    Formula: ``specificity = tn / (tn + fp)``.

    Convention: positive when ``score >= threshold``; without negatives the value is
    ``zero_division``.

    References
    ----------
    Fawcett, T. (2006). An introduction to ROC analysis. Pattern Recognition Letters 27(8).
    """
    counts = confusion_counts(y_true, y_score, threshold)
    return _specificity_from_counts(counts, _zero_division_value(zero_division))


def fbeta(y_true, y_score, threshold=0.5, beta=1.0, zero_division=0.0) -> float:
    """Weighted harmonic mean of precision and recall; recall counts ``beta`` times as much.

    Parameters
    ----------
    y_true, y_score, threshold
        As in :func:`confusion_counts`.
    beta : float, default=1.0
        Finite, >= 0. ``beta = 0`` gives precision; large ``beta`` approaches recall.
    zero_division : float, default=0.0
        Returned when the denominator below is 0 (no positives and nothing flagged; for
        ``beta = 0``, nothing flagged); 0, 1 or NaN.

    Returns
    -------
    float

    Notes
    -----
    Formula: ``F_beta = (1 + beta²) tp / ((1 + beta²) tp + beta² fn + fp)``, which equals
    ``(1 + beta²) P R / (beta² P + R)`` whenever precision P and recall R are defined.

    Convention: positive when ``score >= threshold``. Only a zero denominator yields
    ``zero_division``; when precision alone is undefined but there are positives, tp = 0 and the
    score is 0. This matches ``sklearn.metrics.fbeta_score(zero_division=...)``.

    References
    ----------
    van Rijsbergen, C. J. (1979). Information Retrieval, 2nd ed., chapter 7.
    """
    counts = confusion_counts(y_true, y_score, threshold)
    beta = check_number("beta", beta, 0)
    return _fbeta_from_counts(counts, beta, _zero_division_value(zero_division))


def f1(y_true, y_score, threshold=0.5, zero_division=0.0) -> float:
    """Harmonic mean of precision and recall: :func:`fbeta` with ``beta = 1``.

    Notes
    -----
    Formula: ``F1 = 2 tp / (2 tp + fn + fp)``.

    Convention: as :func:`fbeta`.

    References
    ----------
    van Rijsbergen, C. J. (1979). Information Retrieval, 2nd ed., chapter 7.
    """
    return fbeta(y_true, y_score, threshold, beta=1.0, zero_division=zero_division)


def expected_cost(y_true, y_score, threshold, cost_fp=1.0, cost_fn=1.0) -> float:
    """Mean misclassification cost per example at a threshold.

    Parameters
    ----------
    y_true, y_score, threshold
        As in :func:`confusion_counts`.
    cost_fp : float, default=1.0
        Cost of flagging a negative (>= 0).
    cost_fn : float, default=1.0
        Cost of missing a positive (>= 0).

    Returns
    -------
    float

    Notes
    -----
    Formula: ``expected_cost = (cost_fp · FP + cost_fn · FN) / n``; correct decisions cost 0.

    Convention: positive when ``score >= threshold``. With unit costs this is the error rate.

    References
    ----------
    Elkan, C. (2001). The foundations of cost-sensitive learning. IJCAI.
    """
    counts = confusion_counts(y_true, y_score, threshold)
    return _expected_cost_from_counts(
        counts, check_number("cost_fp", cost_fp, 0), check_number("cost_fn", cost_fn, 0)
    )


def roc_auc(y_true, y_score) -> float:
    """Area under the ROC curve: the probability that a random positive outscores a random negative.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1; both classes must be present.
    y_score : array-like of shape (n,)
        Scores; only their order matters.

    Returns
    -------
    float
        In [0, 1]; 0.5 is a random ranking.

    Notes
    -----
    Formula: the Mann–Whitney statistic ``U = Σ_j p_j (N_<j + n_j / 2)`` over distinct scores
    ``j``, where ``p_j`` / ``n_j`` are the positives / negatives scoring exactly ``j`` and
    ``N_<j`` the negatives scoring lower; ``AUC = U / (P · N)``. This is the rank-sum form
    ``(Σ rank(positives) − P(P+1)/2) / (P · N)`` with average ranks for ties.

    Convention: a tied positive–negative pair counts 1/2. Equal to the trapezoidal area under
    ``sklearn.metrics.roc_curve`` (``roc_auc_score``) up to floating-point rounding; O(n log n).
    Raises ``ValueError`` when only one class is present.

    References
    ----------
    Hanley, J. A. & McNeil, B. J. (1982). The meaning and use of the area under a receiver
    operating characteristic (ROC) curve. Radiology 143(1).
    """
    table = _score_table(*_labels_and_scores(y_true, y_score))
    _require_both_classes(table, "roc_auc")
    return _roc_auc(table)


def average_precision(y_true, y_score) -> float:
    """Average precision: precision averaged over the recall gained at each threshold.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1; at least one positive.
    y_score : array-like of shape (n,)
        Scores; only their order matters.

    Returns
    -------
    float

    Notes
    -----
    Formula: ``AP = Σ_n (R_n − R_{n−1}) P_n`` over the distinct scores taken as thresholds in
    decreasing order, with ``R_0 = 0``; a step function, no interpolation.

    Convention: tied scores enter together as one threshold. Same definition and arithmetic as
    ``sklearn.metrics.average_precision_score``. Raises ``ValueError`` without positives.

    References
    ----------
    Zhu, M. (2004). Recall, precision and average precision. University of Waterloo.
    """
    table = _score_table(*_labels_and_scores(y_true, y_score))
    _require_positives(table, "average_precision")
    return _average_precision(table)


def pr_auc(y_true, y_score) -> float:
    """Trapezoidal area under the precision–recall curve.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1; at least one positive.
    y_score : array-like of shape (n,)
        Scores; only their order matters.

    Returns
    -------
    float

    Notes
    -----
    Formula: ``Σ_n (R_n − R_{n−1}) (P_n + P_{n−1}) / 2`` over the points of
    :meth:`ThresholdCurve.pr_curve`, which end at (recall 0, precision 1).

    Convention: equals ``sklearn.metrics.auc(recall, precision)`` on
    ``precision_recall_curve``. Linear interpolation in PR space is not achievable by any
    classifier and is optimistic where ties are involved: across a block of tied scores, and on
    the closing segment from the top block to (0, 1), it averages in the higher precision of the
    previous point, overstating the area relative to :func:`average_precision`. Between untied
    scores precision can only rise when a positive is added, so there the trapezoid averages in
    the lower precision just before it and comes out at or below AP. ``pr_auc`` can therefore
    land on either side of AP; report AP. Raises ``ValueError`` without positives.

    References
    ----------
    Davis, J. & Goadrich, M. (2006). The relationship between precision-recall and ROC curves.
    ICML.
    """
    table = _score_table(*_labels_and_scores(y_true, y_score))
    _require_positives(table, "pr_auc")
    return _pr_auc(table)


def log_loss(y_true, y_prob) -> float:
    """Mean negative log-likelihood of the labels under the predicted probabilities.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1.
    y_prob : array-like of shape (n,)
        Predicted probability of the positive class, in [0, 1].

    Returns
    -------
    float
        In nats (natural logarithm); 0 is perfect.

    Notes
    -----
    Formula: ``−(1/n) Σ_i [y_i ln p_i + (1 − y_i) ln(1 − p_i)]``.

    Convention: like ``sklearn.metrics.log_loss``, ``p`` and ``1 − p`` are each clipped to
    ``[eps, 1 − eps]`` with ``eps = np.finfo(float64).eps`` (about 2.2e-16), so a confident
    mistake costs about 36 nats instead of infinity. Inputs are converted to float64 first
    (scikit-learn clips float32 input at float32's eps, about 1.2e-7).

    References
    ----------
    Bishop, C. M. (2006). Pattern Recognition and Machine Learning, §4.3.2.
    """
    return _log_loss(*_labels_and_probabilities(y_true, y_prob))


def normalized_entropy(y_true, y_prob) -> float:
    """Log loss divided by the log loss of always predicting the observed base rate.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1; both classes must be present.
    y_prob : array-like of shape (n,)
        Predicted probability of the positive class, in [0, 1].

    Returns
    -------
    float
        Below 1 beats predicting the base rate; 1 matches it; above 1 is worse.

    Notes
    -----
    Formula: ``NE = log_loss / H(p̄)`` with ``p̄ = mean(y_true)`` and
    ``H(p) = −p ln p − (1 − p) ln(1 − p)``.

    Convention: the numerator is :func:`log_loss` (clipped as there); the denominator uses the
    base rate of these labels. Raises ``ValueError`` when all labels are equal (``H = 0``).

    References
    ----------
    He, X. et al. (2014). Practical lessons from predicting clicks on ads at Facebook. ADKDD, §2.
    """
    labels, prob = _labels_and_probabilities(y_true, y_prob)
    _both_classes(labels, "normalized_entropy")
    base_rate = float(labels.mean())
    base_entropy = -base_rate * math.log(base_rate) - (1 - base_rate) * math.log(1 - base_rate)
    return _log_loss(labels, prob) / base_entropy


def _log_loss(labels: np.ndarray, prob: np.ndarray) -> float:
    eps = np.finfo(prob.dtype).eps
    log_positive = np.log(np.clip(prob, eps, 1 - eps))
    log_negative = np.log(np.clip(1 - prob, eps, 1 - eps))
    return float(-np.mean(np.where(labels == 1, log_positive, log_negative)))


class _ScoreTable(NamedTuple):
    """Scores sorted once, with cumulative class counts below each distinct score.

    ``distinct`` holds the k distinct scores in increasing order. ``positives_below[j]`` and
    ``negatives_below[j]`` count the examples scoring strictly below ``distinct[j]``; index
    ``k`` holds the class totals. A threshold ``t`` with ``j = searchsorted(distinct, t)`` flags
    exactly the examples from ``distinct[j]`` up.
    """

    distinct: np.ndarray
    positives_below: np.ndarray
    negatives_below: np.ndarray


def _score_table(labels: np.ndarray, scores: np.ndarray) -> _ScoreTable:
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    positives_cumulative = np.r_[0, np.cumsum(labels[order] == 1, dtype=np.int64)]
    below = np.r_[starts, len(scores)]
    positives_below = positives_cumulative[below]
    return _ScoreTable(sorted_scores[starts], positives_below, below - positives_below)


def _counts_at(table: _ScoreTable, threshold) -> ConfusionCounts:
    """Counts when flagging ``score >= threshold``, by binary search; thresholds may be arrays."""
    below = np.searchsorted(table.distinct, threshold, side="left")
    positives_below = table.positives_below[below]
    negatives_below = table.negatives_below[below]
    return ConfusionCounts(
        tp=table.positives_below[-1] - positives_below,
        fp=table.negatives_below[-1] - negatives_below,
        tn=negatives_below,
        fn=positives_below,
    )


def _roc_auc(table: _ScoreTable) -> float:
    positives_at = np.diff(table.positives_below)
    negatives_at = np.diff(table.negatives_below)
    twice_u = int(np.sum(positives_at * (2 * table.negatives_below[:-1] + negatives_at)))
    n_positives, n_negatives = int(table.positives_below[-1]), int(table.negatives_below[-1])
    return twice_u / (2 * n_positives * n_negatives)


def _pr_curve(table: _ScoreTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``sklearn.metrics.precision_recall_curve``: thresholds increasing, then (P=1, R=0)."""
    counts = _counts_at(table, table.distinct)
    flagged = counts.tp + counts.fp
    precision_values = counts.tp / flagged
    recall_values = counts.tp / table.positives_below[-1]
    return np.r_[precision_values, 1.0], np.r_[recall_values, 0.0], table.distinct.copy()


def _roc_curve(table: _ScoreTable) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``sklearn.metrics.roc_curve(drop_intermediate=False)``: thresholds from +inf down."""
    counts = _counts_at(table, table.distinct[::-1])
    true_positives = np.r_[0, counts.tp]
    false_positives = np.r_[0, counts.fp]
    fpr = false_positives / table.negatives_below[-1]
    tpr = true_positives / table.positives_below[-1]
    return fpr, tpr, np.r_[np.inf, table.distinct[::-1]]


def _average_precision(table: _ScoreTable) -> float:
    precision_values, recall_values, _ = _pr_curve(table)
    return float(max(0.0, -np.sum(np.diff(recall_values) * precision_values[:-1])))


def _pr_auc(table: _ScoreTable) -> float:
    precision_values, recall_values, _ = _pr_curve(table)
    return float(-np.trapezoid(precision_values, recall_values))


def _ratio(numerator, denominator, zero_division: float):
    """``numerator / denominator``, or ``zero_division`` where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    defined = denominator != 0
    result = np.full(np.broadcast(numerator, denominator).shape, zero_division)
    np.divide(numerator, denominator, out=result, where=defined)
    return _float_or_array(result)


def _float_or_array(values: np.ndarray):
    """A 0-d result as a Python float; an array result unchanged."""
    return values if values.ndim else float(values)


def _precision_from_counts(counts: ConfusionCounts, zero_division: float):
    return _ratio(counts.tp, counts.tp + counts.fp, zero_division)


def _recall_from_counts(counts: ConfusionCounts, zero_division: float):
    return _ratio(counts.tp, counts.tp + counts.fn, zero_division)


def _specificity_from_counts(counts: ConfusionCounts, zero_division: float):
    return _ratio(counts.tn, counts.tn + counts.fp, zero_division)


def _false_positive_rate_from_counts(counts: ConfusionCounts, zero_division: float):
    return _ratio(counts.fp, counts.tn + counts.fp, zero_division)


def _fbeta_from_counts(counts: ConfusionCounts, beta: float, zero_division: float):
    beta_squared = beta**2
    numerator = (1 + beta_squared) * np.asarray(counts.tp, dtype=float)
    denominator = beta_squared * np.asarray(counts.tp + counts.fn, dtype=float) + (
        counts.tp + counts.fp
    )
    return _ratio(numerator, denominator, zero_division)


def _expected_cost_from_counts(counts: ConfusionCounts, cost_fp: float, cost_fn: float):
    n = counts.tp + counts.fp + counts.tn + counts.fn
    cost = (cost_fp * counts.fp + cost_fn * counts.fn) / n
    return _float_or_array(np.asarray(cost, dtype=float))


def _labels_and_scores(y_true, y_score) -> tuple[np.ndarray, np.ndarray]:
    labels = binary_labels(y_true)
    scores = as_1d(y_score, "y_score")
    same_length(y_true=labels, y_score=scores)
    return labels, scores


def _labels_and_probabilities(y_true, y_prob) -> tuple[np.ndarray, np.ndarray]:
    labels = binary_labels(y_true)
    prob = probabilities(y_prob)
    same_length(y_true=labels, y_prob=prob)
    return labels, prob


def _require_positives(table: _ScoreTable, metric: str) -> None:
    if table.positives_below[-1] == 0:
        raise ValueError(
            f"{metric} is undefined when y_true holds no positives; recall needs at least one"
        )


def _both_classes(labels: np.ndarray, metric: str) -> None:
    """Raise when a metric that compares positives with negatives sees only one class."""
    positives = int(labels.sum())
    if positives == 0 or positives == len(labels):
        only = "positives" if positives else "negatives"
        raise ValueError(
            f"{metric} is undefined when y_true holds only {only}; both classes are needed"
        )


def _require_both_classes(table: _ScoreTable, metric: str) -> None:
    """:func:`_both_classes` for data already summarised in a score table."""
    if table.positives_below[-1] == 0 or table.negatives_below[-1] == 0:
        only = "negatives" if table.positives_below[-1] == 0 else "positives"
        raise ValueError(
            f"{metric} is undefined when y_true holds only {only}; both classes are needed"
        )


def _threshold_value(threshold) -> float:
    """A scalar threshold: any number but NaN (``±inf`` flag nothing / everything)."""
    if not is_number(threshold):
        raise ValueError(f"threshold must be a number; got {threshold!r}")
    if math.isnan(threshold):
        raise ValueError(f"threshold must not be NaN; got {threshold!r}")
    return float(threshold)


def _zero_division_value(zero_division) -> float:
    """The value returned for 0/0: 0, 1 or NaN, as scikit-learn allows."""
    if is_number(zero_division) and (zero_division in (0, 1) or math.isnan(zero_division)):
        return float(zero_division)
    raise ValueError(f"zero_division must be 0, 1 or NaN; got {zero_division!r}")


def grouped_roc_auc(y_true, y_score, groups, weights="impressions", *, return_used=False):
    """Group AUC (GAUC): the ROC AUC within each group (a member), averaged over the groups.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1.
    y_score : array-like of shape (n,)
        Scores; only their order within a group matters.
    groups : array-like of shape (n,)
        The group of each row (a member id); numbers or strings.
    weights : {"impressions", "equal"}, default="impressions"
        ``"impressions"`` weighs a group by its rows, ``"equal"`` counts each group once.
    return_used : bool, default=False
        Also return the number of groups that entered the mean.

    Returns
    -------
    float, or (float, int) when ``return_used``
        In [0, 1]; 0.5 is a random order within every group.

    Notes
    -----
    Formula: ``GAUC = Σ_g w_g AUC_g / Σ_g w_g`` over the groups ``g`` holding both classes, with
    ``AUC_g`` the :func:`roc_auc` of the group's rows (a tied positive–negative pair counts 1/2)
    and ``w_g = n_g``, the group's rows (``"impressions"``), or ``w_g = 1`` (``"equal"``).

    Convention: a group with only positives or only negatives has no pair to order and is left
    out, weight included. Only pairs within a group count: a score that ranks one member's posts
    well but puts every post of an active member above those of a quiet one gains nothing here,
    while the global :func:`roc_auc` would reward it. One stable sort by (group, score), then
    cumulative counts per block of tied scores: no loop over groups. Equal to the weighted mean of
    ``sklearn.metrics.roc_auc_score`` per group. Raises ``ValueError`` when no group holds both
    classes.

    References
    ----------
    Zhou, G. et al. (2018). Deep Interest Network for click-through rate prediction. KDD, §5.1
    (the user-weighted AUC, weighted by impressions).
    """
    labels, scores = _labels_and_scores(y_true, y_score)
    group_ids = as_1d(groups, "groups", dtype=None)
    same_length(y_true=labels, y_score=scores, groups=group_ids)
    if not isinstance(weights, str) or weights not in ("impressions", "equal"):
        raise ValueError(f"weights must be one of 'impressions', 'equal'; got {weights!r}")
    codes = np.unique(group_ids, return_inverse=True)[1].ravel()
    order = np.lexsort((scores, codes))
    code, score, label = codes[order], scores[order], labels[order].astype(np.int64)
    new_group = np.r_[True, code[1:] != code[:-1]]
    block_start = np.flatnonzero(new_group | np.r_[True, score[1:] != score[:-1]])
    group_start = np.flatnonzero(new_group)
    negatives_before = np.r_[0, np.cumsum(1 - label)]
    block_positives = np.add.reduceat(label, block_start)
    block_negatives = np.diff(np.r_[block_start, len(label)]) - block_positives
    start_of_block_group = group_start[np.searchsorted(group_start, block_start, side="right") - 1]
    below = negatives_before[block_start] - negatives_before[start_of_block_group]
    block_group = code[block_start]
    twice_u = np.bincount(block_group, block_positives * (2 * below + block_negatives))
    positives = np.bincount(code, label)
    size = np.bincount(code)
    negatives = size - positives
    used = (positives > 0) & (negatives > 0)
    if not used.any():
        raise ValueError("grouped_roc_auc is undefined: no group holds both classes; each group "
                         "needs a positive and a negative")
    auc = twice_u[used] / (2 * positives[used] * negatives[used])
    weight = size[used] if weights == "impressions" else np.ones(int(used.sum()))
    value = float(np.sum(weight * auc) / np.sum(weight))
    return (value, int(used.sum())) if return_used else value

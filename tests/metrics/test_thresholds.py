"""Tests for mlsd.metrics.thresholds: exact agreement with recomputing from scratch and with
scikit-learn's curves, the cost-minimising threshold, and errors."""

import math

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn import metrics as skm

from mlsd.metrics.classification import (
    ConfusionCounts,
    average_precision,
    confusion_counts,
    expected_cost,
    fbeta,
    pr_auc,
    precision,
    recall,
    roc_auc,
    specificity,
)
from mlsd.metrics.thresholds import BestThreshold, ThresholdCurve

SEEDS = range(40)
SIZES = [2, 3, 7, 50, 300, 1000, 4000]
POSITIVE_RATES = [0.02, 0.1, 0.5]


def random_case(seed):
    """Labels with both classes and scores; two cases in three are rounded so that scores tie."""
    rng = np.random.default_rng(seed)
    n = SIZES[seed % len(SIZES)]
    positive_rate = POSITIVE_RATES[(seed // len(SIZES)) % len(POSITIVE_RATES)]
    y_true = (rng.random(n) < positive_rate).astype(int)
    y_true[0], y_true[-1] = 1, 0
    y_score = rng.normal(0.3 + 0.3 * y_true, 0.25)
    decimals = seed % 3
    if decimals:
        y_score = np.round(y_score, decimals)
    return y_true, y_score


def random_thresholds(y_score, seed):
    """Existing scores, random values in and around their range, and both infinities."""
    rng = np.random.default_rng(seed + 1000)
    low, high = y_score.min(), y_score.max()
    return np.r_[
        rng.choice(y_score, size=10),
        rng.uniform(low - 0.5, high + 0.5, size=10),
        np.round(rng.uniform(low, high, size=5), 2),
        low, high, np.nextafter(low, -np.inf), np.nextafter(high, np.inf),
        low - 1, high + 1, -np.inf, np.inf,
    ]


# --- exactly what recomputing from scratch gives -------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_counts_equal_recomputing_at_each_threshold(seed):
    y_true, y_score = random_case(seed)
    curve = ThresholdCurve(y_true, y_score)
    for threshold in random_thresholds(y_score, seed):
        counts = curve.counts(threshold)
        assert counts == confusion_counts(y_true, y_score, threshold)
        assert all(type(count) is int for count in counts)


@pytest.mark.parametrize("seed", SEEDS)
def test_metrics_equal_recomputing_at_each_threshold_bit_for_bit(seed):
    y_true, y_score = random_case(seed)
    curve = ThresholdCurve(y_true, y_score)
    for threshold in random_thresholds(y_score, seed):
        assert curve.precision(threshold) == precision(y_true, y_score, threshold)
        assert curve.precision(threshold, 1.0) == precision(y_true, y_score, threshold, 1.0)
        assert curve.recall(threshold) == recall(y_true, y_score, threshold)
        assert curve.specificity(threshold) == specificity(y_true, y_score, threshold)
        counts = confusion_counts(y_true, y_score, threshold)
        assert curve.fpr(threshold) == counts.fp / (counts.fp + counts.tn)
        for beta in (0.0, 0.5, 1.0, 3.0):
            assert curve.fbeta(threshold, beta) == fbeta(y_true, y_score, threshold, beta)
        assert curve.expected_cost(threshold, 1.0, 7.5) == expected_cost(
            y_true, y_score, threshold, 1.0, 7.5
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_array_of_thresholds_answers_elementwise(seed):
    y_true, y_score = random_case(seed)
    curve = ThresholdCurve(y_true, y_score)
    thresholds = random_thresholds(y_score, seed)
    counts = curve.counts(thresholds)
    assert isinstance(counts, ConfusionCounts)
    for field, values in zip(ConfusionCounts._fields, counts):
        assert values.shape == thresholds.shape
        assert values.tolist() == [getattr(curve.counts(t), field) for t in thresholds]
    for method in (curve.precision, curve.recall, curve.fpr, curve.specificity, curve.fbeta,
                   curve.expected_cost):
        assert method(thresholds).tolist() == [method(t) for t in thresholds]


def test_scalar_answers_are_python_numbers_and_array_answers_keep_their_shape():
    curve = ThresholdCurve([0, 1, 1, 0], [0.1, 0.8, 0.4, 0.35])
    assert type(curve.precision(0.4)) is float
    assert curve.precision(np.array([[0.0, 0.4], [0.5, 2.0]])).shape == (2, 2)
    assert curve.counts([0.4]).tp.tolist() == [2]


@pytest.mark.parametrize("seed", SEEDS)
def test_summaries_equal_the_functions(seed):
    y_true, y_score = random_case(seed)
    curve = ThresholdCurve(y_true, y_score)
    assert curve.roc_auc() == roc_auc(y_true, y_score)
    assert curve.average_precision() == average_precision(y_true, y_score)
    assert curve.pr_auc() == pr_auc(y_true, y_score)
    assert (curve.n, curve.n_positives) == (len(y_true), int(y_true.sum()))
    assert_array_equal(curve.distinct_scores, np.unique(y_score))


# --- scikit-learn's curves -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_pr_curve_is_sklearn_precision_recall_curve(seed):
    y_true, y_score = random_case(seed)
    ours = ThresholdCurve(y_true, y_score).pr_curve()
    theirs = skm.precision_recall_curve(y_true, y_score)
    for our_array, their_array in zip(ours, theirs, strict=True):
        assert_array_equal(our_array, their_array)


@pytest.mark.parametrize("seed", SEEDS)
def test_roc_curve_is_sklearn_roc_curve_without_dropping(seed):
    y_true, y_score = random_case(seed)
    ours = ThresholdCurve(y_true, y_score).roc_curve()
    theirs = skm.roc_curve(y_true, y_score, drop_intermediate=False)
    for our_array, their_array in zip(ours, theirs, strict=True):
        assert_array_equal(our_array, their_array)


@pytest.mark.parametrize("seed", SEEDS)
def test_roc_auc_and_average_precision_match_sklearn(seed):
    y_true, y_score = random_case(seed)
    curve = ThresholdCurve(y_true, y_score)
    assert curve.roc_auc() == pytest.approx(skm.roc_auc_score(y_true, y_score), rel=1e-12)
    expected = skm.average_precision_score(y_true, y_score)
    assert curve.average_precision() == pytest.approx(expected, rel=1e-12)


# --- best threshold ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("cost_fp", "cost_fn"), [(1.0, 1.0), (1.0, 20.0), (5.0, 1.0), (0.0, 1.0)])
def test_best_threshold_is_the_highest_cheapest_candidate(seed, cost_fp, cost_fn):
    y_true, y_score = random_case(seed)
    best = ThresholdCurve(y_true, y_score).best_threshold(cost_fp, cost_fn)
    candidates = [*np.unique(y_score), np.inf]
    costs = [expected_cost(y_true, y_score, t, cost_fp, cost_fn) for t in candidates]
    cheapest = min(costs)
    assert best.cost == cheapest
    assert best.threshold == max(t for t, cost in zip(candidates, costs) if cost == cheapest)
    assert best.cost <= expected_cost(y_true, y_score, 0.5, cost_fp, cost_fn)


def test_best_threshold_by_hand():
    # scores 0.9(1) 0.6(0) 0.4(1) 0.2(0) 0.1(0), cost_fp = 1, cost_fn = 5, n = 5:
    # t=+inf: FN=2 -> 10/5 = 2.0   t=0.9: FN=1 -> 5/5 = 1.0   t=0.6: FP=1, FN=1 -> 6/5 = 1.2
    # t=0.4: FP=1 -> 1/5 = 0.2     t=0.2: FP=2 -> 0.4          t=0.1: FP=3 -> 0.6
    curve = ThresholdCurve([1, 0, 1, 0, 0], [0.9, 0.6, 0.4, 0.2, 0.1])
    assert curve.best_threshold(cost_fp=1.0, cost_fn=5.0) == BestThreshold(0.4, 0.2)
    # dear false alarms (cost_fp = 100, cost_fn = 1): t=+inf: FN=2 -> 2/5 = 0.4;
    # t=0.9 flags only the top positive: FN=1 -> 1/5 = 0.2; any lower t adds an FP costing 100/5.
    assert curve.best_threshold(cost_fp=100.0, cost_fn=1.0) == BestThreshold(0.9, 0.2)
    # free false alarms: every t <= 0.4 misses nothing and costs 0; the tie goes to the highest
    assert curve.best_threshold(cost_fp=0.0, cost_fn=1.0) == BestThreshold(0.4, 0.0)


def test_best_threshold_flags_nothing_when_every_flag_loses():
    # the top score is a negative and false alarms are dear: +inf (flag nothing) costs 1·1/3
    curve = ThresholdCurve([0, 1, 0], [0.9, 0.5, 0.1])
    assert curve.best_threshold(cost_fp=10.0, cost_fn=1.0) == BestThreshold(math.inf, 1 / 3)


def test_best_threshold_ties_go_to_the_highest_threshold():
    # unit costs: t=+inf -> FN=1 -> 1/2; t=0.8 (flags the negative) -> FP=1, FN=1 -> 1;
    # t=0.2 -> FP=1 -> 1/2. +inf and 0.2 tie; the higher one wins.
    curve = ThresholdCurve([1, 0], [0.2, 0.8])
    assert curve.best_threshold() == BestThreshold(math.inf, 0.5)


# --- storage -------------------------------------------------------------------------------------


def test_curve_keeps_its_own_read_only_copy():
    y_true, y_score = np.array([0, 1, 1, 0]), np.array([0.1, 0.8, 0.4, 0.35])
    curve = ThresholdCurve(y_true, y_score)
    y_score[:] = 0.0
    y_true[:] = 0
    assert curve.counts(0.4) == ConfusionCounts(tp=2, fp=0, tn=2, fn=0)
    assert not curve.distinct_scores.flags.writeable
    _, _, thresholds = curve.pr_curve()
    thresholds[:] = 0.0
    assert_array_equal(curve.distinct_scores, [0.1, 0.35, 0.4, 0.8])


def test_one_class_still_answers_thresholded_metrics():
    curve = ThresholdCurve([0, 0, 0], [0.1, 0.5, 0.9])
    assert curve.counts(0.5) == ConfusionCounts(tp=0, fp=2, tn=1, fn=0)
    assert curve.recall(0.5) == 0.0
    assert curve.recall(0.5, zero_division=1.0) == 1.0
    assert curve.precision(0.5) == 0.0


# --- errors --------------------------------------------------------------------------------------


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="same length"):
        ThresholdCurve([0, 1, 1], [0.2, 0.5])
    with pytest.raises(ValueError, match="must be finite"):
        ThresholdCurve([0, 1], [0.2, float("nan")])
    with pytest.raises(ValueError, match="only 0 and 1"):
        ThresholdCurve([0, -1], [0.2, 0.5])
    with pytest.raises(ValueError, match="is empty"):
        ThresholdCurve([], [])


def test_bad_thresholds_are_errors():
    curve = ThresholdCurve([0, 1], [0.2, 0.5])
    with pytest.raises(ValueError, match="threshold must not be NaN"):
        curve.precision(float("nan"))
    with pytest.raises(ValueError, match="threshold must not be NaN"):
        curve.counts([0.1, float("nan")])
    with pytest.raises(ValueError, match="threshold must be a number"):
        curve.counts("high")
    for bad in ("0.5", ["0.5", "0.7"], True, [True, False], [[0.1], [0.2, 0.3]], None):
        with pytest.raises(ValueError, match="^threshold must be a number or an array of numbers"):
            curve.counts(bad)
    assert curve.counts(np.array([0.3, np.inf], dtype=np.float32)).tp.tolist() == [1, 0]


def test_bad_arguments_are_errors():
    curve = ThresholdCurve([0, 1], [0.2, 0.5])
    with pytest.raises(ValueError, match="zero_division must be 0, 1 or NaN"):
        curve.precision(0.3, zero_division=0.5)
    with pytest.raises(ValueError, match="beta must be"):
        curve.fbeta(0.3, beta=-2)
    with pytest.raises(ValueError, match="cost_fp must be"):
        curve.best_threshold(cost_fp=-1.0)
    with pytest.raises(ValueError, match="cost_fn must be"):
        curve.expected_cost(0.3, cost_fn=float("inf"))


@pytest.mark.parametrize("method", ["roc_curve", "roc_auc"])
@pytest.mark.parametrize("labels", [[0, 0], [1, 1]])
def test_roc_needs_both_classes(method, labels):
    with pytest.raises(ValueError, match="both classes are needed"):
        getattr(ThresholdCurve(labels, [0.2, 0.5]), method)()


@pytest.mark.parametrize("method", ["pr_curve", "average_precision", "pr_auc"])
def test_precision_recall_summaries_need_a_positive(method):
    with pytest.raises(ValueError, match="no positives"):
        getattr(ThresholdCurve([0, 0], [0.2, 0.5]), method)()


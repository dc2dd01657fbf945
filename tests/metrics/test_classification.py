"""Tests for mlsd.metrics.classification: agreement with scikit-learn, worked values, errors."""

import math
import re

import numpy as np
import pytest
from sklearn import metrics as skm

from mlsd.metrics.classification import (
    ConfusionCounts,
    average_precision,
    confusion_counts,
    expected_cost,
    f1,
    fbeta,
    log_loss,
    normalized_entropy,
    pr_auc,
    precision,
    recall,
    roc_auc,
    specificity,
)

SEEDS = range(40)
SIZES = [2, 3, 7, 50, 300, 1000, 4000]
POSITIVE_RATES = [0.02, 0.1, 0.5]


def random_case(seed):
    """Labels with both classes and informative probabilities; every third case has no ties,
    the others are rounded to 1 or 2 decimals so that many scores tie (and hit 0 and 1)."""
    rng = np.random.default_rng(seed)
    n = SIZES[seed % len(SIZES)]
    positive_rate = POSITIVE_RATES[(seed // len(SIZES)) % len(POSITIVE_RATES)]
    y_true = (rng.random(n) < positive_rate).astype(int)
    y_true[0], y_true[-1] = 1, 0
    y_prob = np.clip(rng.normal(0.3 + 0.3 * y_true, 0.25), 0.0, 1.0)
    decimals = seed % 3
    if decimals:
        y_prob = np.round(y_prob, decimals)
    return y_true, y_prob


def thresholds_for(y_prob):
    """Thresholds below, at, between and above the scores, and the two infinities."""
    return [-np.inf, y_prob.min() - 1, y_prob.min(), float(np.median(y_prob)), 0.5,
            y_prob.max(), y_prob.max() + 0.01, np.inf]


def sklearn_counts(y_true, y_prob, threshold):
    y_pred = (y_prob >= threshold).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()
    return ConfusionCounts(tp=int(tp), fp=int(fp), tn=int(tn), fn=int(fn))


# --- agreement with scikit-learn -----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_confusion_counts_match_sklearn_confusion_matrix(seed):
    y_true, y_prob = random_case(seed)
    for threshold in thresholds_for(y_prob):
        counts = confusion_counts(y_true, y_prob, threshold)
        assert counts == sklearn_counts(y_true, y_prob, threshold)
        assert all(type(count) is int for count in counts)


@pytest.mark.parametrize("seed", SEEDS)
def test_confusion_counts_of_hard_predictions_at_default_threshold_are_confusion_matrix(seed):
    y_true, y_prob = random_case(seed)
    y_pred = (y_prob > 0.4).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y_true, y_pred).ravel()
    assert confusion_counts(y_true, y_pred) == (tp, fp, tn, fn)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("zero_division", [0.0, 1.0])
def test_precision_recall_specificity_match_sklearn(seed, zero_division):
    y_true, y_prob = random_case(seed)
    for threshold in thresholds_for(y_prob):
        y_pred = (y_prob >= threshold).astype(int)
        expected_precision = skm.precision_score(y_true, y_pred, zero_division=zero_division)
        expected_recall = skm.recall_score(y_true, y_pred, zero_division=zero_division)
        expected_specificity = skm.recall_score(
            y_true, y_pred, pos_label=0, zero_division=zero_division
        )
        assert precision(y_true, y_prob, threshold, zero_division) == expected_precision
        assert recall(y_true, y_prob, threshold, zero_division) == expected_recall
        assert specificity(y_true, y_prob, threshold, zero_division) == expected_specificity


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 2.0, 10.0])
def test_fbeta_matches_sklearn(seed, beta):
    y_true, y_prob = random_case(seed)
    for threshold in thresholds_for(y_prob):
        y_pred = (y_prob >= threshold).astype(int)
        expected = skm.fbeta_score(y_true, y_pred, beta=beta, zero_division=0)
        assert fbeta(y_true, y_prob, threshold, beta=beta) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_f1_matches_sklearn(seed):
    y_true, y_prob = random_case(seed)
    for threshold in thresholds_for(y_prob):
        y_pred = (y_prob >= threshold).astype(int)
        expected = skm.f1_score(y_true, y_pred, zero_division=0)
        assert f1(y_true, y_prob, threshold) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_roc_auc_matches_sklearn(seed):
    y_true, y_prob = random_case(seed)
    assert roc_auc(y_true, y_prob) == pytest.approx(skm.roc_auc_score(y_true, y_prob), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_average_precision_matches_sklearn(seed):
    y_true, y_prob = random_case(seed)
    expected = skm.average_precision_score(y_true, y_prob)
    assert average_precision(y_true, y_prob) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_pr_auc_matches_sklearn_auc_of_precision_recall_curve(seed):
    y_true, y_prob = random_case(seed)
    curve_precision, curve_recall, _ = skm.precision_recall_curve(y_true, y_prob)
    expected = skm.auc(curve_recall, curve_precision)
    assert pr_auc(y_true, y_prob) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_log_loss_matches_sklearn_including_clipped_zeros_and_ones(seed):
    y_true, y_prob = random_case(seed)
    y_prob[:2] = [0.0, 1.0]
    expected = skm.log_loss(y_true, y_prob, labels=[0, 1])
    assert log_loss(y_true, y_prob) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_normalized_entropy_is_log_loss_over_log_loss_of_the_base_rate(seed):
    y_true, y_prob = random_case(seed)
    base_rate_prediction = np.full(len(y_true), y_true.mean())
    expected = skm.log_loss(y_true, y_prob, labels=[0, 1]) / skm.log_loss(
        y_true, base_rate_prediction, labels=[0, 1]
    )
    assert normalized_entropy(y_true, y_prob) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_expected_cost_with_unit_costs_is_the_error_rate(seed):
    y_true, y_prob = random_case(seed)
    y_pred = (y_prob >= 0.5).astype(int)
    error_rate = 1 - skm.accuracy_score(y_true, y_pred)
    assert expected_cost(y_true, y_prob, 0.5) == pytest.approx(error_rate, abs=1e-15)


# --- hand-worked examples ------------------------------------------------------------------------


def test_counts_and_ratios_by_hand():
    # scores 0.9(1) 0.6(0) 0.5(1) 0.4(1) 0.2(0) 0.1(0); threshold 0.5 flags 0.9, 0.6, 0.5
    # (0.5 >= 0.5 is positive): tp = 2, fp = 1, tn = 2, fn = 1.
    y_true = [1, 0, 1, 1, 0, 0]
    y_score = [0.9, 0.6, 0.5, 0.4, 0.2, 0.1]
    assert confusion_counts(y_true, y_score, 0.5) == ConfusionCounts(tp=2, fp=1, tn=2, fn=1)
    assert precision(y_true, y_score, 0.5) == 2 / 3
    assert recall(y_true, y_score, 0.5) == 2 / 3
    assert specificity(y_true, y_score, 0.5) == 2 / 3
    # F2 = 5·2 / (5·2 + 4·1 + 1) = 10 / 15
    assert fbeta(y_true, y_score, 0.5, beta=2.0) == pytest.approx(10 / 15)
    # F1 = 2·2 / (2·2 + 1 + 1) = 4 / 6
    assert f1(y_true, y_score, 0.5) == pytest.approx(4 / 6)


def test_scores_need_not_be_probabilities():
    # decision-function scores: -1.5(0) 0.0(1) 2.0(1); threshold 0 flags 0.0 and 2.0.
    assert confusion_counts([0, 1, 1], [-1.5, 0.0, 2.0], threshold=0.0) == (2, 0, 1, 0)


def test_zero_division_when_nothing_is_flagged_or_a_class_is_missing():
    y_true, y_score = [0, 0, 1], [0.1, 0.2, 0.3]
    assert precision(y_true, y_score, threshold=0.9) == 0.0
    assert precision(y_true, y_score, threshold=0.9, zero_division=1.0) == 1.0
    assert math.isnan(precision(y_true, y_score, threshold=0.9, zero_division=float("nan")))
    assert recall([0, 0], [0.1, 0.9], zero_division=1.0) == 1.0
    assert specificity([1, 1], [0.1, 0.9], zero_division=1.0) == 1.0
    # no positives, nothing flagged: tp + fp + fn = 0
    assert fbeta([0, 0], [0.1, 0.2], zero_division=1.0) == 1.0
    # no precision (nothing flagged) but a positive exists: tp = 0, so F = 0 whatever zero_division
    assert fbeta(y_true, y_score, threshold=0.9, zero_division=1.0) == 0.0


def test_roc_auc_by_hand_with_a_tie():
    # positives 0.8, 0.4; negatives 0.4, 0.1. Pairs: (0.8>0.4)=1, (0.8>0.1)=1, (0.4=0.4)=1/2,
    # (0.4>0.1)=1 -> U = 3.5 of P·N = 4 pairs -> AUC = 0.875.
    assert roc_auc([1, 0, 1, 0], [0.8, 0.4, 0.4, 0.1]) == 0.875


def test_roc_auc_extremes_and_symmetry():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]) == 0.0
    assert roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    y_true, y_prob = random_case(5)
    assert roc_auc(1 - y_true, y_prob) == pytest.approx(1 - roc_auc(y_true, y_prob), abs=1e-15)
    assert roc_auc(y_true, np.exp(3 * y_prob)) == roc_auc(y_true, y_prob)


def test_average_precision_and_pr_auc_by_hand():
    # scikit-learn's docstring example. Thresholds 0.8, 0.4, 0.35, 0.1 give
    # (R, P) = (0.5, 1), (0.5, 0.5), (1, 2/3), (1, 0.5).
    # AP = 0.5·1 + 0·0.5 + 0.5·2/3 + 0·0.5 = 5/6.
    # Trapezoids from (0, 1): 0.5·(1+1)/2 + 0 + 0.5·(0.5+2/3)/2 + 0 = 0.5 + 0.29167 = 0.79167.
    y_true, y_score = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    assert average_precision(y_true, y_score) == pytest.approx(5 / 6, rel=1e-15)
    assert pr_auc(y_true, y_score) == pytest.approx(0.5 + 0.5 * (0.5 + 2 / 3) / 2, rel=1e-15)


def test_pr_auc_is_optimistic_against_average_precision_on_a_tied_top_block():
    # Scores 0.9 (1, 0) then 0.1 (0, 1): points (R, P) = (0.5, 0.5), (1, 0.5).
    # AP = 0.5·0.5 + 0.5·0.5 = 0.5. The trapezoid from (0, 1) to (0.5, 0.5) adds
    # 0.5·(1 + 0.5)/2 = 0.375, then 0.5·0.5 = 0.25: 0.625.
    y_true, y_score = [1, 0, 0, 1], [0.9, 0.9, 0.1, 0.1]
    assert average_precision(y_true, y_score) == 0.5
    assert pr_auc(y_true, y_score) == 0.625


def test_pr_auc_is_below_average_precision_when_a_positive_follows_negatives():
    # One positive ranked last of 4: AP = 1 · (1/4) = 0.25. The trapezoid joins (R=0, P=0) at
    # threshold 0.7 to (R=1, P=1/4): 1·(0 + 0.25)/2 = 0.125.
    y_true, y_score = [0, 0, 0, 1], [0.9, 0.8, 0.7, 0.1]
    assert average_precision(y_true, y_score) == 0.25
    assert pr_auc(y_true, y_score) == 0.125


def test_average_precision_with_only_positives_is_one():
    assert average_precision([1, 1, 1], [0.2, 0.5, 0.5]) == 1.0


def test_log_loss_by_hand_and_clipping():
    # -(ln 0.8 + ln(1 - 0.4)) / 2 = (0.22314 + 0.51083) / 2 = 0.36699
    assert log_loss([1, 0], [0.8, 0.4]) == pytest.approx((-math.log(0.8) - math.log(0.6)) / 2)
    assert log_loss([1, 0], [0.8, 0.4]) == pytest.approx(0.36699, abs=1e-5)
    # a certain mistake costs -ln(eps) = 36.04 nats instead of infinity
    eps = np.finfo(float).eps
    assert log_loss([1], [0.0]) == pytest.approx(-math.log(eps))
    assert log_loss([0, 1], [0.0, 1.0]) == pytest.approx(-math.log(1 - eps))


def test_normalized_entropy_by_hand():
    # y = 1 0 0 0 -> base rate 0.25,
    #   H(0.25) = 0.25·ln 4 + 0.75·ln(4/3) = 0.34657 + 0.21576 = 0.56233
    # p = 0.5 0.25 0.25 0.25 -> log loss = (ln 2 + 3·ln(4/3)) / 4
    #   = (0.69315 + 0.86305) / 4 = 0.38905
    # NE = 0.38905 / 0.56233 = 0.69185: better than predicting the base rate.
    y_true = [1, 0, 0, 0]
    assert normalized_entropy(y_true, [0.5, 0.25, 0.25, 0.25]) == pytest.approx(0.69185, abs=1e-5)
    # predicting the base rate itself scores exactly 1
    assert normalized_entropy(y_true, [0.25] * 4) == pytest.approx(1.0, rel=1e-15)
    # predicting the wrong way round scores above 1
    assert normalized_entropy(y_true, [0.1, 0.6, 0.6, 0.6]) > 1


def test_expected_cost_by_hand():
    # scores 0.9(1) 0.6(0) 0.4(1) 0.2(0) 0.1(0); threshold 0.5 flags 0.9 and 0.6: FP = 1 (0.6),
    # FN = 1 (0.4). Cost = (1·1 + 5·1) / 5 = 1.2 per example.
    y_true, y_score = [1, 0, 1, 0, 0], [0.9, 0.6, 0.4, 0.2, 0.1]
    assert expected_cost(y_true, y_score, 0.5, cost_fp=1.0, cost_fn=5.0) == pytest.approx(1.2)
    # threshold 0.3 flags 0.4 too: FP = 1, FN = 0 -> 1 / 5
    assert expected_cost(y_true, y_score, 0.3, cost_fp=1.0, cost_fn=5.0) == pytest.approx(0.2)
    # flag nothing: FN = 2 -> 10 / 5
    assert expected_cost(y_true, y_score, np.inf, cost_fp=1.0, cost_fn=5.0) == 2.0


# --- errors --------------------------------------------------------------------------------------

SCORE_FUNCTIONS = [confusion_counts, precision, recall, specificity, fbeta, f1, roc_auc,
                   average_precision, pr_auc, log_loss, normalized_entropy]


@pytest.mark.parametrize("function", SCORE_FUNCTIONS)
def test_length_mismatch_is_an_error(function):
    with pytest.raises(ValueError, match="same length"):
        function([0, 1, 0], [0.2, 0.7])


@pytest.mark.parametrize("function", SCORE_FUNCTIONS)
def test_nan_score_is_an_error(function):
    with pytest.raises(ValueError, match="must be finite"):
        function([0, 1], [0.2, float("nan")])


@pytest.mark.parametrize("function", SCORE_FUNCTIONS)
def test_labels_outside_zero_one_are_an_error(function):
    with pytest.raises(ValueError, match="only 0 and 1"):
        function([0, 2], [0.2, 0.7])


@pytest.mark.parametrize("function", SCORE_FUNCTIONS)
def test_empty_input_is_an_error(function):
    with pytest.raises(ValueError, match="is empty"):
        function([], [])


def test_expected_cost_checks_its_inputs():
    with pytest.raises(ValueError, match="same length"):
        expected_cost([0, 1], [0.5], 0.5)
    with pytest.raises(ValueError, match="cost_fn must be a finite number >= 0"):
        expected_cost([0, 1], [0.2, 0.7], 0.5, cost_fn=-1)


@pytest.mark.parametrize("function", [roc_auc, normalized_entropy])
@pytest.mark.parametrize("labels", [[0, 0, 0], [1, 1, 1]])
def test_one_class_is_an_error_for_auc_and_ne(function, labels):
    with pytest.raises(ValueError, match="both classes are needed"):
        function(labels, [0.2, 0.5, 0.7])


@pytest.mark.parametrize("function", [average_precision, pr_auc])
def test_no_positives_is_an_error_for_precision_recall_areas(function):
    with pytest.raises(ValueError, match="no positives"):
        function([0, 0, 0], [0.2, 0.5, 0.7])


@pytest.mark.parametrize("function", [log_loss, normalized_entropy])
@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_probabilities_outside_unit_interval_are_an_error(function, bad):
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        function([0, 1], [0.5, bad])


def test_nan_threshold_is_an_error():
    with pytest.raises(ValueError, match="threshold must not be NaN"):
        precision([0, 1], [0.2, 0.7], threshold=float("nan"))
    with pytest.raises(ValueError, match="threshold must be a number"):
        precision([0, 1], [0.2, 0.7], threshold="high")


@pytest.mark.parametrize("bad", ["0.5", True, None, [0.5]])
def test_a_threshold_that_is_not_a_number_is_an_error(bad):
    message = f"^threshold must be a number; got {re.escape(repr(bad))}$"
    with pytest.raises(ValueError, match=message):
        confusion_counts([0, 1], [0.2, 0.7], threshold=bad)


def test_numpy_numbers_and_infinities_are_thresholds():
    assert confusion_counts([0, 1], [0.2, 0.7], threshold=np.float32(0.5)) == (1, 0, 1, 0)
    assert confusion_counts([0, 1], [0.2, 0.7], threshold=np.int64(1)) == (0, 0, 1, 1)
    assert confusion_counts([0, 1], [0.2, 0.7], threshold=-np.inf) == (1, 1, 0, 0)
    assert precision([0, 1], [0.2, 0.7], threshold=np.inf, zero_division=np.float64(1.0)) == 1.0


@pytest.mark.parametrize("bad", [0.5, -1, 2, "warn", True])
def test_bad_zero_division_is_an_error(bad):
    with pytest.raises(ValueError, match="zero_division must be 0, 1 or NaN"):
        precision([0, 1], [0.2, 0.7], zero_division=bad)


@pytest.mark.parametrize("bad", [-1.0, float("inf"), "two"])
def test_bad_beta_is_an_error(bad):
    with pytest.raises(ValueError, match="beta must be"):
        fbeta([0, 1], [0.2, 0.7], beta=bad)

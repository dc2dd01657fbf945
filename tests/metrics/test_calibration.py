"""Tests for mlsd.metrics.calibration: agreement with scikit-learn, worked values, errors."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.calibration import calibration_curve

from mlsd.metrics.calibration import (
    ReliabilityTable,
    calibration_ratio,
    expected_calibration_error,
    reliability_table,
    undo_downsampling,
)

SEEDS = range(40)
SIZES = [2, 3, 7, 50, 300, 1000, 4000]
POSITIVE_RATES = [0.02, 0.1, 0.5]


def random_case(seed):
    """Labels with at least one positive and probabilities in [0, 1]; two cases in three are
    rounded to 1 or 2 decimals, which puts many of them exactly on bin edges."""
    rng = np.random.default_rng(seed)
    n = SIZES[seed % len(SIZES)]
    positive_rate = POSITIVE_RATES[(seed // len(SIZES)) % len(POSITIVE_RATES)]
    y_true = (rng.random(n) < positive_rate).astype(int)
    y_true[0] = 1
    y_prob = np.clip(rng.beta(1, 4, size=n) + 0.3 * y_true, 0.0, 1.0)
    decimals = seed % 3
    if decimals:
        y_prob = np.round(y_prob, decimals)
    return y_true, y_prob


# --- agreement with scikit-learn -----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 3, 5, 10, 17])
def test_reliability_table_matches_sklearn_calibration_curve(seed, strategy, n_bins):
    y_true, y_prob = random_case(seed)
    table = reliability_table(y_true, y_prob, n_bins=n_bins, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y_true, y_prob, n_bins=n_bins, strategy=strategy)
    assert_array_equal(table.mean_predicted, prob_pred)
    assert_array_equal(table.observed_rate, prob_true)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_reliability_table_bins_hold_what_they_claim(seed, strategy):
    y_true, y_prob = random_case(seed)
    table = reliability_table(y_true, y_prob, n_bins=10, strategy=strategy)
    assert table.count.sum() == len(y_prob)
    assert (table.count > 0).all()
    assert (np.diff(table.bin_lower) >= 0).all()
    rows = zip(table.bin_lower, table.bin_upper, table.count, table.mean_predicted, strict=True)
    for row, (lower, upper, count, mean_predicted) in enumerate(rows):
        inside = (y_prob > lower) & (y_prob <= upper)
        if row == 0:
            inside |= y_prob == lower
        assert inside.sum() == count
        assert mean_predicted == pytest.approx(y_prob[inside].mean(), rel=1e-12)


def test_tied_quantile_edges_leave_a_closed_first_bin():
    # quartiles of 0 0 0 0 0 0.2 0.4 0.6 (linear interpolation): 0, 0, 0, 0.25, 0.6
    # (0.75·7 = 5.25 -> 0.2 + 0.25·0.2). Bins: [0, 0] holds the five zeros, (0, 0] is empty and
    # dropped, (0, 0.25] holds 0.2, (0.25, 0.6] holds 0.4 and 0.6.
    table = reliability_table([0] * 5 + [1] * 3, [0, 0, 0, 0, 0, 0.2, 0.4, 0.6], 4, "quantile")
    assert_allclose(table.bin_lower, [0.0, 0.0, 0.25])
    assert_allclose(table.bin_upper, [0.0, 0.25, 0.6])
    assert_array_equal(table.count, [5, 1, 2])
    assert_array_equal(table.observed_rate, [0.0, 1.0, 1.0])


@pytest.mark.parametrize("seed", SEEDS)
def test_expected_calibration_error_from_sklearn_bins(seed):
    y_true, y_prob = random_case(seed)
    prob_true, prob_pred = calibration_curve(y_true, y_prob, n_bins=10)
    # the same bins as calibration_curve: searchsorted on the inner uniform edges
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], y_prob), minlength=10)
    weights = counts[counts > 0] / len(y_prob)
    expected = np.sum(weights * np.abs(prob_pred - prob_true))
    assert expected_calibration_error(y_true, y_prob) == pytest.approx(expected, rel=1e-12)


# --- worked examples -----------------------------------------------------------------------------


def test_calibration_ratio_by_hand():
    # mean(p) = (0.5 + 0.5 + 0.25 + 0.25) / 4 = 0.375; mean(y) = 1/4 -> 1.5: over-predicts by 50%
    assert calibration_ratio([1, 0, 0, 0], [0.5, 0.5, 0.25, 0.25]) == pytest.approx(1.5)
    # mean(p) = 0.1, mean(y) = 0.2 -> 0.5: under-predicts
    assert calibration_ratio([1, 0, 0, 0, 0], [0.1] * 5) == pytest.approx(0.5)
    assert calibration_ratio([1, 0, 0, 0], [0.25] * 4) == 1.0


def test_reliability_table_and_ece_by_hand():
    # 10 uniform bins. 0.05 -> [0, 0.1]; 0.15 and 0.18 -> (0.1, 0.2]; 0.95 -> (0.9, 1]; seven empty
    # bins are dropped. Bin means: 0.05 vs 0/1, 0.165 vs 1/2, 0.95 vs 1/1.
    # ECE = 1/4·|0.05 − 0| + 2/4·|0.165 − 0.5| + 1/4·|0.95 − 1|
    #     = 0.0125 + 0.1675 + 0.0125 = 0.1925
    y_true, y_prob = [0, 1, 0, 1], [0.05, 0.15, 0.18, 0.95]
    table = reliability_table(y_true, y_prob)
    assert_allclose(table.bin_lower, [0.0, 0.1, 0.9])
    assert_allclose(table.bin_upper, [0.1, 0.2, 1.0])
    assert_array_equal(table.count, [1, 2, 1])
    assert_allclose(table.mean_predicted, [0.05, 0.165, 0.95])
    assert_array_equal(table.observed_rate, [0.0, 0.5, 1.0])
    assert expected_calibration_error(y_true, y_prob) == pytest.approx(0.1925)


def test_probability_on_an_inner_edge_falls_in_the_lower_bin():
    # two bins [0, 0.5] and (0.5, 1]: 0 and 0.5 go low, 0.5000001 and 1 go high
    table = reliability_table([0, 1, 0, 1], [0.0, 0.5, 0.5000001, 1.0], n_bins=2)
    assert_array_equal(table.count, [2, 2])
    assert_allclose(table.mean_predicted, [0.25, 0.75000005])


def test_quantile_bins_hold_equal_counts():
    # 8 distinct probabilities, 4 quantile bins -> 2 in each
    y_prob = np.arange(1, 9) / 10
    table = reliability_table([0, 0, 1, 0, 1, 0, 1, 1], y_prob, n_bins=4, strategy="quantile")
    assert_array_equal(table.count, [2, 2, 2, 2])
    assert_array_equal(table.observed_rate, [0.0, 0.5, 0.5, 1.0])


def test_ece_is_zero_when_every_bin_is_calibrated():
    # bin (0.2, 0.3] holds four 0.25s with one positive; bin (0.7, 0.8] four 0.75s with three
    y_true = [1, 0, 0, 0, 1, 1, 1, 0]
    y_prob = [0.25] * 4 + [0.75] * 4
    assert expected_calibration_error(y_true, y_prob) == 0.0


def test_to_frame_has_one_row_per_bin():
    table = reliability_table([0, 1, 0, 1], [0.05, 0.15, 0.18, 0.95])
    frame = table.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == list(ReliabilityTable._fields)
    assert frame["count"].tolist() == [1, 2, 1]
    assert frame["observed_rate"].tolist() == [0.0, 0.5, 1.0]


def test_undo_downsampling_by_hand():
    # keep 10% of negatives: p = 0.5 -> q = 0.5 / (0.5 + 0.5 / 0.1) = 0.5 / 5.5 = 1/11
    assert_allclose(undo_downsampling([0.5], 0.1), [1 / 11])
    # the ends stay put, and rate 1 changes nothing
    assert_array_equal(undo_downsampling([0.0, 1.0], 0.1), [0.0, 1.0])
    assert_array_equal(undo_downsampling([0.0, 0.3, 1.0], 1.0), [0.0, 0.3, 1.0])


@pytest.mark.parametrize("rate", [0.01, 0.1, 0.5])
def test_undo_downsampling_inverts_the_odds_shift_of_downsampling(rate):
    # downsampling multiplies the odds by 1/rate: p_ds = p / (p + (1 - p) · rate)
    p = np.linspace(0.0, 1.0, 101)
    downsampled = p / (p + (1 - p) * rate)
    assert_allclose(undo_downsampling(downsampled, rate), p, rtol=1e-12, atol=1e-15)


def test_undo_downsampling_recovers_the_true_rate_of_a_simulated_downsample():
    # 200,000 examples at a 2% positive rate; keep every positive and 10% of negatives, so the
    # downsampled positive rate is about 0.02 / (0.02 + 0.98 · 0.1) = 0.169. A model that is
    # calibrated on the downsampled data predicts that rate; undoing it gives back about 0.02.
    rng = np.random.default_rng(7)
    y_true = rng.random(200_000) < 0.02
    kept = y_true | (rng.random(len(y_true)) < 0.1)
    downsampled_rate = y_true[kept].mean()
    assert downsampled_rate == pytest.approx(0.169, abs=0.005)
    recovered = undo_downsampling([downsampled_rate], 0.1)[0]
    assert recovered == pytest.approx(y_true.mean(), rel=0.02)


def test_undo_downsampling_repairs_calibration_ratio():
    # per-example true probabilities; the downsampled model's ideal predictions over-predict on
    # the full data, the corrected ones do not.
    rng = np.random.default_rng(3)
    p = rng.beta(0.5, 20, size=100_000)
    y_true = (rng.random(len(p)) < p).astype(int)
    downsampled = p / (p + (1 - p) * 0.05)
    assert calibration_ratio(y_true, downsampled) > 5
    assert calibration_ratio(y_true, undo_downsampling(downsampled, 0.05)) == pytest.approx(
        1.0, abs=0.03
    )


# --- errors --------------------------------------------------------------------------------------

BINNED = [reliability_table, expected_calibration_error]


@pytest.mark.parametrize("function", [calibration_ratio, *BINNED])
def test_length_mismatch_is_an_error(function):
    with pytest.raises(ValueError, match="same length"):
        function([0, 1, 1], [0.2, 0.5])


@pytest.mark.parametrize("function", [calibration_ratio, *BINNED])
def test_nan_is_an_error(function):
    with pytest.raises(ValueError, match="must be finite"):
        function([0, 1], [0.2, float("nan")])


@pytest.mark.parametrize("function", [calibration_ratio, *BINNED])
def test_labels_outside_zero_one_are_an_error(function):
    with pytest.raises(ValueError, match="only 0 and 1"):
        function([0, 3], [0.2, 0.5])


@pytest.mark.parametrize("function", [calibration_ratio, *BINNED])
def test_empty_input_is_an_error(function):
    with pytest.raises(ValueError, match="is empty"):
        function([], [])


@pytest.mark.parametrize("function", [calibration_ratio, *BINNED])
@pytest.mark.parametrize("bad", [-0.01, 1.01])
def test_probabilities_outside_unit_interval_are_an_error(function, bad):
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        function([0, 1], [0.2, bad])


def test_calibration_ratio_without_positives_is_an_error():
    with pytest.raises(ValueError, match="no positives"):
        calibration_ratio([0, 0], [0.2, 0.5])


@pytest.mark.parametrize("function", BINNED)
@pytest.mark.parametrize("n_bins", [0, -3, 2.5, True])
def test_bad_n_bins_is_an_error(function, n_bins):
    with pytest.raises(ValueError, match="n_bins must be an integer >= 1"):
        function([0, 1], [0.2, 0.5], n_bins=n_bins)


@pytest.mark.parametrize("function", BINNED)
def test_unknown_strategy_is_an_error(function):
    with pytest.raises(ValueError, match="strategy must be one of"):
        function([0, 1], [0.2, 0.5], strategy="kmeans")


@pytest.mark.parametrize("rate", [0, -0.5, 1.5, float("nan"), "half"])
def test_bad_rate_is_an_error(rate):
    with pytest.raises(ValueError, match=r"rate must be a number in \(0, 1\]"):
        undo_downsampling([0.5], rate)


def test_undo_downsampling_checks_probabilities():
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        undo_downsampling([0.5, 1.2], 0.1)
    with pytest.raises(ValueError, match="is empty"):
        undo_downsampling([], 0.1)

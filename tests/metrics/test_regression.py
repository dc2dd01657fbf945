"""Tests for mlsd.metrics.regression: agreement with scikit-learn, hand-worked values, errors."""

import math
import re

import numpy as np
import pytest
from sklearn.metrics import (
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_pinball_loss,
    root_mean_squared_error,
)

from mlsd.metrics.regression import late_rate, mae, mape, pinball_loss, rmse, within_tolerance

SEEDS = range(25)


def random_pair(seed):
    """Targets and predictions of a random length and scale, targets bounded away from zero."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    scale = 10.0 ** rng.uniform(-2, 3)
    sign = rng.choice([-1.0, 1.0], size=n)
    y_true = sign * scale * rng.uniform(0.1, 5.0, size=n)
    y_pred = y_true + scale * rng.normal(size=n)
    return y_true, y_pred


# --- agreement with scikit-learn -----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_mae_matches_sklearn(seed):
    y_true, y_pred = random_pair(seed)
    assert mae(y_true, y_pred) == pytest.approx(mean_absolute_error(y_true, y_pred), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_rmse_matches_sklearn(seed):
    y_true, y_pred = random_pair(seed)
    assert rmse(y_true, y_pred) == pytest.approx(root_mean_squared_error(y_true, y_pred), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_mape_matches_sklearn_when_no_target_is_zero(seed):
    y_true, y_pred = random_pair(seed)
    expected = mean_absolute_percentage_error(y_true, y_pred)
    assert mape(y_true, y_pred) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.5, 0.9, 0.99])
def test_pinball_loss_matches_sklearn(seed, alpha):
    y_true, y_pred = random_pair(seed)
    expected = mean_pinball_loss(y_true, y_pred, alpha=alpha)
    assert pinball_loss(y_true, y_pred, alpha=alpha) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_rmse_is_at_least_mae(seed):
    y_true, y_pred = random_pair(seed)
    assert rmse(y_true, y_pred) >= mae(y_true, y_pred) - 1e-12


# --- hand-worked values --------------------------------------------------------------------------


def test_mae_rmse_mape_by_hand():
    y_true = [10.0, 20.0, 40.0]
    y_pred = [12.0, 20.0, 34.0]
    # errors 2, 0, -6
    assert mae(y_true, y_pred) == pytest.approx(8 / 3)
    assert rmse(y_true, y_pred) == pytest.approx(math.sqrt(40 / 3))
    assert mape(y_true, y_pred) == pytest.approx((0.2 + 0.0 + 0.15) / 3)


def test_mape_is_a_fraction_not_a_percentage():
    assert mape([100.0], [110.0]) == pytest.approx(0.1)


def test_mape_uses_absolute_value_of_negative_targets():
    assert mape([-4.0], [-5.0]) == pytest.approx(0.25)


def test_perfect_predictions_score_zero():
    y = [3.0, -1.0, 7.5]
    assert mae(y, y) == 0.0
    assert rmse(y, y) == 0.0
    assert mape(y, y) == 0.0
    assert pinball_loss(y, y, alpha=0.9) == 0.0


def test_pinball_loss_by_hand():
    # under-prediction by 10 costs alpha * 10; over-prediction by 10 costs (1 - alpha) * 10
    assert pinball_loss([30.0], [20.0], alpha=0.9) == pytest.approx(9.0)
    assert pinball_loss([20.0], [30.0], alpha=0.9) == pytest.approx(1.0)
    assert pinball_loss([30.0, 20.0], [20.0, 30.0], alpha=0.9) == pytest.approx(5.0)


def test_pinball_loss_at_median_is_half_the_mae():
    y_true, y_pred = random_pair(7)
    assert pinball_loss(y_true, y_pred) == pytest.approx(mae(y_true, y_pred) / 2)


@pytest.mark.parametrize("alpha", [0.1, 0.5, 0.9])
def test_constant_minimising_pinball_loss_is_the_alpha_quantile(alpha):
    y_true = np.arange(1.0, 101.0)
    candidates = np.arange(0.0, 101.0)
    losses = [pinball_loss(y_true, np.full_like(y_true, c), alpha=alpha) for c in candidates]
    best = candidates[int(np.argmin(losses))]
    assert best == pytest.approx(np.quantile(y_true, alpha), abs=1.0)


def test_quote_at_the_90th_percentile_is_late_about_10_percent_of_the_time():
    actual = np.random.default_rng(0).gamma(shape=4.0, scale=8.0, size=20_000)
    quoted = np.full_like(actual, np.quantile(actual, 0.9))
    assert late_rate(actual, quoted) == pytest.approx(0.1, abs=0.001)


def test_within_tolerance_by_hand():
    y_true = [30, 30, 30, 30, 30]
    y_pred = [30, 33, 25, 36, 20]
    # absolute errors 0, 3, 5, 6, 10 -> within 5: 0, 3, 5
    assert within_tolerance(y_true, y_pred, tolerance=5) == pytest.approx(0.6)
    assert within_tolerance(y_true, y_pred, tolerance=0) == pytest.approx(0.2)
    assert within_tolerance(y_true, y_pred, tolerance=10) == 1.0


def test_within_tolerance_counts_an_error_equal_to_the_tolerance_as_within():
    assert within_tolerance([10.0], [12.5], tolerance=2.5) == 1.0
    assert within_tolerance([10.0], [7.5], tolerance=2.5) == 1.0
    assert within_tolerance([10.0], [12.5], tolerance=2.25) == 0.0


def test_late_rate_by_hand():
    actual = [25, 31, 40, 18]
    quoted = [30, 30, 35, 20]
    # late: 31 > 30 and 40 > 35
    assert late_rate(actual, quoted) == pytest.approx(0.5)


def test_late_rate_treats_arrival_exactly_at_the_quote_as_on_time():
    assert late_rate([30, 30, 30], [30, 30, 30]) == 0.0
    assert late_rate([30, 30.5, 29], [30, 30, 30]) == pytest.approx(1 / 3)


def test_every_metric_returns_a_python_float():
    values = [
        mae([1, 2], [1, 3]),
        rmse([1, 2], [1, 3]),
        mape([1, 2], [1, 3]),
        pinball_loss([1, 2], [1, 3]),
        within_tolerance([1, 2], [1, 3], 0.5),
        late_rate([1, 2], [1, 3]),
    ]
    assert all(type(value) is float for value in values)


# --- errors --------------------------------------------------------------------------------------

TWO_ARGUMENT_METRICS = [
    mae,
    rmse,
    mape,
    pinball_loss,
    lambda a, b: within_tolerance(a, b, tolerance=1.0),
]


@pytest.mark.parametrize("metric", TWO_ARGUMENT_METRICS)
def test_length_mismatch_is_rejected(metric):
    with pytest.raises(ValueError, match="y_true has 3, y_pred has 2"):
        metric([1.0, 2.0, 3.0], [1.0, 2.0])


@pytest.mark.parametrize("metric", TWO_ARGUMENT_METRICS)
def test_nan_is_rejected(metric):
    with pytest.raises(ValueError, match=r"y_pred must be finite; y_pred\[1\] = nan"):
        metric([1.0, 2.0], [1.0, float("nan")])


@pytest.mark.parametrize("metric", TWO_ARGUMENT_METRICS)
def test_empty_input_is_rejected(metric):
    with pytest.raises(ValueError, match="y_true is empty"):
        metric([], [])


def test_late_rate_errors_name_its_own_arguments():
    with pytest.raises(ValueError, match="actual has 2, quoted has 1"):
        late_rate([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"quoted must be finite; quoted\[0\] = inf"):
        late_rate([1.0], [float("inf")])
    with pytest.raises(ValueError, match="actual is empty"):
        late_rate([], [])


@pytest.mark.parametrize("alpha", [0, 1, 0.0, 1.0, -0.1, 1.5, float("nan"), True, "high", None])
def test_pinball_loss_rejects_alpha_outside_the_open_unit_interval(alpha):
    message = rf"^alpha must be a number in \(0, 1\); got {re.escape(repr(alpha))}$"
    with pytest.raises(ValueError, match=message):
        pinball_loss([1.0], [1.0], alpha=alpha)


@pytest.mark.parametrize("tolerance", [-1, -0.001, float("nan"), float("inf"), "five"])
def test_within_tolerance_rejects_a_tolerance_that_is_not_a_non_negative_number(tolerance):
    with pytest.raises(ValueError, match="tolerance must be"):
        within_tolerance([1.0], [1.0], tolerance=tolerance)


def test_mape_rejects_a_zero_target_and_names_where_it_is():
    with pytest.raises(ValueError, match=r"y_true must be non-zero; y_true\[2\] = 0"):
        mape([1.0, 2.0, 0.0, 4.0], [1.0, 2.0, 3.0, 4.0])


def test_mape_error_explains_the_scikit_learn_difference():
    with pytest.raises(ValueError, match=r"scikit-learn divides by max\(\|y_true\|, eps\)"):
        mape([0.0], [1.0])

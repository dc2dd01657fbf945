"""A/B analysis: agrees with scipy's Welch test at product-experiment sizes; hand-checked small case."""

import math

import numpy as np
import pytest
from scipy import stats

from mlsd.experiments import difference_in_means


@pytest.mark.parametrize("seed", range(5))
def test_agrees_with_welch_t_test_at_large_n(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.exponential(10.0, 5_000), rng.exponential(10.3, 6_000)
    result = difference_in_means(a, b)
    welch = stats.ttest_ind(b, a, equal_var=False)
    assert result.difference == pytest.approx(b.mean() - a.mean())
    assert result.difference / result.standard_error == pytest.approx(welch.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(welch.pvalue, abs=1e-3)  # normal vs t tails at n = 5,000


def test_hand_worked_interval():
    result = difference_in_means([1.0, 3.0], [4.0, 6.0])
    # means 2 and 5; variances 2 and 2; SE = sqrt(2/2 + 2/2) = sqrt(2)
    assert result.difference == 3.0 and result.standard_error == pytest.approx(math.sqrt(2))
    assert result.ci_low == pytest.approx(3 - 1.959963984540054 * math.sqrt(2))
    assert result.relative_difference == pytest.approx(1.5)


def test_the_interval_covers_the_true_difference_about_95_percent_of_the_time():
    rng = np.random.default_rng(7)
    covered = [(lambda r: r.ci_low <= 0.5 <= r.ci_high)(difference_in_means(rng.normal(0, 2, 400), rng.normal(0.5, 2, 400))) for _ in range(2_000)]
    assert np.mean(covered) == pytest.approx(0.95, abs=0.015)


def test_needs_two_values_per_arm():
    with pytest.raises(ValueError, match="a needs at least 2 values"):
        difference_in_means([1.0], [1.0, 2.0])


from mlsd.experiments import days_needed, sample_size_per_arm, simulate_detection, simulate_peeking  # noqa: E402


def test_sample_size_by_hand():
    # p1 = 0.10, p2 = 0.12; (1.95996 + 0.84162)^2 * (0.09 + 0.1056) / 0.02^2 = 3838.1 -> 3839
    assert sample_size_per_arm(0.10, 0.20, alpha=0.05, power=0.8) == 3839
    assert days_needed(3839, traffic_per_day=1_000) == 8


def test_the_planned_sample_size_delivers_the_planned_power_and_alpha():
    n = sample_size_per_arm(0.05, 0.10, alpha=0.05, power=0.8)
    assert simulate_detection(0.05, 0.10, n, n_experiments=20_000, seed=1) == pytest.approx(0.8, abs=0.015)
    assert simulate_detection(0.05, 0.0, n, n_experiments=20_000, seed=2) == pytest.approx(0.05, abs=0.007)


def test_peeking_every_day_inflates_false_positives_while_one_look_does_not():
    table = simulate_peeking(0.05, 0.0, users_per_day_per_arm=2_000, days=14, n_experiments=5_000, seed=3)
    assert table["significant_by_day"].is_monotonic_increasing
    assert table["significant_by_day"].iloc[-1] > 0.15
    assert table["significant_on_day"].iloc[-1] == pytest.approx(0.05, abs=0.01)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: sample_size_per_arm(0.0, 0.1),
            r"baseline_rate must be a number in \(0, 1\); got 0.0",
        ),
        (lambda: sample_size_per_arm(0.1, 0.0), "minimum_detectable_effect must be non-zero"),
        (
            lambda: sample_size_per_arm(0.1, "a lot"),
            "minimum_detectable_effect must be a finite number",
        ),
        (
            lambda: sample_size_per_arm(0.1, 0.1, power=1.0),
            r"power must be a number in \(0, 1\); got 1.0",
        ),
        (
            lambda: sample_size_per_arm(0.6, 1.0),
            r"baseline_rate × \(1 \+ minimum_detectable_effect\) must",
        ),
        (lambda: days_needed(100, 0), "traffic_per_day must be an integer >= 1; got 0"),
        (lambda: days_needed(100.5, 10), "users_per_arm must be an integer >= 1; got 100.5"),
        (lambda: days_needed(100, 10, arms=True), "arms must be an integer >= 1; got True"),
        (lambda: simulate_detection(0.1, 0.1, 0), "users_per_arm must be an integer >= 1; got 0"),
        (
            lambda: simulate_detection(0.1, 0.1, 10, n_experiments=0),
            "n_experiments must be an integer",
        ),
        (
            lambda: simulate_detection(0.6, 1.0, 10),
            r"the treated rate .* must be a number in \(0, 1\)",
        ),
        (lambda: simulate_peeking(0.1, 0.0, 10, days=0), "days must be an integer >= 1; got 0"),
        (
            lambda: simulate_peeking(0.1, 0.0, 0.5, days=3),
            "users_per_day_per_arm must be an integer",
        ),
        (
            lambda: simulate_peeking(0.1, np.nan, 10, days=3),
            "relative_effect must be a finite number",
        ),
    ],
)
def test_planner_inputs_are_validated(call, message):
    with pytest.raises(ValueError, match=message):
        call()

"""Bootstrap intervals: agreement with SciPy, coverage on samples with a known mean, groups, errors."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlsd.uncertainty import (
    bootstrap_interval,
    interval_table,
    mean_interval,
    paired_difference_interval,
)


def test_mean_interval_agrees_with_scipy_percentile_bootstrap():
    values = np.random.default_rng(3).exponential(size=400)
    ours = mean_interval(values, n_resamples=4000, seed=1)
    theirs = stats.bootstrap((values,), np.mean, n_resamples=4000, method="percentile",
                             random_state=1).confidence_interval
    # two Monte Carlo estimates of the same quantiles: equal to a few percent of the width
    assert ours.low == pytest.approx(theirs.low, abs=0.05 * ours.width)
    assert ours.high == pytest.approx(theirs.high, abs=0.05 * ours.width)
    assert ours.estimate == pytest.approx(values.mean())


def test_a_95_percent_interval_covers_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    hits = 0
    for sample_seed in range(300):
        sample = rng.normal(2.0, 1.0, size=200)
        interval = mean_interval(sample, n_resamples=400, seed=sample_seed)
        hits += interval.low <= 2.0 <= interval.high
    assert 0.90 <= hits / 300 <= 0.98


def test_the_general_bootstrap_draws_the_same_rows_as_the_vectorised_mean():
    values = np.random.default_rng(5).normal(size=300)
    assert bootstrap_interval(np.mean, values, seed=9) == mean_interval(values, seed=9)


def test_every_array_is_resampled_with_the_same_rows():
    x = np.arange(500.0)
    # the statistic is 0 only when both arrays were drawn at the same rows
    interval = bootstrap_interval(lambda a, b: float(np.abs(a - b).max()), x, x.copy(), seed=2)
    assert interval.low == interval.high == 0.0


def test_groups_are_resampled_whole():
    # every group holds one value repeated; a row bootstrap would be too narrow
    group_means = np.random.default_rng(1).normal(size=50)
    values = np.repeat(group_means, 20)
    groups = np.repeat(np.arange(50), 20)
    by_group = bootstrap_interval(np.mean, values, groups=groups, seed=0)
    by_row = bootstrap_interval(np.mean, values, seed=0)
    of_group_means = mean_interval(group_means, seed=0)
    assert by_group.width == pytest.approx(of_group_means.width, rel=0.25)
    assert by_row.width < 0.4 * by_group.width


def test_resamples_where_the_statistic_is_undefined_are_counted_and_left_out():
    labels = np.zeros(200)
    labels[0] = 1.0
    rate = lambda y: np.nan if y.sum() == 0 else float(y.mean())
    interval = bootstrap_interval(rate, labels, n_resamples=500, seed=0)
    # P(row 0 never drawn in 200 draws) = (199/200)^200 ≈ 0.37
    assert 0.3 < interval.undefined / 500 < 0.45
    assert interval.low > 0


def test_a_paired_difference_is_narrower_than_separate_intervals():
    rng = np.random.default_rng(4)
    hardness = rng.normal(size=1000)
    a = hardness + rng.normal(0, 0.1, size=1000)
    b = hardness + 0.05 + rng.normal(0, 0.1, size=1000)
    paired = paired_difference_interval(a, b, seed=0)
    assert paired.excludes(0.0)
    assert paired.width < 0.2 * mean_interval(a, seed=0).width
    assert paired.estimate == pytest.approx(np.mean(b - a))


def test_interval_table_gives_each_column_its_mean_and_interval():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"x": rng.normal(size=500), "y": rng.normal(3.0, 2.0, size=500)})
    table = interval_table(frame, seed=1)
    assert list(table.index) == ["x", "y"]
    assert table.loc["y", "mean"] == pytest.approx(frame["y"].mean())
    assert table.loc["x", "low"] < frame["x"].mean() < table.loc["x", "high"]
    assert (table.loc["y", "high"] - table.loc["y", "low"]) == pytest.approx(
        2 * (table.loc["x", "high"] - table.loc["x", "low"]), rel=0.2)


def test_same_seed_same_interval():
    values = np.random.default_rng(8).normal(size=100)
    assert mean_interval(values, seed=4) == mean_interval(values, seed=4)
    assert mean_interval(values, seed=4) != mean_interval(values, seed=5)


@pytest.mark.parametrize("call, message", [
    (lambda: mean_interval([]), "values is empty"),
    (lambda: mean_interval([1.0, 2.0], level=1.0), "level must be"),
    (lambda: mean_interval([1.0, 2.0], n_resamples=5), "n_resamples must be"),
    (lambda: bootstrap_interval(np.mean, [1.0, 2.0], [1.0]), "equal length"),
    (lambda: bootstrap_interval(np.mean, [1.0, 2.0], groups=[1]), "one entry per row"),
    (lambda: bootstrap_interval(np.mean), "at least one array"),
    (lambda: bootstrap_interval("mean", [1.0]), "statistic must be"),
    (lambda: paired_difference_interval([1.0, 2.0], [1.0]), "same units"),
    (lambda: bootstrap_interval(lambda y: np.nan, [1.0, 2.0]), "undefined"),
])
def test_bad_input_names_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()

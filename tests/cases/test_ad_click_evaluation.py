"""The ad-click scorecard's two views: accuracy's blind spot on rare clicks, and the slices."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.ad_click.evaluation import (
    INTERVAL_COLUMNS,
    NEVER_CLICK,
    SLICE_COLUMNS,
    TRUTH_COLUMN,
    accuracy_at_half,
    accuracy_gap,
    ratio_intervals,
    slice_scorecards,
    sliced_scorecard,
    worst_slice_looks_worse_than_it_is,
)
from mlsd.evaluation import scorecards_by


def test_never_predicting_a_click_is_the_most_accurate_on_rare_clicks():
    y = np.array([0] * 95 + [1] * 5)
    informative = np.where(y == 1, 0.4, 0.01)  # ranks every click first, yet never reaches 0.5
    eager = np.where(np.arange(100) % 10 == 0, 0.6, 0.01)
    accuracy = accuracy_at_half(y, {"informative": informative, "eager": eager})
    assert list(accuracy) == ["informative", "eager", NEVER_CLICK]
    assert accuracy["informative"] == accuracy[NEVER_CLICK] == 0.95
    assert accuracy["eager"] == pytest.approx(np.mean((eager >= 0.5) == y))
    assert accuracy[NEVER_CLICK] >= max(accuracy["informative"], accuracy["eager"])


def test_slices_are_scorecards_by_device_and_by_ad_age():
    rng = np.random.default_rng(0)
    n = 4_000
    rows = pd.DataFrame(
        {"device": rng.choice(["mobile", "desktop"], n), "ad_age_days": rng.uniform(0, 6, n)}
    )
    y_prob = rng.uniform(0.01, 0.2, n)
    y_true = (rng.random(n) < y_prob).astype(int)
    slices = slice_scorecards(rows, y_true, y_prob)
    assert list(slices) == ["device", "ad age"]
    by_device = scorecards_by(y_true, y_prob, rows["device"])[SLICE_COLUMNS]
    pd.testing.assert_frame_equal(slices["device"][SLICE_COLUMNS], by_device)
    assert list(slices["device"].columns) == SLICE_COLUMNS + INTERVAL_COLUMNS  # no true_ctr: no truth column
    assert list(slices["ad age"].index) == ["established ad", "new ad (< 2 days)"]
    assert slices["ad age"].loc["new ad (< 2 days)", "n"] == (rows["ad_age_days"] < 2).sum()


def _slice_rows(seed=0, n=20_000):
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame({"device": rng.choice(["mobile", "desktop", "tablet"], n, p=[0.5, 0.4, 0.1]),
                         "ad_age_days": rng.uniform(0, 6, n)})
    rows["true_ctr"] = rng.uniform(0.01, 0.05, n)
    y_true = (rng.random(n) < rows["true_ctr"].to_numpy()).astype(int)
    return rows, y_true


def test_each_slice_ratio_comes_with_its_interval_and_its_ratio_against_the_truth():
    rows, y_true = _slice_rows()
    y_prob = rows["true_ctr"].to_numpy() * np.where(rows["device"] == "tablet", 1.3, 1.0)
    table = slice_scorecards(rows, y_true, y_prob, seed=1)["device"]
    assert list(table.columns) == SLICE_COLUMNS + INTERVAL_COLUMNS + [TRUTH_COLUMN]
    tablet = (rows["device"] == "tablet").to_numpy()
    assert table.loc["tablet", TRUTH_COLUMN] == pytest.approx(1.3)
    assert table.loc["mobile", TRUTH_COLUMN] == pytest.approx(1.0)
    assert table.loc["tablet", "calibration_ratio"] == pytest.approx(y_prob[tablet].sum() / y_true[tablet].sum())
    assert (table["ratio_low"] < table["calibration_ratio"]).all() and (table["calibration_ratio"] < table["ratio_high"]).all()
    widths = table["ratio_high"] - table["ratio_low"]
    assert widths["tablet"] > widths["mobile"]  # fewer clicks, a wider interval
    again = slice_scorecards(rows, y_true, y_prob, seed=1)["device"]
    pd.testing.assert_frame_equal(table, again)  # deterministic for its seed


def test_ratio_intervals_are_the_bootstrap_of_the_slice_ratio():
    rows, y_true = _slice_rows(2, 5_000)
    y_prob = rows["true_ctr"].to_numpy()
    groups = rows["device"].to_numpy()
    intervals = ratio_intervals(y_true, y_prob, groups, ["tablet", "mobile"], n_resamples=200, seed=3)
    assert list(intervals.index) == ["tablet", "mobile"]
    from mlsd.uncertainty import bootstrap_interval

    inside = groups == "tablet"
    expected = bootstrap_interval(lambda p, y: p.sum() / y.sum() if y.sum() else np.nan, y_prob[inside],
                                  y_true[inside], n_resamples=200, seed=3)
    assert intervals.loc["tablet", "ratio_low"] == expected.low and intervals.loc["tablet", "ratio_high"] == expected.high


def test_the_worst_looking_slice_is_judged_against_the_truth():
    table = pd.DataFrame({"calibration_ratio": [0.95, 1.25, 1.02], TRUTH_COLUMN: [0.93, 1.04, 1.0]},
                         index=["a", "b", "c"])
    assert worst_slice_looks_worse_than_it_is(table)  # b looks 25% off, is 4% off
    table.loc["b", TRUTH_COLUMN] = 1.3
    assert not worst_slice_looks_worse_than_it_is(table)
    table = pd.DataFrame({"calibration_ratio": [0.7, 1.2], TRUTH_COLUMN: [0.8, 1.0]}, index=["a", "b"])
    assert worst_slice_looks_worse_than_it_is(table)  # 0.7 is further from 1 in log terms than 1.2


def test_a_sliced_scorecard_without_truth_has_no_truth_column():
    rows, y_true = _slice_rows(4, 5_000)
    table = sliced_scorecard(y_true, rows["true_ctr"].to_numpy(), rows["device"].to_numpy())
    assert TRUTH_COLUMN not in table


def test_accuracy_gap_names_the_best_model_and_its_points_above_the_constant():
    accuracy = {"lr": 0.9812, "trees": 0.9822, "truth": 0.99, NEVER_CLICK: 0.98}
    assert accuracy_gap(accuracy) == (
        "Never predicting a click is right on 98.0% of the test rows; the most accurate model, "
        "trees, on 98.2%: +0.2 points."
    )

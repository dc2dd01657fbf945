"""The promise of delivery ETA: coverage, the asymmetric Huber loss and the costs by hand, the
split-conformal correction against MAPIE, and calibration on the simulator."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.delivery_eta.data import load_data, split
from mlsd.cases.delivery_eta.features import order_features
from mlsd.cases.delivery_eta.models import DurationGBDT
from mlsd.cases.delivery_eta.promise import (
    ConformalPromise, PromiseCosts, asymmetric_huber, calibration_split, cheapest,
    conformal_correction, coverage, coverage_by, promise_curves, promise_frontier,
    promise_outcomes,
)
from mlsd.cases.delivery_eta.simulate import conversion_probability


def test_coverage_and_by_group():
    actual, quote = [10, 20, 30, 40], [10, 19, 35, 50]
    assert coverage(actual, quote) == 0.75
    table = coverage_by(actual, quote, ["a", "a", "b", "b"])
    assert table.loc["a", "orders"] == 2 and table.loc["a", "coverage"] == 0.5
    assert table.loc["b", "coverage"] == 1.0


def test_coverage_by_agrees_with_a_pandas_groupby_and_leaves_missing_groups_out():
    rng = np.random.default_rng(0)
    actual, quote = rng.gamma(3.0, 10.0, 5_000), rng.normal(35.0, 8.0, 5_000)
    groups = rng.choice(np.array(["north", "south", "east", None], dtype=object), 5_000)
    table = coverage_by(actual, quote, groups)
    frame = pd.DataFrame({"group": groups, "on_time": actual <= quote})
    expected = frame.groupby("group")["on_time"].agg(orders="size", coverage="mean")
    assert list(table.index) == ["east", "north", "south"]
    assert np.array_equal(table["orders"].to_numpy(), expected["orders"].to_numpy())
    assert np.allclose(table["coverage"].to_numpy(), expected["coverage"].to_numpy(), rtol=0,
                       atol=1e-15)


def test_per_group_corrections_are_each_groups_own_conformal_rule():
    rng = np.random.default_rng(1)
    predicted = rng.normal(30.0, 5.0, 3_000)
    groups = rng.choice(np.array([3, 1, 2, 7]), 3_000)
    actual = predicted + rng.gamma(2.0, 2.0 + groups, 3_000)
    model = ConformalPromise(0.9, min_group_orders=5).fit(actual, predicted, groups)
    for key in (1, 2, 3, 7):
        own = (actual - predicted)[groups == key]
        assert model.group_corrections_[key] == conformal_correction(own, 0.9)
    quotes = model.predict(predicted[:4], [7, 1, 9, 3])
    shifts = [model.group_corrections_[7], model.group_corrections_[1], model.correction_,
              model.group_corrections_[3]]
    assert np.allclose(quotes - predicted[:4], shifts, rtol=0, atol=1e-12)


def test_asymmetric_huber_by_hand():
    # r = 1 (late, quadratic): 2 * 0.5; r = -4 (early, linear): 2 * (4 - 1); r = 3 (late, linear)
    value = asymmetric_huber([11, 6, 13], [10, 10, 10], delta=2.0, late_weight=2.0)
    assert value == pytest.approx((1.0 + 6.0 + 2 * 2 * (3 - 1)) / 3)


def test_conformal_rule_by_hand():
    residuals = np.arange(1.0, 10.0)  # n = 9, alpha = 0.8: k = ceil(8) = 8
    assert conformal_correction(residuals, 0.8) == 8.0
    assert conformal_correction(residuals, 0.75) == 8.0  # ceil(7.5) = 8
    with pytest.raises(ValueError, match="too few"):
        conformal_correction(residuals, 0.95)  # ceil(9.5) = 10 > 9
    model = ConformalPromise(0.8).fit(residuals + 5.0, np.full(9, 5.0))
    assert np.allclose(model.predict([1.0, 2.0]), [9.0, 10.0])


def test_mondrian_falls_back():
    actual = np.r_[np.arange(1.0, 10.0), np.arange(11.0, 20.0), [100.0]]
    groups = np.r_[["a"] * 9, ["b"] * 9, ["c"]]
    model = ConformalPromise(0.8, min_group_orders=5).fit(actual, np.zeros(19), groups)
    assert model.group_corrections_ == {"a": 8.0, "b": 18.0}
    # global: n = 19, k = ceil(16) = 16 -> sorted residuals 1..9, 11..19, 100: 16th = 17
    assert np.allclose(model.predict([0.0, 0.0, 0.0], ["a", "b", "c"]), [8.0, 18.0, 17.0])


def test_agrees_with_mapie():
    mapie_utils = pytest.importorskip("mapie.utils")
    regression = pytest.importorskip("mapie.regression")
    rng = np.random.default_rng(3)
    for n, alpha in ((50, 0.8), (101, 0.9), (1_000, 0.8), (37, 0.5)):
        predicted = rng.normal(30, 5, n)
        actual = predicted + rng.gamma(2.0, 4.0, n) - 6
        residuals = actual - predicted
        # one-sided: MAPIE's finite-sample quantile of the signed conformity scores
        mapie_q = mapie_utils._compute_regression_quantile(residuals, np.array([alpha]))
        assert conformal_correction(residuals, alpha) == pytest.approx(float(mapie_q.ravel()[0]))
        # two-sided symmetric: SplitConformalRegressor (prefit, absolute score) half-width
        # equals our rule applied to |residuals|
        x = predicted.reshape(-1, 1)
        mapie = regression.SplitConformalRegressor(_Identity(), confidence_level=alpha,
                                                   prefit=True)
        mapie.conformalize(x, actual)
        _, bounds = mapie.predict_interval(x)
        ours = conformal_correction(np.abs(residuals), alpha)
        assert np.allclose(bounds[:, 1, 0], predicted + ours)
        assert np.allclose(bounds[:, 0, 0], predicted - ours)


class _Identity:
    """A fitted regressor whose prediction is its single feature."""

    fitted_ = True

    def fit(self, x, y):
        return self

    def predict(self, x):
        return np.asarray(x, dtype=float)[:, 0]

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def __sklearn_is_fitted__(self):
        return True


def test_costs_and_frontier_by_hand():
    costs = PromiseCosts(late_fixed=2.0, late_per_minute=0.5, lost_order=4.0)
    actual, quote = np.array([30.0, 50.0]), np.array([40.0, 40.0])
    p = conversion_probability(quote)
    out = promise_outcomes(actual, quote, costs)
    assert out["late_rate"] == 0.5 and out["mean_quote"] == 40.0
    assert out["mean_minutes_late"] == 10.0 and out["conversion"] == pytest.approx(p.mean())
    expected = ((1 - p[0]) * 4 + (1 - p[1]) * 4 + p[1] * (2 + 10 * 0.5)) / 2
    assert out["expected_cost"] == pytest.approx(expected)
    frontier = promise_frontier(actual, quote - 10, [0.0, 10.0, 25.0], costs)
    assert list(frontier["buffer"]) == [0.0, 10.0, 25.0]
    assert frontier.loc[1, "expected_cost"] == pytest.approx(expected)
    marked = cheapest(frontier)
    assert marked["cheapest"].sum() == 1
    assert marked.loc[marked["cheapest"], "expected_cost"].iloc[0] == frontier[
        "expected_cost"].min()


def test_curves_agree_with_the_outcomes_at_each_buffer():
    rng = np.random.default_rng(5)
    actual = rng.gamma(6.0, 6.0, 500)
    quotes = {"low": np.full(500, 30.0), "model": actual + rng.normal(0, 8, 500)}
    buffers = [-5.0, 0.0, 2.5, 10.0]
    curves = promise_curves(actual, quotes, buffers)
    assert list(curves.columns) == ["base", "buffer", "late_rate", "mean_quote", "conversion",
                                    "lost_share", "late_share", "minutes_late_share"]
    assert list(curves["base"]) == ["low"] * 4 + ["model"] * 4
    assert list(curves["buffer"]) == buffers * 2
    costs = PromiseCosts(late_fixed=4.0, late_per_minute=0.5, lost_order=6.0)
    for row in curves.itertuples():
        quote = quotes[row.base] + row.buffer
        out = promise_outcomes(actual, quote, costs)
        assert row.late_rate == out["late_rate"] and row.mean_quote == out["mean_quote"]
        assert row.conversion == out["conversion"]
        cost = (costs.lost_order * row.lost_share + costs.late_fixed * row.late_share
                + costs.late_per_minute * row.minutes_late_share)
        assert cost == out["expected_cost"]
        p = conversion_probability(quote)
        assert row.lost_share == pytest.approx(np.mean(1 - p))
        assert row.late_share == pytest.approx(np.mean(p * (actual > quote)))
        assert row.minutes_late_share == pytest.approx(np.mean(p * np.maximum(actual - quote, 0)))


@pytest.mark.parametrize("call, message", [
    (lambda: promise_curves([1.0, 2.0], {}, [0.0]), "quotes must be a non-empty dict"),
    (lambda: promise_curves([1.0, 2.0], {"a": [1.0]}, [0.0]), "same length"),
    (lambda: promise_curves([1.0], {"a": [1.0]}, [1.0, 0.0]), "strictly increasing"),
    (lambda: promise_curves([1.0], {"a": [1.0]}, [0.0, 0.0]), "strictly increasing"),
    (lambda: promise_curves([1.0], {"a": [1.0]}, [np.nan]), "buffers must be"),
    (lambda: promise_curves([1.0], {"": [1.0]}, [0.0]), "each name must be"),
    (lambda: coverage([1, 2], [1]), "same length"),
    (lambda: coverage([1, np.nan], [1, 2]), "actual must be finite"),
    (lambda: ConformalPromise(1.0), r"alpha must be a number in \(0, 1\); got 1.0"),
    (lambda: asymmetric_huber([1], [1], delta=0), "delta must be"),
    (lambda: promise_frontier([1], [1], [0, np.inf]), "buffers must be"),
    (lambda: PromiseCosts(lost_order=-1), "lost_order must be"),
    (lambda: ConformalPromise().predict([1.0]), "fitted"),
])
def test_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()


COVERAGE_TOLERANCE = 0.02
MARKET_TOLERANCE = 0.05


@pytest.mark.parametrize("seed", [1, 2])
def test_calibration_on_simulator(seed):
    data = load_data("simulated", seed=seed, n_orders=20_000)
    features = order_features(data.table)
    parts = split(data)
    fit_rows, cal_rows = calibration_split(parts.train, 7)
    assert fit_rows["day"].max() < cal_rows["day"].min()
    model = DurationGBDT("quantile", alpha=0.8).fit(features.loc[fit_rows.index],
                                                   fit_rows["duration_min"])
    cal_pred = model.predict(features.loc[cal_rows.index])
    test_pred = model.predict(features.loc[parts.test.index])
    actual = parts.test["duration_min"].to_numpy()
    before = coverage(actual, test_pred)
    promise = ConformalPromise(0.8).fit(cal_rows["duration_min"], cal_pred)
    after = coverage(actual, promise.predict(test_pred))
    print(f"seed {seed}: coverage before {before:.3f}, after {after:.3f}")
    assert abs(after - 0.8) <= COVERAGE_TOLERANCE
    assert abs(after - 0.8) < abs(before - 0.8)
    cal_market = cal_rows["market"].to_numpy(dtype=int)
    test_market = parts.test["market"].to_numpy(dtype=int)
    mondrian = ConformalPromise(0.8).fit(cal_rows["duration_min"], cal_pred, cal_market)
    by_market = coverage_by(actual, mondrian.predict(test_pred, test_market), test_market)
    print(by_market)
    assert (np.abs(by_market["coverage"] - 0.8) <= MARKET_TOLERANCE).all()


def test_without_timestamps_a_seeded_random_quarter_calibrates():
    table = pd.DataFrame({"time": np.nan, "day": pd.array([pd.NA] * 2_000, dtype="Int64"),
                          "duration_min": np.arange(2_000.0)})
    fit_rows, cal_rows = calibration_split(table, 7, seed=3)
    again = calibration_split(table, 7, seed=3)[1]
    assert cal_rows.index.equals(again.index) and not cal_rows.index.equals(
        calibration_split(table, 7, seed=4)[1].index)
    assert len(fit_rows) + len(cal_rows) == 2_000 and not fit_rows.index.isin(cal_rows.index).any()
    assert 0.2 < len(cal_rows) / 2_000 < 0.3
    assert cal_rows.index.min() < 500  # drawn from the whole table, not its end

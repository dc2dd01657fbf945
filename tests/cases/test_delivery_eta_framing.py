"""Delivery ETA's framing and architecture experiments and its scorecard, against the truth and
scikit-learn."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_absolute_error, mean_pinball_loss, root_mean_squared_error

from mlsd.cases import delivery_eta as case
from mlsd.cases.delivery_eta import architecture, evaluation, framing


@pytest.fixture(scope="module")
def world():
    return case.simulate_orders(n_orders=8_000, n_days=14, n_stores=300, seed=4)


def test_the_parts_add_up_to_the_duration_and_their_shares_to_one(world):
    parts = framing.duration_parts(world)
    assert list(parts.index) == [*framing.PARTS, "duration"]
    assert parts.loc[list(framing.PARTS), "mean"].sum() == pytest.approx(parts.loc["duration",
                                                                                    "mean"])
    assert parts.loc[list(framing.PARTS), "share_of_mean"].sum() == pytest.approx(1.0)
    assert (parts["median"] <= parts["p90"]).all()
    idle = world.orders["courier_idle_min"].to_numpy()
    assert framing.food_waits_share(world) == pytest.approx(np.mean(idle == 0))


def test_the_label_delay_is_the_duration_and_nan_without_timestamps(world):
    table = world.orders
    delay = framing.label_delay(table)
    np.testing.assert_allclose(delay, table["duration_min"], rtol=1e-9, atol=1e-6)
    no_time = table.assign(time=np.nan, delivered_time=np.nan)
    assert framing.label_delay(no_time).isna().all()


def test_the_scorecards_agree_with_scikit_learn():
    rng = np.random.default_rng(0)
    actual = rng.gamma(4, 8, 500)
    estimate = actual + rng.normal(0, 6, 500)
    table = evaluation.point_scorecard(actual, {"model": estimate})
    row = table.loc["model"]
    assert row["mae"] == pytest.approx(mean_absolute_error(actual, estimate))
    assert row["rmse"] == pytest.approx(root_mean_squared_error(actual, estimate))
    assert row["within_5"] == pytest.approx(np.mean(np.abs(actual - estimate) <= 5))
    assert row["late_rate"] == pytest.approx(np.mean(actual > estimate))
    quotes = evaluation.quote_scorecard(actual, {"q": estimate + 5}, alpha=0.8).loc["q"]
    assert quotes["coverage"] == pytest.approx(np.mean(actual <= estimate + 5))
    assert quotes["coverage_gap"] == pytest.approx(quotes["coverage"] - 0.8)
    assert quotes["pinball_loss"] == pytest.approx(
        mean_pinball_loss(actual, estimate + 5, alpha=0.8))
    with pytest.raises(ValueError, match="alpha"):
        evaluation.quote_scorecard(actual, {"q": estimate}, alpha=1.0)


def test_the_sum_of_the_parts_is_the_sum_and_the_feature_sets_drop_what_they_name(world):
    table = world.orders
    features = case.order_features(table)
    train, test = table.index[table["day"] < 10], table.index[table["day"] >= 10]
    estimates = architecture.decomposed_estimates(features, table, train, test, n_trees=20)
    np.testing.assert_allclose(estimates["sum of parts"],
                               estimates[list(framing.PARTS)].sum(axis=1))
    assert estimates.index.equals(test)
    models = architecture.fit_feature_sets(features, table["duration_min"], train, n_trees=20)
    errors = architecture.feature_set_errors(models, features, table["duration_min"], test)
    assert list(errors.index) == list(architecture.FEATURE_SETS)
    assert errors.loc["all features", "extra_mae"] == 0
    assert errors.loc["static (fallback)", "features"] == len(case.STATIC_FEATURES)
    assert not set(architecture.FEATURE_SETS["static (fallback)"]) & set(case.REAL_TIME_FEATURES)
    assert errors.loc["static (fallback)", "mae"] > errors.loc["all features", "mae"]
    assert models["static (fallback)"].features == case.STATIC_FEATURES


def test_a_lagging_feed_serves_the_markets_earlier_state():
    minute = 1 / 1440
    orders = pd.DataFrame({"time": [0.0, 5 * minute, 12 * minute, 14 * minute, 30 * minute],
                           "market": pd.array([0, 0, 0, 1, 0], dtype="Int64"),
                           "outstanding_orders": [1.0, 2.0, 3.0, 9.0, 4.0],
                           "onshift_couriers": 5.0, "busy_couriers": 1.0})
    fresh = architecture.lagged_feed(orders, 0)
    pd.testing.assert_frame_equal(fresh, orders)
    lagged = architecture.lagged_feed(orders, 10)
    # at 12 min the feed shows 0 min's state (5 min's is only 7 behind), at 30 min 12 min's; the
    # first orders and market 1's only one have nothing that old
    np.testing.assert_array_equal(lagged["outstanding_orders"], [np.nan, np.nan, 1.0, np.nan, 3.0])
    assert lagged["onshift_couriers"].notna().tolist() == [False, False, True, False, True]
    with pytest.raises(ValueError, match="lag_min"):
        architecture.lagged_feed(orders, -1)
    with pytest.raises(ValueError, match="time"):
        architecture.lagged_feed(orders.assign(time=np.nan), 5)

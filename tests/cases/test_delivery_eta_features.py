"""The point-in-time features of delivery ETA on tables small enough to count by hand, the schema's
checks, and the models against the simulator (full features beat the fallback, which beats the
baselines)."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.delivery_eta.data import load_data, split
from mlsd.cases.delivery_eta.features import (
    FEATURES, PRIOR_ORDERS, STATIC_FEATURES, count_before, order_features, store_history,
    split_features, store_load, store_means,
)
from mlsd.cases.delivery_eta.models import DistanceRule, DurationGBDT, store_average
from mlsd.cases.delivery_eta.schema import check_table
from mlsd.metrics.regression import mae

MINUTE = 1 / 1440


def orders(times, stores, durations, **columns):
    """A schema table of orders at ``times`` (days) from ``stores`` taking ``durations`` minutes."""
    n = len(times)
    time = np.asarray(times, dtype=float)
    table = pd.DataFrame({
        "order_id": np.arange(n), "time": time,
        "day": pd.Series(np.floor(time)).astype("Int64").array,
        "hour": pd.array(np.zeros(n, dtype=int), dtype="Int64"),
        "weekday": pd.array(np.zeros(n, dtype=int), dtype="Int64"),
        "market": pd.array(np.zeros(n, dtype=int), dtype="Int64"),
        "store_id": pd.array(stores, dtype="Int64"), "category": ["pizza"] * n,
        "total_items": pd.array(np.ones(n, dtype=int), dtype="Int64"),
        "distinct_items": pd.array(np.ones(n, dtype=int), dtype="Int64"),
        "subtotal": 20.0, "distance_km": 2.0, "drive_estimate_min": 6.0,
        "outstanding_orders": 4.0, "onshift_couriers": 8.0, "busy_couriers": 4.0,
        "rain": 0.0, "holiday": 0.0, "duration_min": np.asarray(durations, dtype=float),
    })
    table["delivered_time"] = table["time"] + table["duration_min"] / 1440
    for name, values in columns.items():
        table[name] = values
    return table


def test_count_before_counts_the_same_group_within_the_window_and_never_itself():
    time = np.array([0.0, 5, 10, 10, 29, 5]) * MINUTE
    group = np.array([0, 0, 0, 0, 0, 1])
    assert count_before(group, time, 20).tolist() == [0, 1, 2, 2, 2, 0]
    assert count_before(group, time, 6).tolist() == [0, 1, 1, 1, 0, 0]
    assert count_before([], [], 20).tolist() == []
    with pytest.raises(ValueError, match="window_min"):
        count_before(group, time, 0)


def test_store_load_is_unknown_where_the_store_is():
    table = orders([0.0, 2 * MINUTE, 3 * MINUTE], [1, 1, None], [30, 30, 30])
    assert store_load(table).tolist()[:2] == [0.0, 1.0] and np.isnan(store_load(table)[2])


def test_store_history_uses_only_labels_delivered_before_the_order():
    # store 1: order 0 at minute 0 takes 30 (delivered minute 30); order 1 at minute 10 cannot
    # know it; order 2 at minute 40 can. Store 2's order at minute 50 knows orders 0 and 1.
    table = orders(np.array([0, 10, 40, 50]) * MINUTE, [1, 1, 1, 2], [30, 20, 10, 40])
    history = store_history(table)
    assert history["orders"].tolist() == [0, 0, 2, 0]
    assert np.isnan(history["mean_min"][0]) and np.isnan(history["mean_min"][1])
    overall = (30 + 20) / 2  # orders 0 and 1 delivered by minute 40
    assert history["mean_min"][2] == pytest.approx((30 + 20 + PRIOR_ORDERS * overall)
                                                   / (2 + PRIOR_ORDERS))
    assert history["mean_min"][3] == pytest.approx(overall)  # a new store: the overall mean


def test_the_future_never_moves_a_feature():
    data = load_data("simulated", seed=2, n_orders=5_000)
    whole = order_features(data.table)
    early = data.table[data.table["day"] < 14]
    pd.testing.assert_frame_equal(order_features(early), whole.loc[early.index])


def test_store_means_leave_a_training_order_out():
    table = orders([np.nan] * 4, [1, 1, 1, 2], [30, 20, 10, 40])
    train = table.iloc[:3]
    means = store_means(train, table)
    overall = 20.0
    assert means["orders"].tolist() == [2, 2, 2, 0]
    assert means["mean_min"][0] == pytest.approx((30 + 5 * overall) / 7)
    assert means["mean_min"][3] == pytest.approx(overall)
    with pytest.raises(ValueError, match="no timestamps"):
        store_history(table)
    features = split_features(table, train)
    assert features["store_history_min"].tolist() == means["mean_min"].tolist()


def test_split_features_use_delivered_labels_where_there_are_timestamps():
    table = orders([0.0, MINUTE, 60 * MINUTE], [1, 1, 1], [30, 30, 10])
    assert split_features(table, table.iloc[:2]).equals(order_features(table))


def test_order_features_are_nan_where_the_source_does_not_say():
    table = orders([0.0, MINUTE], [1, 1], [30, 30], onshift_couriers=[0.0, np.nan])
    features = order_features(table)
    assert list(features.columns) == list(FEATURES)
    assert np.isnan(features["busy_share"]).all() and np.isnan(features["orders_per_courier"]).all()


@pytest.mark.parametrize("change, message", [
    (lambda t: t.drop(columns="duration_min"), "missing columns"),
    (lambda t: t.assign(duration_min=[0.0, 30.0]), "duration_min must be a finite number"),
    (lambda t: t.assign(time=[0.5, 0.1]), "sorted by time"),
    (lambda t: t.assign(time=[0.0, np.nan]), "known on every row or on none"),
    (lambda t: t.assign(hour=pd.array([24, 0], dtype="Int64")), r"hour must be a nullable Int64 "
                                                                 r"of values in \[0, 23\]"),
    (lambda t: t.assign(rain=[0.5, 0.0]), "rain must be 1.0 or 0.0"),
    (lambda t: t.assign(onshift_couriers=[-1.0, 0.0]), "onshift_couriers must be >= 0"),
    (lambda t: t.assign(category=["pizza", None]), "category must be a string"),
])
def test_the_schema_refuses_a_broken_table_naming_the_rule(change, message):
    table = orders([0.0, MINUTE], [1, 1], [30, 30])
    assert check_table(table) is table
    with pytest.raises(ValueError, match=message):
        check_table(change(table), source="t.csv")


def test_the_distance_rule_recovers_a_line_and_the_store_average_falls_back():
    features = pd.DataFrame({"drive_estimate_min": [2.0, 4.0, 6.0, np.nan],
                             "distance_km": np.nan, "store_history_min": [1.0, np.nan, 3.0, 4.0]})
    rule = DistanceRule().fit(features.iloc[:3], [12.0, 16.0, 20.0])
    assert (rule.intercept_, rule.slope_) == pytest.approx((8.0, 2.0))
    assert rule.predict(features).tolist() == pytest.approx([12, 16, 20, 16])
    constant = DistanceRule().fit(features.assign(drive_estimate_min=np.nan), [1.0, 2, 3, 6])
    assert constant.predict(features).tolist() == [3.0] * 4
    assert store_average(features, 9.0).tolist() == [1.0, 9.0, 3.0, 4.0]


@pytest.fixture(scope="module")
def fitted():
    data = load_data("simulated", seed=3, n_orders=30_000)
    parts = split(data)
    features = order_features(data.table)
    train, test = features.loc[parts.train.index], features.loc[parts.test.index]
    y_train, y_test = parts.train["duration_min"], parts.test["duration_min"]
    return train, test, y_train.to_numpy(), y_test.to_numpy()


def test_real_time_features_beat_the_fallback_which_beats_both_baselines(fitted):
    train, test, y_train, y_test = fitted
    full = mae(y_test, DurationGBDT(seed=1).fit(train, y_train).predict(test))
    fallback = mae(y_test, DurationGBDT(features=STATIC_FEATURES, seed=1).fit(
        train, y_train).predict(test))
    rule = mae(y_test, DistanceRule().fit(train, y_train).predict(test))
    store = mae(y_test, store_average(test, y_train.mean()))
    assert full < fallback - 0.3 and fallback < min(rule, store) - 0.3


def test_a_quantile_model_aims_at_its_quantile_and_fits_are_repeatable(fitted):
    train, test, y_train, y_test = fitted
    model = DurationGBDT("quantile", alpha=0.8, seed=1).fit(train, y_train)
    assert abs((y_train <= model.predict(train)).mean() - 0.8) < 0.02
    assert 0.7 < (y_test <= model.predict(test)).mean() < 0.85
    again = DurationGBDT("quantile", alpha=0.8, seed=1).fit(train, y_train)
    np.testing.assert_array_equal(model.predict(test), again.predict(test))


@pytest.mark.parametrize("options, message", [
    (dict(loss="mean"), "loss"),
    (dict(loss="quantile", alpha=1.0), "alpha"),
    (dict(features=("speed",)), "unknown"),
    (dict(n_trees=0), "n_trees"),
])
def test_bad_model_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        DurationGBDT(**options)

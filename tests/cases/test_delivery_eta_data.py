"""``load_data`` and ``split`` of delivery ETA on every source: the simulator, and small files in
DoorDash's and the food delivery set's layouts, through the features and a model end to end."""

import numpy as np
import pytest
from delivery_files import write_doordash, write_food

from mlsd.cases.delivery_eta.data import RANDOM_TEST_SHARE, SOURCES, load_data, split
from mlsd.cases.delivery_eta.features import order_features, store_means
from mlsd.cases.delivery_eta.models import DistanceRule, DurationGBDT


def test_the_sources_are_the_simulator_and_the_two_files():
    assert SOURCES == ("simulated", "doordash", "food_delivery")
    with pytest.raises(ValueError, match="data_source"):
        load_data("uber")


@pytest.mark.parametrize("source, card", [("doordash", "doordash.md"),
                                          ("food_delivery", "food_delivery.md")])
def test_a_real_source_needs_its_file_and_says_where_to_get_it(source, card):
    with pytest.raises(ValueError, match=f"datasets/{card}"):
        load_data(source)


def test_the_simulated_split_is_by_day_and_keeps_time_order():
    data = load_data("simulated", seed=1, n_orders=5_000)
    parts = split(data)
    assert data.world is not None and data.sizes["rows"] == 5_000
    assert parts.train["day"].max() == 20 and parts.test["day"].min() == 21
    assert parts.train["time"].max() < parts.test["time"].min()
    assert "days 21–27" in parts.rule


def test_doordash_orders_split_in_time_and_feed_a_model(tmp_path):
    data = load_data("doordash", str(write_doordash(tmp_path / "historical_data.csv")))
    assert data.world is None and data.sizes["rows"] == len(data.table)
    parts = split(data, test_days=1)
    assert parts.train["time"].max() < parts.test["time"].min()
    features = order_features(data.table)
    assert features["drive_estimate_min"].notna().any()
    assert features["distance_km"].isna().all()
    rule = DistanceRule().fit(features, data.table["duration_min"])
    assert rule.column_ == "drive_estimate_min"


def test_a_table_without_timestamps_splits_at_random_and_says_what_it_hides(tmp_path):
    path = write_food(tmp_path / "deliverytime.txt")
    data = load_data("food_delivery", str(path))
    first, again = split(data, seed=3), split(data, seed=3)
    assert first.test.index.equals(again.test.index)
    assert len(first.train) + len(first.test) == len(data.table)
    assert "no timestamps" in first.rule and "optimistic" in first.rule
    assert set(data.sizes) == {"rows", "users", "items"}  # no days without timestamps
    history = store_means(first.train, data.table)
    features = order_features(data.table, history)
    assert features["store_load"].isna().all()
    assert features["distance_km"].notna().any()
    model = DurationGBDT(n_trees=2, seed=0).fit(features, data.table["duration_min"])
    assert np.isfinite(model.predict(features)).all()


def test_the_random_split_tests_about_its_share():
    from mlsd.cases.contract import CaseData
    data = load_data("simulated", seed=2, n_orders=8_000)
    table = data.table.assign(time=np.nan, day=data.table["day"].astype("Int64") * np.nan)
    table["day"] = table["day"].astype("Int64")
    shuffled = split(CaseData("food_delivery", table, data.sizes, None), seed=1)
    assert abs(len(shuffled.test) / len(table) - RANDOM_TEST_SHARE) < 0.02

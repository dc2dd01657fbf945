"""The delivery-ETA loaders on small files written here in the two published layouts (DoorDash's
historical_data.csv, the Kaggle food-delivery deliverytime.txt): every mapped value by hand, the
drops and counts, every refused file with its message, no network."""

import math
import re

import numpy as np
import pandas as pd
import pytest
from delivery_files import (
    DOORDASH_LINES, FOOD_LINES, write_doordash, write_food, write_lines,
)

from mlsd.cases.delivery_eta.doordash import (
    EXTRA_COLUMNS as DOORDASH_EXTRA,
    HEADER as DOORDASH_HEADER,
    MAX_DURATION_MIN,
    doordash_report,
    load_doordash,
)
from mlsd.cases.delivery_eta.food_delivery import (
    EXTRA_COLUMNS as FOOD_EXTRA,
    HEADER as FOOD_HEADER,
    food_delivery_report,
    haversine_km,
    load_food_delivery,
)
from mlsd.cases.delivery_eta.schema import COLUMNS, check_table
from mlsd.readers import DataFileError

NA = pd.NA

def columns(table):
    return {name: table[name].tolist() for name in table.columns}


def test_doordash_maps_every_column_by_hand(tmp_path):
    table = load_doordash(write_doordash(tmp_path / "historical_data.csv"))
    # kept lines 4, 2, 8, 3 in time order; the start is line 4's checkout, 2015-01-22 20:39:28
    t2 = 15 + (1 * 3600 + 44 * 60 + 49) / 86_400  # 2015-02-06 22:24:17
    t3 = 19 + (1 * 3600 + 9 * 60 + 57) / 86_400  # 2015-02-10 21:49:25
    duration = [29 + 41 / 60, 62 + 59 / 60, 30.0, 67 + 4 / 60]
    time = [0.0, t2, t2, t3]
    floats = {
        "time": time,
        "subtotal": [19.0, 34.41, 0.0, 19.0],
        "distance_km": [np.nan] * 4,
        "drive_estimate_min": [np.nan, 861 / 60, 2.0, 690 / 60],
        "outstanding_orders": [np.nan, 21.0, 0.0, 2.0],  # -1: NaN
        "onshift_couriers": [np.nan, 33.0, 0.0, 1.0],  # -2: NaN
        "busy_couriers": [np.nan, 14.0, 0.0, 2.0],
        "rain": [np.nan] * 4,
        "holiday": [np.nan] * 4,
        "duration_min": duration,
        "delivered_time": [t + d / 1440 for t, d in zip(time, duration)],
        "order_protocol": [np.nan, 1.0, 3.0, 2.0],
        "place_estimate_min": [251 / 60, 446 / 60, 1.0, 446 / 60],
        "min_item_price": [-0.86, 5.57, 0.0, 14.0],
        "max_item_price": [19.0, 12.39, 0.0, 14.0],
    }
    expected = {
        "order_id": [0, 1, 2, 3],
        "day": [0, 15, 15, 19],
        "hour": [20, 22, 22, 21],  # UTC, as written
        "weekday": [3, 4, 4, 1],  # Thursday, Friday, Friday, Tuesday
        "market": [NA, 0, 0, 1],  # market_id 1.0, 2.0 among the rows kept
        "store_id": [1, 0, 0, 1],  # 1845, 5477
        "category": ["unknown", "american", "american", "mexican"],
        "total_items": [1, 4, 2, 1],
        "distinct_items": [1, 4, 1, 1],
    }
    got = columns(table)
    for name, values in floats.items():
        np.testing.assert_allclose(got.pop(name), values, rtol=0, atol=1e-12, err_msg=name)
    assert got == expected
    assert list(table.columns) == [*COLUMNS, *DOORDASH_EXTRA]
    assert table.index.equals(pd.RangeIndex(4))
    for name in ("day", "hour", "weekday", "market", "store_id", "total_items",
                 "distinct_items"):
        assert isinstance(table[name].dtype, pd.Int64Dtype), name
    assert table["order_id"].dtype == np.int64
    check_table(table)


def test_doordash_counts_what_it_dropped_and_nulled(tmp_path):
    table = load_doordash(write_doordash(tmp_path / "historical_data.csv"))
    assert MAX_DURATION_MIN == 480
    assert doordash_report(table) == {
        "lines": 7, "no_delivery_time": 1, "duration_not_positive": 1, "duration_over_cap": 1,
        "rows": 4, "market_unknown": 1, "category_unknown": 1, "drive_estimate_unknown": 1,
        "outstanding_orders_negative": 1, "onshift_couriers_negative": 1,
        "busy_couriers_negative": 0, "outstanding_orders_unknown": 1,
        "onshift_couriers_unknown": 1, "busy_couriers_unknown": 1,
    }
    with pytest.raises(ValueError, match="no DoorDash report"):
        doordash_report(pd.DataFrame(table))


def test_doordash_keeps_a_duration_at_the_cap_and_drops_one_just_over(tmp_path):
    lines = [
        "1.0,2015-02-01 00:00:00,2015-02-01 08:00:00,1,thai,1.0,1,100,1,100,100,1.0,1.0,1.0,0,",
        "1.0,2015-02-01 00:00:00,2015-02-01 08:00:01,1,thai,1.0,1,100,1,100,100,1.0,1.0,1.0,0,",
    ]
    table = load_doordash(write_doordash(tmp_path / "historical_data.csv", lines))
    assert table["duration_min"].tolist() == [480.0]
    assert doordash_report(table)["duration_over_cap"] == 1


def test_food_delivery_maps_every_column_by_hand(tmp_path):
    table = load_food_delivery(write_food(tmp_path / "deliverytime.txt"))
    n = 7
    got = columns(table)
    distance = got.pop("distance_km")
    for name in ("time", "subtotal", "drive_estimate_min", "outstanding_orders",
                 "onshift_couriers", "busy_couriers", "rain", "holiday", "delivered_time"):
        assert np.isnan(got.pop(name)).all(), name
    np.testing.assert_allclose(got.pop("courier_rating"), [4.9, 4.5, 4.4, 4.7, 4.6, 4.8, 5.0])
    assert got == {
        "order_id": list(range(n)),
        "day": [NA] * n, "hour": [NA] * n, "weekday": [NA] * n,
        "market": [3, 0, 0, 2, 1, 0, NA],  # BANG, CHEN, COIMB, INDO; no RES: unknown
        "store_id": [3, 1, 2, 0, NA, 1, 3],  # restaurants by (lat, lon), the south one fixed
        "category": ["Snack", "Snack", "Drinks", "Buffet", "Meal", "Snack", "Meal"],
        "total_items": [NA] * n, "distinct_items": [NA] * n,
        "duration_min": [24.0, 33.0, 26.0, 21.0, 40.0, 15.0, 30.0],
        "courier_id": [4, 0, 1, 3, 2, 0, 5],  # the trailing space is stripped
        "courier_age": [37.0, 34.0, 23.0, 38.0, 32.0, 30.0, 29.0],
        "vehicle": ["motorcycle", "scooter", "motorcycle", "motorcycle", "electric_scooter",
                    "bicycle", "scooter"],
    }
    # line 2 by a flat-earth hand computation: 0.02° north and 0.02° east at latitude 22.755°
    km_per_degree = 6371.0 * math.pi / 180
    north, east = 0.02 * km_per_degree, 0.02 * km_per_degree * math.cos(math.radians(22.755049))
    assert distance[0] == pytest.approx(math.hypot(north, east), rel=1e-4)
    assert distance[0] == pytest.approx(3.0251, abs=1e-3)
    # line 5 with the restaurant's signs fixed; line 8 with the delivery's; line 6 unknown
    assert distance[3] == pytest.approx(haversine_km(11.003669, 76.976494, 11.053669, 77.026494))
    assert distance[6] == pytest.approx(haversine_km(22.745049, 75.892471, 22.755049, 75.902471))
    assert np.isnan(distance[4])
    assert list(table.columns) == [*COLUMNS, *FOOD_EXTRA]
    assert table.index.equals(pd.RangeIndex(n))
    for name in ("day", "hour", "weekday", "market", "store_id", "total_items",
                 "distinct_items"):
        assert isinstance(table[name].dtype, pd.Int64Dtype), name
    check_table(table)


def test_haversine_against_hand_computed_values():
    # a quarter of the equator; one degree of latitude; the same point
    assert haversine_km(0, 0, 0, 90) == pytest.approx(6371.0 * math.pi / 2)
    assert haversine_km(10, 77, 11, 77) == pytest.approx(6371.0 * math.pi / 180)
    assert haversine_km(12.9, 77.6, 12.9, 77.6) == 0.0


def test_food_delivery_counts_fixed_and_unknown_coordinates(tmp_path):
    table = load_food_delivery(write_food(tmp_path / "deliverytime.txt"))
    assert food_delivery_report(table) == {
        "rows": 7, "restaurant_negative": 1, "restaurant_zero": 1, "delivery_negative": 1,
        "delivery_zero": 0, "distance_unknown": 1, "market_unknown": 1,
    }
    with pytest.raises(ValueError, match="no food-delivery report"):
        food_delivery_report(pd.DataFrame(table))


LOADERS = {
    "doordash": (load_doordash, write_doordash, DOORDASH_LINES, DOORDASH_HEADER,
                 "historical_data.csv", "datasets/real/doordash/historical_data.csv"),
    "food_delivery": (load_food_delivery, write_food, FOOD_LINES, FOOD_HEADER,
                      "deliverytime.txt", "datasets/real/food_delivery/deliverytime.txt"),
}


@pytest.mark.parametrize("source", LOADERS)
def test_a_missing_file_says_where_to_get_it(tmp_path, source):
    load, _, _, _, name, where = LOADERS[source]
    path = tmp_path / name
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}: no such file; expected "
                                            f".*{re.escape(where)}"):
        load(path)
    with pytest.raises(DataFileError, match="Kaggle"):
        load(path)


@pytest.mark.parametrize("source", LOADERS)
def test_a_file_cut_off_mid_row_names_the_last_line(tmp_path, source):
    load, _, lines, header, name, _ = LOADERS[source]
    path = tmp_path / name
    path.write_bytes("\n".join([header, *lines[:2], lines[2][:30]]).encode())
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line 4: the file does not "
                                            "end with a newline: was the download cut short\\?"):
        load(path)


@pytest.mark.parametrize("source", LOADERS)
def test_a_missing_column_is_a_wrong_header(tmp_path, source):
    load, write, lines, header, name, _ = LOADERS[source]
    short = header.replace(",store_id", "").replace(",Type_of_vehicle", "")
    path = write(tmp_path / name, lines, header=short)
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line 1: expected the "
                                            f"header {re.escape(repr(header))}; found "):
        load(path)


@pytest.mark.parametrize("source", LOADERS)
def test_a_line_with_a_field_missing_names_it(tmp_path, source):
    load, write, lines, _, name, _ = LOADERS[source]
    short = lines[1].rsplit(",", 1)[0]
    path = write(tmp_path / name, [lines[0], short, *lines[2:]])
    expected = 16 if source == "doordash" else 11
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line 3: expected "
                                            f"{expected} fields separated by ',', found "
                                            f"{expected - 1}"):
        load(path)


def test_a_non_numeric_doordash_duration_names_the_line(tmp_path):
    bad = DOORDASH_LINES[1].replace("2015-02-10 22:56:29", "soon")
    path = write_doordash(tmp_path / "historical_data.csv", [DOORDASH_LINES[0], bad])
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line 3: field "
                                            "actual_delivery_time = soon is not allowed: a date "
                                            "and time YYYY-MM-DD HH:MM:SS, or empty; the line "
                                            "reads '2.0,2015"):
        load_doordash(path)
    bad = DOORDASH_LINES[0].replace(",861.0", ",n/a")
    path = write_doordash(tmp_path / "historical_data.csv", [bad])
    with pytest.raises(DataFileError, match=", line 2: field "
                                            "estimated_store_to_consumer_driving_duration = "
                                            "'n/a' is not a finite number"):
        load_doordash(path)


def test_a_non_numeric_food_duration_names_the_line(tmp_path):
    bad = FOOD_LINES[2].replace(",26", ",(min) 26")
    path = write_food(tmp_path / "deliverytime.txt", [*FOOD_LINES[:2], bad])
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line 4: field "
                                            r"Time_taken\(min\) = '\(min\) 26' is not an "
                                            "integer; the line reads '5D6D,"):
        load_food_delivery(path)


def test_windows_line_endings_read_the_same(tmp_path):
    unix = load_food_delivery(write_food(tmp_path / "a.txt"))
    windows = load_food_delivery(write_lines(tmp_path / "b.txt", [FOOD_HEADER, *FOOD_LINES],
                                             newline="\r\n"))
    pd.testing.assert_frame_equal(unix, windows)
    unix = load_doordash(write_doordash(tmp_path / "a.csv"))
    windows = load_doordash(write_lines(tmp_path / "b.csv", [DOORDASH_HEADER, *DOORDASH_LINES],
                                        newline="\r\n"))
    pd.testing.assert_frame_equal(unix, windows)

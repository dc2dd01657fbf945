"""The Expedia loader on small files written here in the two published layouts (Kaggle 2013's
train.csv with its NULLs, the RecTour 2021 sample with its NAs): every mapped value by hand, every
refused file with its message, no network."""

import re

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.rental_search.expedia import (
    KAGGLE_EXTRA_COLUMNS,
    KAGGLE_HEADER,
    KAGGLE_TEST_HEADER,
    LEAKY_COLUMNS,
    RECTOUR_EXTRA_COLUMNS,
    RECTOUR_HEADER,
    describe_expedia,
    load_expedia,
)
from mlsd.cases.rental_search.schema import COLUMNS, check_table, graded_relevance
from mlsd.readers import DataFileError

NA = pd.NA
KAGGLE_COLUMNS = KAGGLE_HEADER.split(",")
RECTOUR_COLUMNS = RECTOUR_HEADER.split(",")


def kaggle_line(srch, when, prop, position, **values):
    """One train.csv line: the given values, plausible ones elsewhere, competitors all NULL."""
    line = dict.fromkeys(KAGGLE_COLUMNS, "NULL")
    line.update(
        srch_id=srch, date_time=when, site_id=12, visitor_location_country_id=187,
        prop_country_id=219, prop_id=prop, prop_starrating=3, prop_review_score=3.5,
        prop_brand_bool=1, prop_location_score1=2.83, prop_location_score2=0.0438,
        prop_log_historical_price=4.95, position=position, price_usd=104.77, promotion_flag=0,
        srch_destination_id=23246, srch_length_of_stay=1, srch_booking_window=0,
        srch_adults_count=4, srch_children_count=0, srch_room_count=1,
        srch_saturday_night_bool=1, random_bool=0, click_bool=0, booking_bool=0,
    )
    line.update(values)
    return ",".join(str(line[c]) for c in KAGGLE_COLUMNS)


KAGGLE_LINES = [  # lines 2 … 6 of train.csv
    kaggle_line(7, "2013-04-04 08:32:15", 893, 27, random_bool=1),
    kaggle_line(7, "2013-04-04 08:32:15", 10404, 26, prop_review_score=0, price_usd=0,
                click_bool=1),  # no reviews; a price of 0
    kaggle_line(7, "2013-04-04 08:32:15", 21315, 1, prop_review_score="NULL", click_bool=1,
                booking_bool=1, gross_bookings_usd=280.5, comp2_rate=-1, comp2_inv=0),
    kaggle_line(3, "2013-04-03 23:59:00", 893, 2, srch_destination_id=8192,
                srch_adults_count=0, booking_bool=1),  # no party; a booking without a click
    kaggle_line(3, "2013-04-03 23:59:00", 5, 1, srch_destination_id=8192, srch_length_of_stay=3,
                srch_adults_count=2, srch_children_count=1, prop_location_score2="NULL"),
]


def result(ad, rating, count, star, free, drr, bucket, clicks, trans):
    return [ad, rating, count, star, free, drr, bucket, clicks, trans]


RECTOUR_LINES = [  # lines 2, 3 of ExpediaSearchData.csv
    ["2021-06-15T19:12:00Z", 2, 1, 390, "2021-06-15", "2021-06-16", 2, 0, 0, 1,
     *result(0, 5, 1175, 4, 0, 0, 3, 0, 0), *result(1, 0, 0, 4, 1, 0, "NA", 2, 1),
     *result(0, 4, 1325, 3, 0, 1, "", 0, 0)],  # a sponsored booked slot; buckets NA, empty
    ["2021-06-08T23:53:00Z", 1, 0, 61050, "2021-06-22", "2021-06-25", 1, 2, 1, 2,
     *result(0, 3, 150, 3, 1, 0, 4, 0, 1), *result(0, 4, 200, 5, 0, 0, 1, 1, 0),
     *result(0, 5, 25, 2, 1, 1, 5, 0, 0)],  # booked without a logged click
]


def write_lines(path, lines, newline="\n"):
    path.write_bytes("".join(line + newline for line in lines).encode())
    return path


def write_kaggle(path, lines=KAGGLE_LINES, newline="\n"):
    return write_lines(path, [KAGGLE_HEADER, *lines], newline)


def write_rectour(path, rows=RECTOUR_LINES, newline="\n"):
    lines = [",".join(str(value) for value in row) for row in rows]
    return write_lines(path, [RECTOUR_HEADER, *lines], newline)


def columns(table):
    return {name: table[name].tolist() for name in table.columns}


def test_the_kaggle_train_file_maps_every_column_by_hand(tmp_path):
    table = load_expedia(write_kaggle(tmp_path / "train.csv"))
    # sorted by time, search, position: lines 6, 5 (search 3, the day before), 4, 3, 2
    start_7 = 1 + (8 * 3600 + 32 * 60 + 15) / 86_400
    expected = {
        "time": [1439 / 1440, 1439 / 1440, start_7, start_7, start_7],
        "day": [0, 0, 1, 1, 1],
        "search_id": [0, 0, 1, 1, 1],  # srch_id 3, 7
        "guest_id": [NA] * 5,
        "market": [0, 0, 1, 1, 1],  # destinations 8192, 23246
        "listing_id": [0, 1, 3, 2, 1],  # props 5, 893, 10404, 21315
        "position": [1, 2, 1, 26, 27],
        "random_order": [False, False, False, False, True],
        "price": [104.77, 104.77, 104.77, np.nan, 104.77],
        "rating": [3.5, 3.5, np.nan, np.nan, 3.5],  # NULL and 0 (no reviews): unknown
        "review_count": [NA] * 5,
        "listing_age_days": [np.nan] * 5,
        "nights": [3, 1, 1, 1, 1],
        "guests": [3, NA, 4, 4, 4],
        "click": [0, 1, 1, 1, 0],  # line 5 was booked without click_bool: a booking is a click
        "long_click": [0] * 5,
        "booking_request": [0, 1, 1, 0, 0],
        "booked": [0, 1, 1, 0, 0],
        "original_srch_id": [3, 3, 7, 7, 7],
        "original_prop_id": [5, 893, 21315, 10404, 893],
        "original_destination_id": [8192, 8192, 23246, 23246, 23246],
        "site_id": [12] * 5,
        "prop_starrating": [3] * 5,
        "prop_location_score1": [2.83] * 5,
        "prop_location_score2": [np.nan, 0.0438, 0.0438, 0.0438, 0.0438],
        "prop_log_historical_price": [4.95] * 5,
        "promotion_flag": [0] * 5,
        "srch_booking_window": [0] * 5,
        "srch_room_count": [1] * 5,
        "gross_bookings_usd": [np.nan, np.nan, 280.5, np.nan, np.nan],
    }
    got = columns(table)
    for name in ("time", "price", "rating", "listing_age_days", "prop_location_score2",
                 "gross_bookings_usd"):
        np.testing.assert_allclose(got.pop(name), expected.pop(name), rtol=0, atol=1e-12)
    assert got == expected
    assert list(table.columns) == [*COLUMNS, *KAGGLE_EXTRA_COLUMNS]
    assert LEAKY_COLUMNS == ("gross_bookings_usd",) and table.columns[-1] == "gross_bookings_usd"
    assert table.index.equals(pd.RangeIndex(5))
    for name in ("guest_id", "position", "review_count", "nights", "guests"):
        assert isinstance(table[name].dtype, pd.Int64Dtype)
    assert table["random_order"].dtype == bool
    check_table(table)


def test_the_rectour_sample_maps_every_column_by_hand(tmp_path):
    table = load_expedia(write_rectour(tmp_path / "ExpediaSearchData.csv"))
    # line 3's search comes first (2021-06-08), its three results in order, then line 2's
    first, second = (23 * 60 + 53) / 1440, 7 + (19 * 60 + 12) / 1440
    expected = {
        "time": [first] * 3 + [second] * 3,
        "day": [0, 0, 0, 7, 7, 7],
        "search_id": [1, 1, 1, 0, 0, 0],  # the line's search: line − 2
        "guest_id": [NA] * 6,
        "market": [1, 1, 1, 0, 0, 0],  # destinations 390, 61050
        "listing_id": [3, 4, 5, 0, 1, 2],  # 3 · search + p − 1
        "position": [1, 2, 3, 1, 2, 3],
        "random_order": [False] * 6,
        "price": [np.nan] * 6,
        "rating": [3.0, 4.0, 5.0, 5.0, np.nan, 4.0],  # 0 with 0 reviews: unknown
        "review_count": [150, 200, 25, 1175, 0, 1325],
        "listing_age_days": [np.nan] * 6,
        "nights": [3, 3, 3, 1, 1, 1],
        "guests": [3, 3, 3, 2, 2, 2],  # adults + children; the infant is not counted
        "click": [1, 1, 0, 0, 1, 0],  # a booking without a logged click is a click
        "long_click": [0] * 6,
        "booking_request": [1, 0, 0, 0, 1, 0],
        "booked": [1, 0, 0, 0, 1, 0],
        "original_destination_id": [61050] * 3 + [390] * 3,
        "geo_location_country": [1, 1, 1, 2, 2, 2],
        "is_mobile": [0, 0, 0, 1, 1, 1],
        "room_count": [2, 2, 2, 1, 1, 1],
        "infant_count": [1, 1, 1, 0, 0, 0],
        "is_travel_ad": [0, 0, 0, 0, 1, 0],
        "star_rating": [3.0, 5.0, 2.0, 4.0, 4.0, 3.0],
        "is_free_cancellation": [1, 0, 1, 0, 1, 0],
        "is_drr": [0, 0, 1, 0, 0, 1],
        "price_bucket": [4, 1, 5, 3, NA, NA],  # NA and empty: unknown
        "num_clicks": [0, 1, 0, 0, 2, 0],
    }
    got = columns(table)
    for name in ("time", "price", "rating", "listing_age_days"):
        np.testing.assert_allclose(got.pop(name), expected.pop(name), rtol=0, atol=1e-12)
    assert got == expected
    assert list(table.columns) == [*COLUMNS, *RECTOUR_EXTRA_COLUMNS]
    assert isinstance(table["price_bucket"].dtype, pd.Int64Dtype)
    check_table(table)


def test_expedias_grading_is_the_schemas_rule_with_its_gains(tmp_path):
    table = load_expedia(write_kaggle(tmp_path / "train.csv"))
    gains = {"booked": 5.0, "rejected": 0.0, "long_click": 0.0, "click": 1.0, "viewed": 0.0}
    assert graded_relevance(table, gains).tolist() == [0.0, 5.0, 5.0, 1.0, 0.0]


def test_describe_counts_searches_listings_and_rates(tmp_path):
    kaggle = describe_expedia(load_expedia(write_kaggle(tmp_path / "train.csv")))
    assert kaggle == {
        "rows": 5, "searches": 2, "listings": 4, "markets": 2, "days": 2,
        "results_per_search": 2.5, "random_share": 0.2, "click_rate": 0.6, "booking_rate": 0.4,
        "searches_booked": 1.0, "price_known": 0.8, "rating_known": 0.6,
    }
    rectour = describe_expedia(load_expedia(write_rectour(tmp_path / "ExpediaSearchData.csv")))
    assert rectour == {
        "rows": 6, "searches": 2, "listings": 6, "markets": 2, "days": 8,
        "results_per_search": 3.0, "random_share": 0.0, "click_rate": 0.5,
        "booking_rate": 2 / 6, "searches_booked": 1.0, "price_known": 0.0,
        "rating_known": 5 / 6,
    }
    with pytest.raises(ValueError, match="no rows to describe"):
        describe_expedia(load_expedia(tmp_path / "train.csv").iloc[:0])


def test_windows_line_endings_read_the_same(tmp_path):
    pd.testing.assert_frame_equal(load_expedia(write_kaggle(tmp_path / "w.csv", newline="\r\n")),
                                  load_expedia(write_kaggle(tmp_path / "u.csv")))
    pd.testing.assert_frame_equal(
        load_expedia(write_rectour(tmp_path / "rw.csv", newline="\r\n")),
        load_expedia(write_rectour(tmp_path / "ru.csv")))


def test_a_header_in_neither_layout_names_the_file_and_both_headers(tmp_path):
    path = write_lines(tmp_path / "train.csv",
                       [KAGGLE_HEADER.replace("prop_id", "property_id"), *KAGGLE_LINES])
    message = (f"{re.escape(str(path))}, line 1: not an Expedia search log: expected the header "
               f"of Kaggle's train.csv \\('{re.escape(KAGGLE_HEADER)}'\\) or of the RecTour "
               f"sample ExpediaSearchData.csv \\('{re.escape(RECTOUR_HEADER)}'\\); found "
               "'srch_id,date_time,")
    with pytest.raises(DataFileError, match=f"^{message}"):
        load_expedia(path)


def test_kaggles_test_file_is_refused_for_its_missing_outcomes(tmp_path):
    path = write_lines(tmp_path / "test.csv", [KAGGLE_TEST_HEADER, "1,2013-04-04 08:32:15"])
    with pytest.raises(DataFileError, match=r"test\.csv, line 1: the header of Kaggle's test\.csv,"
                                            r" which has no position, click_bool, "
                                            r"gross_bookings_usd, booking_bool"):
        load_expedia(path)


def replace_field(line, columns_, name, value):
    values = line.split(",")
    values[columns_.index(name)] = value
    return ",".join(values)


@pytest.mark.parametrize(
    ("number", "name", "value", "problem"),
    [
        (3, "prop_review_score", "x", "field prop_review_score = x is not allowed: a number in "
                                      "[0, 5] or NULL"),
        (4, "prop_review_score", "NA", "field prop_review_score = NA is not allowed"),  # NULL only
        (5, "position", "0", "field position = 0 is not allowed: an integer >= 1"),
        (2, "date_time", "04/04/2013 08:32", "field date_time = 04/04/2013 08:32 is not allowed: "
                                             "a date and time YYYY-MM-DD HH:MM:SS"),
        (6, "booking_bool", "2", "field booking_bool = 2 is not allowed: an integer in [0, 1]"),
        (3, "comp5_inv", "", "field comp5_inv is empty"),  # Kaggle writes NULL, never nothing
    ],
)
def test_a_bad_kaggle_value_names_the_file_and_the_line(tmp_path, number, name, value, problem):
    lines = list(KAGGLE_LINES)
    lines[number - 2] = replace_field(lines[number - 2], KAGGLE_COLUMNS, name, value)
    path = write_kaggle(tmp_path / "train.csv", lines)
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line {number}: "
                                            f"{re.escape(problem)}"):
        load_expedia(path)


@pytest.mark.parametrize(
    ("number", "name", "value", "problem"),
    [
        (2, "price_bucket1", "7", "field price_bucket1 = 7 is not allowed: an integer in [1, 5] "
                                  "or NA, or empty"),
        (3, "review_rating2", "4.5x", "field review_rating2 = '4.5x' is not a finite number"),
        (3, "search_timestamp", "2021-06-08 23:53:00", "field search_timestamp = 2021-06-08 "
                                                       "23:53:00 is not allowed: a UTC time"),
        (2, "num_clicks3", "-1", "field num_clicks3 = -1 is not allowed: an integer >= 0"),
    ],
)
def test_a_bad_rectour_value_names_the_file_and_the_line(tmp_path, number, name, value, problem):
    rows = [list(row) for row in RECTOUR_LINES]
    rows[number - 2][RECTOUR_COLUMNS.index(name)] = value
    path = write_rectour(tmp_path / "ExpediaSearchData.csv", rows)
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line {number}: "
                                            f"{re.escape(problem)}"):
        load_expedia(path)


def test_a_stay_that_does_not_end_after_it_starts_is_refused(tmp_path):
    rows = [list(row) for row in RECTOUR_LINES]
    rows[1][RECTOUR_COLUMNS.index("checkout_date")] = "2021-06-22"
    path = write_rectour(tmp_path / "ExpediaSearchData.csv", rows)
    with pytest.raises(DataFileError, match=f"^{re.escape(str(path))}, line 3: checkout_date "
                                            "2021-06-22 is not after checkin_date 2021-06-22"):
        load_expedia(path)


def test_a_wrong_field_count_and_a_blank_line_are_refused(tmp_path):
    path = write_kaggle(tmp_path / "train.csv", [*KAGGLE_LINES[:2], KAGGLE_LINES[2] + ",0"])
    with pytest.raises(DataFileError, match=", line 4: expected 54 fields separated by ',', "
                                            "found 55"):
        load_expedia(path)
    lines = [",".join(str(v) for v in row) for row in RECTOUR_LINES]
    path = write_lines(tmp_path / "ExpediaSearchData.csv", [RECTOUR_HEADER, lines[0], "", lines[1]])
    with pytest.raises(DataFileError, match=", line 3: the line is empty"):
        load_expedia(path)


@pytest.mark.parametrize("writer", [write_kaggle, write_rectour])
def test_a_file_cut_short_is_reported(tmp_path, writer):
    path = writer(tmp_path / "log.csv")
    path.write_bytes(path.read_bytes()[:-3])
    lines = path.read_text().count("\n") + 1
    with pytest.raises(DataFileError, match=f", line {lines}: the file does not end with a "
                                            "newline"):
        load_expedia(path)


def test_a_missing_empty_or_header_only_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "expedia" / "train.csv"
    with pytest.raises(DataFileError, match=f"^{re.escape(str(missing))}: no such file; expected "
                                            "an Expedia search log: .*does not ship either"):
        load_expedia(missing)
    empty = write_lines(tmp_path / "empty.csv", [])
    with pytest.raises(DataFileError, match="the file is empty"):
        load_expedia(empty)
    for header in (KAGGLE_HEADER, RECTOUR_HEADER):
        path = write_lines(tmp_path / "header.csv", [header])
        with pytest.raises(DataFileError, match=", line 2: the file ends after its header"):
            load_expedia(path)


def test_load_data_reads_an_expedia_file_as_real_data_without_a_world(tmp_path):
    from mlsd.cases.contract import has_truth
    from mlsd.cases.rental_search.data import load_data

    loaded = load_data("expedia", str(write_kaggle(tmp_path / "train.csv")))
    assert loaded.source == "expedia" and loaded.world is None and not has_truth(loaded)
    assert check_table(loaded.table) is loaded.table and loaded.sizes["users"] == 0
    assert loaded.sizes["rows"] == len(KAGGLE_LINES)
    with pytest.raises(ValueError, match="data_source 'expedia' needs data_path"):
        load_data("expedia")

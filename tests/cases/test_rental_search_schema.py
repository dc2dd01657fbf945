"""The rental-search schema on a small hand table: every rule of check_table refused with its
message, and the grades and gains of hand rows."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.rental_search.schema import (
    COLUMNS, GAINS, GRADES, check_table, grades, graded_relevance,
)

#            click, long_click, booking_request, booked: the grade each row should get
OUTCOMES = [(0, 0, 0, 0), (1, 0, 0, 0), (1, 1, 0, 0), (1, 1, 1, 0), (1, 1, 1, 1), (1, 0, 1, 1)]
EXPECTED = ["viewed", "click", "long_click", "rejected", "booked", "booked"]


def hand_table() -> pd.DataFrame:
    """Six rows of two searches, one from a source without guest, position or review count."""
    n = len(OUTCOMES)
    click, long_click, request, booked = (list(column) for column in zip(*OUTCOMES))
    return pd.DataFrame({
        "search_id": [0, 0, 0, 1, 1, 1],
        "time": [0.2, 0.2, 0.2, 1.5, 1.5, 1.5],
        "day": [0, 0, 0, 1, 1, 1],
        "guest_id": pd.array([7, 7, 7, None, None, None], dtype="Int64"),
        "market": [3] * n,
        "listing_id": [10, 11, 12, 10, 13, 14],
        "position": pd.array([1, 2, 3, None, None, None], dtype="Int64"),
        "random_order": [False, False, False, True, True, True],
        "price": [80.0, 120.5, np.nan, 95.0, 60.0, 300.0],
        "rating": [4.8, np.nan, 5.0, 0.0, 3.9, 4.2],
        "review_count": pd.array([12, 0, None, 3, 40, 7], dtype="Int64"),
        "listing_age_days": [400.0, 2.0, np.nan, 0.0, 900.0, 35.0],
        "nights": pd.array([3, 3, 3, None, None, None], dtype="Int64"),
        "guests": pd.array([2, 2, 2, 1, 1, 1], dtype="Int64"),
        "click": click,
        "long_click": long_click,
        "booking_request": request,
        "booked": booked,
    })


def test_a_table_that_follows_the_schema_is_returned_unchanged():
    table = hand_table()
    assert list(table.columns) == list(COLUMNS)
    assert check_table(table) is table
    assert check_table(table.assign(extra=1.0)).shape == (6, len(COLUMNS) + 1)  # columns after


def _broken(column, values):
    table = hand_table()
    table[column] = values
    return table


BROKEN = [
    (hand_table().drop(columns=["price", "booked"]), "missing columns ['price', 'booked']"),
    (_broken("listing_id", [10.0, 11, 12, 10, 13, 14]), "listing_id must hold integer codes >= 0"),
    (_broken("market", [3, 3, 3, 3, 3, -1]), "market must hold integer codes >= 0"),
    (_broken("day", [0, 0, 0, 1, 1, 1.5]), "day must hold integer codes >= 0"),
    (_broken("guest_id", [7, 7, 7, 8, 8, 8]),
     "guest_id must be a nullable Int64 of values >= 0 (<NA> where unknown)"),
    (_broken("position", pd.array([0, 1, 2, None, None, None], dtype="Int64")),
     "position must be a nullable Int64 of values >= 1 (<NA> where unknown)"),
    (_broken("review_count", pd.array([-1, 0, None, 3, 40, 7], dtype="Int64")),
     "review_count must be a nullable Int64 of values >= 0"),
    (_broken("nights", pd.array([0, 3, 3, None, None, None], dtype="Int64")),
     "nights must be a nullable Int64 of values >= 1"),
    (_broken("guests", pd.array([2, 2, 2, 1, 1, 0], dtype="Int64")),
     "guests must be a nullable Int64 of values >= 1"),
    (_broken("random_order", [0, 0, 0, 1, 1, 1]), "random_order must be bool"),
    (_broken("price", [80.0, 0.0, np.nan, 95.0, 60.0, 300.0]),
     "price must lie in (0, inf] (NaN where unknown)"),
    (_broken("rating", [4.8, np.nan, 5.1, 0.0, 3.9, 4.2]),
     "rating must lie in [0, 5] (NaN where unknown)"),
    (_broken("rating", [4.8, np.nan, 5.0, -0.1, 3.9, 4.2]), "rating must lie in [0, 5]"),
    (_broken("listing_age_days", [400.0, -2.0, np.nan, 0.0, 900.0, 35.0]),
     "listing_age_days must lie in [0, inf]"),
    (_broken("click", [0, 2, 1, 1, 1, 1]), "click must be 0 or 1"),
    (_broken("booked", [0, 0, 0, 0, 0.5, 1]), "booked must be 0 or 1"),
    (_broken("click", [0, 1, 0, 1, 1, 1]), "long_click = 1 needs click = 1 on the same row"),
    (_broken("long_click", [0, 0, 0, 0, 1, 0]).assign(click=[0, 0, 0, 0, 1, 0]),
     "booking_request = 1 needs click = 1 on the same row"),
    (_broken("booking_request", [0, 0, 0, 1, 1, 0]),
     "booked = 1 needs booking_request = 1 on the same row"),
    (_broken("time", [0.2, 0.2, 0.1, 1.5, 1.5, 1.5]), "rows must be sorted by time"),
]


@pytest.mark.parametrize("table, message", BROKEN, ids=[message for _, message in BROKEN])
def test_each_rule_broken_is_refused_with_its_message(table, message):
    with pytest.raises(ValueError) as error:
        check_table(table, source="hand.csv")
    assert str(error.value).startswith("hand.csv: ")
    assert message in str(error.value)


def test_the_missing_columns_message_lists_the_schema():
    with pytest.raises(ValueError) as error:
        check_table(hand_table().drop(columns=["time"]))
    assert str(error.value) == (f"search results: missing columns ['time']; the schema is "
                                f"{list(COLUMNS)}")


def test_each_row_gets_its_best_outcome_as_its_grade():
    table = hand_table()
    grade = grades(table)
    assert grade.tolist() == EXPECTED and grade.name == "grade"
    assert grade.index.equals(table.index)
    assert set(grade) == set(GRADES)


def test_graded_relevance_is_the_gain_of_the_grade():
    table = hand_table().set_index(pd.Index(list("abcdef")))
    relevance = graded_relevance(table)
    assert relevance.tolist() == [0.0, 0.01, 0.02, -0.4, 1.0, 1.0]
    assert relevance.name == "relevance" and relevance.index.equals(table.index)
    expedia = {"booked": 5, "rejected": 0, "long_click": 1, "click": 1, "viewed": 0}
    assert graded_relevance(table, expedia).tolist() == [0.0, 1.0, 1.0, 0.0, 5.0, 5.0]
    assert GAINS == {"booked": 1.0, "rejected": -0.4, "long_click": 0.02, "click": 0.01,
                     "viewed": 0.0}


@pytest.mark.parametrize("gains, message", [
    ({"booked": 1.0, "click": 0.01, "viewed": 0.0},
     "gains must name exactly the grades ['booked', 'rejected', 'long_click', 'click', 'viewed']; "
     "missing ['rejected', 'long_click'], unknown []"),
    ({**GAINS, "purchase": 2.0},
     "gains must name exactly the grades ['booked', 'rejected', 'long_click', 'click', 'viewed']; "
     "missing [], unknown ['purchase']"),
    ({**GAINS, "booked": "high"}, "gains['booked'] must be a finite number; got 'high'"),
    ({**GAINS, "rejected": float("nan")}, "gains['rejected'] must be a finite number; got nan"),
    ({**GAINS, "click": True}, "gains['click'] must be a finite number; got True"),
])
def test_bad_gains_are_refused(gains, message):
    with pytest.raises(ValueError) as error:
        graded_relevance(hand_table(), gains)
    assert str(error.value) == message

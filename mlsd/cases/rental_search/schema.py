"""The one table every rental-search source is mapped onto: listings shown for a search, and the
rule that grades them.

One row per listing shown in a search's results, sorted by ``time`` and, within a search, by
``position`` where it is known:

=====================================  ==========================================================
``search_id``                          int code >= 0: one search (location, dates, party) and the
                                       results it showed
``time``, ``day``                      days since the start (float) of the search, its whole day
``guest_id``                           the guest (``Int64``); ``<NA>`` where a source does not say
                                       (Expedia's logs have no user id)
``market``                             the searched destination, an int code >= 0
``listing_id``                         the listing (a property), an int code >= 0
``position``                           the listing's place in the results, 1, 2, … (``Int64``);
                                       ``<NA>`` where a source does not log it
``random_order``                       bool: the search's results were shown in a random order
                                       (exploration traffic; Expedia's ``random_bool``)
``price``                              the nightly price for the searched dates, > 0; NaN where
                                       unknown
``rating``                             the listing's mean review score, in [0, 5]; NaN where it has
                                       none
``review_count``                       its number of reviews (``Int64``), ``<NA>`` where unknown
``listing_age_days``                   days since the listing went live, >= 0; NaN where unknown
``nights``, ``guests``                 the search's length of stay and party size (``Int64``),
                                       ``<NA>`` where unknown
``click``                              0/1: the guest opened the listing
``long_click``                         0/1: opened it and stayed (a long click implies a click)
``booking_request``                    0/1: asked to book (implies a click)
``booked``                             0/1: the stay was booked — the request and the host's
                                       acceptance (implies a request; an instant booking is both)
=====================================  ==========================================================

A request the host rejected is ``booking_request = 1, booked = 0``. A source may add columns after
these; the simulator adds its truth, which no real log has (``examine_probability``,
``true_click``, ``true_long_click``, ``true_request`` and ``true_accept``).

The label a ranker trains on is a design choice, not a column: :func:`graded_relevance` grades each
row from its outcomes by :data:`GAINS` (after Airbnb's search-ranking talks: booked 1, a request the
host rejected −0.4, a click 0.01; a long click between), and a source's own grading (Expedia's
competition: booked 5, clicked 1) is the same rule with other gains.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mlsd.cases.contract import check_columns_and_codes
from mlsd.validation import check_number

OUTCOMES = ("click", "long_click", "booking_request", "booked")
"""The logged outcomes of a shown listing, each implying the one before (a request needs a click,
a booking a request; a long click is a kind of click)."""
GRADES = ("booked", "rejected", "long_click", "click", "viewed")
"""The grades of a shown listing, best first: each row has exactly one, its best outcome, with
``rejected`` a request the host turned down and ``viewed`` no click."""
GAINS: dict[str, float] = {"booked": 1.0, "rejected": -0.4, "long_click": 0.02, "click": 0.01,
                           "viewed": 0.0}
"""The default gain of each grade (Airbnb's talks: booked 1, host-rejected −0.4, click 0.01)."""
COLUMNS = (
    "search_id", "time", "day", "guest_id", "market", "listing_id", "position", "random_order",
    "price", "rating", "review_count", "listing_age_days", "nights", "guests", *OUTCOMES,
)
CODE_COLUMNS = ("search_id", "day", "market", "listing_id")
NULLABLE_CODE_COLUMNS = ("guest_id", "position", "review_count", "nights", "guests")
"""Counts and codes a source may not know: nullable ``Int64``, ``<NA>`` where unknown; ``position``,
``nights`` and ``guests`` count from 1."""
SIZE_COLUMNS = {"users": "guest_id", "items": "listing_id"}
"""The columns whose distinct values a loaded table's sizes count (no guest ids: 0 users)."""
LABEL_RULE = "graded_relevance"
"""The function of this module that turns shown listings into the graded labels a ranker learns."""


def grades(results: pd.DataFrame) -> pd.Series:
    """Each row's grade of :data:`GRADES`, indexed like ``results``: ``booked``, else ``rejected``
    (a request not booked), else ``long_click``, else ``click``, else ``viewed``."""
    booked = results["booked"].to_numpy() == 1
    requested = results["booking_request"].to_numpy() == 1
    grade = np.select(
        [booked, requested, results["long_click"].to_numpy() == 1,
         results["click"].to_numpy() == 1],
        ["booked", "rejected", "long_click", "click"], default="viewed",
    )
    return pd.Series(grade, index=results.index, name="grade")


def graded_relevance(results: pd.DataFrame, gains: Mapping[str, float] = GAINS) -> pd.Series:
    """The gain of each row's grade (:func:`grades`), ``gains[grade]``, indexed like ``results``:
    the label a ranker learns and NDCG discounts. ``gains`` names every grade of :data:`GRADES`;
    a different mapping is a different product decision (Expedia's competition: booked 5,
    clicked 1, every other grade 0)."""
    return grades(results).map(check_gains(gains)).astype(float).rename("relevance")


def check_gains(gains: Mapping[str, float]) -> dict[str, float]:
    """``gains`` as a dict if it gives a finite number to exactly the grades of :data:`GRADES`,
    else one ValueError naming the grades missing or unknown, or the gain that is not a number."""
    missing = [grade for grade in GRADES if grade not in gains]
    unknown = [grade for grade in gains if grade not in GRADES]
    if missing or unknown:
        raise ValueError(f"gains must name exactly the grades {list(GRADES)}; missing {missing}, "
                         f"unknown {unknown}")
    return {grade: check_number(f"gains[{grade!r}]", gains[grade]) for grade in GRADES}


def check_table(results: pd.DataFrame, source: str = "search results") -> pd.DataFrame:
    """Return ``results`` unchanged if it follows the schema, else raise one ValueError that names
    ``source`` and the first rule broken."""
    check_columns_and_codes(results, COLUMNS, CODE_COLUMNS, source)
    for column in NULLABLE_CODE_COLUMNS:
        values = results[column]
        lowest = 0 if column in ("guest_id", "review_count") else 1
        if not isinstance(values.dtype, pd.Int64Dtype) or (values.dropna() < lowest).any():
            raise ValueError(f"{source}: {column} must be a nullable Int64 of values >= {lowest} "
                             "(<NA> where unknown)")
    if not pd.api.types.is_bool_dtype(results["random_order"]):
        raise ValueError(f"{source}: random_order must be bool")
    _check_range(results, "price", source, low=0.0, low_open=True)
    _check_range(results, "rating", source, low=0.0, high=5.0)
    _check_range(results, "listing_age_days", source, low=0.0)
    for outcome in OUTCOMES:
        if not np.isin(results[outcome].to_numpy(), (0, 1)).all():
            raise ValueError(f"{source}: {outcome} must be 0 or 1")
    implied = (("long_click", "click"), ("booking_request", "click"), ("booked", "booking_request"))
    for outcome, needs in implied:
        if ((results[outcome] == 1) & (results[needs] == 0)).any():
            raise ValueError(f"{source}: {outcome} = 1 needs {needs} = 1 on the same row")
    if not results["time"].is_monotonic_increasing:
        raise ValueError(f"{source}: rows must be sorted by time")
    return results


def _check_range(results: pd.DataFrame, column: str, source: str, *, low: float,
                 high: float = np.inf, low_open: bool = False) -> None:
    """``column`` is a float column whose known values lie in ``[low, high]`` (``(low, high]``
    with ``low_open``); NaN is allowed (unknown)."""
    values = results[column].to_numpy(dtype=float)
    known = values[~np.isnan(values)]
    below = (known <= low) if low_open else (known < low)
    if below.any() or (known > high).any():
        bracket = "(" if low_open else "["
        raise ValueError(f"{source}: {column} must lie in {bracket}{low:g}, {high:g}] "
                         "(NaN where unknown)")

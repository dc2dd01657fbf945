"""Expedia's public hotel-search logs, read from a file the learner brings, mapped onto the
search-results table of :mod:`.schema`.

Two releases, neither shipped with the kit nor downloaded by it (``datasets/expedia.md`` says where
each comes from, under which terms, and where to put it under ``datasets/real/``). Nothing here
touches the network. The layout is detected from the first line (:func:`detect_layout`):

- **Kaggle 2013, "Personalize Expedia Hotel Searches - ICDM 2013"**, ``train.csv``
  (:data:`KAGGLE_HEADER`, 54 comma-separated columns): one line per (search, property) shown, with
  the property's position, whether it was clicked and booked, and ``random_bool`` for searches
  whose results were shown in a random order. A missing value is written ``NULL``. The
  competition's ``test.csv`` lacks ``position``, ``click_bool``, ``gross_bookings_usd`` and
  ``booking_bool`` and is refused: without outcomes, nothing can be graded.
- **Expedia Group RecTour 2021 research dataset, the sample** ``ExpediaSearchData.csv``
  (:data:`RECTOUR_HEADER`, 37 columns): one line per search — when, from which country, to which
  destination, for which dates and party — then nine columns for each of the first three results,
  ``p = 1, 2, 3``: ``is_travel_adp`` (a sponsored slot), ``review_ratingp``, ``review_countp``,
  ``star_ratingp``, ``is_free_cancellationp``, ``is_drrp``, ``price_bucketp`` (1 … 5, written
  ``NA`` or empty where unknown), ``num_clicksp`` and ``is_transp`` (a booking).

Every line is checked by :func:`mlsd.readers.read_table`; a value that may be missing is read as
text and must be a number in its range or the file's missing marker (``NULL``, ``NA``). A bad file
— a wrong header, a wrong field count, a bad value, a check-out not after the check-in, a last
line cut short — raises one :class:`~mlsd.readers.DataFileError` naming the file, the line
(numbered from 1, the header included) and the problem; nothing is returned.

Mapping onto :mod:`.schema` (one row per listing shown; rows sorted by ``time``, then search, then
``position``):

===================  ============================================  ==============================
column               Kaggle ``train.csv``                          RecTour sample
===================  ============================================  ==============================
``search_id``        dense code of ``srch_id`` (sorted ids)        the line's search, ``line − 2``
``time``, ``day``    days since midnight of the first search's day (``date_time`` as written —
                     its time zone is not published; ``search_timestamp`` in UTC), and its floor
``guest_id``         ``<NA>``: no user id                          ``<NA>``: no user id
``market``           dense code of ``srch_destination_id``         dense code of ``destination_id``
``listing_id``       dense code of ``prop_id``                     ``3 · search_id + p − 1``: no
                                                                   property id is published, so
                                                                   each (search, p) is its own
                                                                   listing
``position``         ``position``                                  ``p`` (1, 2 or 3)
``random_order``     ``random_bool == 1``                          False
``price``            ``price_usd``; 0 → NaN                        NaN (``price_bucket`` is kept)
``rating``           ``prop_review_score``; 0 (no reviews) and     ``review_ratingp``; 0 (no
                     ``NULL`` → NaN                                reviews) → NaN
``review_count``     ``<NA>``                                      ``review_countp``
``listing_age_days`` NaN                                           NaN
``nights``           ``srch_length_of_stay``                       check-out − check-in, in days
``guests``           adults + children; ``<NA>`` if 0              adults + children (infants not
                                                                   counted); ``<NA>`` if 0
``click``            ``click_bool`` or ``booking_bool``            ``num_clicksp > 0`` or
                                                                   ``is_transp``
``long_click``       0: not logged                                 0: not logged
``booking_request``  ``booking_bool``                              ``is_transp``
``booked``           ``booking_bool`` (instant booking: no         ``is_transp``
                     host rejects a request)
===================  ============================================  ==============================

A booking counts as a click (``click`` is 1 on a booked row) because the schema makes each outcome
imply the one before it and a listing is opened to be booked. After the schema's columns come
:data:`KAGGLE_EXTRA_COLUMNS` or :data:`RECTOUR_EXTRA_COLUMNS`.

What each cannot show:

- neither has a guest id (no personalisation by history, no per-guest split), a long click (so
  the ``long_click`` grade never occurs), a host rejection (so ``rejected`` never occurs) or the
  age of a listing;
- Kaggle: ``price_usd`` is per night on some points of sale and per stay on others, with or
  without taxes (the competition's own note); ``gross_bookings_usd`` is known only after a
  booking — a **leak**: it is kept, last, only for an exercise on leakage
  (:data:`LEAKY_COLUMNS`), and must never be a feature. The lines are mostly searches that ended
  in a booking (the competition's note), so the booking rate is far above a real one.
- RecTour sample: three results per search, no property ids (no listing can be learned across
  searches), prices as buckets only, no random ordering; 1,000 searches with at least one click,
  2021-06-01 … 2021-07-31, as the course material that distributed it describes it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from mlsd.cases.rental_search.schema import COLUMNS, check_table
from mlsd.readers import DataFileError, Field, Layout, check_file, read_table

ENCODING = "utf-8-sig"
SECONDS_PER_DAY = 86_400
KAGGLE_URL = "https://www.kaggle.com/c/expedia-personalized-sort/data"
RECTOUR_PAPER_URL = "https://ceur-ws.org/Vol-2974/invited1.pdf"
NOT_SHIPPED = (
    "an Expedia search log: Kaggle's train.csv of 'Personalize Expedia Hotel Searches - ICDM "
    f"2013' ({KAGGLE_URL}) or the RecTour 2021 sample ExpediaSearchData.csv. The kit does not "
    "ship either and never downloads them: fetch one yourself, put it under datasets/real/expedia/ "
    "and see datasets/expedia.md"
)

KAGGLE_NULL = "NULL"
"""How Kaggle's files write a missing value."""
RECTOUR_NA = "NA"
"""How the RecTour sample writes a missing price bucket (an empty value is read as missing too)."""
COMPETITORS = range(1, 9)
KAGGLE_TEST_ONLY_MISSING = ("position", "click_bool", "gross_bookings_usd", "booking_bool")
KAGGLE_COLUMNS = (
    "srch_id", "date_time", "site_id", "visitor_location_country_id", "visitor_hist_starrating",
    "visitor_hist_adr_usd", "prop_country_id", "prop_id", "prop_starrating", "prop_review_score",
    "prop_brand_bool", "prop_location_score1", "prop_location_score2",
    "prop_log_historical_price", "position", "price_usd", "promotion_flag", "srch_destination_id",
    "srch_length_of_stay", "srch_booking_window", "srch_adults_count", "srch_children_count",
    "srch_room_count", "srch_saturday_night_bool", "srch_query_affinity_score",
    "orig_destination_distance", "random_bool",
    *(f"comp{i}_{what}" for i in COMPETITORS for what in ("rate", "inv", "rate_percent_diff")),
    "click_bool", "gross_bookings_usd", "booking_bool",
)
KAGGLE_HEADER = ",".join(KAGGLE_COLUMNS)
"""The first line of the competition's ``train.csv``."""
KAGGLE_TEST_HEADER = ",".join(c for c in KAGGLE_COLUMNS if c not in KAGGLE_TEST_ONLY_MISSING)
"""The first line of its ``test.csv``, which the loader refuses."""
RESULT_FIELDS = ("is_travel_ad", "review_rating", "review_count", "star_rating",
                 "is_free_cancellation", "is_drr", "price_bucket", "num_clicks", "is_trans")
SHOWN = (1, 2, 3)
"""The results of a search the RecTour sample lists, by position."""
RECTOUR_COLUMNS = (
    "search_timestamp", "geo_location_country", "is_mobile", "destination_id", "checkin_date",
    "checkout_date", "adult_count", "child_count", "infant_count", "room_count",
    *(f"{name}{p}" for p in SHOWN for name in RESULT_FIELDS),
)
RECTOUR_HEADER = ",".join(RECTOUR_COLUMNS)
"""The first line of the RecTour sample ``ExpediaSearchData.csv``."""
KAGGLE_EXTRA_COLUMNS = (
    "original_srch_id", "original_prop_id", "original_destination_id", "site_id",
    "prop_starrating", "prop_location_score1", "prop_location_score2",
    "prop_log_historical_price", "promotion_flag", "srch_booking_window", "srch_room_count",
    "gross_bookings_usd",
)
"""The Kaggle table's columns after the schema's, in order; the last is a leak."""
LEAKY_COLUMNS = ("gross_bookings_usd",)
"""Columns known only after the outcome (the value of the booking): never a feature."""
RECTOUR_EXTRA_COLUMNS = (
    "original_destination_id", "geo_location_country", "is_mobile", "room_count", "infant_count",
    "is_travel_ad", "star_rating", "is_free_cancellation", "is_drr", "price_bucket", "num_clicks",
)
"""The RecTour table's columns after the schema's, in order."""


def _texts_matching(pattern: str):
    """A predicate: where text values parse as datetimes in ``pattern``."""
    def allowed(values: np.ndarray) -> np.ndarray:
        parsed = pd.to_datetime(pd.Series(values, dtype=object), format=pattern, errors="coerce")
        return parsed.notna().to_numpy()
    return allowed


def _number_or(marker: str, low: float, high: float, whole: bool = False):
    """A predicate: where text values are ``marker`` or a number in ``[low, high]`` (whole)."""
    def allowed(values: np.ndarray) -> np.ndarray:
        numbers = _numbers(values)
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(numbers) & (numbers >= low) & (numbers <= high)
            if whole:
                ok &= np.floor(numbers) == numbers
        return ok | (values == marker)
    return allowed


def _numbers(values) -> np.ndarray:
    """Text values as float64: NaN where a value is not a number (a missing marker, None)."""
    series = pd.Series(np.asarray(values, dtype=object), dtype=object)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _maybe_missing(name: str, marker: str, low: float = -np.inf, high: float = np.inf, *,
                   whole: bool = False, optional: bool = False) -> Field:
    """A field read as text: ``marker`` (missing) or a number in ``[low, high]``."""
    kind = "an integer" if whole else "a number"
    if np.isfinite(low) and np.isfinite(high):
        kind += f" in [{low:g}, {high:g}]"
    elif np.isfinite(low):
        kind += f" >= {low:g}"
    empty = ", or empty" if optional else ""
    return Field(name, str, allowed=_number_or(marker, low, high, whole),
                 description=f"{kind} or {marker}{empty}", optional=optional)


def _flag(name: str) -> Field:
    return Field(name, int, low=0, high=1)


def _kaggle_fields() -> tuple[Field, ...]:
    null = KAGGLE_NULL
    competitors = [_maybe_missing(f"comp{i}_{what}", null) for i in COMPETITORS
                   for what in ("rate", "inv", "rate_percent_diff")]
    return (
        Field("srch_id", int, low=0),
        Field("date_time", str, allowed=_texts_matching("%Y-%m-%d %H:%M:%S"),
              description="a date and time YYYY-MM-DD HH:MM:SS"),
        Field("site_id", int, low=0),
        Field("visitor_location_country_id", int, low=0),
        _maybe_missing("visitor_hist_starrating", null, 0, 5),
        _maybe_missing("visitor_hist_adr_usd", null, 0),
        Field("prop_country_id", int, low=0),
        Field("prop_id", int, low=0),
        Field("prop_starrating", int, low=0, high=5),
        _maybe_missing("prop_review_score", null, 0, 5),
        _flag("prop_brand_bool"),
        Field("prop_location_score1", float),
        _maybe_missing("prop_location_score2", null),
        Field("prop_log_historical_price", float, low=0),
        Field("position", int, low=1),
        Field("price_usd", float, low=0),
        _flag("promotion_flag"),
        Field("srch_destination_id", int, low=0),
        Field("srch_length_of_stay", int, low=1),
        Field("srch_booking_window", int, low=0),
        Field("srch_adults_count", int, low=0),
        Field("srch_children_count", int, low=0),
        Field("srch_room_count", int, low=0),
        _flag("srch_saturday_night_bool"),
        _maybe_missing("srch_query_affinity_score", null),
        _maybe_missing("orig_destination_distance", null, 0),
        _flag("random_bool"),
        *competitors,
        _flag("click_bool"),
        _maybe_missing("gross_bookings_usd", null),
        _flag("booking_bool"),
    )


def _rectour_fields() -> tuple[Field, ...]:
    per_result = []
    for p in SHOWN:
        per_result += [
            _flag(f"is_travel_ad{p}"),
            Field(f"review_rating{p}", float, low=0, high=5),
            Field(f"review_count{p}", int, low=0),
            Field(f"star_rating{p}", float, low=0, high=5),
            _flag(f"is_free_cancellation{p}"),
            _flag(f"is_drr{p}"),
            _maybe_missing(f"price_bucket{p}", RECTOUR_NA, 1, 5, whole=True, optional=True),
            Field(f"num_clicks{p}", int, low=0),
            _flag(f"is_trans{p}"),
        ]
    date = "a date YYYY-MM-DD"
    return (
        Field("search_timestamp", str, allowed=_texts_matching("%Y-%m-%dT%H:%M:%SZ"),
              description="a UTC time YYYY-MM-DDTHH:MM:SSZ"),
        Field("geo_location_country", int, low=0),
        _flag("is_mobile"),
        Field("destination_id", int, low=0),
        Field("checkin_date", str, allowed=_texts_matching("%Y-%m-%d"), description=date),
        Field("checkout_date", str, allowed=_texts_matching("%Y-%m-%d"), description=date),
        Field("adult_count", int, low=0),
        Field("child_count", int, low=0),
        Field("infant_count", int, low=0),
        Field("room_count", int, low=0),
        *per_result,
    )


KAGGLE_TRAIN = Layout(
    "Kaggle's train.csv of 'Personalize Expedia Hotel Searches - ICDM 2013': comma-separated, "
    f"the header {KAGGLE_HEADER[:40]}…,booking_bool ({len(KAGGLE_COLUMNS)} columns), NULL where "
    "a value is missing",
    ",",
    _kaggle_fields(),
    header=KAGGLE_HEADER,
)
RECTOUR_SAMPLE = Layout(
    "the RecTour 2021 sample ExpediaSearchData.csv: comma-separated, the header "
    f"{RECTOUR_HEADER[:40]}…,is_trans3 ({len(RECTOUR_COLUMNS)} columns), NA or empty where a "
    "price bucket is missing",
    ",",
    _rectour_fields(),
    header=RECTOUR_HEADER,
)


def load_expedia(path: str | os.PathLike) -> pd.DataFrame:
    """Read an Expedia search log in either layout and map it onto the search-results table.

    Parameters
    ----------
    path : str or os.PathLike
        Kaggle's ``train.csv`` or the RecTour sample ``ExpediaSearchData.csv``, e.g.
        ``datasets/real/expedia/train.csv``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`~.schema.COLUMNS`, then :data:`KAGGLE_EXTRA_COLUMNS` or
        :data:`RECTOUR_EXTRA_COLUMNS`, mapped as the module docstring says; one row per listing
        shown, sorted by ``time``, then search, then ``position``; index 0 … n − 1. It passes
        :func:`~.schema.check_table`.

    Raises
    ------
    mlsd.readers.DataFileError
        A ValueError, if the file is missing (the message says where to get one), empty, in
        neither layout (the message names both headers) or Kaggle's ``test.csv``, or has a bad
        line; the message names the file, the line and the problem.
    """
    layout = detect_layout(path)
    lines = read_table(path, layout)
    if layout is KAGGLE_TRAIN:
        table = _kaggle_results(lines)
    else:
        table = _rectour_results(lines, Path(path))
    return check_table(table, source=str(path))


def detect_layout(path: str | os.PathLike) -> Layout:
    """:data:`KAGGLE_TRAIN` or :data:`RECTOUR_SAMPLE`, from the file's first line.

    Raises
    ------
    mlsd.readers.DataFileError
        If the file is missing or empty, is Kaggle's ``test.csv`` (no outcomes), or its first line
        is neither header; the message names both.
    """
    path = check_file(path, NOT_SHIPPED)
    with open(path, encoding=ENCODING, errors="replace") as file:
        first_line = file.readline().strip()
    if first_line == KAGGLE_HEADER:
        return KAGGLE_TRAIN
    if first_line == RECTOUR_HEADER:
        return RECTOUR_SAMPLE
    if first_line == KAGGLE_TEST_HEADER:
        missing = ", ".join(KAGGLE_TEST_ONLY_MISSING)
        raise DataFileError(path, 1, f"the header of Kaggle's test.csv, which has no {missing}: "
                                     "without outcomes nothing can be graded; use train.csv")
    raise DataFileError(
        path, 1,
        f"not an Expedia search log: expected the header of Kaggle's train.csv ({KAGGLE_HEADER!r})"
        f" or of the RecTour sample ExpediaSearchData.csv ({RECTOUR_HEADER!r}); found "
        f"{_shortened(first_line)!r}",
    )


def _kaggle_results(lines: pd.DataFrame) -> pd.DataFrame:
    """Kaggle lines (read by :data:`KAGGLE_TRAIN`) mapped onto the schema, sorted."""
    seconds = _seconds(lines["date_time"], "%Y-%m-%d %H:%M:%S")
    order = np.lexsort((lines["position"].to_numpy(), lines["srch_id"].to_numpy(), seconds))
    line = lines.iloc[order].reset_index(drop=True)
    seconds = seconds[order]
    n = len(line)
    booked = line["booking_bool"].to_numpy(dtype=np.int8)
    price = line["price_usd"].to_numpy(dtype=np.float64)
    rating = _numbers(line["prop_review_score"])
    table = {
        **_clock(seconds),
        "search_id": _dense_codes(line["srch_id"].to_numpy()),
        "guest_id": _unknown_counts(n),
        "market": _dense_codes(line["srch_destination_id"].to_numpy()),
        "listing_id": _dense_codes(line["prop_id"].to_numpy()),
        "position": pd.array(line["position"].to_numpy(), dtype="Int64"),
        "random_order": line["random_bool"].to_numpy() == 1,
        "price": np.where(price > 0, price, np.nan),
        "rating": np.where(rating > 0, rating, np.nan),
        "review_count": _unknown_counts(n),
        "listing_age_days": np.full(n, np.nan),
        "nights": pd.array(line["srch_length_of_stay"].to_numpy(), dtype="Int64"),
        "guests": _party(line["srch_adults_count"], line["srch_children_count"]),
        **_outcomes(line["click_bool"].to_numpy(dtype=np.int8), booked),
        "original_srch_id": line["srch_id"].to_numpy(),
        "original_prop_id": line["prop_id"].to_numpy(),
        "original_destination_id": line["srch_destination_id"].to_numpy(),
        "site_id": line["site_id"].to_numpy(),
        "prop_starrating": line["prop_starrating"].to_numpy(),
        "prop_location_score1": line["prop_location_score1"].to_numpy(),
        "prop_location_score2": _numbers(line["prop_location_score2"]),
        "prop_log_historical_price": line["prop_log_historical_price"].to_numpy(),
        "promotion_flag": line["promotion_flag"].to_numpy(dtype=np.int8),
        "srch_booking_window": line["srch_booking_window"].to_numpy(),
        "srch_room_count": line["srch_room_count"].to_numpy(),
        "gross_bookings_usd": _numbers(line["gross_bookings_usd"]),
    }
    return pd.DataFrame({name: table[name] for name in (*COLUMNS, *KAGGLE_EXTRA_COLUMNS)})


def _rectour_results(lines: pd.DataFrame, path: Path) -> pd.DataFrame:
    """RecTour lines (one per search) mapped onto the schema: three rows a line, sorted."""
    nights = _nights(lines, path)
    seconds = _seconds(lines["search_timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    n_searches, shown = len(lines), len(SHOWN)
    search = np.repeat(np.arange(n_searches, dtype=np.int64), shown)
    position = np.tile(np.array(SHOWN, dtype=np.int64), n_searches)

    def per_result(name: str) -> np.ndarray:
        """Column ``name`` of each (search, p), search-major: p = 1, 2, 3 of line 2, then …"""
        return np.column_stack([lines[f"{name}{p}"].to_numpy() for p in SHOWN]).ravel()

    def per_search(values) -> np.ndarray:
        return np.repeat(np.asarray(values), shown)

    rating = per_result("review_rating").astype(np.float64)
    bucket = np.column_stack([_numbers(lines[f"price_bucket{p}"]) for p in SHOWN]).ravel()
    clicks = per_result("num_clicks")
    booked = per_result("is_trans").astype(np.int8)
    n = len(search)
    table = {
        **_clock(per_search(seconds)),
        "search_id": search,
        "guest_id": _unknown_counts(n),
        "market": per_search(_dense_codes(lines["destination_id"].to_numpy())),
        "listing_id": search * shown + position - 1,
        "position": pd.array(position, dtype="Int64"),
        "random_order": np.zeros(n, dtype=bool),
        "price": np.full(n, np.nan),
        "rating": np.where(rating > 0, rating, np.nan),
        "review_count": pd.array(per_result("review_count"), dtype="Int64"),
        "listing_age_days": np.full(n, np.nan),
        "nights": pd.array(per_search(nights), dtype="Int64"),
        "guests": pd.array(per_search(_party(lines["adult_count"], lines["child_count"])),
                           dtype="Int64"),
        **_outcomes((clicks > 0).astype(np.int8), booked),
        "original_destination_id": per_search(lines["destination_id"]),
        "geo_location_country": per_search(lines["geo_location_country"]),
        "is_mobile": per_search(lines["is_mobile"]).astype(np.int8),
        "room_count": per_search(lines["room_count"]),
        "infant_count": per_search(lines["infant_count"]),
        "is_travel_ad": per_result("is_travel_ad").astype(np.int8),
        "star_rating": per_result("star_rating").astype(np.float64),
        "is_free_cancellation": per_result("is_free_cancellation").astype(np.int8),
        "is_drr": per_result("is_drr").astype(np.int8),
        "price_bucket": _nullable(bucket),
        "num_clicks": clicks,
    }
    frame = pd.DataFrame({name: table[name] for name in (*COLUMNS, *RECTOUR_EXTRA_COLUMNS)})
    order = np.lexsort((position, search, frame["time"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _nights(lines: pd.DataFrame, path: Path) -> np.ndarray:
    """Nights of each search, check-out − check-in in days; an error at a line where it is < 1."""
    checkin = pd.to_datetime(lines["checkin_date"], format="%Y-%m-%d")
    checkout = pd.to_datetime(lines["checkout_date"], format="%Y-%m-%d")
    nights = (checkout - checkin).dt.days.to_numpy(dtype=np.int64)
    if (nights < 1).any():
        row = int(np.argmax(nights < 1))
        raise DataFileError(path, row + 2, f"checkout_date {lines['checkout_date'].iloc[row]} is "
                                           f"not after checkin_date "
                                           f"{lines['checkin_date'].iloc[row]}: a stay is at "
                                           "least one night")
    return nights


def _seconds(texts: pd.Series, pattern: str) -> np.ndarray:
    """Seconds since 1970-01-01 of each time written in ``pattern`` (already checked)."""
    moments = pd.to_datetime(texts, format=pattern)
    return ((moments - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)).to_numpy(np.int64)


def _clock(seconds: np.ndarray) -> dict[str, np.ndarray]:
    """``time``: days since midnight of the earliest day; ``day``: its floor, the calendar day."""
    first_day = seconds.min() // SECONDS_PER_DAY
    time = (seconds - first_day * SECONDS_PER_DAY) / SECONDS_PER_DAY
    return {"time": time, "day": (seconds // SECONDS_PER_DAY - first_day).astype(np.int64)}


def _outcomes(click: np.ndarray, booked: np.ndarray) -> dict[str, np.ndarray]:
    """The schema's outcomes from a click flag and an instant booking (a booking is a click, a
    request and its acceptance)."""
    return {
        "click": np.maximum(click, booked).astype(np.int8),
        "long_click": np.zeros(len(booked), dtype=np.int8),
        "booking_request": booked.astype(np.int8),
        "booked": booked.astype(np.int8),
    }


def _party(adults: pd.Series, children: pd.Series) -> pd.arrays.IntegerArray:
    """Adults + children, ``<NA>`` where the sum is 0 (a party has at least one guest)."""
    total = adults.to_numpy(dtype=np.int64) + children.to_numpy(dtype=np.int64)
    return pd.arrays.IntegerArray(total, total == 0)


def _unknown_counts(n: int) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool))


def _nullable(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers in float64 as ``Int64``, ``<NA>`` where NaN."""
    missing = np.isnan(values)
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def _dense_codes(ids: np.ndarray) -> np.ndarray:
    """Codes 0 … n − 1 in the order of the sorted distinct ids, as int64."""
    codes, _ = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False)


def describe_expedia(results: pd.DataFrame) -> dict[str, int | float]:
    """Summary numbers of a table from :func:`load_expedia`, for a notebook to print.

    Returns
    -------
    dict
        ``rows``, ``searches``, ``listings``, ``markets`` (distinct codes), ``days`` (last ``day``
        + 1), ``results_per_search`` (rows / searches), ``random_share`` (share of rows with
        ``random_order``), ``click_rate`` and ``booking_rate`` (per row), ``searches_booked``
        (share of searches with a booking), ``price_known`` and ``rating_known`` (share of rows
        with a price, a rating).
    """
    check_table(results)
    if results.empty:
        raise ValueError("results: no rows to describe")
    searches = int(results["search_id"].nunique())
    booked_searches = results.loc[results["booked"] == 1, "search_id"].nunique()
    return {
        "rows": len(results),
        "searches": searches,
        "listings": int(results["listing_id"].nunique()),
        "markets": int(results["market"].nunique()),
        "days": int(results["day"].max()) + 1,
        "results_per_search": len(results) / searches,
        "random_share": float(results["random_order"].mean()),
        "click_rate": float(results["click"].mean()),
        "booking_rate": float(results["booked"].mean()),
        "searches_booked": booked_searches / searches,
        "price_known": float(results["price"].notna().mean()),
        "rating_known": float(results["rating"].notna().mean()),
    }


def _shortened(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


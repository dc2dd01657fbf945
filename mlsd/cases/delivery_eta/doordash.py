"""DoorDash's data-science take-home ``historical_data.csv``, read from a file the learner brings,
mapped onto the orders table of :mod:`.schema`.

The file is not shipped with the kit nor downloaded by it; copies of the take-home circulate on
GitHub and Kaggle mirrors. Put it at ``datasets/real/doordash/historical_data.csv``. Nothing here
touches the network.

The layout (:data:`DOORDASH`): comma-separated, the header :data:`HEADER`, one line per order of
early 2015. Timestamps are ``YYYY-MM-DD HH:MM:SS`` in UTC; money is in cents; durations are in
seconds. ``market_id``, ``order_protocol`` and the real-time counts are written as floats
(``1.0``) and may be empty, as may ``actual_delivery_time``, ``store_primary_category`` and the
drive estimate. Every line is checked by :func:`mlsd.readers.read_table`: a missing file (the
message says where to get one), a wrong header, a line cut short or with the wrong field count,
a timestamp that does not parse (so a non-numeric duration) raises one
:class:`~mlsd.readers.DataFileError` naming the file, the line (from 1, the header included) and
the problem; nothing is returned.

Mapping onto :mod:`.schema`:

==========================  ==================================================================
``duration_min``            ``(actual_delivery_time − created_at)`` in minutes; a line with no
                            ``actual_delivery_time`` is dropped, and so is one whose duration
                            is ``<= 0`` or ``>`` :data:`MAX_DURATION_MIN` (8 hours; the real
                            file has one of about 98 days)
``time``, ``day``           days since the earliest ``created_at`` of the rows kept (float
                            >= 0), and its floor
``hour``, ``weekday``       of ``created_at`` as the file gives it: **UTC** hours (not the
                            market's local time), weekday 0 = Monday
``order_id``                0 … n − 1 in time order (rows sorted by ``time``, stable: ties keep
                            the file's order)
``market``                  dense code of ``market_id`` (sorted ids), ``<NA>`` where empty
``store_id``                dense code of ``store_id`` (sorted ids)
``category``                ``store_primary_category``, ``"unknown"`` where empty
``total_items``             ``total_items``
``distinct_items``          ``num_distinct_items``
``subtotal``                ``subtotal / 100`` (dollars)
``distance_km``             NaN: no coordinates are published
``drive_estimate_min``      ``estimated_store_to_consumer_driving_duration / 60``, NaN where
                            empty
``outstanding_orders``      ``total_outstanding_orders``; NaN where empty or negative
``onshift_couriers``        ``total_onshift_dashers``; NaN where empty or negative
``busy_couriers``           ``total_busy_dashers``; NaN where empty or negative
``rain``, ``holiday``       NaN: not published
``delivered_time``          ``time + duration_min / 1440``
==========================  ==================================================================

After the schema's columns come :data:`EXTRA_COLUMNS`: ``order_protocol`` (float, NaN where
empty), ``place_estimate_min`` (``estimated_order_place_duration / 60``) and ``min_item_price``,
``max_item_price`` in dollars (the real file has a few negative minimum prices; kept as written).

What was dropped or nulled is counted in ``table.attrs["report"]``, read by
:func:`doordash_report`.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.schema import COLUMNS, MINUTES_PER_DAY, check_table
from mlsd.readers import Field, Layout, check_file, read_table

SECONDS_PER_DAY = 86_400
MAX_DURATION_MIN = 8 * 60
"""The longest delivery kept, in minutes; a longer one (or one <= 0) is dropped and counted."""
TIMESTAMP = "%Y-%m-%d %H:%M:%S"
HEADER = (
    "market_id,created_at,actual_delivery_time,store_id,store_primary_category,order_protocol,"
    "total_items,subtotal,num_distinct_items,min_item_price,max_item_price,"
    "total_onshift_dashers,total_busy_dashers,total_outstanding_orders,"
    "estimated_order_place_duration,estimated_store_to_consumer_driving_duration"
)
"""The first line of ``historical_data.csv``."""
NOT_SHIPPED = (
    "DoorDash's data-science take-home historical_data.csv (copies are on GitHub and Kaggle "
    "mirrors). The kit does not ship it and never downloads it: fetch it yourself and put it at "
    "datasets/real/doordash/historical_data.csv"
)
EXTRA_COLUMNS = ("order_protocol", "place_estimate_min", "min_item_price", "max_item_price")
"""The table's columns after the schema's, in order."""
REALTIME = {"outstanding_orders": "total_outstanding_orders",
            "onshift_couriers": "total_onshift_dashers", "busy_couriers": "total_busy_dashers"}
"""The schema's real-time columns and the file's fields they come from."""
REPORT_KEYS = (
    "lines", "no_delivery_time", "duration_not_positive", "duration_over_cap", "rows",
    "market_unknown", "category_unknown", "drive_estimate_unknown",
    *(f"{column}_negative" for column in REALTIME),
    *(f"{column}_unknown" for column in REALTIME),
)
"""The keys of :func:`doordash_report`'s dict, in order."""


def _timestamps(values: np.ndarray) -> np.ndarray:
    """Where text values are timestamps ``YYYY-MM-DD HH:MM:SS``."""
    parsed = pd.to_datetime(pd.Series(values, dtype=object), format=TIMESTAMP, errors="coerce")
    return parsed.notna().to_numpy()


def _fields() -> tuple[Field, ...]:
    when = "a date and time YYYY-MM-DD HH:MM:SS"
    return (
        Field("market_id", float, low=0, optional=True),
        Field("created_at", str, allowed=_timestamps, description=when),
        Field("actual_delivery_time", str, allowed=_timestamps, description=when,
              optional=True),
        Field("store_id", int, low=0),
        Field("store_primary_category", str, optional=True),
        Field("order_protocol", float, low=0, optional=True),
        Field("total_items", int, low=1),
        Field("subtotal", int, low=0),
        Field("num_distinct_items", int, low=1),
        Field("min_item_price", int),
        Field("max_item_price", int),
        Field("total_onshift_dashers", float, optional=True),
        Field("total_busy_dashers", float, optional=True),
        Field("total_outstanding_orders", float, optional=True),
        Field("estimated_order_place_duration", int, low=0),
        Field("estimated_store_to_consumer_driving_duration", float, low=0, optional=True),
    )


DOORDASH = Layout(
    "DoorDash's historical_data.csv: comma-separated, the header "
    f"{HEADER[:40]}… (16 columns), timestamps YYYY-MM-DD HH:MM:SS",
    ",",
    _fields(),
    header=HEADER,
)


def load_doordash(path: str | os.PathLike) -> pd.DataFrame:
    """Read DoorDash's ``historical_data.csv`` and map it onto the orders table.

    Parameters
    ----------
    path : str or os.PathLike
        The file, e.g. ``datasets/real/doordash/historical_data.csv``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`~.schema.COLUMNS`, then :data:`EXTRA_COLUMNS`, mapped as the module
        docstring says; one row per delivered order kept, sorted by ``time``; index 0 … n − 1.
        It passes :func:`~.schema.check_table`. ``attrs["report"]`` holds the counts of
        :func:`doordash_report`.

    Raises
    ------
    mlsd.readers.DataFileError
        If the file is missing (the message says where to get it) or empty, its header is not
        :data:`HEADER`, or a line is bad (cut short, a wrong field count, a value that does not
        parse or is out of range); the message names the file, the line and the problem.
    """
    path = check_file(path, NOT_SHIPPED)
    lines = read_table(path, DOORDASH)
    created = pd.to_datetime(lines["created_at"], format=TIMESTAMP)
    has_delivery = lines["actual_delivery_time"].notna().to_numpy()
    delivered = pd.to_datetime(lines["actual_delivery_time"], format=TIMESTAMP)
    duration = ((delivered - created).dt.total_seconds() / 60).to_numpy(dtype=np.float64)
    not_positive = has_delivery & (duration <= 0)
    over_cap = has_delivery & (duration > MAX_DURATION_MIN)
    kept = has_delivery & ~not_positive & ~over_cap

    line = lines[kept].reset_index(drop=True)
    created, duration = created[kept].reset_index(drop=True), duration[kept]
    order = np.argsort(created.to_numpy(), kind="stable")
    line = line.iloc[order].reset_index(drop=True)
    created, duration = created.iloc[order].reset_index(drop=True), duration[order]
    n = len(line)

    seconds = (created - created.min()).dt.total_seconds().to_numpy(dtype=np.float64)
    time = seconds / SECONDS_PER_DAY
    market_id = line["market_id"].to_numpy(dtype=np.float64)
    category = line["store_primary_category"]
    drive = line["estimated_store_to_consumer_driving_duration"].to_numpy(dtype=np.float64)
    place_seconds = line["estimated_order_place_duration"].to_numpy(dtype=np.float64)
    report = {"lines": len(lines), "no_delivery_time": int((~has_delivery).sum()),
              "duration_not_positive": int(not_positive.sum()),
              "duration_over_cap": int(over_cap.sum()), "rows": n,
              "market_unknown": int(np.isnan(market_id).sum()),
              "category_unknown": int(category.isna().sum()),
              "drive_estimate_unknown": int(np.isnan(drive).sum())}
    realtime = {}
    for column, field in REALTIME.items():
        values = line[field].to_numpy(dtype=np.float64, copy=True)
        negative = values < 0
        values[negative] = np.nan
        realtime[column] = values
        report[f"{column}_negative"] = int(negative.sum())
    for column in REALTIME:
        report[f"{column}_unknown"] = int(np.isnan(realtime[column]).sum())

    table = {
        "order_id": np.arange(n, dtype=np.int64),
        "time": time,
        "day": pd.array(np.floor(time).astype(np.int64), dtype="Int64"),
        "hour": pd.array(created.dt.hour.to_numpy(dtype=np.int64), dtype="Int64"),
        "weekday": pd.array(created.dt.day_of_week.to_numpy(dtype=np.int64), dtype="Int64"),
        "market": _nullable_codes(market_id),
        "store_id": pd.array(_dense_codes(line["store_id"].to_numpy()), dtype="Int64"),
        "category": category.fillna("unknown").to_numpy(dtype=object),
        "total_items": pd.array(line["total_items"].to_numpy(), dtype="Int64"),
        "distinct_items": pd.array(line["num_distinct_items"].to_numpy(), dtype="Int64"),
        "subtotal": line["subtotal"].to_numpy(dtype=np.float64) / 100,
        "distance_km": np.full(n, np.nan),
        "drive_estimate_min": drive / 60,
        **realtime,
        "rain": np.full(n, np.nan),
        "holiday": np.full(n, np.nan),
        "duration_min": duration,
        "delivered_time": time + duration / MINUTES_PER_DAY,
        "order_protocol": line["order_protocol"].to_numpy(dtype=np.float64),
        "place_estimate_min": place_seconds / 60,
        "min_item_price": line["min_item_price"].to_numpy(dtype=np.float64) / 100,
        "max_item_price": line["max_item_price"].to_numpy(dtype=np.float64) / 100,
    }
    orders = pd.DataFrame({name: table[name] for name in (*COLUMNS, *EXTRA_COLUMNS)})
    orders.attrs["report"] = {key: report[key] for key in REPORT_KEYS}
    return check_table(orders, source=str(path))


def doordash_report(orders: pd.DataFrame) -> dict[str, int]:
    """What :func:`load_doordash` dropped and nulled, for a notebook to print.

    Returns
    -------
    dict
        In the order of :data:`REPORT_KEYS`: ``lines`` (lines of values read), the lines dropped
        for ``no_delivery_time`` (empty ``actual_delivery_time``), ``duration_not_positive``
        (delivered at or before checkout) and ``duration_over_cap`` (over
        :data:`MAX_DURATION_MIN`), ``rows`` (kept: lines − the three), then over the rows kept:
        ``market_unknown``, ``category_unknown``, ``drive_estimate_unknown``, and for each
        real-time column ``…_negative`` (negative values set to NaN) and ``…_unknown`` (NaN after
        that, empty values included).

    Raises
    ------
    ValueError
        If ``orders`` carries no report (it was not returned by :func:`load_doordash`, or an
        operation dropped its ``attrs``).
    """
    report = orders.attrs.get("report")
    if not isinstance(report, dict) or tuple(report) != REPORT_KEYS:
        raise ValueError("orders: no DoorDash report in attrs; pass the table load_doordash "
                         "returned")
    return dict(report)


def _dense_codes(ids: np.ndarray) -> np.ndarray:
    """Codes 0 … k − 1 in the order of the sorted distinct ids, as int64."""
    codes, _ = pd.factorize(ids, sort=True)
    return codes.astype(np.int64, copy=False)


def _nullable_codes(ids: np.ndarray) -> pd.arrays.IntegerArray:
    """Dense codes of float ids (sorted), ``<NA>`` where NaN."""
    codes, _ = pd.factorize(ids, sort=True, use_na_sentinel=True)
    missing = codes < 0
    return pd.arrays.IntegerArray(np.where(missing, 0, codes).astype(np.int64), missing)

"""The one table every delivery-ETA source is mapped onto: one row per delivered order, with what
was known when it was placed and how long it took.

=========================================  ======================================================
``order_id``                               int code >= 0: one order
``time``, ``day``                          days since the log's start (float >= 0) at checkout, and
                                           its whole
                                           day (``Int64``); NaN / ``<NA>`` where a source has no
                                           timestamps (then for the whole table)
``hour``, ``weekday``                      the local hour 0–23 and the weekday 0 (Monday) – 6 at
                                           checkout (``Int64``, ``<NA>`` where unknown)
``market``                                 the city or region (``Int64`` code, ``<NA>`` unknown)
``store_id``                               the store the food comes from (``Int64``, ``<NA>``)
``category``                               the store's cuisine (str, ``"unknown"`` where missing)
``total_items``, ``distinct_items``        the basket (``Int64`` >= 1, ``<NA>`` unknown)
``subtotal``                               its value in dollars (float >= 0, NaN unknown)
``distance_km``                            straight-line store to customer (float >= 0, NaN)
``drive_estimate_min``                     the routing engine's drive time, store to customer, at
                                           free-flow speed (float >= 0, NaN)
``outstanding_orders``                     the real-time state at checkout: orders in flight in
``onshift_couriers``, ``busy_couriers``    the market, couriers on shift and busy (floats >= 0,
                                           NaN where the feed did not say)
``rain``, ``holiday``                      1.0 / 0.0, NaN where unknown
``duration_min``                           the label: minutes from checkout to delivery, > 0
``delivered_time``                         when the label arrives, ``time + duration_min / 1440``
=========================================  ======================================================

Rows are sorted by ``time`` when it is known. A source may add columns after these: the simulator
adds its truth (:data:`~.simulate.TRUTH_COLUMNS`), a real source the fields only it has (the food
delivery set's courier age and rating, vehicle and order type).

The label is a duration, not an event: it exists only once the order is delivered, tens of
minutes after the prediction was needed (:data:`LABEL_RULE`). A feature built from earlier labels
(a store's average duration) may use only those whose ``delivered_time`` is before the order's
``time``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.contract import check_columns_and_codes

COLUMNS = (
    "order_id", "time", "day", "hour", "weekday", "market", "store_id", "category",
    "total_items", "distinct_items", "subtotal", "distance_km", "drive_estimate_min",
    "outstanding_orders", "onshift_couriers", "busy_couriers", "rain", "holiday", "duration_min",
    "delivered_time",
)
CODE_COLUMNS = ("order_id",)
NULLABLE_COUNTS = {"day": 0, "hour": 0, "weekday": 0, "market": 0, "store_id": 0,
                   "total_items": 1, "distinct_items": 1}
"""Counts and codes a source may not know (nullable ``Int64``, ``<NA>``), with their least value."""
NULLABLE_RANGES = {"hour": 23, "weekday": 6}
"""The largest value of the bounded codes."""
NON_NEGATIVE = ("subtotal", "distance_km", "drive_estimate_min", "outstanding_orders",
                "onshift_couriers", "busy_couriers")
"""Float columns whose known values are >= 0 (NaN where unknown)."""
FLAGS = ("rain", "holiday")
"""Float columns holding 1.0, 0.0 or NaN."""
SIZE_COLUMNS = {"users": "store_id", "items": "market"}
"""The distinct values a loaded table's sizes count: stores (the ``users`` size) and markets."""
MINUTES_PER_DAY = 1440.0
"""Minutes in a day: ``time`` and ``delivered_time`` are in days, durations in minutes."""

LABEL_RULE = "duration_label"
"""The function of this module that gives the label of each order."""


def check_table(orders: pd.DataFrame, source: str = "orders") -> pd.DataFrame:
    """Return ``orders`` unchanged if it follows the schema, else raise one ValueError that names
    ``source`` and the first rule broken."""
    check_columns_and_codes(orders, COLUMNS, CODE_COLUMNS, source)
    for column, lowest in NULLABLE_COUNTS.items():
        values = orders[column]
        highest = NULLABLE_RANGES.get(column, np.inf)
        known = values.dropna()
        if not isinstance(values.dtype, pd.Int64Dtype) or (known < lowest).any() or (
                known > highest).any():
            allowed = f"in [{lowest}, {highest}]" if np.isfinite(highest) else f">= {lowest}"
            raise ValueError(f"{source}: {column} must be a nullable Int64 of values {allowed} "
                             "(<NA> where unknown)")
    if orders["category"].isna().any():
        raise ValueError(f"{source}: category must be a string on every row ('unknown' where "
                         "missing)")
    for column in NON_NEGATIVE:
        _check_floats(orders, column, source, lambda v: v >= 0, ">= 0 (NaN where unknown)")
    for column in FLAGS:
        _check_floats(orders, column, source, lambda v: (v == 0) | (v == 1),
                      "1.0 or 0.0 (NaN where unknown)")
    duration = orders["duration_min"].to_numpy(dtype=float)
    if not (np.isfinite(duration) & (duration > 0)).all():
        raise ValueError(f"{source}: duration_min must be a finite number of minutes > 0 on "
                         "every row")
    time = orders["time"].to_numpy(dtype=float)
    if np.isnan(time).any() and not np.isnan(time).all():
        raise ValueError(f"{source}: time must be known on every row or on none")
    if not np.isnan(time).any() and (time < 0).any():
        raise ValueError(f"{source}: time must be days since the log's start, >= 0")
    if not np.isnan(time).any() and not orders["time"].is_monotonic_increasing:
        raise ValueError(f"{source}: rows must be sorted by time")
    return orders


def duration_label(orders: pd.DataFrame) -> pd.Series:
    """The label of each order: ``duration_min``, the minutes from checkout to delivery, which is
    known only at ``delivered_time``."""
    return orders["duration_min"].astype(float).rename("label")


def has_timestamps(orders: pd.DataFrame) -> bool:
    """Whether the table knows when each order was placed (the food delivery set does not)."""
    return bool(len(orders)) and not orders["time"].isna().any()


def _check_floats(orders: pd.DataFrame, column: str, source: str, allowed, rule: str) -> None:
    """``column``'s known (non-NaN) values pass ``allowed``, else one ValueError saying ``rule``."""
    values = orders[column].to_numpy(dtype=float)
    known = values[~np.isnan(values)]
    if not allowed(known).all():
        raise ValueError(f"{source}: {column} must be {rule}")

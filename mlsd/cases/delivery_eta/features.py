"""The features of an order, each computable at checkout from what had happened before it.

Every feature is *point-in-time*: built only from orders placed, and labels delivered, strictly
before the order's ``time``, so the same function serves a checkout (online) and builds a
training table (offline) without leaking the future. Computed on a whole table at once, they can
be split afterwards.

- :func:`store_load` — the kitchen's load: the store's orders in the ``window_min`` minutes before;
- :func:`store_history` — the store's average duration so far, from the labels already delivered
  (a new store's estimate is pulled toward the average of every delivered order, with the weight
  of ``PRIOR_ORDERS`` orders);
- :func:`order_features` — the model's table (:data:`FEATURES`): the calendar, the store and its
  category, the basket, the distance and the routing engine's drive time, the store's history,
  the real-time state (:data:`REAL_TIME_FEATURES`) and the weather.

A source without timestamps (the food delivery set) has no "before": its load is unknown (NaN)
and its history must come from training rows (:func:`store_means`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.schema import MINUTES_PER_DAY, has_timestamps
from mlsd.validation import check_number

STORE_LOAD_WINDOW_MIN = 20.0
PRIOR_ORDERS = 5.0
"""The weight, in orders, of the overall average in a store's history (a smoothed mean)."""
CATEGORY_FEATURES = ("market", "category_code")
"""The features LightGBM treats as categories."""
STATIC_FEATURES = ("hour", "weekday", "market", "category_code", "total_items", "distinct_items",
                   "subtotal", "distance_km", "drive_estimate_min", "store_history_min",
                   "store_history_orders", "rain", "holiday")
"""What is known at checkout without the real-time feed."""
REAL_TIME_FEATURES = ("store_load", "outstanding_orders", "onshift_couriers", "busy_couriers",
                      "busy_share", "orders_per_courier")
"""From the real-time feed: the kitchen's load and the market's couriers and orders in flight;
``busy_share = busy / onshift`` and ``orders_per_courier = outstanding / onshift`` (NaN without
couriers on shift)."""
FEATURES = (*STATIC_FEATURES, *REAL_TIME_FEATURES)
"""The columns of :func:`order_features`, in order."""


def count_before(group, time, window_min: float) -> np.ndarray:
    """For each row, how many rows of the same ``group`` have a time in ``[time - window,
    time)``, ``time`` in days and the window in minutes (a row never counts itself; rows at the
    very same time do not count each other)."""
    group = np.asarray(group, dtype=np.int64)
    time = np.asarray(time, dtype=float)
    window = check_number("window_min", window_min, 0.0, MINUTES_PER_DAY, low_open=True)
    if not len(time):
        return np.zeros(0, dtype=np.int64)
    offset = group * (np.ptp(time) + 2 * window / MINUTES_PER_DAY + 1.0)
    key = offset + (time - time.min())
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    upper = np.searchsorted(sorted_key, key, side="left")
    lower = np.searchsorted(sorted_key, key - window / MINUTES_PER_DAY, side="left")
    return upper - lower


def store_load(orders: pd.DataFrame, window_min: float = STORE_LOAD_WINDOW_MIN) -> pd.Series:
    """The store's orders in the ``window_min`` minutes before each order (float; NaN where the
    store or the time is unknown), indexed like ``orders``."""
    known = orders["store_id"].notna().to_numpy() & orders["time"].notna().to_numpy()
    load = np.full(len(orders), np.nan)
    if known.any():
        store = orders["store_id"].to_numpy()[known].astype(np.int64)
        load[known] = count_before(store, orders["time"].to_numpy(dtype=float)[known], window_min)
    return pd.Series(load, index=orders.index, name="store_load")


def store_history(orders: pd.DataFrame) -> pd.DataFrame:
    """Each order's store history from the labels delivered before its ``time``: ``orders``, how
    many, and ``mean_min``, ``(sum + PRIOR_ORDERS × overall) / (count + PRIOR_ORDERS)`` with
    ``overall`` the mean of every order delivered before (NaN before the first delivery).

    Needs timestamps; indexed like ``orders``."""
    if not has_timestamps(orders):
        raise ValueError("store_history needs each order's time; this table has no timestamps "
                         "(use store_means with the training rows)")
    time = orders["time"].to_numpy(dtype=float)
    delivered = orders["delivered_time"].to_numpy(dtype=float)
    duration = orders["duration_min"].to_numpy(dtype=float)
    by_delivery = np.argsort(delivered, kind="stable")
    before = np.searchsorted(delivered[by_delivery], time, side="left")
    overall_sum = np.r_[0.0, np.cumsum(duration[by_delivery])][before]
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = overall_sum / before
    count, total = _store_sums_before(orders, time, delivered, duration)
    with np.errstate(invalid="ignore"):
        mean = (total + PRIOR_ORDERS * overall) / (count + PRIOR_ORDERS)
    return pd.DataFrame({"orders": count.astype(float), "mean_min": mean}, index=orders.index)


def store_means(train: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Store history for a table without timestamps: each store's smoothed mean duration over the
    ``train`` rows (the formula of :func:`store_history`, ``overall`` the training mean), a
    training row's own duration left out. Columns ``orders`` and ``mean_min``, indexed like
    ``orders``."""
    overall = float(train["duration_min"].mean())
    sums = train.groupby("store_id")["duration_min"].agg(["sum", "count"])
    store = orders["store_id"]
    total = store.map(sums["sum"]).astype(float).fillna(0.0).to_numpy()
    count = store.map(sums["count"]).astype(float).fillna(0.0).to_numpy()
    own = orders.index.isin(train.index)
    total = total - np.where(own, orders["duration_min"].to_numpy(dtype=float), 0.0)
    count = count - own
    mean = (total + PRIOR_ORDERS * overall) / (count + PRIOR_ORDERS)
    return pd.DataFrame({"orders": count, "mean_min": mean}, index=orders.index)


def order_features(orders: pd.DataFrame, history: pd.DataFrame | None = None) -> pd.DataFrame:
    """The :data:`FEATURES` of each order (NaN where the source does not say), indexed like
    ``orders``. ``history`` is the store history to use (:func:`store_history` by default; a
    table without timestamps must pass :func:`store_means`). ``category_code`` numbers the
    table's categories in sorted order."""
    if history is None:
        history = store_history(orders)
    onshift = orders["onshift_couriers"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_courier = np.where(onshift > 0, 1 / onshift, np.nan)
    categories = np.sort(orders["category"].unique())
    frame = pd.DataFrame({
        **{column: orders[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
           for column in ("hour", "weekday", "market")},
        "category_code": np.searchsorted(categories, orders["category"].to_numpy()).astype(float),
        **{column: orders[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
           for column in ("total_items", "distinct_items", "subtotal", "distance_km",
                          "drive_estimate_min")},
        "store_history_min": history["mean_min"].to_numpy(dtype=float),
        "store_history_orders": history["orders"].to_numpy(dtype=float),
        "rain": orders["rain"].to_numpy(dtype=float),
        "holiday": orders["holiday"].to_numpy(dtype=float),
        "store_load": store_load(orders).to_numpy(),
        "outstanding_orders": orders["outstanding_orders"].to_numpy(dtype=float),
        "onshift_couriers": onshift,
        "busy_couriers": orders["busy_couriers"].to_numpy(dtype=float),
        "busy_share": orders["busy_couriers"].to_numpy(dtype=float) * per_courier,
        "orders_per_courier": orders["outstanding_orders"].to_numpy(dtype=float) * per_courier,
    }, index=orders.index)
    return frame[list(FEATURES)]


def split_features(orders: pd.DataFrame, train: pd.DataFrame) -> pd.DataFrame:
    """:func:`order_features` of every order of ``orders`` for a split whose training rows are
    ``train``: the store history from labels delivered before each checkout
    (:func:`store_history`) where the table has timestamps, else the training rows' leave-one-out
    means (:func:`store_means`), so no test label enters a feature either way."""
    history = None if has_timestamps(orders) else store_means(train, orders)
    return order_features(orders, history)


def _store_sums_before(orders: pd.DataFrame, time, delivered, duration):
    """Per order, the count and sum of durations of its store's orders delivered before its
    time (0 where the store is unknown)."""
    count = np.zeros(len(orders))
    total = np.zeros(len(orders))
    known = orders["store_id"].notna().to_numpy()
    if not known.any():
        return count, total
    store = orders["store_id"].to_numpy()[known].astype(np.int64)
    span = max(np.nanmax(delivered), np.nanmax(time)) - min(np.nanmin(time), 0.0) + 1.0
    event_key = store * span + delivered[known]
    query_key = store * span + time[known]
    order = np.argsort(event_key, kind="stable")
    cumulative = np.r_[0.0, np.cumsum(duration[known][order])]
    first = np.searchsorted(event_key[order], store * span, side="left")
    upto = np.searchsorted(event_key[order], query_key, side="left")
    count[known] = upto - first
    total[known] = cumulative[upto] - cumulative[first]
    return count, total

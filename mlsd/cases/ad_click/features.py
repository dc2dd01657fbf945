"""Features for click prediction: hashed categoricals with crosses, and historical click rates.

Hashing trick (Weinberger et al. 2009)
    Each categorical field ``f`` with value ``v`` — and each cross of two fields — sets one column
    ``h(f, v) mod n_buckets`` of a sparse row to 1, where ``h`` is the splitmix64 mixer of
    ``f * 2**32 + v``. No vocabulary is stored, new ad ids need no retraining of an encoder, and
    collisions (two values sharing a column) are the price, rarer with more buckets.

Historical click rates (He et al. 2014: "historical features dominate")
    For a key such as the ad, the smoothed click rate of the impressions shown *before the day of
    the row*: ``(clicks + m * global_rate) / (impressions + m)`` with prior strength ``m``. The
    counters of day ``d`` are read at its start, time ``d``: an impression counts once shown
    (``time < d``), its click only once it had **arrived** (``time + delay <= d``, the
    ``known_at`` of :func:`as_of_day_rates`). Computing it "as of the row's day" is what keeps
    training and serving consistent: a training row never sees its own click, and a served row sees
    exactly what the online counters would hold. Counting a click from the day after its
    impression whatever its delay — the counters of *eventual* labels — leaks the future: a click
    at 01:00 on an impression of 23:00 the day before is not known at midnight
    (:mod:`.point_in_time` measures how much).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from mlsd.cases.ad_click.schema import DEVICES
from mlsd.validation import check_int

HASHED_FIELDS = ("ad_id", "advertiser_id", "ad_category", "site_id", "device", "hour", "slot", "user_segment", "views_seen")
CROSSES = (("user_segment", "ad_category"), ("device", "slot"))
HISTORY_KEYS = {
    "ad_ctr": ("ad_id",),
    "advertiser_ctr": ("advertiser_id",),
    "site_ctr": ("site_id",),
    "segment_category_ctr": ("user_segment", "ad_category"),
}
CONTEXT_COLUMNS = ("hour", "slot", "device_code", "user_ad_views")
COUNTER_COLUMNS = tuple(sorted({key for keys in HISTORY_KEYS.values() for key in keys}))


def hashed_features(impressions: pd.DataFrame, n_buckets: int = 2**18, crosses: bool = True) -> sparse.csr_matrix:
    """A sparse 0/1 matrix, one row per impression, one hashed column per field (and cross)."""
    check_int("n_buckets", n_buckets, 2)
    values = _categorical_codes(impressions)
    columns = [_bucket(field_index, values[field], n_buckets) for field_index, field in enumerate(HASHED_FIELDS)]
    if crosses:
        for cross_index, (left, right) in enumerate(CROSSES, start=len(HASHED_FIELDS)):
            columns.append(_bucket(cross_index, values[left] * 1_000_003 + values[right], n_buckets))
    n_rows = len(impressions)
    indices = np.stack(columns, axis=1).ravel()
    indptr = np.arange(0, n_rows * len(columns) + 1, len(columns))
    matrix = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n_rows, n_buckets))
    matrix.sum_duplicates()
    return matrix


def as_of_day_rates(
    history: pd.DataFrame,
    labels: np.ndarray,
    rows: pd.DataFrame,
    prior_strength: float = 50.0,
    window_days: int = 7,
    known_at: np.ndarray | None = None,
) -> pd.DataFrame:
    """Smoothed historical click rates for ``rows``, each from the ``history`` of the days before.

    For a row on day ``d`` and each key of :data:`HISTORY_KEYS`, the rate counts the history
    impressions with ``d - window_days <= day < d`` that share the row's key, and those of their
    clicks (``labels == 1``) already known at time ``d``: ``known_at <= d``. ``known_at`` (days,
    one per history row; read only where the label is 1) is when each click arrived,
    ``time + click_delay_hours / 24`` (:func:`~.point_in_time.click_arrival`); None counts every
    click from the day after its impression — eventual labels, which leak the clicks that arrive
    later. The global rate of the same impressions and known clicks is the prior. A fixed trailing
    window keeps the features alike whether a row is used for training (early in the history) or
    served (after it). One column per key.
    """
    day = history["day"].to_numpy()
    labels = np.asarray(labels)
    clicked = labels == 1
    known_day = day + 1
    if known_at is not None:
        known_at = np.asarray(known_at, dtype=float)
        if known_at.shape != day.shape or np.isnan(known_at[clicked]).any():
            raise ValueError("known_at must hold one arrival time (days) per history row, "
                             "a number wherever the label is 1")
        arrived = np.ceil(np.where(clicked, known_at, 0.0)).astype(np.int64)
        known_day = np.maximum(known_day, arrived)
    n_days = int(max(day.max(initial=0), rows["day"].max())) + 1
    row_day = rows["day"].to_numpy()
    clicks, shown = _known_counts(np.zeros(len(day), dtype=np.int64), day, clicked, known_day,
                                  n_days, window_days)
    total_rate = clicked.sum() / max(len(day), 1)
    global_rate = np.where(shown[0] > 0, clicks[0] / np.maximum(shown[0], 1), total_rate)
    prior = global_rate[row_day]
    result = {}
    for name, keys in HISTORY_KEYS.items():
        history_key, row_key = _key_codes(history, rows, list(keys))
        clicks, shown = _known_counts(history_key, day, clicked, known_day, n_days, window_days)
        seen = row_key >= 0
        row_clicks, row_shown = np.zeros(len(rows)), np.zeros(len(rows))
        row_clicks[seen] = clicks[row_key[seen], row_day[seen]]
        row_shown[seen] = shown[row_key[seen], row_day[seen]]
        result[name] = (row_clicks + prior_strength * prior) / (row_shown + prior_strength)
    return pd.DataFrame(result, index=rows.index)


def context_features(rows: pd.DataFrame) -> pd.DataFrame:
    """The numeric context a model sees besides historical rates (device as its code)."""
    return rows.assign(device_code=_device_codes(rows["device"]))[list(CONTEXT_COLUMNS)]


def _key_codes(history: pd.DataFrame, rows: pd.DataFrame, keys: list[str]):
    """Each history row's key as a code ``0 .. n_keys - 1``, and each row's (-1: never seen)."""
    def combined(frame):
        code = np.zeros(len(frame), dtype=np.int64)
        for key in keys:
            code = code * 1_000_003 + frame[key].to_numpy().astype(np.int64)
        return code

    history_key, uniques = pd.factorize(combined(history))
    return history_key, pd.Index(uniques).get_indexer(combined(rows))


def _known_counts(key: np.ndarray, day: np.ndarray, clicked: np.ndarray, known_day: np.ndarray,
                  n_days: int, window_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Per key (row) and read day ``d`` (column): the clicks known at ``d`` and the impressions of
    the ``window_days`` days before ``d``.

    A click of day ``j`` known from day ``a`` is in the window's total of every read day
    ``d`` in ``[j + 1, j + window_days]`` but not yet known for ``d < a``: it is *pending* on the
    days ``[j + 1, min(a - 1, j + window_days)]``, counted by a difference array.
    """
    n_keys = int(key.max(initial=-1)) + 1
    columns = n_days + 1

    def per_day(at_key, at_day, weights=None):
        flat = at_key * columns + np.minimum(at_day, n_days)
        return np.bincount(flat, weights, minlength=n_keys * columns).reshape(n_keys, columns)[:, :n_days]

    shown = _trailing_totals(per_day(key, day).astype(float), window_days)
    clicks = _trailing_totals(per_day(key[clicked], day[clicked]).astype(float), window_days)
    late = clicked & (known_day > day + 1)
    first, past = day[late] + 1, np.minimum(known_day[late], day[late] + window_days + 1)
    pending = np.cumsum(per_day(key[late], first) - per_day(key[late], past), axis=1)
    return clicks - pending, shown


def _trailing_totals(daily: np.ndarray, window_days: int) -> np.ndarray:
    """Column ``d`` holds the total of columns ``d - window_days .. d - 1`` (clipped at 0)."""
    running = np.hstack([np.zeros((daily.shape[0], 1)), np.cumsum(daily, axis=1)])
    days = np.arange(daily.shape[1])
    return running[:, days] - running[:, np.maximum(days - window_days, 0)]


def _categorical_codes(impressions: pd.DataFrame) -> dict[str, np.ndarray]:
    codes = {field: impressions[field].to_numpy().astype(np.int64) for field in HASHED_FIELDS if field not in ("device", "views_seen")}
    codes["device"] = _device_codes(impressions["device"])
    codes["views_seen"] = np.minimum(impressions["user_ad_views"].to_numpy(), 3).astype(np.int64)
    return codes


def _device_codes(device: pd.Series) -> np.ndarray:
    codes = pd.Categorical(device, categories=DEVICES).codes.astype(np.int64)
    if (codes < 0).any():
        raise ValueError(f"device must be one of {DEVICES}; got {device[codes < 0].iloc[0]!r}")
    return codes


def _bucket(field_index: int, values: np.ndarray, n_buckets: int) -> np.ndarray:
    return hash_buckets((np.uint64(field_index) << np.uint64(32)) + values.astype(np.uint64), n_buckets)


def hash_buckets(keys: np.ndarray, n_buckets: int) -> np.ndarray:
    """The column of each uint64 ``key``: ``splitmix64(key) mod n_buckets`` (int64)."""
    return (_splitmix64(keys) % np.uint64(n_buckets)).astype(np.int64)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser (Steele, Lea & Flood 2014): a fast, well-mixed 64-bit hash."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))

"""Features for click prediction: hashed categoricals with crosses, and historical click rates.

Hashing trick (Weinberger et al. 2009)
    Each categorical field ``f`` with value ``v`` — and each cross of two fields — sets one column
    ``h(f, v) mod n_buckets`` of a sparse row to 1, where ``h`` is the splitmix64 mixer of
    ``f * 2**32 + v``. No vocabulary is stored, new ad ids need no retraining of an encoder, and
    collisions (two values sharing a column) are the price, rarer with more buckets.

Historical click rates (He et al. 2014: "historical features dominate")
    For a key such as the ad, the smoothed click rate of everything labelled *before the day of
    the row*: ``(clicks + m * global_rate) / (impressions + m)`` with prior strength ``m``. Computing
    it "as of the row's day" is what keeps training and serving consistent: a training row never
    sees its own click, and a served row sees exactly what the online counters would hold.
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


def as_of_day_rates(history: pd.DataFrame, labels: np.ndarray, rows: pd.DataFrame, prior_strength: float = 50.0, window_days: int = 7) -> pd.DataFrame:
    """Smoothed historical click rates for ``rows``, each from the ``history`` of the days before.

    For a row on day ``d`` and each key of :data:`HISTORY_KEYS`, the rate uses the history
    impressions with ``d - window_days <= day < d`` that share the row's key; the global rate of the
    same days is the prior. A fixed trailing window keeps the features alike whether a row is
    used for training (early in the history) or served (after it). One column per key.
    """
    frame = history.assign(label=labels)
    last_day = int(max(frame["day"].max(), rows["day"].max())) + 1
    global_rate = _global_rate_before(frame, last_day, window_days)
    prior = global_rate[rows["day"].to_numpy()]
    result = {}
    for name, keys in HISTORY_KEYS.items():
        clicks, shown = _counts_before_day(frame, rows, list(keys), last_day, window_days)
        result[name] = (clicks + prior_strength * prior) / (shown + prior_strength)
    return pd.DataFrame(result, index=rows.index)


def context_features(rows: pd.DataFrame) -> pd.DataFrame:
    """The numeric context a model sees besides historical rates (device as its code)."""
    return rows.assign(device_code=_device_codes(rows["device"]))[list(CONTEXT_COLUMNS)]


def _counts_before_day(frame: pd.DataFrame, rows: pd.DataFrame, keys: list[str], last_day: int, window_days: int):
    """Clicks and impressions per key over the ``window_days`` days before each row's day."""
    daily = frame.groupby(keys + ["day"], sort=False)["label"].agg(["sum", "size"])
    wide_clicks = daily["sum"].unstack("day", fill_value=0).reindex(columns=range(last_day), fill_value=0)
    wide_shown = daily["size"].unstack("day", fill_value=0).reindex(columns=range(last_day), fill_value=0)
    position = pd.MultiIndex.from_frame(rows[keys]) if len(keys) > 1 else pd.Index(rows[keys[0]])
    row_index = wide_clicks.index.get_indexer(position)
    seen = row_index >= 0
    day = rows["day"].to_numpy()
    clicks = np.zeros(len(rows))
    shown = np.zeros(len(rows))
    clicks[seen] = _trailing_totals(wide_clicks.to_numpy(), window_days)[row_index[seen], day[seen]]
    shown[seen] = _trailing_totals(wide_shown.to_numpy(), window_days)[row_index[seen], day[seen]]
    return clicks, shown


def _trailing_totals(daily: np.ndarray, window_days: int) -> np.ndarray:
    """Column ``d`` holds the total of columns ``d - window_days .. d - 1`` (clipped at 0)."""
    running = np.hstack([np.zeros((daily.shape[0], 1)), np.cumsum(daily, axis=1)])
    days = np.arange(daily.shape[1])
    return running[:, days] - running[:, np.maximum(days - window_days, 0)]


def _global_rate_before(frame: pd.DataFrame, last_day: int, window_days: int) -> np.ndarray:
    daily = frame.groupby("day")["label"].agg(["sum", "size"]).reindex(range(last_day), fill_value=0)
    clicks = _trailing_totals(daily["sum"].to_numpy()[None, :].astype(float), window_days)[0]
    shown = _trailing_totals(daily["size"].to_numpy()[None, :].astype(float), window_days)[0]
    overall = daily["sum"].sum() / max(daily["size"].sum(), 1)
    return np.where(shown > 0, clicks / np.maximum(shown, 1), overall)


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

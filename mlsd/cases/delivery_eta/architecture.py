"""Notebook 3's experiments: one duration model or its parts, and what the real-time feed is worth.

- :func:`decomposed_estimates` — on the simulator, one model per part of a duration
  (preparation, wait for pickup, travel, each from the truth's part as its label) and their sum,
  beside one end-to-end model of the duration, all on the same features;
- :data:`FEATURE_SETS`, :func:`fit_feature_sets` and :func:`feature_set_errors` — the duration
  model's test MAE on each set of features: all of them, the fallback's static ones (the
  real-time feed down), and the static ones with one half of the feed (the kitchen's load, or the couriers and orders in flight);
- :func:`lagged_feed` — the market's real-time state as a feed ``lag_min`` minutes behind would
  serve it, and :func:`stale_feed_errors`, a model trained on the fresh state scored on a stale
  one (training/serving skew).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.features import FEATURES, STATIC_FEATURES, split_features
from mlsd.cases.delivery_eta.framing import PARTS
from mlsd.cases.delivery_eta.models import DurationGBDT
from mlsd.cases.delivery_eta.schema import MINUTES_PER_DAY
from mlsd.metrics import mae
from mlsd.validation import check_number

COURIER_FEATURES = ("outstanding_orders", "onshift_couriers", "busy_couriers", "busy_share",
                    "orders_per_courier")
"""The real-time feed's market state: orders in flight and couriers on shift and busy."""
MARKET_STATE = ("outstanding_orders", "onshift_couriers", "busy_couriers")
"""The columns of the orders table the real-time feed serves per market."""

FEATURE_SETS = {
    "all features": FEATURES,
    "static + couriers": (*STATIC_FEATURES, *COURIER_FEATURES),
    "static + store load": (*STATIC_FEATURES, "store_load"),
    "static (fallback)": STATIC_FEATURES,
}
"""Each feature set :func:`feature_set_errors` fits, by name, from the most to the least."""


def decomposed_estimates(features: pd.DataFrame, orders: pd.DataFrame, train, test, *,
                         n_trees: int = 200, seed: int = 0) -> pd.DataFrame:
    """Per test order: each part's estimate (columns named as :data:`~.framing.PARTS`), a model
    of ``orders[<truth column>]`` fitted on the ``train`` rows; ``sum of parts``; and
    ``end to end``, one model of ``orders["duration_min"]`` on the same rows. ``features`` and
    ``orders`` (the simulator's, with its truth) are indexed alike; ``train`` and ``test`` are
    index labels; every model is a squared-loss :class:`~.models.DurationGBDT` of ``n_trees``."""
    fit_rows, test_rows = features.loc[train], features.loc[test]
    estimates = {}
    for part, column in PARTS.items():
        model = DurationGBDT(n_trees=n_trees, seed=seed).fit(fit_rows, orders.loc[train, column])
        estimates[part] = model.predict(test_rows)
    estimates["sum of parts"] = np.sum([estimates[part] for part in PARTS], axis=0)
    end_to_end = DurationGBDT(n_trees=n_trees, seed=seed)
    estimates["end to end"] = end_to_end.fit(fit_rows, orders.loc[train, "duration_min"]) \
        .predict(test_rows)
    return pd.DataFrame(estimates, index=test_rows.index)


def fit_feature_sets(features: pd.DataFrame, duration: pd.Series, train, *, n_trees: int = 200,
                     seed: int = 0) -> dict[str, DurationGBDT]:
    """One squared-loss :class:`~.models.DurationGBDT` of ``n_trees`` per set of
    :data:`FEATURE_SETS`, by name, fitted on the ``train`` rows with only that set's features."""
    return {name: DurationGBDT(features=columns, n_trees=n_trees, seed=seed)
            .fit(features.loc[train], duration.loc[train])
            for name, columns in FEATURE_SETS.items()}


def feature_set_errors(models: dict[str, DurationGBDT], features: pd.DataFrame,
                       duration: pd.Series, test) -> pd.DataFrame:
    """One row per model of ``models`` (:func:`fit_feature_sets`): its ``features`` (how many),
    its ``mae`` on the ``test`` rows, and ``extra_mae`` over the ``all features`` model's."""
    rows = {name: {"features": len(model.features),
                   "mae": mae(duration.loc[test], model.predict(features.loc[test]))}
            for name, model in models.items()}
    table = pd.DataFrame(rows).T.rename_axis("feature set")
    table["features"] = table["features"].astype(int)
    table["extra_mae"] = table["mae"] - table.loc["all features", "mae"]
    return table


def lagged_feed(orders: pd.DataFrame, lag_min: float) -> pd.DataFrame:
    """``orders`` with each :data:`MARKET_STATE` column replaced by the value logged with the
    latest order of the same market placed at least ``lag_min`` minutes (>= 0) before it — what a
    feed that far behind would serve — or NaN where the market has no such order. ``time`` is in
    days; a table without timestamps is refused."""
    lag = check_number("lag_min", lag_min, 0.0)
    time = orders["time"].to_numpy(dtype=float)
    if not len(time) or np.isnan(time).any():
        raise ValueError("lagged_feed needs every order's time; this table has none")
    market = orders["market"].to_numpy(dtype=float, na_value=-1.0)
    span = np.ptp(time) + lag / MINUTES_PER_DAY + 1.0
    key = (market + 1.0) * span + (time - time.min())
    order = np.argsort(key, kind="stable")
    before = np.searchsorted(key[order], key - lag / MINUTES_PER_DAY, side="right") - 1
    source = order[np.maximum(before, 0)]
    served = (before >= 0) & (market[source] == market) & (market >= 0)
    lagged = {column: np.where(served, orders[column].to_numpy(dtype=float)[source], np.nan)
              for column in MARKET_STATE}
    return orders.assign(**lagged)


def stale_feed_errors(model, orders: pd.DataFrame, train: pd.DataFrame, test_index,
                      lags_min) -> pd.Series:
    """The test MAE of ``model`` (fitted on the fresh feed) when its test orders (``test_index``)
    are served the market state of :func:`lagged_feed` at each lag of ``lags_min``, indexed by
    the lag in minutes; the features as :func:`~.features.split_features` builds them, the
    training rows ``train``."""
    actual = orders.loc[test_index, "duration_min"]
    errors = {}
    for lag in lags_min:
        features = split_features(lagged_feed(orders, lag), train).loc[test_index]
        errors[float(lag)] = mae(actual, model.predict(features))
    return pd.Series(errors, name="mae").rename_axis("feed lag (min)")

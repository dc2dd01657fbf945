"""From a prediction to a promise: coverage, an asymmetric loss, split-conformal calibration of a
quantile, and what a promise costs.

Conventions: ``actual`` and ``quote`` are minutes from checkout; an order delivered exactly at the
quote is on time. A residual is ``actual - predicted`` (positive: later than predicted).

- :func:`coverage` ``= 1 - late_rate = (1/n) #{i : actual_i <= quote_i}``; :func:`coverage_by`
  per group.
- :func:`asymmetric_huber` — DeepETA-style: ``r = actual - predicted``, ``h(r) = r²/2`` if
  ``|r| <= delta`` else ``delta (|r| - delta/2)``, times ``late_weight`` where ``r > 0``.
- :class:`ConformalPromise` — one-sided split conformal: ``q̂`` = the ``k``-th smallest
  residual of ``n`` calibration orders, ``k = ⌈(n + 1) alpha⌉``; the promise is ``predicted +
  q̂``. If the calibration and future orders are exchangeable, ``P(actual <= predicted + q̂)
  >= alpha``.
- :func:`promise_outcomes`, :func:`promise_frontier`, :func:`cheapest` — late rate, quote,
  conversion and expected cost per checkout under :class:`PromiseCosts`; the cost is linear in
  the three costs, and :func:`promise_curves` tabulates the three means it combines over base
  quotes and buffers, for :class:`mlsd.explore.PromiseExplorer`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.contract import split_by_day
from mlsd.cases.delivery_eta.schema import has_timestamps
from mlsd.cases.delivery_eta.simulate import conversion_probability
from mlsd.metrics.regression import late_rate
from mlsd.validation import as_1d, check_int, check_number, same_length

MIN_GROUP_ORDERS = 200
"""A group (Mondrian) needs this many calibration orders for its own correction."""
RANDOM_CALIBRATION_SHARE = 0.25
"""The share of a table without timestamps that :func:`calibration_split` keeps to calibrate."""


def _pair(actual, other, other_name):
    first = as_1d(actual, "actual")
    second = as_1d(other, other_name)
    same_length(actual=first, **{other_name: second})
    return first, second


def coverage(actual, quote) -> float:
    """Share of orders delivered by the quote: ``(1/n) #{i : actual_i <= quote_i}``, which is
    ``1 - late_rate(actual, quote)``."""
    return 1.0 - late_rate(actual, quote)


def coverage_by(actual, quote, groups) -> pd.DataFrame:
    """Per value of ``groups`` (one per order, e.g. market or hour): ``orders`` (count) and
    ``coverage`` (:func:`coverage` of its orders), indexed by group, sorted; orders whose group
    is missing (NaN or None) are left out, as pandas' ``groupby`` leaves them."""
    first, second = _pair(actual, quote, "quote")
    codes, uniques = _group_codes(groups, len(first))
    on_time = first <= second
    if (codes < 0).any():
        codes, on_time = codes[codes >= 0], on_time[codes >= 0]
    orders = np.bincount(codes, minlength=len(uniques))
    on_time = np.bincount(codes, weights=on_time, minlength=len(uniques))
    index = pd.Index(uniques, name="group")
    return pd.DataFrame({"orders": orders, "coverage": on_time / orders}, index=index)


def asymmetric_huber(actual, predicted, delta: float = 5.0, late_weight: float = 2.0) -> float:
    """Mean asymmetric Huber loss: with ``r = actual - predicted``,
    ``h(r) = r²/2`` if ``|r| <= delta`` else ``delta (|r| - delta/2)``, and
    ``loss = (1/n) Σ w_i h(r_i)`` with ``w_i = late_weight`` for a late order (``r > 0``) and 1
    otherwise. ``delta > 0`` minutes, ``late_weight > 0``."""
    first, second = _pair(actual, predicted, "predicted")
    delta = check_number("delta", delta, 0, low_open=True)
    weight = check_number("late_weight", late_weight, 0, low_open=True)
    r = first - second
    size = np.abs(r)
    h = np.where(size <= delta, 0.5 * r**2, delta * (size - 0.5 * delta))
    return float(np.mean(np.where(r > 0, weight, 1.0) * h))


def conformal_correction(residuals, alpha: float) -> float:
    """``q̂`` = the ``k``-th smallest of the ``n`` residuals, ``k = ⌈(n + 1) alpha⌉``; needs
    ``k <= n``, i.e. ``n >= ⌈alpha / (1 - alpha)⌉`` orders."""
    values = as_1d(residuals, "residuals")
    n = len(values)
    k = math.ceil((n + 1) * alpha - 1e-12)
    if k > n:
        need = math.ceil(alpha / (1 - alpha) - 1e-12)
        raise ValueError(f"residuals: {n} calibration orders are too few for alpha = {alpha}; "
                         f"at least {need} are needed (⌈(n + 1) alpha⌉ <= n)")
    position = max(k, 1) - 1
    return float(np.partition(values, position)[position])


class ConformalPromise:
    """Split-conformal calibration of a one-sided promise at level ``alpha`` in (0, 1).

    :meth:`fit` takes calibration orders from a later period than the model's training orders
    (:func:`calibration_split`): ``q̂ = `` :func:`conformal_correction` of ``actual -
    predicted``. With ``groups`` (Mondrian) each group with at least ``min_group_orders``
    calibration orders gets its own ``q̂_g``; the others fall back to the global ``q̂``.
    :meth:`predict` returns ``predicted + q̂`` (``+ q̂_g`` per order's group)."""

    def __init__(self, alpha: float = 0.8, min_group_orders: int = MIN_GROUP_ORDERS):
        self.alpha = check_number("alpha", alpha, 0, 1, low_open=True, high_open=True)
        self.min_group_orders = check_int("min_group_orders", min_group_orders, 1)

    def fit(self, actual_cal, predicted_cal, groups=None) -> ConformalPromise:
        first, second = _pair(actual_cal, predicted_cal, "predicted_cal")
        residuals = first - second
        self.correction_ = conformal_correction(residuals, self.alpha)
        self.group_corrections_ = {}
        if groups is not None:
            for key, own in zip(*_split_by_group(residuals, groups)):
                if len(own) >= self.min_group_orders:
                    self.group_corrections_[key] = conformal_correction(own, self.alpha)
        return self

    def predict(self, predicted, groups=None) -> np.ndarray:
        if not hasattr(self, "correction_"):
            raise ValueError("ConformalPromise must be fitted before predict")
        points = as_1d(predicted, "predicted")
        if groups is None:
            return points + self.correction_
        codes, uniques = _group_codes(groups, len(points))
        own = np.array([self.group_corrections_.get(key, self.correction_) for key in uniques])
        shift = np.where(codes >= 0, own[codes] if len(own) else 0.0, self.correction_)
        return points + shift


def _split_by_group(values: np.ndarray, groups) -> tuple[np.ndarray, list[np.ndarray]]:
    """``(uniques, parts)``: the sorted distinct groups and, for each, its orders' ``values``
    (orders with a missing group belong to none)."""
    codes, uniques = _group_codes(groups, len(values))
    if (codes < 0).any():
        codes, values = codes[codes >= 0], values[codes >= 0]
    # a stable sort of codes as narrow integers is a radix sort: linear in the orders
    narrow = codes.astype(np.min_scalar_type(max(len(uniques) - 1, 0)))
    counts = np.bincount(codes, minlength=len(uniques))
    parts = np.split(values[np.argsort(narrow, kind="stable")], np.cumsum(counts)[:-1])
    return uniques, parts


def _group_codes(groups, n) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, uniques)`` of ``pd.factorize(groups, sort=True)``: each order's group as a
    position in the sorted distinct groups, -1 where the group is missing."""
    keys = np.asarray(groups)
    if keys.ndim != 1 or len(keys) != n:
        raise ValueError(f"groups must hold one value per order ({n}); got shape {keys.shape}")
    codes, uniques = pd.factorize(keys, sort=True)
    return codes, np.asarray(uniques)


def calibration_split(train_table: pd.DataFrame, calibration_days: int, seed: int = 0):
    """``(fit_rows, calibration_rows)``: the last ``calibration_days`` days of ``train_table``
    calibrate, the days before fit the model (:func:`~mlsd.cases.contract.split_by_day`), so the
    calibration orders come from a later period than the model's.

    A table without timestamps (:func:`~.schema.has_timestamps`) has no later period: a random
    quarter of its rows, drawn with ``seed``, calibrates, and ``calibration_days`` is unused."""
    if not has_timestamps(train_table):
        calibrates = np.random.default_rng(check_int("seed", seed, 0)).random(len(train_table))
        calibrates = calibrates < RANDOM_CALIBRATION_SHARE
        return train_table[~calibrates], train_table[calibrates]
    return split_by_day(train_table, calibration_days)


@dataclass(frozen=True)
class PromiseCosts:
    """Dollars a promise costs.

    ``late_fixed`` = 3.0 per late order (a typical credit or partial refund on a ~$30 basket);
    ``late_per_minute`` = 0.25 per minute late (complaints and churn grow with the delay);
    ``lost_order`` = 5.0, the contribution margin of an order a customer does not place (about
    15 % of a ~$30 basket plus fees)."""

    late_fixed: float = 3.0
    late_per_minute: float = 0.25
    lost_order: float = 5.0

    def __post_init__(self):
        for name in ("late_fixed", "late_per_minute", "lost_order"):
            check_number(name, getattr(self, name), 0)


def promise_outcomes(actual, quote, costs: PromiseCosts = PromiseCosts()) -> pd.Series:
    """``late_rate``, ``mean_quote``, ``mean_minutes_late`` (among late orders; 0 if none),
    ``conversion`` = mean of ``p_i = conversion_probability(quote_i)``, and ``expected_cost`` per
    checkout = ``(1/n) Σ [(1 - p_i) lost_order + p_i (late_i late_fixed + m_i late_per_minute)]``
    with ``late_i = [actual_i > quote_i]`` and ``m_i = max(actual_i - quote_i, 0)``, summed as
    ``lost_order`` times the mean of ``1 - p_i``, plus ``late_fixed`` times that of ``p_i
    late_i``, plus ``late_per_minute`` times that of ``p_i m_i`` (the means
    :func:`promise_curves` tabulates)."""
    first, second = _pair(actual, quote, "quote")
    late = first > second
    minutes = np.maximum(first - second, 0.0)
    shares = _promise_shares(first, second)
    return pd.Series({
        "late_rate": shares["late_rate"], "mean_quote": shares["mean_quote"],
        "mean_minutes_late": float(minutes[late].mean()) if late.any() else 0.0,
        "conversion": shares["conversion"], "expected_cost": _expected_cost(shares, costs),
    })


def _promise_shares(actual, quote) -> dict[str, float]:
    """The means of one quote that :func:`promise_curves` tabulates."""
    first, second = _pair(actual, quote, "quote")
    p = conversion_probability(second)
    late = first > second
    minutes = np.maximum(first - second, 0.0)
    return {
        "late_rate": late_rate(first, second), "mean_quote": float(second.mean()),
        "conversion": float(p.mean()), "lost_share": float((1 - p).mean()),
        "late_share": float((p * late).mean()), "minutes_late_share": float((p * minutes).mean()),
    }


def _expected_cost(shares, costs: PromiseCosts = PromiseCosts()) -> float:
    """Expected cost per checkout from the means of :func:`_promise_shares`:
    ``lost_order · lost_share + late_fixed · late_share + late_per_minute ·
    minutes_late_share``."""
    return float(costs.lost_order * shares["lost_share"] + costs.late_fixed * shares["late_share"]
                 + costs.late_per_minute * shares["minutes_late_share"])


def promise_curves(actual, quotes, buffers) -> pd.DataFrame:
    """The table :class:`mlsd.explore.PromiseExplorerState` takes: one row per base quote and
    buffer, columns ``base``, ``buffer`` and the means over orders of the quote
    ``q_i = base_i + buffer`` the cost is linear in: ``late_rate`` (of ``late_i = [actual_i >
    q_i]``), ``mean_quote``, ``conversion`` (of ``p_i = conversion_probability(q_i)``),
    ``lost_share`` (of ``1 - p_i``), ``late_share`` (of ``p_i late_i``) and
    ``minutes_late_share`` (of ``p_i m_i``, ``m_i = max(actual_i - q_i, 0)``), so the expected
    cost per checkout is ``lost_order · lost_share + late_fixed · late_share + late_per_minute ·
    minutes_late_share``.

    ``quotes`` maps a name to the base quote of each order (one per ``actual``); ``buffers`` are
    finite minutes in strictly increasing order. Rows come base by base, in ``quotes``' order."""
    first = as_1d(actual, "actual")
    if not isinstance(quotes, dict) or not quotes:
        raise ValueError(f"quotes must be a non-empty dict of name to base quotes; got "
                         f"{type(quotes).__name__}")
    values = _buffers(buffers)
    if (np.diff(values) <= 0).any():
        raise ValueError(f"buffers must be strictly increasing; got {values.tolist()!r:.80}")
    rows = []
    for name, base in quotes.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"quotes: each name must be a non-empty string; got {name!r}")
        _, quote = _pair(first, base, "quote")
        rows += [{"base": name, "buffer": float(b), **_promise_shares(first, quote + b)}
                 for b in values]
    return pd.DataFrame(rows)


def _buffers(buffers) -> np.ndarray:
    values = np.asarray(buffers, dtype=float).ravel()
    if not len(values) or not np.isfinite(values).all():
        raise ValueError(f"buffers must be a non-empty list of finite minutes; got {buffers!r}")
    return values


def promise_frontier(actual, point, buffers, costs: PromiseCosts = PromiseCosts()):
    """One row per buffer ``b`` (finite minutes): :func:`promise_outcomes` of the quote
    ``point + b``, with column ``buffer``."""
    first, second = _pair(actual, point, "point")
    values = _buffers(buffers)
    rows = [promise_outcomes(first, second + b, costs) for b in values]
    frame = pd.DataFrame(rows)
    frame.insert(0, "buffer", values)
    return frame


def cheapest(frontier: pd.DataFrame) -> pd.DataFrame:
    """``frontier`` with a boolean column ``cheapest``, True on the first row of least
    ``expected_cost``."""
    out = frontier.copy()
    out["cheapest"] = False
    out.loc[out["expected_cost"].idxmin(), "cheapest"] = True
    return out

"""The trade-offs of a delivery promise, measured on the simulated marketplace: the business
frontier of the quote, the long tail, drift when the couriers thin out, and when to dispatch.

The business frontier
    :func:`fit_promise_models` fits the mean (squared loss) and the ``alpha``-quantile
    (:class:`~.models.DurationGBDT`) on the fitting days and calibrates the quantile
    (:class:`~.promise.ConformalPromise`) on the later calibration days; :func:`business_frontier`
    adds each buffer of a grid to each base quote and tabulates late rate, conversion and
    expected cost per checkout (:func:`~.promise.promise_frontier`), and :func:`cheapest_promises`
    the cheapest buffer of each base as the cost of a late order changes.

The long tail
    :func:`order_segment` names each order ``rain``, ``holiday`` (a dry holiday) or ``normal``;
    :func:`tail_table` gives each segment's late rate under a quote and the share of its late
    orders a stuck order (``stuck_min > 0``) explains. :func:`tail_strategies` compares five
    ways to buffer the tail, all chosen on the calibration days: for coverage, a flat conformal
    correction for everyone, that correction plus an extra one on rain and holiday orders only,
    and a Mondrian calibration (tail and normal orders apart); for cost, the cheapest flat
    buffer and the cheapest buffer per segment.

Drift when supply shifts
    :func:`residual_shift` is each market's mean residual ``actual − predicted`` before and after
    the first test day; :func:`residual_alerts` watches each market and day (or hour): the
    **market-specific shift** ``s_{m,w} − median_m' s_{m',w}`` (``s`` the mean residual of a
    window minus the market's own before the test days) removes what moves every market at once
    (the platform's growth), ``z = shift / (sd_m / √n)``, and an alert when ``z > z_alert`` and
    the shift exceeds ``min_shift_min`` minutes. :func:`monitoring_plan` names the owners.
    :func:`retraining` replays the test days with a model refitted every ``k`` days.

Dispatch timing
    :func:`prep_dispatch_delay` waits ``max(0, prep estimate − lead)`` before dispatching a
    courier; :func:`dispatch_table` redraws the same orders under each delay
    (:meth:`~.simulate.DeliveryWorld.redraw`, the same noise for every policy) and compares the
    courier's idle minutes at the store, the food's wait and the duration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.features import FEATURES
from mlsd.cases.delivery_eta.models import DurationGBDT
from mlsd.cases.delivery_eta.promise import (
    ConformalPromise,
    PromiseCosts,
    cheapest,
    conformal_correction,
    promise_frontier,
    promise_outcomes,
)
from mlsd.cases.delivery_eta.simulate import HANDOFF_MIN, TO_STORE_SCALE, TO_STORE_SHAPE
from mlsd.validation import as_1d, check_choice, check_int, check_number

ALPHA = 0.8
"""The quantile of the quantile model and the level of its calibration."""
TREES = 100
"""Trees of each model in notebook 4 (the case's default is 200)."""
BUFFERS = np.round(np.arange(-10.0, 25.0 + 0.25, 0.5), 1)
"""The buffers of the frontier: −10 to +25 minutes in steps of half a minute."""
SEGMENTS = ("rain", "holiday", "normal")
Z_ALERT = 4.0
"""A window alerts when its market-specific shift is more than this many standard errors."""
MIN_SHIFT_MIN = 2.0
"""... and more than this many minutes: a shift too small to change a promise is not paged."""
COURIER_LEAD_MIN = TO_STORE_SHAPE * TO_STORE_SCALE
"""The courier's mean travel to the store once assigned (6 minutes)."""


@dataclass(frozen=True)
class CalibratedQuantile:
    """The ``alpha``-quantile GBDT and its conformal calibration (global, or per market)."""

    quantile: DurationGBDT
    conformal: ConformalPromise
    by_market: bool = False

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """The promise of each row: the quantile plus its correction (the row's market's if
        calibrated per market and the market had enough calibration orders)."""
        groups = features["market"].to_numpy() if self.by_market else None
        return self.conformal.predict(self.quantile.predict(features), groups)


@dataclass(frozen=True)
class PromiseModels:
    """The mean model and the calibrated quantile model."""

    point: DurationGBDT
    calibrated: CalibratedQuantile

    def quotes(self, features: pd.DataFrame) -> dict[str, np.ndarray]:
        """The two base quotes of each row: ``mean`` (the point GBDT) and ``calibrated`` (the
        quantile plus its conformal correction)."""
        return {"mean": self.point.predict(features),
                "calibrated": self.calibrated.predict(features)}


def fit_calibrated_quantile(features: pd.DataFrame, fit_rows: pd.DataFrame,
                            calibration_rows: pd.DataFrame, *, alpha: float = ALPHA,
                            n_trees: int = TREES, columns=FEATURES, by_market: bool = False,
                            seed: int = 0) -> CalibratedQuantile:
    """The ``alpha``-quantile GBDT of ``n_trees`` trees on the ``columns`` of ``features`` at
    ``fit_rows``, calibrated at level ``alpha`` on ``calibration_rows`` (tables of orders
    indexed like ``features``), one correction per market if ``by_market``."""
    quantile = DurationGBDT("quantile", alpha=alpha, n_trees=n_trees, features=columns,
                            seed=seed).fit(features.loc[fit_rows.index],
                                           fit_rows["duration_min"].to_numpy(dtype=float))
    return _calibrate(quantile, features, calibration_rows, alpha, by_market)


def _calibrate(quantile, features, calibration_rows, alpha, by_market) -> CalibratedQuantile:
    x_cal = features.loc[calibration_rows.index]
    groups = x_cal["market"].to_numpy() if by_market else None
    conformal = ConformalPromise(alpha).fit(calibration_rows["duration_min"].to_numpy(dtype=float),
                                            quantile.predict(x_cal), groups)
    return CalibratedQuantile(quantile, conformal, by_market)


def fit_promise_models(features: pd.DataFrame, fit_rows: pd.DataFrame,
                       calibration_rows: pd.DataFrame, *, alpha: float = ALPHA,
                       n_trees: int = TREES, columns=FEATURES, seed: int = 0) -> PromiseModels:
    """The mean GBDT (squared loss) and :func:`fit_calibrated_quantile`, both of ``n_trees``
    trees on the ``columns`` of ``features`` at ``fit_rows``."""
    point = DurationGBDT(n_trees=n_trees, features=columns, seed=seed).fit(
        features.loc[fit_rows.index], fit_rows["duration_min"].to_numpy(dtype=float))
    calibrated = fit_calibrated_quantile(features, fit_rows, calibration_rows, alpha=alpha,
                                         n_trees=n_trees, columns=columns, seed=seed)
    return PromiseModels(point, calibrated)


def business_frontier(actual, quotes: Mapping[str, np.ndarray], buffers=BUFFERS,
                      costs: PromiseCosts = PromiseCosts()) -> pd.DataFrame:
    """One row per base quote of ``quotes`` (a name to one quote per order) and buffer ``b``:
    column ``base``, then :func:`~.promise.promise_frontier` of the quote ``base + b`` under
    ``costs`` and ``cheapest`` (True on the first row of least cost of each base)."""
    if not isinstance(quotes, Mapping) or not quotes:
        raise ValueError(f"quotes must be a non-empty dict of name to base quotes; got "
                         f"{quotes!r:.60}")
    frames = [cheapest(promise_frontier(actual, base, buffers, costs)).assign(base=name)
              for name, base in quotes.items()]
    frame = pd.concat(frames, ignore_index=True)
    return frame[["base", *[column for column in frame.columns if column != "base"]]]


def cheapest_promises(actual, quotes: Mapping[str, np.ndarray], late_fixed_values,
                      buffers=BUFFERS, costs: PromiseCosts = PromiseCosts()) -> pd.DataFrame:
    """For each cost of a late order in ``late_fixed_values`` (dollars, the other costs those of
    ``costs``) and each base quote, the cheapest row of :func:`business_frontier`: columns
    ``late_fixed``, ``base``, ``buffer``, ``late_rate``, ``mean_quote``, ``conversion``,
    ``expected_cost``."""
    rows = []
    for value in np.atleast_1d(np.asarray(late_fixed_values, dtype=float)):
        priced = PromiseCosts(float(value), costs.late_per_minute, costs.lost_order)
        frontier = business_frontier(actual, quotes, buffers, priced)
        rows.append(frontier[frontier["cheapest"]].assign(late_fixed=float(value)))
    columns = ["late_fixed", "base", "buffer", "late_rate", "mean_quote", "conversion",
               "expected_cost"]
    return pd.concat(rows, ignore_index=True)[columns]


def order_segment(orders: pd.DataFrame) -> np.ndarray:
    """``rain`` where it rained on the order, else ``holiday`` on a holiday, else ``normal``."""
    rain = orders["rain"].to_numpy(dtype=float) > 0
    holiday = orders["holiday"].to_numpy(dtype=float) > 0
    return np.where(rain, "rain", np.where(holiday, "holiday", "normal"))


def tail_table(orders: pd.DataFrame, quote) -> pd.DataFrame:
    """Per segment of :func:`order_segment` (and ``all``): ``orders``, ``late_rate`` (actual >
    quote), ``mean_minutes_late`` among the late, ``stuck_share`` (orders with ``stuck_min > 0``)
    and ``late_stuck_share`` (the share of the late orders that were stuck)."""
    actual = orders["duration_min"].to_numpy(dtype=float)
    quote = as_1d(quote, "quote")
    if len(quote) != len(actual):
        raise ValueError(f"quote must hold one value per order ({len(actual)}); got {len(quote)}")
    late = actual > quote
    frame = pd.DataFrame({"segment": order_segment(orders), "late": late,
                          "minutes_late": np.where(late, actual - quote, np.nan),
                          "stuck": orders["stuck_min"].to_numpy(dtype=float) > 0})
    frame["late_stuck"] = np.where(late, frame["stuck"], np.nan)
    everyone = frame.assign(segment="all")
    table = pd.concat([frame, everyone]).groupby("segment").agg(
        orders=("late", "size"), late_rate=("late", "mean"),
        mean_minutes_late=("minutes_late", "mean"), stuck_share=("stuck", "mean"),
        late_stuck_share=("late_stuck", "mean"))
    return table.reindex([s for s in (*SEGMENTS, "all") if s in table.index]).astype(float)


def tail_strategies(calibration: pd.DataFrame, quantile_cal, test: pd.DataFrame, quantile_test,
                    *, alpha: float = ALPHA, buffers=BUFFERS,
                    costs: PromiseCosts = PromiseCosts()) -> pd.DataFrame:
    """Five ways to quote the tail (rain and holiday orders) on top of the quantile model, each
    fitted on the ``calibration`` orders and their quantile predictions ``quantile_cal`` and
    judged on the ``test`` orders: three aim at coverage ``alpha`` — ``conformal, flat`` (one
    correction ``q̂`` for everyone), ``conformal + tail buffer`` (``q̂`` plus, on tail orders
    only, the conformal correction of their residuals over ``q̂``, floored at 0) and ``conformal,
    Mondrian`` (one correction for the tail, one for normal orders) — and two at least cost:
    ``cheapest, flat`` (the buffer of least expected cost on all calibration orders) and
    ``cheapest per segment`` (one such buffer for the tail, one for normal orders). One row per
    strategy: ``late_rate`` overall, ``late_tail``, ``late_normal``, ``buffer_tail`` and
    ``buffer_normal`` (mean minutes added to the quantile), ``conversion`` and
    ``expected_cost``."""
    alpha = check_number("alpha", alpha, 0, 1, low_open=True, high_open=True)
    y_cal = calibration["duration_min"].to_numpy(dtype=float)
    q_cal, q_test = as_1d(quantile_cal, "quantile_cal"), as_1d(quantile_test, "quantile_test")
    tail_cal = order_segment(calibration) != "normal"
    tail_test = order_segment(test) != "normal"
    if tail_cal.all() or not tail_cal.any():
        raise ValueError("calibration must hold both tail (rain or holiday) and normal orders")
    flat = conformal_correction(y_cal - q_cal, alpha)
    extra = max(conformal_correction(y_cal[tail_cal] - q_cal[tail_cal] - flat, alpha), 0.0)
    mondrian = {part: conformal_correction(y_cal[tail_cal == part] - q_cal[tail_cal == part],
                                           alpha) for part in (False, True)}
    cheapest_flat = _cheapest_buffer(y_cal, q_cal, buffers, costs)
    cheapest_part = {part: _cheapest_buffer(y_cal[tail_cal == part], q_cal[tail_cal == part],
                                            buffers, costs) for part in (False, True)}
    buffers_by_strategy = {
        "conformal, flat": (flat, flat),
        "conformal + tail buffer": (flat, flat + extra),
        "conformal, Mondrian": (mondrian[False], mondrian[True]),
        "cheapest, flat": (cheapest_flat, cheapest_flat),
        "cheapest per segment": (cheapest_part[False], cheapest_part[True]),
    }
    y_test = test["duration_min"].to_numpy(dtype=float)
    rows = {}
    for name, (normal, tail) in buffers_by_strategy.items():
        quote = q_test + np.where(tail_test, tail, normal)
        outcome = promise_outcomes(y_test, quote, costs)
        late = y_test > quote
        rows[name] = {"late_rate": outcome["late_rate"], "late_tail": float(late[tail_test].mean()),
                      "late_normal": float(late[~tail_test].mean()), "buffer_tail": tail,
                      "buffer_normal": normal, "conversion": outcome["conversion"],
                      "expected_cost": outcome["expected_cost"]}
    return pd.DataFrame(rows).T.rename_axis("strategy")


def _cheapest_buffer(actual, quote, buffers, costs) -> float:
    frontier = cheapest(promise_frontier(actual, quote, buffers, costs))
    return float(frontier.loc[frontier["cheapest"], "buffer"].iloc[0])


def residual_shift(rows: pd.DataFrame, residuals: Mapping[str, np.ndarray],
                   first_test_day: int) -> pd.DataFrame:
    """Per market (rows) and model of ``residuals`` (a name to ``actual − predicted`` per row of
    ``rows``): the mean residual on the days before ``first_test_day`` (``<name> before``), on
    the days from it (``<name> after``) and ``<name> shift``, their difference."""
    market = rows["market"].to_numpy(dtype=int)
    after = rows["day"].to_numpy(dtype=int) >= check_int("first_test_day", first_test_day, 1)
    if after.all() or not after.any():
        raise ValueError(f"first_test_day must leave rows on both sides; got {first_test_day}")
    table = {}
    for name, residual in residuals.items():
        values = pd.Series(_per_row(residual, rows, name))
        table[f"{name} before"] = values[~after].groupby(market[~after]).mean()
        table[f"{name} after"] = values[after].groupby(market[after]).mean()
        table[f"{name} shift"] = table[f"{name} after"] - table[f"{name} before"]
    return pd.DataFrame(table).rename_axis("market")


def _per_row(values, rows, name) -> np.ndarray:
    array = as_1d(values, name)
    if len(array) != len(rows):
        raise ValueError(f"{name} must hold one value per row ({len(rows)}); got {len(array)}")
    return array


def residual_alerts(rows: pd.DataFrame, residual, first_test_day: int, *, window: str = "day",
                    z_alert: float = Z_ALERT, min_shift_min: float = MIN_SHIFT_MIN) -> pd.DataFrame:
    """Each market × ``window`` (``day`` or ``hour``) of the rows from ``first_test_day``:
    ``orders``, ``shift`` (the window's mean residual minus the market's before the test
    days), ``specific_shift`` (``shift`` minus the median ``shift`` of the markets in that
    window), ``z = specific_shift / (sd / √orders)`` with ``sd`` the market's residual standard
    deviation before, ``status`` (``alert`` when ``z > z_alert`` and ``specific_shift >
    min_shift_min``, else ``ok``) and the ``owner`` an alert pages."""
    window = check_choice("window", window, ("day", "hour"))
    z_alert = check_number("z_alert", z_alert, 0, low_open=True)
    min_shift_min = check_number("min_shift_min", min_shift_min, 0)
    values = _per_row(residual, rows, "residual")
    frame = pd.DataFrame({"market": rows["market"].to_numpy(dtype=int),
                          window: rows[window].to_numpy(dtype=int), "residual": values})
    after = rows["day"].to_numpy(dtype=int) >= check_int("first_test_day", first_test_day, 1)
    if after.all() or not after.any():
        raise ValueError(f"first_test_day must leave rows on both sides; got {first_test_day}")
    before = frame[~after].groupby("market")["residual"].agg(["mean", "std"])
    table = frame[after].groupby(["market", window])["residual"].agg(["size", "mean"])
    markets = table.index.get_level_values("market")
    table["shift"] = table["mean"] - before["mean"].reindex(markets).to_numpy()
    median = table["shift"].groupby(level=window).transform("median")
    table["specific_shift"] = table["shift"] - median
    table["z"] = table["specific_shift"] / (before["std"].reindex(markets).to_numpy()
                                            / np.sqrt(table["size"]))
    fired = (table["z"] > z_alert) & (table["specific_shift"] > min_shift_min)
    table["status"] = np.where(fired, "alert", "ok")
    table["owner"] = [f"market {m} operations, with the ETA on-call" for m in markets]
    return (table.rename(columns={"size": "orders"})
            .drop(columns="mean").reset_index())


def monitoring_plan(z_alert: float = Z_ALERT, min_shift_min: float = MIN_SHIFT_MIN):
    """What the ETA team watches, its alert rule and who owns it."""
    rule = f"z > {z_alert:g} and > {min_shift_min:g} min"
    rows = [
        ("residual by market and day", "a market's promises drifting late", rule,
         "market operations, with the ETA on-call"),
        ("late rate of the promise", "the coverage the quote was calibrated to",
         f"above {1 - ALPHA:.0%} by 3 points for a day", "ETA on-call (recalibrate)"),
        ("orders per courier by market", "the supply the real-time features read",
         "PSI > 0.25 against training", "logistics (courier supply)"),
        ("real-time feed freshness", "the features the fallback model lacks",
         "older than 2 min", "real-time platform"),
        ("conversion at checkout", "what a long quote costs", "7-day drop > 2 points",
         "growth team"),
    ]
    return pd.DataFrame(rows, columns=["metric", "watches", "alert", "owner"]).set_index("metric")


def retraining(features: pd.DataFrame, orders: pd.DataFrame, first_test_day: int,
               cadences: Mapping[str, int], *, calibration_days: int = 7, alpha: float = ALPHA,
               n_trees: int = TREES, columns=FEATURES, seed: int = 0,
               costs: PromiseCosts = PromiseCosts()) -> pd.DataFrame:
    """The test days (``day >= first_test_day``) served by the ``alpha``-quantile GBDT refitted
    every ``k`` days for each name → ``k`` of ``cadences``: on a refit day ``d`` the model fits
    the days before ``d − calibration_days``, is calibrated on the ``calibration_days`` before
    ``d`` (``global``: one correction; ``by market``: one per market), each from the orders
    delivered before day ``d`` starts (the labels that have arrived), and serves days ``d … d +
    k − 1``. One row per cadence, calibration, test day and market: ``orders``, ``late_rate``,
    ``mean_quote`` and ``expected_cost``."""
    first_test_day = check_int("first_test_day", first_test_day, 2)
    calibration_days = check_int("calibration_days", calibration_days, 1, first_test_day - 1)
    day = orders["day"].to_numpy(dtype=int)
    last_day = int(day.max())
    if first_test_day > last_day:
        raise ValueError(f"first_test_day must be a day of the orders (<= {last_day}); got "
                         f"{first_test_day}")
    delivered = orders["delivered_time"].to_numpy(dtype=float)
    rows, models = [], {}
    for name, every in cadences.items():
        every = check_int(f"cadences[{name!r}]", every, 1)
        for start in range(first_test_day, last_day + 1, every):
            known = delivered < start
            calibration = orders[known & (day >= start - calibration_days) & (day < start)]
            if start not in models:  # a refit on the same day is the same model
                models[start] = fit_calibrated_quantile(
                    features, orders[known & (day < start - calibration_days)], calibration,
                    alpha=alpha, n_trees=n_trees, columns=columns, seed=seed)
            model = models[start]
            served = orders[(day >= start) & (day < start + every)]
            for label, by_market in (("global", False), ("by market", True)):
                calibrated = _calibrate(model.quantile, features, calibration, alpha, by_market)
                quote = calibrated.predict(features.loc[served.index])
                rows += _daily_outcomes(served, quote, costs, cadence=name, calibration=label)
    return pd.DataFrame(rows)


def _daily_outcomes(served: pd.DataFrame, quote: np.ndarray, costs, **labels) -> list[dict]:
    keys = served[["day", "market"]].to_numpy(dtype=int)
    actual = served["duration_min"].to_numpy(dtype=float)
    rows = []
    for day, market in np.unique(keys, axis=0):
        own = (keys[:, 0] == day) & (keys[:, 1] == market)
        outcome = promise_outcomes(actual[own], quote[own], costs)
        rows.append({**labels, "day": int(day), "market": int(market),
                     "orders": int(own.sum()), "late_rate": outcome["late_rate"],
                     "mean_quote": outcome["mean_quote"],
                     "expected_cost": outcome["expected_cost"]})
    return rows


def prep_dispatch_delay(prep_estimate, lead_min: float = COURIER_LEAD_MIN) -> np.ndarray:
    """Minutes to wait after checkout before dispatching a courier so that, if the courier
    reached the store ``lead_min`` minutes after dispatch, it would arrive as the food is
    ready: ``max(0, prep estimate − lead_min)``; ``lead_min >= 0``."""
    lead = check_number("lead_min", lead_min, 0)
    return np.maximum(as_1d(prep_estimate, "prep_estimate") - lead, 0.0)


def dispatch_table(world, index, delays: Mapping[str, object], seed: int = 0) -> pd.DataFrame:
    """The orders at ``index`` of ``world`` (a :class:`~.simulate.DeliveryWorld`) redrawn with the
    same noise (``seed``) under each dispatch delay of ``delays`` (a name to minutes after
    checkout: a number or one per order). One row per policy: ``mean_delay``,
    ``courier_idle`` (minutes the courier waits at the store), ``food_wait`` (minutes the ready
    food waits for its courier, ``wait − HANDOFF_MIN``), ``duration``, its 90th percentile
    ``duration_p90``, and ``extra_duration`` against the first policy."""
    rows = {}
    for name, delay in delays.items():
        parts = world.redraw(index, seed, dispatch_delay_min=delay)
        rows[name] = {
            "mean_delay": float(np.mean(np.broadcast_to(np.asarray(delay, dtype=float),
                                                        (len(parts),)))),
            "courier_idle": float(parts["courier_idle"].mean()),
            "food_wait": float((parts["wait"] - HANDOFF_MIN).mean()),
            "duration": float(parts["duration"].mean()),
            "duration_p90": float(np.quantile(parts["duration"], 0.9)),
        }
    table = pd.DataFrame(rows).T.rename_axis("policy")
    table["extra_duration"] = table["duration"] - table["duration"].iloc[0]
    return table

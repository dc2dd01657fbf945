"""The delivery-ETA exercise: six judgment tasks, each with its solution and the plausible wrong
answers its check rejects, saying why (:mod:`mlsd.exercise_tasks`).

:func:`build` draws the simulated marketplace of the notebook's parameters with a supply shock in
the test week (from day :data:`SHIFT_DAY`, the best-staffed market keeps :data:`SUPPLY_SHIFT` of
its couriers: :func:`shocked_market`), splits it by day (days 0–13 fit the models, days 14–20
calibrate, days 21–27 test), fits three gradient-boosted models on the fit days and computes what
the tasks share into a :class:`Context`. The reference answers live here, never in the notebook's
check cells.

Task 1 — the quote from the costs
    The squared-loss model's mean on the calibration days plus each buffer of :data:`BUFFERS`
    (:func:`~.promise.promise_frontier` under :class:`~.promise.PromiseCosts`). The answer
    (:func:`cheapest_buffer`): the buffer of least ``expected_cost`` per checkout.
Task 2 — the conformal correction of a quantile model
    The 0.8-quantile model's residuals ``actual - quote`` on the calibration days; the answer
    is :func:`~.promise.conformal_correction` at :data:`ALPHA`: the ``⌈(n + 1) alpha⌉``-th
    smallest of the ``n`` residuals.
Task 3 — what can be served at checkout
    :data:`CANDIDATES`, each described, with its correlation with the duration on the fit days
    (:func:`candidate_table`); the answer is :data:`SERVABLE`, the candidates known when the
    customer checks out: point-in-time features of :data:`~.features.STATIC_FEATURES` and
    :data:`~.features.REAL_TIME_FEATURES`, not the order's own parts (the simulator's
    :data:`~.simulate.TRUTH_COLUMNS`) nor a store mean over the whole log.
Task 4 — a residual-drift alert
    The static model's (no real-time feed) mean residual per market and week (:func:`drift_table`);
    the monitor names the market whose mean residual moved most from the calibration week to the
    test week (:func:`alerted_market`).
Task 5 — the pinball loss by hand
    :data:`HAND_LATE` late and :data:`HAND_ON_TIME` on-time test orders (:func:`hand_orders`:
    the first of each by time, minutes rounded to 0.1) and the 0.8-quantile model's quote; the
    answer is the mean pinball loss ``(1/n) Σ [alpha max(r, 0) + (1 - alpha) max(-r, 0)]``,
    ``r = actual - quote`` (:func:`~mlsd.metrics.regression.pinball_loss`).
Task 6 — dispatch timing (predict, then run)
    The test orders redrawn twice with the same noise (:meth:`~.simulate.DeliveryWorld.redraw`):
    the courier dispatched at checkout and :data:`DISPATCH_DELAY_MIN` later
    (:func:`dispatch_table`: mean ``courier_idle`` and ``food_waiting`` minutes, the latter the
    simulator's ``wait``, pickup minus food ready). The rule (:func:`dispatch_verdict`): each is
    "more", "less" or, within :data:`SAME_CHANGE` of the first (relative), "as much".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.data import load_data, split
from mlsd.cases.delivery_eta.features import FEATURES, STATIC_FEATURES, order_features
from mlsd.cases.delivery_eta.models import DurationGBDT
from mlsd.cases.delivery_eta.promise import (
    PromiseCosts,
    calibration_split,
    conformal_correction,
    promise_frontier,
)
from mlsd.cases.delivery_eta.simulate import draw_markets
from mlsd.exercise_tasks import Exercise, Task, WrongAnswer
from mlsd.metrics.regression import pinball_loss
from mlsd.validation import check_int

__all__ = ["TASKS", "Context", "alerted_market", "build", "candidate_table", "cheapest_buffer",
           "dispatch_table", "dispatch_verdict", "drift_table", "hand_orders", "shocked_market"]

SUPPLY_SHIFT = 0.4
"""The share of its couriers the shocked market keeps from :data:`SHIFT_DAY` on."""
SHIFT_DAY = 21
"""The first day of the shock: the first test day."""
CALIBRATION_DAYS = 7
"""The last days of the training period that calibrate (days 14–20), after the fit days."""
TREES = 100
BUFFERS = tuple(float(b) for b in range(-4, 31, 2))
"""Task 1's buffers on top of the mean, in minutes."""
ALPHA = 0.8
"""The quantile of Task 2's model and of Task 5's loss: the promise's target coverage."""
CANDIDATES = {
    "store_load": "the store's orders in the 20 minutes before checkout",
    "orders_per_courier": "the market's orders in flight per courier on shift, at checkout",
    "store_history_min": "the store's mean duration over its orders delivered before checkout",
    "drive_estimate_min": "the routing engine's drive time, store to customer",
    "store_mean_all_min": "the store's mean duration over every order of the log",
    "true_prep_min": "the order's preparation time, from the kitchen's 'ready' scan",
    "true_wait_min": "the minutes the food waited for its courier's pickup",
    "true_travel_min": "the courier's minutes from pickup to the door, from GPS",
}
"""Task 3's candidate features and what each one is."""
SERVABLE = frozenset({"store_load", "orders_per_courier", "store_history_min",
                      "drive_estimate_min"})
"""Task 3's answer: the candidates known when the customer checks out."""
LABEL_TIME = frozenset({"true_prep_min", "true_wait_min", "true_travel_min"})
"""The order's own parts: known only once it is delivered."""
HAND_LATE, HAND_ON_TIME = 3, 5
"""Task 5's late and on-time orders."""
DISPATCH_DELAY_MIN = 5.0
"""Task 6's later dispatch, minutes after checkout."""
SAME_CHANGE = 0.005
"""Task 6: a relative change within this is "as much"."""
CHANGES = ("more", "as much", "less")
DISPATCH_OPTIONS = tuple(f"{idle} courier idle, {wait} food waiting"
                         for idle in CHANGES for wait in CHANGES)


@dataclass(frozen=True)
class Context:
    """What the exercise's tasks work on (``ex.context``).

    ``costs``: the dollars of a promise; ``frontier``: Task 1's table (one row per buffer, from
    :func:`~.promise.promise_frontier` on the calibration days); ``promise``: Task 2's orders
    (``period`` "fit", "calibration" or "test", ``market``, ``actual`` minutes, ``quote``: the 0.8
    model's); ``candidates``: Task 3's table; ``drift``: Task 4's table; ``hand``: Task 5's orders
    (``actual``, ``quote``); ``dispatch``: Task 6's table (one row per dispatch delay).
    """

    seed: int
    shocked_market: int
    costs: PromiseCosts
    frontier: pd.DataFrame
    promise: pd.DataFrame
    candidates: pd.DataFrame
    drift: pd.DataFrame
    hand: pd.DataFrame
    dispatch: pd.DataFrame


def build(seed: int = 2, n_orders: int = 60_000) -> Exercise:
    """The exercise on the simulated marketplace of ``seed`` and ``n_orders`` over 28 days, with
    the supply shock of :func:`shocked_market` (records the data it used)."""
    seed = check_int("seed", seed, 0, 2**32 - 1)
    n_orders = check_int("n_orders", n_orders, 1_000, 2_000_000)
    market = shocked_market(seed)
    data = load_data("simulated", seed=seed, n_orders=n_orders, supply_shift=SUPPLY_SHIFT,
                     shift_market=market, shift_day=SHIFT_DAY)
    data.record()
    table = data.table
    features = order_features(table)
    held_out = split(data)
    fit, calibration = calibration_split(held_out.train, CALIBRATION_DAYS)
    fit_x, fit_y = features.loc[fit.index], fit["duration_min"]

    def model(loss, columns=FEATURES):
        return DurationGBDT(loss, alpha=ALPHA, features=columns, n_trees=TREES,
                            seed=seed).fit(fit_x, fit_y)

    point, quantile = model("squared"), model("quantile")
    static = model("squared", STATIC_FEATURES)
    costs = PromiseCosts()
    quotes = pd.Series(quantile.predict(features), index=features.index)
    promise = _promise_orders(fit, calibration, held_out.test, quotes)
    context = Context(
        seed=seed, shocked_market=market, costs=costs,
        frontier=promise_frontier(calibration["duration_min"],
                                  point.predict(features.loc[calibration.index]), BUFFERS, costs),
        promise=promise, candidates=candidate_table(table, features, fit.index),
        drift=drift_table(table, static.predict(features), calibration, held_out.test),
        hand=hand_orders(promise[promise["period"] == "test"]),
        dispatch=dispatch_table(data.world, held_out.test.index, seed),
    )
    return Exercise(TASKS, context)


def shocked_market(seed: int, n_markets: int = 6) -> int:
    """The market the shock hits: the best-staffed one, of least planned courier utilisation.

    The markets are those :func:`~.simulate.draw_markets` draws, as the world of ``seed`` has."""
    markets = draw_markets(seed, n_markets)
    return int(np.argmin(markets["utilisation"].to_numpy()))


def _options(name: str, options):
    def outcome(answer, context) -> str:
        if answer not in options:
            allowed = ", ".join(map(repr, options))
            raise ValueError(f"{name} must be one of {allowed}; got {answer!r}")
        return answer
    return outcome


def _number_outcome(answer, context) -> float:
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.number)):
        raise ValueError(f"the answer must be a number; got {answer!r}")
    return float(answer)


# --- Task 1: the quote from the costs -------------------------------------------------------------


def cheapest_buffer(frontier: pd.DataFrame) -> float:
    """The buffer of least ``expected_cost`` (the first, if several tie)."""
    return float(frontier.loc[frontier["expected_cost"].idxmin(), "buffer"])


def _buffer_outcome(answer, context) -> float:
    buffers = context.frontier["buffer"].tolist()
    if isinstance(answer, (bool, np.bool_)) or answer not in buffers:
        raise ValueError(f"buffer must be one of {buffers}; got {answer!r}")
    return float(answer)


def _frontier_argmax(context, column: str, sign: float = 1.0) -> float:
    frontier = context.frontier
    return float(frontier.loc[(sign * frontier[column]).idxmax(), "buffer"])


def _late_rate_near_alpha(context) -> float:
    frontier = context.frontier
    return float(frontier.loc[(frontier["late_rate"] - (1 - ALPHA)).abs().idxmin(), "buffer"])


QUOTE_TASK = Task(
    number=1, what="buffer on top of the mean", solution=lambda c: cheapest_buffer(c.frontier),
    outcome=_buffer_outcome, shows_expected=False,
    wrong_answers=[
        WrongAnswer("the lowest late rate", lambda c: _frontier_argmax(c, "late_rate", -1.0),
                    "the longest quote is almost never late, but a customer shown it orders "
                    "less often: the orders it loses cost more than the refunds it saves"),
        WrongAnswer("the mean itself", lambda c: 0.0,
                    "the mean is late about half the time, and a late order costs a credit and "
                    "more with every minute: the quote needs a buffer"),
        WrongAnswer("a late rate of 20%", _late_rate_near_alpha,
                    "a 20% late rate is what a 0.8 quantile promises, a target no one priced: "
                    "the costs say how much lateness is worth its orders, and here that is less"),
        WrongAnswer("the most conversion", lambda c: _frontier_argmax(c, "conversion"),
                    "the shortest quote converts best and is late most often: conversion is one "
                    "side of the cost, the refunds the other"),
    ],
    hint="the quote is a cost decision: take the buffer whose expected_cost per checkout is least",
    why_right="A promise trades lost orders against late ones: the cheapest buffer is late on "
              "far fewer orders than the mean, yet costs fewer orders than a quote that is "
              "never late.",
)


# --- Task 2: the conformal correction of a quantile model -----------------------------------------


def _promise_orders(fit, calibration, test, quantile: pd.Series) -> pd.DataFrame:
    """Each order of the three periods: ``period``, ``market``, ``actual`` and ``quote``, the 0.8
    model's ``quantile`` (a Series indexed like the whole table)."""
    frames = []
    for period, rows in (("fit", fit), ("calibration", calibration), ("test", test)):
        frames.append(pd.DataFrame({"period": period, "market": rows["market"].to_numpy(),
                                    "actual": rows["duration_min"].to_numpy(dtype=float)},
                                   index=rows.index))
    orders = pd.concat(frames)
    orders["quote"] = quantile.loc[orders.index].to_numpy()
    return orders


def _residuals(context, period: str) -> np.ndarray:
    rows = context.promise[context.promise["period"] == period]
    return rows["actual"].to_numpy() - rows["quote"].to_numpy()


CORRECTION_TASK = Task(
    number=2, what="conformal correction q̂",
    solution=lambda c: conformal_correction(_residuals(c, "calibration"), ALPHA),
    outcome=_number_outcome, rel=1e-9,
    wrong_answers=[
        WrongAnswer("the test week's residuals",
                    lambda c: conformal_correction(_residuals(c, "test"), ALPHA),
                    "the test week is the future the promise is for: a correction read from its "
                    "outcomes is a leak, and its coverage would be measured on the orders that "
                    "set it. Calibrate on the days after the fit, before the test"),
        WrongAnswer("the fit days' residuals",
                    lambda c: conformal_correction(_residuals(c, "fit"), ALPHA),
                    "on the orders it was fitted to, a model's residuals are too small: its "
                    "trees learned them. The guarantee needs orders the model has not seen"),
        WrongAnswer("a two-sided |residual|",
                    lambda c: conformal_correction(np.abs(_residuals(c, "calibration")), ALPHA),
                    "|actual − quantile| is the half-width of a two-sided interval: a promise is "
                    "one-sided, only lateness breaks it, so the residual keeps its sign"),
        WrongAnswer("the interpolated sample quantile",
                    lambda c: float(np.quantile(_residuals(c, "calibration"), ALPHA)),
                    "np.quantile interpolates between residuals; split conformal's guarantee "
                    "holds for the ⌈(n + 1) × 0.8⌉-th smallest residual itself"),
    ],
    hint="residuals actual − quantile of the calibration days, sorted; q̂ is the k-th smallest, "
         "k = ⌈(n + 1) × 0.8⌉",
    why_right="Adding q̂ to every quote makes the promise cover at least 80% of exchangeable "
              "future orders, whatever the model; q̂ may be negative when the model "
              "over-covers.",
)


# --- Task 3: what can be served at checkout -------------------------------------------------------


def candidate_table(table: pd.DataFrame, features: pd.DataFrame, fit_index) -> pd.DataFrame:
    """One row per candidate of :data:`CANDIDATES`: ``what`` it is and ``corr``, its Pearson
    correlation with ``duration_min`` over the rows of ``fit_index``, indexed by ``feature``."""
    store = table["store_id"].to_numpy()
    store_mean = table.groupby(store)["duration_min"].transform("mean")
    values = {"store_mean_all_min": store_mean.to_numpy(),
              **{name: table[name].to_numpy() for name in LABEL_TIME}}
    values.update({name: features[name].to_numpy() for name in CANDIDATES if name not in values})
    rows = table.index.get_indexer(fit_index)
    duration = table["duration_min"].to_numpy(dtype=float)[rows]
    correlation = {}
    for name in CANDIDATES:
        x = np.asarray(values[name], dtype=float)[rows]
        known = ~np.isnan(x)
        correlation[name] = float(np.corrcoef(x[known], duration[known])[0, 1])
    return pd.DataFrame({"what": pd.Series(CANDIDATES), "corr": pd.Series(correlation)}) \
        .rename_axis("feature")


def _columns_outcome(answer, context) -> set[str]:
    columns = set(answer) if isinstance(answer, (set, frozenset, list, tuple)) else None
    if columns is None or not columns <= set(CANDIDATES):
        raise ValueError(f"servable must be a set of the candidates' names; got {answer!r:.80}")
    return columns


SERVING_TASK = Task(
    number=3, what="features known at checkout", solution=lambda c: set(SERVABLE),
    outcome=_columns_outcome, shows_expected=False,
    wrong_answers=[
        WrongAnswer("every candidate", lambda c: set(CANDIDATES),
                    "the order's own preparation, wait and travel happen after checkout (the "
                    "kitchen's ready scan, the pickup, the door): their sum is the label, which "
                    "is why they correlate so well"),
        WrongAnswer("the store's mean over the whole log",
                    lambda c: {*SERVABLE, "store_mean_all_min"},
                    "a mean over every order of the log holds orders delivered after this "
                    "checkout, this order's own duration among them: not point-in-time"),
        WrongAnswer("the kitchen's ready time",
                    lambda c: {*SERVABLE, "true_prep_min"},
                    "at checkout the kitchen has not started cooking: the order's preparation "
                    "time is known at its 'ready' scan, after the quote was shown"),
        WrongAnswer("no label-based history", lambda c: SERVABLE - {"store_history_min"},
                    "a feature built from earlier labels is fine when it is point-in-time: the "
                    "store's mean over the orders delivered before checkout is known then"),
        WrongAnswer("no real-time feed", lambda c: SERVABLE - {"store_load", "orders_per_courier"},
                    "the kitchen's load and the couriers in flight are the real-time state at "
                    "checkout, served from a streaming feature store: known, and what moves the "
                    "wait most"),
    ],
    hint="for each candidate ask: does it exist at the moment of checkout, from events before it?",
    why_right="A feature may use only what happened before checkout: the real-time state, the "
              "routing engine and labels already delivered; the order's own parts are the "
              "label in pieces.",
)


# --- Task 4: a residual-drift alert ---------------------------------------------------------------


def drift_table(table: pd.DataFrame, predicted: np.ndarray, calibration: pd.DataFrame,
                test: pd.DataFrame) -> pd.DataFrame:
    """Per market: ``test_orders`` (orders of the test week), ``mean_min_before`` (the mean
    duration of the calibration week) and ``residual_week_w`` for each week ``w = day // 7``: the
    mean of ``actual - predicted`` over the market's orders of that week, indexed by
    ``market``."""
    market = table["market"].to_numpy(dtype=np.int64)
    residual = pd.DataFrame({"market": market, "week": table["day"].to_numpy(dtype=np.int64) // 7,
                             "residual": table["duration_min"].to_numpy(dtype=float) - predicted})
    weekly = residual.pivot_table(index="market", columns="week", values="residual",
                                  aggfunc="mean")
    weekly.columns = [f"residual_week_{week}" for week in weekly.columns]
    before = calibration.groupby(calibration["market"].to_numpy(dtype=np.int64))["duration_min"]
    drift = pd.DataFrame({
        "test_orders": test.groupby(test["market"].to_numpy(dtype=np.int64)).size(),
        "mean_min_before": before.mean(),
    }).join(weekly)
    return drift.rename_axis("market")


def alerted_market(drift: pd.DataFrame) -> int:
    """The market whose mean residual moved most from the calibration week to the test week (the
    last two ``residual_week_*`` columns)."""
    weeks = [column for column in drift.columns if column.startswith("residual_week_")]
    moved = drift[weeks[-1]] - drift[weeks[-2]]
    return int(moved.idxmax())


def _market_outcome(answer, context) -> int:
    markets = [int(m) for m in context.drift.index]
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)) \
            or int(answer) not in markets:
        raise ValueError(f"market must be one of {markets}; got {answer!r}")
    return int(answer)


ALERT_TASK = Task(
    number=4, what="market the drift alert names", solution=lambda c: alerted_market(c.drift),
    outcome=_market_outcome, shows_expected=False,
    wrong_answers=[
        WrongAnswer("the most orders", lambda c: int(c.drift["test_orders"].idxmax()),
                    "a big market weighs most in the overall error, but its residuals need not "
                    "have moved: the alert is about a market whose durations the model no "
                    "longer predicts"),
        WrongAnswer("the slowest market", lambda c: int(c.drift["mean_min_before"].idxmax()),
                    "a market with long deliveries is not a drifting one: the model learned "
                    "its durations, and its residuals stay near zero"),
    ],
    hint="compare each market's mean residual in the test week with the week before",
    why_right="The model reads no real-time feed, so it cannot see that the market lost couriers: "
              "its quotes fall short there by minutes, which a residual monitor per market "
              "catches within days.",
)


# --- Task 5: the pinball loss by hand -------------------------------------------------------------


def hand_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """The first :data:`HAND_LATE` late and first :data:`HAND_ON_TIME` on-time orders of
    ``orders`` (``actual`` above ``quote``, or not), in their order, minutes rounded to 0.1:
    columns ``actual`` and ``quote``."""
    rounded = pd.DataFrame({"actual": orders["actual"].round(1).to_numpy(),
                            "quote": orders["quote"].round(1).to_numpy()})
    late = rounded["actual"].to_numpy() > rounded["quote"].to_numpy()
    chosen = np.sort(np.r_[np.flatnonzero(late)[:HAND_LATE],
                           np.flatnonzero(~late)[:HAND_ON_TIME]], kind="stable")
    if late.sum() < HAND_LATE or (~late).sum() < HAND_ON_TIME:
        raise ValueError(f"the test week holds fewer than {HAND_LATE} late or {HAND_ON_TIME} "
                         "on-time orders; simulate more orders")
    return rounded.iloc[chosen].reset_index(drop=True)


def _hand(context):
    return context.hand["actual"].to_numpy(), context.hand["quote"].to_numpy()


def _late_side_only(context) -> float:
    actual, quote = _hand(context)
    return float(np.mean(ALPHA * np.maximum(actual - quote, 0.0)))


PINBALL_TASK = Task(
    number=5, what=f"pinball loss at {ALPHA}",
    solution=lambda c: pinball_loss(*_hand(c), alpha=ALPHA), outcome=_number_outcome, rel=1e-6,
    wrong_answers=[
        WrongAnswer("the weights swapped", lambda c: pinball_loss(*_hand(c), alpha=1 - ALPHA),
                    "a 0.8 quantile is the quote that is late 20% of the time: a minute late "
                    "costs 0.8, a minute early 0.2. Swapped, the loss is the 0.2 quantile's"),
        WrongAnswer("the late side only", _late_side_only,
                    "an early order costs too, 0.2 a minute: without it the loss is least for "
                    "an endless quote"),
        WrongAnswer("the absolute error", lambda c: float(np.mean(np.abs(np.subtract(*_hand(c))))),
                    "that is the MAE, which weighs both sides alike: its best quote is the "
                    "median, late half the time"),
        WrongAnswer("the sum", lambda c: len(c.hand) * pinball_loss(*_hand(c), alpha=ALPHA),
                    "the loss is a mean over the orders: divide the sum by how many there are"),
    ],
    hint="r = actual − quote; a late order (r > 0) costs 0.8 r, an early one 0.2 × (−r); take the "
         "mean",
    why_right="The pinball loss at 0.8 is least for the quote that 80% of orders beat: it is what "
              "a quantile model minimises, and why its quotes are long on purpose.",
)


# --- Task 6: dispatch timing ----------------------------------------------------------------------


def dispatch_table(world, index, seed: int, delay_min: float = DISPATCH_DELAY_MIN) -> pd.DataFrame:
    """The orders at ``index`` redrawn with the courier dispatched at checkout and ``delay_min``
    later, with the same noise (``seed``): per delay, the mean ``courier_idle`` and
    ``food_waiting`` minutes, indexed by ``dispatch_delay_min``."""
    rows = {}
    for delay in (0.0, float(delay_min)):
        parts = world.redraw(index, seed=seed, dispatch_delay_min=delay)
        rows[delay] = {"courier_idle": float(parts["courier_idle"].mean()),
                       "food_waiting": float(parts["wait"].mean()),
                       "duration": float(parts["duration"].mean())}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("dispatch_delay_min")


def dispatch_verdict(table: pd.DataFrame) -> str:
    """How courier idle and food waiting change from the first row of ``table`` to the last (module
    docstring, Task 6): one of :data:`DISPATCH_OPTIONS`."""
    now, later = table.iloc[0], table.iloc[-1]
    return f"{_change(now['courier_idle'], later['courier_idle'])} courier idle, " \
           f"{_change(now['food_waiting'], later['food_waiting'])} food waiting"


def _change(before: float, after: float) -> str:
    if abs(after - before) <= SAME_CHANGE * before:
        return "as much"
    return "more" if after > before else "less"


DISPATCH_TASK = Task(
    number=6, what="what a later dispatch changes", solution=lambda c: dispatch_verdict(c.dispatch),
    outcome=_options("prediction", DISPATCH_OPTIONS), shows_expected=False,
    wrong_answers=[
        WrongAnswer("a free delay", lambda c: "less courier idle, as much food waiting",
                    "the delay is free only on orders whose courier would have waited longer "
                    "than it: on the others the courier now arrives after the food is ready, and "
                    "the food waits"),
        WrongAnswer("nothing moves", lambda c: "as much courier idle, as much food waiting",
                    "a courier sent later reaches the store later: the minutes move from the "
                    "courier's wait to the food's"),
        WrongAnswer("both fall", lambda c: "less courier idle, less food waiting",
                    "a later courier cannot pick the food up sooner: the food's wait can only "
                    "grow"),
    ],
    hint="answer with one of the options",
    why_right="Dispatch timing trades the courier's idle minutes (a cost to the platform) against "
              "the food's waiting (cold food, and a later delivery): a dispatch model predicts "
              "the preparation to send the courier just in time.",
)

TASKS = (QUOTE_TASK, CORRECTION_TASK, SERVING_TASK, ALERT_TASK, PINBALL_TASK, DISPATCH_TASK)
"""The exercise's tasks, in the notebook's order."""

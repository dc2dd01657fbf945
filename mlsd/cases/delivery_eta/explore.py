"""Delivery ETA's explorer for the gallery, on a small simulated marketplace.

- **Promise** (:class:`mlsd.explore.PromiseExplorer`): ``n_orders`` simulated orders
  (:func:`~.data.load_data`, every other size at its default), split by day (:func:`~.data.split`:
  the last 7 days test); of the training days, the last :data:`CALIBRATION_DAYS` calibrate
  (:func:`~.promise.calibration_split`) and the days before fit two models of :data:`TREES` trees
  (:class:`~.models.DurationGBDT`): the mean (squared loss) and the 0.8 quantile. The three base
  quotes of each test order are the point GBDT, the 0.8 quantile, and the 0.8 quantile calibrated
  by :class:`~.promise.ConformalPromise` on the calibration days. The slider adds a buffer of
  :data:`BUFFERS` minutes; the costs start at :class:`~.promise.PromiseCosts`' defaults, and the
  conversion is the simulator's (:func:`~.simulate.conversion_probability`).

What the tab shows on seeds 1–5 and 7 (30,000 orders, the default costs: $5 a lost order, $3 a
late one, $0.25 a minute late). With no buffer the point GBDT is late on 39–42 % of orders (the
mean of a right-skewed duration is beaten less than half the time), the 0.8 quantile on 17–20 %
and the calibrated 0.8 quantile on 20–21 % (with 60 trees the quantile model already covers
about 80 %; the calibration moves it by at most 4 points). The cheapest buffer is +8.5 to +10
minutes on the point GBDT (late rate there 9–13 %), +4 to +5 on the 0.8 quantile and +4.5 to
+5.5 on the calibrated one (late rate 8–10 %): at these costs the cheapest promise is a higher
quantile than 0.8, about 0.9. The three bases reach the same least cost within $0.03 per
checkout (between $1.44 and $1.93 across seeds): a buffer on the mean does nearly as well as one
on a quantile, and which base wins changes with the seed. Raising the cost of a late order moves
every cheapest buffer right: at $6, +10 to +12 on the point GBDT and +5.5 to +7.5 on the
quantiles; at $10, +13 to +13.5 and +7.5 to +9.5.

The whole tab took 0.7–0.85 s per seed, the machine's two cores shared with another job (the two
fits of 60 trees most of it; importing the kit takes longer); on a busier machine it takes many
times longer. A move of the slider then takes about 10 ms, a new cost or base about 0.1 s (the
figure redrawn).

The simulator, the models and the explorer are imported inside the functions that use them: with
the gallery's cache filled, ``mlsd explore`` reads the quotes from it without importing LightGBM.
"""

from __future__ import annotations

import numpy as np

import mlsd.explore as explorers
from mlsd.cases.contract import SIMULATED, ExplorerTab
from mlsd.cases.delivery_eta.promise import (
    ConformalPromise,
    PromiseCosts,
    calibration_split,
    promise_curves,
)
from mlsd.explore.cache import cached_inputs
from mlsd.validation import check_int

MIN_ORDERS = 5_000
"""The smallest world the tab accepts: its calibration and test weeks then hold about a thousand
orders each."""
TREES = 60
"""Trees of each model in the tab (the case's default is 200)."""
ALPHA = 0.8
"""The quantile of the quantile model and the level of its conformal calibration."""
CALIBRATION_DAYS = 7
"""The last training days that calibrate the quantile instead of fitting the models."""
BUFFERS = tuple(float(b) for b in np.arange(-20, 41) / 2)
"""The buffers the slider offers: −10 to +20 minutes in steps of half a minute."""
BASES = {"point GBDT": "point", "0.8 quantile": "quantile",
         "0.8 quantile, calibrated": "calibrated"}
"""The tab's base quotes and the key of each in the start numbers' names."""


def gallery_tabs(seed: int = 7, n_orders: int = 30_000) -> list[ExplorerTab]:
    """The promise tab (see the module docstring). Its start numbers, at the point GBDT with no
    buffer and the default costs: ``promise_late_rate``, ``promise_mean_quote``,
    ``promise_conversion`` and ``promise_expected_cost``; and for each base (``point``,
    ``quantile``, ``calibrated``) its cheapest buffer, the cost and the late rate there:
    ``promise_<base>_best_buffer``, ``promise_<base>_best_cost``,
    ``promise_<base>_best_late_rate``."""
    seed = check_int("seed", seed, 0)
    n_orders = check_int("n_orders", n_orders, MIN_ORDERS)
    actual, quotes = gallery_quotes(seed, n_orders)
    return [
        ExplorerTab(
            "Promise",
            "Delivery ETA: the time promised at checkout is a base prediction plus a buffer. "
            "Slide the buffer and watch the late rate fall while the conversion falls too; the "
            "green line marks the cheapest promise. Raise the cost of a late order, or switch "
            "to the calibrated 0.8 quantile, and see where the cheapest buffer moves.",
            lambda: promise_explorer(actual, quotes),
            _promise_start,
        )
    ]


def _promise_start(explorer) -> dict[str, float]:
    start = explorer.state.snapshot()
    numbers = {"promise_late_rate": start.late_rate, "promise_mean_quote": start.mean_quote,
               "promise_conversion": start.conversion,
               "promise_expected_cost": start.expected_cost}
    for name, key in BASES.items():
        best = explorer.state.cheapest(name)
        numbers.update({f"promise_{key}_best_buffer": best.buffer,
                        f"promise_{key}_best_cost": best.expected_cost,
                        f"promise_{key}_best_late_rate": best.late_rate})
    return numbers


@cached_inputs
def gallery_quotes(seed: int, n_orders: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``(actual, quotes)`` of the test days of a world of ``n_orders`` orders: the test
    durations and the module docstring's three base quotes (:data:`BASES`) of each test order."""
    from mlsd.cases.delivery_eta.data import load_data, split
    from mlsd.cases.delivery_eta.features import order_features
    from mlsd.cases.delivery_eta.models import DurationGBDT

    data = load_data(SIMULATED, seed=seed, n_orders=n_orders)
    features = order_features(data.table)
    held_out = split(data)
    fit_rows, cal_rows = calibration_split(held_out.train, CALIBRATION_DAYS)
    fit_x, fit_y = features.loc[fit_rows.index], fit_rows["duration_min"]
    point = DurationGBDT(n_trees=TREES, seed=seed).fit(fit_x, fit_y)
    quantile = DurationGBDT("quantile", alpha=ALPHA, n_trees=TREES, seed=seed).fit(fit_x, fit_y)
    test_x = features.loc[held_out.test.index]
    conformal = ConformalPromise(ALPHA).fit(cal_rows["duration_min"],
                                            quantile.predict(features.loc[cal_rows.index]))
    quantile_test = quantile.predict(test_x)
    quotes = dict(zip(BASES, (point.predict(test_x), quantile_test,
                              conformal.predict(quantile_test))))
    return held_out.test["duration_min"].to_numpy(dtype=float), quotes


def promise_explorer(actual, quotes: dict, *, buffers=BUFFERS,
                     costs: PromiseCosts = PromiseCosts(), base: str | None = None,
                     buffer: float = 0.0, title: str = ""):
    """The :class:`mlsd.explore.PromiseExplorer` on a notebook's own orders: ``actual`` durations (minutes) and
    ``quotes``, a dict of name → base quote of each order (:func:`~.promise.promise_curves` on
    ``buffers``), starting at ``base`` (default: the first) plus ``buffer`` minutes with
    ``costs``."""
    curves = promise_curves(actual, quotes, buffers)
    return explorers.PromiseExplorer(
        curves, base=base, buffer=buffer, lost_order=costs.lost_order,
        late_fixed=costs.late_fixed, late_per_minute=costs.late_per_minute, title=title,
    )

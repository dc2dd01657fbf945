"""The serving path of a delivery-time quote and its latency budget.

A quote is computed when the customer opens the checkout page (one store), and for every store of
the home page's list (a few dozen), on the same path: the routing engine's drive time from the
store to the customer, the real-time features from the streaming feature store (the store's
orders of the last 20 minutes, the market's outstanding orders, couriers on shift and busy), the
store's batch features (its smoothed history of delivered orders), the duration model (gradient-
boosted trees) and the promise (the calibrated quantile's correction for the market, and the
buffer). This shape is DoorDash's and Uber's (DoorDash Engineering, "Improving ETA prediction
accuracy for long-tail events", 2021; Hu et al., "DeeprETA: an ETA post-processing system at
scale", arXiv 2206.02127, 2022).

A stage's median latency is ``fixed_ms + quotes × cost_us_per_item / 1000`` and its spread
log-normal (:class:`mlsd.explore.FunnelStage`); the checkout quote must meet
:data:`LATENCY_BUDGET_MS` at its 99th percentile.

The real-time features are computed by the same functions online and offline
(:func:`~.features.store_load`, :func:`~.features.count_before`): what a model trained on the log
sees is what the stream serves. When the stream is down, the fallback model
(:data:`~.features.STATIC_FEATURES`) answers; notebook 3 measures what that costs.
"""

from __future__ import annotations

from mlsd.explore.latency import FunnelStage
from mlsd.validation import check_int

LATENCY_BUDGET_MS = 150.0
"""The p99 deadline of the checkout page's quote, in milliseconds: the page waits for it."""


def funnel_stages(n_quotes: int = 1) -> list[FunnelStage]:
    """The serving path of ``n_quotes`` quotes, to explore against :data:`LATENCY_BUDGET_MS`.

    Parameters
    ----------
    n_quotes : int, default=1
        Stores quoted in one request: 1 at checkout, a few dozen for the home page's list; an
        integer >= 1.

    Returns
    -------
    list of FunnelStage
        - routing (drive time): one call to the routing engine with every store, 50 µs a store
          over a fixed 25 ms;
        - real-time features (store load, couriers): the streaming feature store's multi-get,
          20 µs a store over 6 ms;
        - batch features (store history): the offline store's multi-get, 10 µs a store over 4 ms;
        - duration model (GBDT): 30 µs a store over 2 ms;
        - promise (calibration, buffer): the market's correction and the buffer, 2 µs a store
          over 0.5 ms.

    Notes
    -----
    The numbers are orders of magnitude, not measurements of any company's system, chosen so that
    one checkout quote fits the 150 ms budget at the 99th percentile with room to spare and the
    routing engine, an external service, takes the most time.
    """
    n_quotes = check_int("n_quotes", n_quotes, 1)
    return [
        FunnelStage("routing (drive time)", n_quotes, 50.0, 25.0, 0.5),
        FunnelStage("real-time features (store load, couriers)", n_quotes, 20.0, 6.0, 0.5),
        FunnelStage("batch features (store history)", n_quotes, 10.0, 4.0, 0.4),
        FunnelStage("duration model (GBDT)", n_quotes, 30.0, 2.0, 0.3),
        FunnelStage("promise (calibration, buffer)", n_quotes, 2.0, 0.5, 0.3),
    ]

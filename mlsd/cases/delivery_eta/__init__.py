"""Delivery ETA: the time promised at checkout (DoorDash/Uber Eats-style), from what is known then.

A late delivery costs more than an early one, and a long quote loses the order: the promise is a
quantile or a buffer chosen from costs, not the mean. Each duration is preparation + the wait for
pickup + travel; the real-time state (orders in flight, couriers on shift and busy, the kitchen's
load) moves the wait and the preparation. On a simulated marketplace every part is known::

    from mlsd.cases import delivery_eta as case
    data = case.load_data("simulated", seed=7)

The package, one job per module:

- :mod:`.schema` — the orders table every source is mapped onto, and the label (the duration)
- :mod:`.simulate` — the generative story: markets, stores and their kitchens, orders through the
  day, couriers on shift, the three parts of each duration, a long tail, and the conversion that
  falls with the quote
- :mod:`.features` — the point-in-time features of an order: the kitchen's load, the store's
  history from labels already delivered, the real-time state
- :mod:`.models` — the historical average by store, a distance/speed rule, and gradient-boosted
  trees for the mean, the median or a quantile
- :mod:`.framing` — notebook 1's framing: the label's timeline, the parts of a duration, the
  label's delay
- :mod:`.evaluation` — the scorecards of a point estimate and of a quote, and the published
  results on DoorDash's data
- :mod:`.architecture` — notebook 3's experiments: the parts or one model, and what the real-time
  feed is worth
- :mod:`.serving` — the serving path of a quote and its latency budget
- :mod:`.design` — the design review, the scale, the clarifying questions and the interview
  prompts
- :mod:`.promise` — from a prediction to a promise: coverage, an asymmetric loss, split-conformal
  calibration on a later period (per group if asked), and what a promise costs
- :mod:`.doordash` — DoorDash's ``historical_data.csv``, read offline onto the schema
- :mod:`.food_delivery` — the Kaggle food-delivery ``deliverytime.txt``, read offline onto the
  schema, with distances from the coordinates
- :mod:`.data` — ``load_data`` for every source, and the split by day (at random for a file
  without timestamps)
- :mod:`.tradeoffs` — the promise's business frontier, the long tail, drift when the couriers
  thin out (alerts, owners, retraining cadence), and when to dispatch the courier
- :mod:`.explore` — the promise explorer for the gallery (a buffer on three base quotes), and
  on a notebook's own orders
- :mod:`.exercise` — the exercise's tasks, their solutions and the plausible wrong answers its
  checks reject (:func:`~.exercise.build`, re-exported as ``build_exercise``)
"""

from __future__ import annotations

from mlsd.cases.contract import CaseInfo
from mlsd.cases.delivery_eta.data import SOURCES
from mlsd.lazy import lazy_exports

_HOMES = {
    **dict.fromkeys((
        "FEATURE_SETS", "MARKET_STATE", "decomposed_estimates", "feature_set_errors",
        "fit_feature_sets", "lagged_feed", "stale_feed_errors",
    ), ".architecture"),
    **dict.fromkeys(("NO_TRUTH", "load_data", "split"), ".data"),
    **dict.fromkeys((
        "clarifying_questions", "design_doc", "interview_prompts", "scale_assumptions",
    ), ".design"),
    "doordash_report": ".doordash",
    **dict.fromkeys(("PUBLISHED_DOORDASH", "point_scorecard", "quote_scorecard"), ".evaluation"),
    "TASKS": ".exercise",
    "build_exercise": ".exercise:build",
    **dict.fromkeys(("gallery_tabs", "promise_explorer"), ".explore"),
    **dict.fromkeys((
        "FEATURES", "REAL_TIME_FEATURES", "STATIC_FEATURES", "order_features", "split_features",
        "store_history", "store_load", "store_means",
    ), ".features"),
    "food_delivery_report": ".food_delivery",
    **dict.fromkeys((
        "LABEL_TIMELINE", "PARTS", "duration_parts", "food_waits_share", "label_delay",
    ), ".framing"),
    **dict.fromkeys(("LOSSES", "DistanceRule", "DurationGBDT", "store_average"), ".models"),
    **dict.fromkeys((
        "ConformalPromise", "PromiseCosts", "asymmetric_huber", "calibration_split", "cheapest",
        "conformal_correction", "coverage", "coverage_by", "promise_curves", "promise_frontier",
        "promise_outcomes",
    ), ".promise"),
    **dict.fromkeys(("duration_label", "has_timestamps"), ".schema"),
    **dict.fromkeys(("LATENCY_BUDGET_MS", "funnel_stages"), ".serving"),
    **dict.fromkeys(("conversion_probability", "simulate_orders"), ".simulate"),
    **dict.fromkeys((
        "CalibratedQuantile", "PromiseModels", "business_frontier", "cheapest_promises",
        "dispatch_table", "fit_calibrated_quantile", "fit_promise_models", "monitoring_plan",
        "order_segment", "prep_dispatch_delay", "residual_alerts", "residual_shift", "retraining",
        "tail_strategies", "tail_table",
    ), ".tradeoffs"),
    "has_truth": "mlsd.cases.contract",
    **dict.fromkeys((
        "FunnelBudgetExplorer", "FunnelBudgetState", "PromiseExplorer", "PromiseExplorerState",
    ), "mlsd.explore"),
    "size": "mlsd.sizing",
}
"""Where each name of the façade lives (:mod:`mlsd.lazy`): it is imported when first used, so that
importing one module of the case (the gallery imports its ``explore``) does not import them all."""

CASE = CaseInfo(number=5, name="delivery_eta", title="Delivery ETA", sources=SOURCES)

__all__ = [
    "asymmetric_huber", "build_exercise", "business_frontier", "CalibratedQuantile",
    "calibration_split", "cheapest", "cheapest_promises", "clarifying_questions",
    "conformal_correction", "ConformalPromise", "conversion_probability", "coverage",
    "coverage_by", "decomposed_estimates", "design_doc", "dispatch_table", "DistanceRule",
    "doordash_report", "duration_label", "duration_parts", "DurationGBDT", "feature_set_errors",
    "FEATURE_SETS", "FEATURES", "fit_calibrated_quantile", "fit_feature_sets",
    "fit_promise_models", "food_delivery_report", "food_waits_share", "funnel_stages",
    "FunnelBudgetExplorer", "FunnelBudgetState", "gallery_tabs", "has_timestamps", "has_truth",
    "interview_prompts", "label_delay", "LABEL_TIMELINE", "lagged_feed", "LATENCY_BUDGET_MS",
    "load_data", "LOSSES", "MARKET_STATE", "monitoring_plan", "NO_TRUTH", "order_features",
    "order_segment", "PARTS", "point_scorecard", "prep_dispatch_delay", "promise_curves",
    "promise_explorer", "promise_frontier", "promise_outcomes", "PromiseCosts", "PromiseExplorer",
    "PromiseExplorerState", "PromiseModels", "PUBLISHED_DOORDASH", "quote_scorecard",
    "REAL_TIME_FEATURES", "residual_alerts", "residual_shift", "retraining", "scale_assumptions",
    "simulate_orders", "size", "SOURCES", "split", "split_features", "stale_feed_errors",
    "STATIC_FEATURES", "store_average", "store_history", "store_load", "store_means",
    "tail_strategies", "tail_table", "TASKS",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _HOMES)

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

from mlsd.cases.contract import CaseInfo, has_truth
from mlsd.cases.delivery_eta.architecture import (
    FEATURE_SETS,
    MARKET_STATE,
    decomposed_estimates,
    feature_set_errors,
    fit_feature_sets,
    lagged_feed,
    stale_feed_errors,
)
from mlsd.cases.delivery_eta.data import NO_TRUTH, SOURCES, load_data, split
from mlsd.cases.delivery_eta.design import (
    clarifying_questions,
    design_doc,
    interview_prompts,
    scale_assumptions,
)
from mlsd.cases.delivery_eta.doordash import doordash_report
from mlsd.cases.delivery_eta.evaluation import PUBLISHED_DOORDASH, point_scorecard, quote_scorecard
from mlsd.cases.delivery_eta.exercise import TASKS
from mlsd.cases.delivery_eta.exercise import build as build_exercise
from mlsd.cases.delivery_eta.explore import gallery_tabs, promise_explorer
from mlsd.cases.delivery_eta.features import (
    FEATURES,
    REAL_TIME_FEATURES,
    STATIC_FEATURES,
    order_features,
    split_features,
    store_history,
    store_load,
    store_means,
)
from mlsd.cases.delivery_eta.food_delivery import food_delivery_report
from mlsd.cases.delivery_eta.framing import (
    LABEL_TIMELINE,
    PARTS,
    duration_parts,
    food_waits_share,
    label_delay,
)
from mlsd.cases.delivery_eta.models import LOSSES, DistanceRule, DurationGBDT, store_average
from mlsd.cases.delivery_eta.promise import (
    ConformalPromise,
    PromiseCosts,
    asymmetric_huber,
    calibration_split,
    cheapest,
    conformal_correction,
    coverage,
    coverage_by,
    promise_curves,
    promise_frontier,
    promise_outcomes,
)
from mlsd.cases.delivery_eta.schema import duration_label, has_timestamps
from mlsd.cases.delivery_eta.serving import LATENCY_BUDGET_MS, funnel_stages
from mlsd.cases.delivery_eta.simulate import conversion_probability, simulate_orders
from mlsd.cases.delivery_eta.tradeoffs import (
    CalibratedQuantile,
    PromiseModels,
    business_frontier,
    cheapest_promises,
    dispatch_table,
    fit_calibrated_quantile,
    fit_promise_models,
    monitoring_plan,
    order_segment,
    prep_dispatch_delay,
    residual_alerts,
    residual_shift,
    retraining,
    tail_strategies,
    tail_table,
)
from mlsd.explore import (
    FunnelBudgetExplorer,
    FunnelBudgetState,
    PromiseExplorer,
    PromiseExplorerState,
)
from mlsd.sizing import size

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

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
- :mod:`.promise` — from a prediction to a promise: coverage, an asymmetric loss, split-conformal
  calibration on a later period (per group if asked), and what a promise costs
- :mod:`.doordash` — DoorDash's ``historical_data.csv``, read offline onto the schema
- :mod:`.food_delivery` — the Kaggle food-delivery ``deliverytime.txt``, read offline onto the
  schema, with distances from the coordinates
- :mod:`.data` — ``load_data`` for every source, and the split by day (at random for a file
  without timestamps)
"""

from mlsd.cases.contract import has_truth
from mlsd.cases.delivery_eta.data import NO_TRUTH, SOURCES, load_data, split
from mlsd.cases.delivery_eta.doordash import doordash_report
from mlsd.cases.delivery_eta.features import (
    FEATURES,
    REAL_TIME_FEATURES,
    STATIC_FEATURES,
    order_features,
    store_history,
    store_load,
    store_means,
)
from mlsd.cases.delivery_eta.food_delivery import food_delivery_report
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
    promise_frontier,
    promise_outcomes,
)
from mlsd.cases.delivery_eta.schema import duration_label, has_timestamps
from mlsd.cases.delivery_eta.simulate import conversion_probability, simulate_orders

__all__ = [
    "asymmetric_huber", "calibration_split", "cheapest", "conformal_correction", "ConformalPromise",
    "conversion_probability", "coverage", "coverage_by", "DistanceRule", "doordash_report",
    "duration_label", "DurationGBDT", "FEATURES", "food_delivery_report", "has_timestamps",
    "has_truth", "load_data", "LOSSES", "NO_TRUTH", "order_features", "promise_frontier",
    "promise_outcomes", "PromiseCosts", "REAL_TIME_FEATURES", "simulate_orders", "SOURCES", "split",
    "STATIC_FEATURES", "store_average", "store_history", "store_load", "store_means",
]

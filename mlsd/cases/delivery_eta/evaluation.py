"""Delivery ETA's scorecard: a point estimate's error and what quoting it would do, a quote's
coverage and pinball loss, and the published results on DoorDash's data beside ours.

- :func:`point_scorecard` — per model: ``mae``, ``rmse``, ``within_5`` and ``within_10`` (the share
  of orders whose estimate is within ±5 and ±10 minutes), ``late_rate`` (the share of orders later
  than the estimate, had it been quoted), from :mod:`mlsd.metrics`;
- :func:`quote_scorecard` — per quote meant to hold ``alpha`` of the time: ``coverage`` (the share
  of orders delivered by the quote, ``1 - late_rate``), its gap to ``alpha``, ``pinball_loss`` at
  ``alpha`` and ``mean_quote``;
- :data:`PUBLISHED_DOORDASH` — the MAEs published for DoorDash's take-home on a time split.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.delivery_eta.promise import coverage
from mlsd.metrics import late_rate, mae, pinball_loss, rmse, within_tolerance
from mlsd.validation import check_number

PUBLISHED_DOORDASH = pd.DataFrame(
    {"mae_min": [12.0, 11.0, 11.3]},
    index=pd.Index(["linear regression", "gradient boosting (best)",
                    "gradient boosting (typical)"], name="published model"),
)
"""The MAEs in minutes published for DoorDash's data-science take-home on a time-based split
(solutions shared by candidates: linear regression about 12.0, gradient boosting 11.0–11.3), for
a notebook to print beside its own on the same file."""


def point_scorecard(actual, estimates: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per model of ``estimates`` (name → minutes per order) against ``actual``
    (minutes): ``mae``, ``rmse``, ``within_5``, ``within_10``, ``late_rate``."""
    actual = np.asarray(actual, dtype=float)
    rows = {name: {"mae": mae(actual, estimate), "rmse": rmse(actual, estimate),
                   "within_5": within_tolerance(actual, estimate, 5.0),
                   "within_10": within_tolerance(actual, estimate, 10.0),
                   "late_rate": late_rate(actual, estimate)}
            for name, estimate in estimates.items()}
    return pd.DataFrame(rows).T.rename_axis("model")


def quote_scorecard(actual, quotes: dict[str, np.ndarray], alpha: float) -> pd.DataFrame:
    """One row per quote of ``quotes`` (name → minutes per order), each meant to be met by a share
    ``alpha`` in (0, 1) of the orders: ``coverage`` (:func:`~.promise.coverage`: the share
    with ``actual <= quote``), ``coverage_gap`` = coverage − alpha, ``pinball_loss`` at ``alpha``, ``mean_quote``."""
    alpha = check_number("alpha", alpha, 0, 1, low_open=True, high_open=True)
    actual = np.asarray(actual, dtype=float)
    rows = {}
    for name, quote in quotes.items():
        covered = coverage(actual, quote)
        rows[name] = {"coverage": covered, "coverage_gap": covered - alpha,
                      "pinball_loss": pinball_loss(actual, quote, alpha),
                      "mean_quote": float(np.mean(quote))}
    return pd.DataFrame(rows).T.rename_axis("quote")

"""The online path of ad click prediction: its latency budget, and what train/serve skew costs.

Request → feature lookup (counters, user profile) → candidate ads → pCTR for each candidate →
auction. Scoring cost grows with the number of candidates, which is why candidate retrieval caps it:
:func:`funnel_stages` gives the stages, :func:`request_latency` what they take against
:data:`LATENCY_BUDGET_MS`. :func:`train_serve_skew` scores the same rows with the features computed
as in training and as a skewed online path computes them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.features import as_of_day_rates
from mlsd.cases.ad_click.models import HistoricalGBDT
from mlsd.evaluation import probability_scorecard
from mlsd.explore.latency import FunnelStage
from mlsd.serving import latency_budget, simulate_latency
from mlsd.validation import check_int, check_number

LATENCY_BUDGET_MS = 50.0
"""The deadline of a whole ad request, in milliseconds (the auction waits for nothing longer)."""
SIMULATED_REQUESTS = 100_000


def funnel_stages(n_candidates: int = 200, scoring_us_per_ad: float = 20.0) -> list[FunnelStage]:
    """The stages of one ad request; pCTR scoring takes ``n_candidates × scoring_us_per_ad`` µs.

    ``n_candidates`` is an integer >= 1 and ``scoring_us_per_ad`` a number > 0. Every other stage
    handles the request as one item: its time is fixed.
    """
    n_candidates = check_int("n_candidates", n_candidates, 1)
    scoring_us_per_ad = check_number("scoring_us_per_ad", scoring_us_per_ad, 0, low_open=True)
    return [
        FunnelStage("parse request", 1, 0.0, 1.0, 0.3),
        FunnelStage("feature lookup", 1, 0.0, 8.0, 0.6),
        FunnelStage("candidate retrieval", 1, 0.0, 6.0, 0.5),
        FunnelStage("pCTR scoring", n_candidates, scoring_us_per_ad, 0.0, 0.4),
        FunnelStage("auction and pricing", 1, 0.0, 1.5, 0.3),
        FunnelStage("response", 1, 0.0, 2.0, 0.5),
    ]


def request_latency(
    n_candidates: int, scoring_us_per_ad: float, budget_ms: float = LATENCY_BUDGET_MS, seed: int = 0
) -> pd.DataFrame:
    """:func:`mlsd.serving.latency_budget` of :data:`SIMULATED_REQUESTS` requests through
    :func:`funnel_stages`: each stage's p50 and p99, the whole request's, and the share within
    ``budget_ms``."""
    stages = [stage.stage() for stage in funnel_stages(n_candidates, scoring_us_per_ad)]
    return latency_budget(simulate_latency(stages, SIMULATED_REQUESTS, seed), budget_ms)


def train_serve_skew(model: HistoricalGBDT, rows: pd.DataFrame, labels: np.ndarray, online_counter_labels: np.ndarray) -> pd.DataFrame:
    """Score ``rows`` with the features computed as in training, then as a skewed online path computes them.

    Training built the historical click rates from the model's counter labels. The skewed online
    path counts the same impressions but with ``online_counter_labels`` — e.g. clicks joined from a
    fast stream within one hour instead of the 24-hour label — so every historical rate is lower
    online than the model learned. Context features are unchanged. One row per path, with its
    probability scorecard against ``labels``.
    """
    consistent = model.features(rows)
    online_rates = as_of_day_rates(model.counter_rows_, online_counter_labels, rows, model.prior_strength, model.window_days)
    skewed = consistent.assign(**{column: online_rates[column] for column in online_rates.columns})
    paths = {"same code as training": consistent, "online counters: 1-hour click join": skewed}
    return pd.DataFrame({name: probability_scorecard(labels, model.model_.predict_proba(x)[:, 1]) for name, x in paths.items()}).T

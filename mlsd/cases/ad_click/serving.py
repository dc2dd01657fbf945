"""The online path of ad click prediction: its latency budget, and what train/serve skew costs.

Request → feature lookup (counters, user profile) → candidate ads → pCTR for each candidate →
auction. Scoring cost grows with the number of candidates, which is why candidate retrieval caps it:
:func:`funnel_stages` gives the stages, :func:`request_latency` what they take against
:data:`LATENCY_BUDGET_MS`, :func:`tail_by_correlation` how the tail grows when slow stages
coincide. :func:`train_serve_skew` scores the same rows with the features computed as in training
and as a skewed online path computes them; :func:`counter_drift` is what a monitor comparing online
feature values with the training distribution sees of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.features import HISTORY_KEYS, as_of_day_rates
from mlsd.cases.ad_click.models import HistoricalGBDT
from mlsd.evaluation import probability_scorecard
from mlsd.monitoring import psi
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
    n_candidates: int, scoring_us_per_ad: float, budget_ms: float = LATENCY_BUDGET_MS, seed: int = 0,
    correlation: float = 0.0,
) -> pd.DataFrame:
    """:func:`mlsd.serving.latency_budget` of :data:`SIMULATED_REQUESTS` requests through
    :func:`funnel_stages`: each stage's p50 and p99, the whole request's, and the share within
    ``budget_ms``. ``correlation`` is the correlation of the stages' log-latencies through a
    slowdown shared by a request's stages (:func:`mlsd.serving.simulate_latency`; 0: independent)."""
    stages = [stage.stage() for stage in funnel_stages(n_candidates, scoring_us_per_ad)]
    return latency_budget(simulate_latency(stages, SIMULATED_REQUESTS, seed, correlation), budget_ms)


def tail_by_correlation(n_candidates: int, scoring_us_per_ad: float, correlations=(0.0, 0.3, 0.6, 1.0),
                        budget_ms: float = LATENCY_BUDGET_MS, seed: int = 0) -> pd.DataFrame:
    """For each stage correlation: the whole request's p99, the sum of the stage p99s, their ratio
    (``p99_over_sum``, 1 when slow stages always coincide) and the share within ``budget_ms``
    (:func:`request_latency`). One row per correlation."""
    rows = []
    for correlation in correlations:
        table = request_latency(n_candidates, scoring_us_per_ad, budget_ms, seed, correlation)
        total, summed = table.loc["total", "p99_ms"], table.loc["sum of stage p99s", "p99_ms"]
        rows.append({"correlation": correlation, "p99_total_ms": total, "sum_of_stage_p99_ms": summed,
                     "p99_over_sum": total / summed, "within_budget": table.loc["total", "within_budget"]})
    return pd.DataFrame(rows)


def train_serve_skew(model: HistoricalGBDT, rows: pd.DataFrame, labels: np.ndarray, online_counter_labels: np.ndarray) -> pd.DataFrame:
    """Score ``rows`` with the features computed as in training, then as a skewed online path computes them.

    Training built the historical click rates from the model's counter labels. The skewed online
    path counts the same impressions but with ``online_counter_labels`` — e.g. clicks joined from a
    fast stream within one hour instead of the 24-hour label — so every historical rate is lower
    online than the model learned. Both paths count a click once it had arrived when the model is
    point-in-time. Context features are unchanged. One row per path, with its probability
    scorecard against ``labels``.
    """
    paths = _feature_paths(model, rows, online_counter_labels)
    return pd.DataFrame({name: probability_scorecard(labels, model.model_.predict_proba(x)[:, 1]) for name, x in paths.items()}).T


def counter_drift(model: HistoricalGBDT, training_rows: pd.DataFrame, rows: pd.DataFrame, online_counter_labels: np.ndarray) -> pd.DataFrame:
    """What a feature monitor sees: the PSI (:func:`mlsd.monitoring.psi`, 10 quantile bins) of each
    historical rate on the served ``rows`` against its values on the ``training_rows``, for the
    two paths of :func:`train_serve_skew`. One row per counter, one column per path."""
    reference = model.features(training_rows)
    paths = _feature_paths(model, rows, online_counter_labels)
    return pd.DataFrame({
        name: {column: psi(reference[column], features[column]) for column in HISTORY_KEYS}
        for name, features in paths.items()
    })


def _feature_paths(model: HistoricalGBDT, rows: pd.DataFrame, online_counter_labels: np.ndarray) -> dict:
    consistent = model.features(rows)
    known_at = model.counter_arrival_ if model.point_in_time else None
    online_rates = as_of_day_rates(model.counter_rows_, online_counter_labels, rows, model.prior_strength, model.window_days, known_at)
    skewed = consistent.assign(**{column: online_rates[column] for column in online_rates.columns})
    return {"same code as training": consistent, "online counters: 1-hour click join": skewed}

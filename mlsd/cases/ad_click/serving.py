"""The online path of ad click prediction: its latency budget, and what train/serve skew costs.

Request → feature lookup (counters, user profile) → candidate ads → pCTR for each candidate →
auction. Scoring cost grows with the number of candidates, which is why candidate retrieval caps it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.features import as_of_day_rates
from mlsd.cases.ad_click.models import HistoricalGBDT
from mlsd.evaluation import probability_scorecard
from mlsd.serving import Stage


def ad_serving_stages(n_candidates: int = 200, scoring_us_per_ad: float = 20.0) -> list[Stage]:
    """The stages of one ad request; scoring takes ``n_candidates × scoring_us_per_ad``."""
    if n_candidates < 1:
        raise ValueError(f"n_candidates must be >= 1; got {n_candidates!r}")
    return [
        Stage("parse request", 1.0, 0.3),
        Stage("feature lookup", 8.0, 0.6),
        Stage("candidate retrieval", 6.0, 0.5),
        Stage("pCTR scoring", n_candidates * scoring_us_per_ad / 1000, 0.4),
        Stage("auction and pricing", 1.5, 0.3),
        Stage("response", 2.0, 0.5),
    ]


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

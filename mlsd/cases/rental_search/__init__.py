"""Rental search ranking: the order of listings for a search (Airbnb-style), from graded outcomes.

Modules so far — the case joins :data:`mlsd.cases.CASES` with its notebooks, explorer and exercise:

- :mod:`.schema` — the search-results table every source is mapped onto, and the graded labels
- :mod:`.simulate` — the generative story: markets, listings, guests on trips, retrieval, a logging
  policy with random-order traffic, examination by position, clicks, requests and hosts' answers
- :mod:`.expedia` — Expedia's hotel-search logs (Kaggle 2013, RecTour 2021), read offline onto the
  schema
- :mod:`.data` — ``load_data`` for either source, and the split by day
- :mod:`.models` — the quality heuristic, pointwise gradient-boosted trees and LambdaMART
- :mod:`.evaluation` — offline NDCG on the logged grades, MRR of the booking, and on the truth the
  true NDCG and the bookings and rejections per search an order would earn
- :mod:`.serving` — the serving funnel of a search and its 300 ms budget
"""

from mlsd.cases.contract import has_truth
from mlsd.cases.rental_search.data import NO_TRUTH, SOURCES, TEST_DAYS, load_data, split
from mlsd.cases.rental_search.evaluation import (
    K,
    booking_mrr,
    expected_gain,
    expected_outcomes,
    has_truth_columns,
    logged_order,
    ndcg,
    offline_gain,
    rank_within_search,
    scorecard,
    top_rejection_rate,
)
from mlsd.cases.rental_search.expedia import LEAKY_COLUMNS, describe_expedia
from mlsd.cases.rental_search.models import (
    FEATURES,
    LambdaMART,
    PointwiseGBDT,
    listing_features,
    quality_heuristic,
)
from mlsd.cases.rental_search.schema import GAINS, GRADES, grades, graded_relevance
from mlsd.cases.rental_search.serving import LATENCY_BUDGET_MS, funnel_stages
from mlsd.cases.rental_search.simulate import simulate_searches
from mlsd.design import DesignDoc
from mlsd.explore import FunnelBudgetExplorer, FunnelBudgetState
from mlsd.sizing import size

__all__ = [
    "DesignDoc", "FEATURES", "FunnelBudgetExplorer", "FunnelBudgetState", "GAINS", "GRADES", "K",
    "LATENCY_BUDGET_MS", "LEAKY_COLUMNS", "LambdaMART", "NO_TRUTH", "PointwiseGBDT", "SOURCES",
    "TEST_DAYS", "booking_mrr", "describe_expedia", "expected_gain", "expected_outcomes",
    "funnel_stages", "graded_relevance", "grades", "has_truth", "has_truth_columns",
    "listing_features", "load_data", "logged_order", "ndcg", "offline_gain", "quality_heuristic",
    "rank_within_search", "scorecard", "simulate_searches", "size", "split",
    "top_rejection_rate",
]

# --- framing ---
# --- end framing ---

# --- metrics ---
# --- end metrics ---

# --- architecture ---
# --- end architecture ---

# --- tradeoffs ---
# --- end tradeoffs ---

# --- exercise ---
# --- end exercise ---

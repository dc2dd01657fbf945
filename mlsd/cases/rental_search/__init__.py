"""Rental search ranking: the order of listings for a search (Airbnb-style), from graded outcomes.

Bookings are the business metric, rare and late; clicks and long clicks are weaker signals, and a
host may reject a request. The ranker learns graded gains (booked 1, host-rejected −0.4, click
0.01), on a simulated marketplace whose guests' tastes, hosts' answers and position bias are known,
or on Expedia's hotel-search logs the learner downloaded (``data_source="expedia"``,
``datasets/expedia.md``). The notebooks (``notebooks/04_rental_search/``) and the exercise use this
façade only::

    from mlsd.cases import rental_search as case
    data = case.load_data("simulated", seed=7)
    data = case.load_data("expedia", "datasets/real/expedia/train.csv")

The package, one job per module:

- :mod:`.schema` — the search-results table every source is mapped onto, and the graded labels
- :mod:`.simulate` — the generative story: markets, listings, guests on trips, retrieval, a logging
  policy with random-order traffic, examination by position, clicks, requests and hosts' answers
- :mod:`.expedia` — Expedia's hotel-search logs (Kaggle 2013, RecTour 2021), read offline onto the
  schema
- :mod:`.data` — ``load_data`` for either source, and the split by day
- :mod:`.models` — the quality heuristic, pointwise gradient-boosted trees and LambdaMART
- :mod:`.evaluation` — offline NDCG on the logged grades, MRR of the booking, and on the truth the
  true NDCG and the bookings and rejections per search an order would earn
- :mod:`.framing` — notebook 1's measurements: the grades and when each arrives, the orders to
  beat, clicks by position, new listings' exposure
- :mod:`.learning_to_rank` — notebook 2's experiments: pointwise against LambdaMART by tree
  budget and split gain, slices, the gains' effect, and the A/B test that would tell rankers apart
- :mod:`.retrieval` — candidate sets rebuilt from the world (availability, a map radius), judged
  by the recall of the booked listing and the bookings the ranker earns from them
- :mod:`.embeddings` — listing vectors from co-clicks within trips: PPMI and a truncated SVD, the
  matrix form of skip-gram, checked against the listings' known room types
- :mod:`.personalisation` — the similarity to the trip's earlier clicks and the re-scoring stage
  it feeds, with the NDCG it adds
- :mod:`.serving` — the serving funnel of a search and its 300 ms budget, and a stale price served
- :mod:`.position_bias` — the examination curve from random-order searches, and the position as a
  feature at training fixed at serving, against the truth
- :mod:`.cold_start` — new listings' exposure, an exploration slot, and what it costs now and
  earns a period later
- :mod:`.two_sided` — ranking by P(book) = P(request) × P(accept) against P(request) alone, with
  a learned acceptance model
- :mod:`.tradeoffs` — diversity of the first page (a room-type cap), and the daily monitor, its
  alerts and their owners
- :mod:`.design` — the filled design review, the scale, the clarifying questions and the prompts
- :mod:`.explore` — the case's explorer for the gallery (ranking gains)
- :mod:`.exercise` — the exercise's tasks, their solutions and the plausible wrong answers its
  checks reject (:func:`~.exercise.build`, re-exported as ``build_exercise``)
"""

from __future__ import annotations

from mlsd.cases.contract import CaseInfo
from mlsd.cases.rental_search.data import SOURCES
from mlsd.lazy import lazy_exports

_HOMES = {
    **dict.fromkeys((
        "cold_start_table", "exploration_slot", "next_period", "row_booking_probability",
    ), ".cold_start"),
    **dict.fromkeys(("NO_TRUTH", "load_data", "split"), ".data"),
    **dict.fromkeys(("clarifying_questions", "design_doc", "scale_assumptions"), ".design"),
    **dict.fromkeys(("ListingEmbeddings", "neighbour_check", "ppmi"), ".embeddings"),
    "EMBEDDING_DIM": ".embeddings:DIM",
    **dict.fromkeys((
        "expected_gain", "expected_outcomes", "logged_order", "ndcg", "offline_gain",
        "rank_within_search", "scorecard",
    ), ".evaluation"),
    "build_exercise": ".exercise:build",
    "ranking_gains_explorer": ".explore",
    **dict.fromkeys((
        "LABEL_TIMELINE", "ORDERINGS", "grade_table", "hours_to_booking", "new_listing_exposure",
        "ordering_table", "rate_by_position",
    ), ".framing"),
    **dict.fromkeys((
        "EXPEDIA_GAINS", "LEARNERS", "ab_power", "booking_probability", "booking_searches",
        "budget_curve", "fit_rankers", "new_listings", "ranker_scores", "searches_needed",
        "slice_ndcg", "split_gain_shares", "top_share",
    ), ".learning_to_rank"),
    **dict.fromkeys(("FEATURES", "LambdaMART", "PointwiseGBDT", "quality_heuristic"), ".models"),
    **dict.fromkeys((
        "FAST_RANKER", "NO_SESSIONS", "has_sessions", "ndcg_change", "ndcg_table", "personalise",
        "ranking_sample", "session_similarity",
    ), ".personalisation"),
    **dict.fromkeys((
        "PositionLambdaMART", "examination_curve", "fit_decay", "position_bias_table",
    ), ".position_bias"),
    **dict.fromkeys(("candidate_sets", "ranker_recall", "retrieval_table"), ".retrieval"),
    **dict.fromkeys(("GAINS", "GRADES"), ".schema"),
    **dict.fromkeys(("LATENCY_BUDGET_MS", "funnel_stages", "price_skew"), ".serving"),
    "simulate_searches": ".simulate",
    **dict.fromkeys((
        "break_host_answers", "cap_room_type", "daily_metrics", "diversity_table", "monitor",
        "monitoring_plan",
    ), ".tradeoffs"),
    **dict.fromkeys((
        "AcceptanceModel", "acceptance_error", "request_model", "two_sided_table",
    ), ".two_sided"),
    "has_truth": "mlsd.cases.contract",
    **dict.fromkeys(("FunnelBudgetExplorer", "FunnelBudgetState"), "mlsd.explore"),
    "size": "mlsd.sizing",
}
"""Where each name of the façade lives (:mod:`mlsd.lazy`): it is imported when first used, so that
importing one module of the case (the gallery imports its ``explore``) does not import them all."""

CASE = CaseInfo(number=4, name="rental_search", title="Rental search ranking", sources=SOURCES)

__all__ = [
    "ab_power", "acceptance_error", "AcceptanceModel", "booking_probability", "booking_searches",
    "break_host_answers", "budget_curve", "build_exercise", "candidate_sets", "cap_room_type",
    "CASE", "clarifying_questions", "cold_start_table", "daily_metrics", "design_doc",
    "diversity_table", "EMBEDDING_DIM", "examination_curve", "expected_gain", "expected_outcomes",
    "EXPEDIA_GAINS", "exploration_slot", "FAST_RANKER", "FEATURES", "fit_decay", "fit_rankers",
    "funnel_stages", "FunnelBudgetExplorer", "FunnelBudgetState", "GAINS", "grade_table", "GRADES",
    "has_sessions", "has_truth", "hours_to_booking", "LABEL_TIMELINE", "LambdaMART",
    "LATENCY_BUDGET_MS", "LEARNERS", "ListingEmbeddings", "load_data", "logged_order", "monitor",
    "monitoring_plan", "ndcg", "ndcg_change", "ndcg_table", "neighbour_check",
    "new_listing_exposure", "new_listings", "next_period", "NO_SESSIONS", "NO_TRUTH",
    "offline_gain", "ordering_table", "ORDERINGS", "personalise", "PointwiseGBDT",
    "position_bias_table", "PositionLambdaMART", "ppmi", "price_skew", "quality_heuristic",
    "rank_within_search", "ranker_recall", "ranker_scores", "ranking_gains_explorer",
    "ranking_sample", "rate_by_position", "request_model", "retrieval_table",
    "row_booking_probability", "scale_assumptions", "scorecard", "searches_needed",
    "session_similarity", "simulate_searches", "size", "slice_ndcg", "SOURCES", "split",
    "split_gain_shares", "top_share", "two_sided_table",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _HOMES)

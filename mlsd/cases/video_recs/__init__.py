"""Video recommendations: which videos fill a user's home page, judged by ranking metrics.

A two-stage recommender — cheap candidate sources, then a gradient-boosted ranker — on a simulated
platform whose tastes are known, or on a MovieLens file the learner downloaded. The notebooks
(``notebooks/01_video_recs/``) and the exercise use this façade only::

    from mlsd.cases import video_recs as case
    data = case.load_data("simulated", seed=7)

The package, one job per module:

- :mod:`.schema` — the interactions table every source is mapped onto, and the label rule
  (:func:`~.schema.relevant`: engagement >= 0.8 by default, or every event —
  :data:`~.schema.RELEVANCE`)
- :mod:`.simulate` — the generative story: watches driven by known tastes, popularity, cold start
  and freshness, and the truth (true affinity, expected engagement)
- :mod:`.movielens` — the MovieLens rating files, mapped onto the schema
- :mod:`.data` — the sources, :func:`~.data.load_data`, and the temporal and random splits
- :mod:`.models` — popular, co-visitation and matrix-factorisation candidate sources, and the
  two-stage recommender with its gradient-boosted ranker
- :mod:`.evaluation` — the scorecard: accuracy and beyond-accuracy metrics of a recommender, the
  candidate stage's recall, new against returning users, the split comparison; per-user metrics
  with bootstrap intervals and paired differences; diversity in the true genre space
- :mod:`.truth` — the ideal recommender: each user's true probability of a liked test watch
- :mod:`.compare_splits` — random against temporal split on test sets of the same composition
- :mod:`.framing` — notebook 1's measurements: views against engagement, exposure and quality
- :mod:`.published` — the published MovieLens-100k tables, and the kit's rows under their protocol
- :mod:`.serving` — the home page's serving funnel and its latency budget
- :mod:`.tradeoffs` — notebook 4's experiments: the feedback loop, exploration, freshness and an A/B
  test on watch time
- :mod:`.trending` — a trending candidate source (recent watch rate against the earlier one), the
  videos new to the log, the union of candidate lists
- :mod:`.objectives` — completion against watch time: a list's expected watch minutes (the truth)
- :mod:`.rerank` — the re-ranker: maximal marginal relevance in the true genre space, and its sweep
- :mod:`.platform` — the simulated platform behind the sections that need watch time and genres
- :mod:`.mixes` — the candidate mix at equal length, for new and returning users (the exercise)
- :mod:`.ann` — exact top-k against an IVF index over MF's vectors; the options
- :mod:`.exercise` — the exercise's six tasks, their solutions and the plausible wrong answers its
  checks reject (:func:`~.exercise.build`, re-exported as ``build_exercise``)
- :mod:`.design` — the filled design review
- :mod:`.explore` — the case's explorers for the gallery
"""

from __future__ import annotations

from mlsd.cases.contract import CaseInfo
from mlsd.cases.video_recs.data import SOURCES
from mlsd.lazy import lazy_exports

_HOMES = {
    **dict.fromkeys((
        "plain_and_matched", "split_comparison", "split_comparison_sentence", "split_composition",
    ), ".compare_splits"),
    **dict.fromkeys((
        "SPLITS", "future_leak_share", "load_data", "split", "temporal_split",
    ), ".data"),
    **dict.fromkeys(("clarifying_questions", "design_doc", "scale_assumptions"), ".design"),
    **dict.fromkeys((
        "candidate_set_recall", "difference_sentence", "diversity_intervals", "diversity_space",
        "genre_diversity", "genre_diversity_by_user", "history_intervals", "history_sentences",
        "is_measurably_ahead", "mean_ndcg", "metric_intervals", "metrics_table", "ndcg_by_history",
        "ndcg_by_split", "per_user_metrics", "recall_curve", "shared_rows", "split_effect",
    ), ".evaluation"),
    "build_exercise": ".exercise:build",
    **dict.fromkeys((
        "exposure_and_quality", "top_decile_engagement_gap", "views_by_decile",
    ), ".framing"),
    **dict.fromkeys(("mix_candidates", "mix_recalls", "mix_table", "source_lists"), ".mixes"),
    **dict.fromkeys((
        "CoVisitationSource", "MatrixFactorizationSource", "PopularSource", "TwoStageRecommender",
        "default_sources", "merged_candidates", "recommend", "watch_matrix",
    ), ".models"),
    "describe_interactions": ".movielens",
    **dict.fromkeys(("expected_watch_minutes", "objective_table"), ".objectives"),
    "on_simulated_platform": ".platform",
    **dict.fromkeys(("comparability", "protocol_table"), ".published"),
    **dict.fromkeys(("mmr_rerank", "mmr_sweep"), ".rerank"),
    **dict.fromkeys((
        "IVFIndex", "ann_recommend", "ann_sweep", "retrieval_options",
    ), ".ann"),
    **dict.fromkeys((
        "RELEVANCE", "RELEVANT_ENGAGEMENT", "relevance_threshold", "relevant",
    ), ".schema"),
    **dict.fromkeys(("LATENCY_BUDGET_MS", "funnel_stages"), ".serving"),
    "simulate_watches": ".simulate",
    **dict.fromkeys(("ab_test_watch_time", "feedback_loop", "loop_summary"), ".tradeoffs"),
    **dict.fromkeys((
        "TrendingSource", "fresh_videos", "recall_intervals", "trending_comparison",
        "union_candidates",
    ), ".trending"),
    **dict.fromkeys(("IDEAL", "NO_TRUTH", "has_truth", "ideal_recommendations"), ".truth"),
    "DesignDoc": "mlsd.design",
    **dict.fromkeys((
        "FunnelBudgetExplorer", "FunnelBudgetState", "RankingExplorer",
    ), "mlsd.explore"),
    "recall_at_k": "mlsd.metrics",
    "size": "mlsd.sizing",
}
"""Where each name of the façade lives (:mod:`mlsd.lazy`): it is imported when first used, so that
importing one module of the case (the gallery imports its ``explore``) does not import them all."""

CASE = CaseInfo(number=1, name="video_recs", title="Video recommendations", sources=SOURCES)

__all__ = [
    # the case
    "CASE",
    "LATENCY_BUDGET_MS",
    "RELEVANCE",
    "RELEVANT_ENGAGEMENT",
    "SOURCES",
    "SPLITS",
    "CoVisitationSource",
    "MatrixFactorizationSource",
    "PopularSource",
    "TwoStageRecommender",
    "ab_test_watch_time",
    "on_simulated_platform",
    "candidate_set_recall",
    "comparability",
    "default_sources",
    "describe_interactions",
    "clarifying_questions",
    "design_doc",
    "scale_assumptions",
    "size",
    "feedback_loop",
    "funnel_stages",
    "future_leak_share",
    "IDEAL",
    "NO_TRUTH",
    "difference_sentence",
    "diversity_intervals",
    "diversity_space",
    "exposure_and_quality",
    "genre_diversity",
    "genre_diversity_by_user",
    "has_truth",
    "history_intervals",
    "history_sentences",
    "ideal_recommendations",
    "is_measurably_ahead",
    "metric_intervals",
    "per_user_metrics",
    "plain_and_matched",
    "split_comparison",
    "split_comparison_sentence",
    "split_composition",
    "top_decile_engagement_gap",
    "views_by_decile",
    "load_data",
    "mean_ndcg",
    "merged_candidates",
    "metrics_table",
    "ndcg_by_history",
    "ndcg_by_split",
    "protocol_table",
    "recall_curve",
    "recommend",
    "relevance_threshold",
    "relevant",
    "shared_rows",
    "simulate_watches",
    "split",
    "split_effect",
    "watch_matrix",
    "loop_summary",
    "TrendingSource",
    "fresh_videos",
    "union_candidates",
    "recall_intervals",
    "trending_comparison",
    "expected_watch_minutes",
    "objective_table",
    "mmr_rerank",
    "mmr_sweep",
    "IVFIndex",
    "ann_recommend",
    "ann_sweep",
    "retrieval_options",
    "build_exercise",
    "mix_candidates",
    "mix_recalls",
    "mix_table",
    "source_lists",
    "temporal_split",
    # the kit's pieces its notebooks and exercise use
    "DesignDoc",
    "FunnelBudgetExplorer",
    "FunnelBudgetState",
    "RankingExplorer",
    "recall_at_k",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _HOMES)

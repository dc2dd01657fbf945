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
  candidate stage's recall, new against returning users, the split comparison
- :mod:`.published` — the published MovieLens-100k tables, and the kit's rows under their protocol
- :mod:`.serving` — the home page's serving funnel and its latency budget
- :mod:`.tradeoffs` — notebook 4's experiments: the feedback loop, exploration, freshness and an A/B
  test on watch time
- :mod:`.design` — the filled design review
- :mod:`.explore` — the case's explorers for the gallery
"""

from mlsd.cases.contract import CaseInfo
from mlsd.cases.video_recs.data import (
    SOURCES,
    SPLITS,
    future_leak_share,
    load_data,
    split,
)
from mlsd.cases.video_recs.design import design_doc
from mlsd.cases.video_recs.evaluation import (
    candidate_set_recall,
    history_effect,
    mean_ndcg,
    metrics_table,
    ndcg_by_history,
    ndcg_by_split,
    recall_by_history,
    recall_curve,
    shared_rows,
    split_effect,
)
from mlsd.cases.video_recs.models import (
    CoVisitationSource,
    MatrixFactorizationSource,
    PopularSource,
    TwoStageRecommender,
    default_sources,
    merged_candidates,
    recommend,
    watch_matrix,
)
from mlsd.cases.video_recs.movielens import describe_interactions
from mlsd.cases.video_recs.published import comparability, protocol_table
from mlsd.cases.video_recs.schema import (
    RELEVANCE,
    RELEVANT_ENGAGEMENT,
    relevance_threshold,
    relevant,
)
from mlsd.cases.video_recs.serving import LATENCY_BUDGET_MS, funnel_stages
from mlsd.cases.video_recs.simulate import simulate_watches
from mlsd.cases.video_recs.tradeoffs import ab_test_watch_time, feedback_loop
from mlsd.design import DesignDoc
from mlsd.explore import FunnelBudgetExplorer, FunnelBudgetState, RankingExplorer
from mlsd.metrics import recall_at_k

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
    "candidate_set_recall",
    "comparability",
    "default_sources",
    "describe_interactions",
    "design_doc",
    "feedback_loop",
    "funnel_stages",
    "future_leak_share",
    "history_effect",
    "load_data",
    "mean_ndcg",
    "merged_candidates",
    "metrics_table",
    "ndcg_by_history",
    "ndcg_by_split",
    "protocol_table",
    "recall_by_history",
    "recall_curve",
    "recommend",
    "relevance_threshold",
    "relevant",
    "shared_rows",
    "simulate_watches",
    "split",
    "split_effect",
    "watch_matrix",
    # the kit's pieces its notebooks and exercise use
    "DesignDoc",
    "FunnelBudgetExplorer",
    "FunnelBudgetState",
    "RankingExplorer",
    "recall_at_k",
]

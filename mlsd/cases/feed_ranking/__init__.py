"""Feed ranking: the order of posts in a member's feed (LinkedIn-style), from several heads.

One calibrated model per action ("head": click, long dwell, like, comment, share, hide), a value
model that weighs them into one score — the weights a product decision — on a simulated feed whose
engagement probabilities and position bias are known, or on the KuaiRand-Pure logs the learner
downloaded (``data_source="kuairand"``, ``datasets/kuairand.md``). The notebooks
(``notebooks/02_feed_ranking/``) and the exercise use this façade only::

    from mlsd.cases import feed_ranking as case
    data = case.load_data("simulated", seed=7)
    data = case.load_data("kuairand", "datasets/real/KuaiRand-Pure/data")

The package, one job per module:

- :mod:`.schema` — the impressions table every source is mapped onto, and the heads' labels
  (:func:`~.schema.head_labels`: long dwell is a click read for at least 30 s)
- :mod:`.simulate` — the generative story and the simulator that draws a feed world with its truth
- :mod:`.kuairand` — the KuaiRand-Pure logs (Gao et al., CIKM 2022), read offline onto the schema
- :mod:`.data` — the sources, :func:`~.data.load_data`, and the split by day
- :mod:`.framing` — notebook 1's measurements: each head's meaning and rate, the orders to beat on
  the truth, newest-first's AUC on logged and random-order rows, click-bait's short reads
- :mod:`.features` — point-in-time features: smoothed past rates per member, topic and creator, and
  the post's engagement counted as it streams in and as a daily batch sees it
- :mod:`.models` — the reverse-chronological baseline and one calibrated model per head
- :mod:`.evaluation` — each head's scorecard (AUC, GAUC, normalized entropy, calibration), the value
  model's weighted sum and the feed it produces, measured on the truth
- :mod:`.position_bias` — examination propensities from random-order sessions, and the click head
  trained naively, with the position as a feature fixed at serving, or with inverse-propensity
  weights, each judged against the true relevance order
- :mod:`.tradeoffs` — what a daily batch counter misses against a streaming one (most on young viral
  posts), and the sessions team-draft interleaving needs against an A/B test to tell two rankers apart
- :mod:`.candidates` — the candidate sources' pools rebuilt from the world, judged by the recall of
  the inventory's truly best posts, alone and together
- :mod:`.rerank` — the creator-diversity re-ranker (a penalty per repeat, or a cap) and its value cost
- :mod:`.feature_paths` — the post's engagement counter on the streaming or the daily batch path, at
  training and at serving: the skew of serving the other one, and the fallbacks of an outage
- :mod:`.creator_loop` — a ranker retrained on what it showed, with a popularity counter in its
  score, concentrating the top slots on big creators; and a floor for small creators against it
- :mod:`.heads_tradeoffs` — the heads' trade-offs: dwell against click-bait, negative downsampling per
  head, the comment weight, and a daily calibration monitor with an alert rule
- :mod:`.serving` — the two-pass serving funnel and its 200 ms budget
- :mod:`.design` — the filled design review, the scale, the clarifying questions and the prompts
- :mod:`.explore` — the case's explorers for the gallery
- :mod:`.exercise` — the exercise's tasks, their solutions and the plausible wrong answers its
  checks reject (:func:`~.exercise.build`, re-exported as ``build_exercise``)
"""

from __future__ import annotations

from mlsd.cases.contract import CaseInfo
from mlsd.cases.feed_ranking.data import SOURCES
from mlsd.lazy import lazy_exports

_HOMES = {
    **dict.fromkeys(("no_single_source_reaches_the_union", "source_recall"), ".candidates"),
    **dict.fromkeys(("guardrail_table", "loop_claim"), ".creator_loop"),
    **dict.fromkeys(("NO_TRUTH", "TEST_DAYS", "load_data", "split"), ".data"),
    **dict.fromkeys((
        "clarifying_questions", "design_doc", "interview_prompts", "notifications_doc",
        "scale_assumptions",
    ), ".design"),
    **dict.fromkeys((
        "DEFAULT_WEIGHTS", "auc_gap", "auc_gap_sentence", "feed_metrics", "feed_table",
        "head_scorecard", "member_rate_scores", "truth_predictions", "value_scores",
    ), ".evaluation"),
    "build_exercise": ".exercise:build",
    "value_model_explorer": ".explore",
    **dict.fromkeys((
        "CounterHeads", "fallback_beats_reverse_chronological", "serving_skew",
        "skew_raises_entropy", "streaming_outage",
    ), ".feature_paths"),
    **dict.fromkeys(("daily_post_engagement", "post_engagement"), ".features"),
    **dict.fromkeys((
        "baseline_auc", "clicks_by_creator_kind", "head_rates", "ordering_table",
    ), ".framing"),
    **dict.fromkeys((
        "calibration_monitor", "comment_weight_change", "comment_weight_sweep",
        "downsampling_by_head", "dwell_against_clicks",
    ), ".heads_tradeoffs"),
    "describe_kuairand": ".kuairand",
    **dict.fromkeys(("HeadModels", "reverse_chronological"), ".models"),
    **dict.fromkeys((
        "click_heads", "estimate_propensities", "position_bias_table", "slot_table",
    ), ".position_bias"),
    **dict.fromkeys((
        "cap_is_cheap_and_diversifies", "creator_diversity_tradeoff", "creator_rerank",
    ), ".rerank"),
    **dict.fromkeys(("HEADS", "LONG_DWELL_SECONDS", "head_labels"), ".schema"),
    **dict.fromkeys(("LATENCY_BUDGET_MS", "funnel_stages"), ".serving"),
    "simulate_feed": ".simulate",
    **dict.fromkeys((
        "counter_staleness", "noisy_scores", "sessions_needed", "sessions_to_power",
        "trending_capture",
    ), ".tradeoffs"),
    "has_truth": "mlsd.cases.contract",
    "DesignDoc": "mlsd.design",
    **dict.fromkeys((
        "FunnelBudgetExplorer", "FunnelBudgetState", "ValueModelExplorer",
    ), "mlsd.explore"),
    "size": "mlsd.sizing",
}
"""Where each name of the façade lives (:mod:`mlsd.lazy`): it is imported when first used, so that
importing one module of the case (the gallery imports its ``explore``) does not import them all."""

CASE = CaseInfo(number=2, name="feed_ranking", title="Feed ranking", sources=SOURCES)

__all__ = [
    # the case
    "CASE",
    "DEFAULT_WEIGHTS",
    "HEADS",
    "LATENCY_BUDGET_MS",
    "LONG_DWELL_SECONDS",
    "NO_TRUTH",
    "SOURCES",
    "TEST_DAYS",
    "CounterHeads",
    "HeadModels",
    "auc_gap",
    "baseline_auc",
    "clicks_by_creator_kind",
    "comment_weight_change",
    "comment_weight_sweep",
    "auc_gap_sentence",
    "build_exercise",
    "calibration_monitor",
    "cap_is_cheap_and_diversifies",
    "clarifying_questions",
    "click_heads",
    "counter_staleness",
    "creator_diversity_tradeoff",
    "creator_rerank",
    "daily_post_engagement",
    "describe_kuairand",
    "design_doc",
    "downsampling_by_head",
    "dwell_against_clicks",
    "estimate_propensities",
    "fallback_beats_reverse_chronological",
    "feed_metrics",
    "feed_table",
    "funnel_stages",
    "guardrail_table",
    "has_truth",
    "head_labels",
    "head_rates",
    "head_scorecard",
    "interview_prompts",
    "load_data",
    "loop_claim",
    "member_rate_scores",
    "no_single_source_reaches_the_union",
    "noisy_scores",
    "notifications_doc",
    "ordering_table",
    "position_bias_table",
    "post_engagement",
    "reverse_chronological",
    "scale_assumptions",
    "serving_skew",
    "sessions_needed",
    "sessions_to_power",
    "simulate_feed",
    "skew_raises_entropy",
    "slot_table",
    "source_recall",
    "split",
    "streaming_outage",
    "trending_capture",
    "truth_predictions",
    "value_model_explorer",
    "value_scores",
    # the kit's pieces its notebooks and exercise use
    "DesignDoc",
    "FunnelBudgetExplorer",
    "FunnelBudgetState",
    "ValueModelExplorer",
    "size",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _HOMES)

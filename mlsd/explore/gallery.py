"""Every explorer of the kit on one page, each on small simulated data, for ``mlsd explore``.

:func:`gallery_explorers` builds the explorers (the same seed gives the same data and the same
numbers, so a test can rebuild what a page shows); :func:`gallery` lays them out as tabs, each with
a short paragraph saying what to try. ``notebooks/explorers.ipynb`` calls both, and Voilà serves
that notebook without its code.

Data behind each tab:

- threshold and calibration: the ad-click marketplace (``simulate_market``) with ``n_impressions``
  impressions; logistic regression trained on the days before ``FIRST_TEST_DAY``, once for each
  share of non-clicks kept (``KEEP_RATES``), and scored on the rest. The threshold tab uses the
  model trained on every non-click and starts at its cost-minimising threshold;
- ranking: the video platform (``simulate_watches``) with ``n_events`` watches, a temporal
  split, the most-popular list against matrix factorisation, top ``RANKING_K``;
- latency budget: the stages of a video home page (:func:`video_funnel`);
- A/B planner: the planner's defaults.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from mlsd.cases.ad_click.experiments import downsampled_predictions
from mlsd.cases.ad_click.simulate import simulate_market
from mlsd.cases.video_recs.candidates import MatrixFactorizationSource, PopularSource, recommend, watch_matrix
from mlsd.cases.video_recs.evaluation import shared_rows
from mlsd.cases.video_recs.simulate import simulate_watches
from mlsd.cases.video_recs.split import split_interactions
from mlsd.explore.ab_planner import ABPlanner
from mlsd.explore.calibration import CalibrationExplorer
from mlsd.explore.latency import FunnelBudgetExplorer, video_funnel
from mlsd.explore.ranking import RankingExplorer
from mlsd.explore.threshold import ThresholdExplorer, ThresholdExplorerState

FIRST_TEST_DAY = 10
KEEP_RATES = (1.0, 0.3, 0.1, 0.03)
RANKING_K = 10
N_USERS, N_VIDEOS = 500, 1_000
COST_FP, COST_FN = 1.0, 40.0
LATENCY_BUDGET_MS = 200.0

TAB_INTRODUCTIONS = {
    "Threshold": "Ad click prediction: show an ad only when its predicted click rate reaches the "
    "threshold. Move the slider (or click it and use the arrow keys) and watch precision, recall "
    "and the expected cost; change what each mistake costs and find the cheapest threshold.",
    "Calibration": "Training on all clicks but only some of the non-clicks makes every predicted "
    "rate too high. Pick how many non-clicks were kept and compare the predictions before and after "
    "the correction q = p / (p + (1 − p) / w).",
    "Ranking metrics": "Video recommendations: the most-popular list against matrix factorisation. "
    "Change k (how many items a screen shows) and the metric; below, edit a short list by hand to "
    "see how each metric rewards moving one hit up or down.",
    "Latency budget": "A request passes through the stages of a serving funnel. Choose how many "
    "items each stage handles and see whether the 99th-percentile latency still meets the budget.",
    "A/B test planner": "Plan an experiment: how many users per arm and how many days it needs, how "
    "often it really detects the effect, and what checking the result every day does to the "
    "false-positive rate.",
}


def gallery_explorers(seed: int = 7, n_impressions: int = 60_000, n_events: int = 30_000) -> dict:
    """One explorer per tab of the gallery, keyed by the tab title (see the module docstring)."""
    y_eval, raw_by_rate = click_predictions(seed, n_impressions)
    return {
        "Threshold": ThresholdExplorer(
            y_eval, raw_by_rate[1.0], threshold=cheapest_threshold(y_eval, raw_by_rate[1.0]), cost_fp=COST_FP, cost_fn=COST_FN
        ),
        "Calibration": CalibrationExplorer(y_eval, raw_by_rate),
        "Ranking metrics": RankingExplorer(**ranking_rows(seed, n_events), k=RANKING_K),
        "Latency budget": FunnelBudgetExplorer(video_funnel(), budget_ms=LATENCY_BUDGET_MS, seed=seed),
        "A/B test planner": ABPlanner(seed=seed),
    }


def click_predictions(seed: int, n_impressions: int) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Clicks of the test days and the raw predictions of the model trained at each of ``KEEP_RATES``."""
    market = simulate_market(n_impressions=n_impressions, seed=seed)
    return downsampled_predictions(market, FIRST_TEST_DAY, rates=KEEP_RATES, seed=seed)


def cheapest_threshold(y_true, y_score) -> float:
    """The threshold with the lowest expected cost at ``COST_FP`` and ``COST_FN``."""
    return ThresholdExplorerState(y_true, y_score, cost_fp=COST_FP, cost_fn=COST_FN).best().threshold


def ranking_rows(seed: int, n_events: int) -> dict:
    """The ranking explorer's inputs: most-popular and matrix-factorisation top ``RANKING_K`` lists."""
    videos = simulate_watches(n_users=N_USERS, n_videos=N_VIDEOS, n_events=n_events, seed=seed)
    train, test = split_interactions(videos.interactions, "temporal", seed=seed)
    watched = watch_matrix(train, N_USERS, N_VIDEOS)
    users = np.unique(test["user_id"])
    recommendations = {
        "popular": recommend(PopularSource().fit(watched), watched, users, RANKING_K),
        "matrix factorisation": recommend(MatrixFactorizationSource(seed=seed).fit(watched), watched, users, RANKING_K),
    }
    return shared_rows(recommendations, test, RANKING_K)


def gallery(explorers: dict) -> widgets.Tab:
    """The explorers as tabs, each headed by what it shows and what to try."""
    pages = [
        widgets.VBox([widgets.HTML(f"<p style='max-width: 900px'>{html.escape(TAB_INTRODUCTIONS.get(title, ''))}</p>"), explorer.widget])
        for title, explorer in explorers.items()
    ]
    return widgets.Tab(children=pages, titles=list(explorers))


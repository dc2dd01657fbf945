"""The video case's explorers for the gallery, on a small simulated platform.

- **Ranking metrics**: the most-popular list against matrix factorisation, top :data:`RANKING_K`,
  on :data:`N_USERS` users and :data:`N_VIDEOS` videos with ``n_events`` watches, temporal split
  (:class:`mlsd.explore.RankingExplorer`).
- **Latency budget**: the home page's serving funnel (:func:`~.serving.funnel_stages`) against
  :data:`~.serving.LATENCY_BUDGET_MS` (:class:`mlsd.explore.FunnelBudgetExplorer`).

The simulator, the models and the funnel are imported inside the functions that use them: with the
gallery's cache filled, ``mlsd explore`` reads the lists from it without importing scikit-learn.
"""

from __future__ import annotations

import numpy as np

import mlsd.explore as explorers
from mlsd.cases.contract import SIMULATED, ExplorerTab
from mlsd.explore.cache import cached_inputs
from mlsd.validation import check_int

RANKING_K = 10
N_USERS, N_VIDEOS = 500, 1_000


def gallery_tabs(seed: int = 7, n_events: int = 30_000) -> list[ExplorerTab]:
    """The ranking-metric and latency-budget tabs (see the module docstring)."""
    seed = check_int("seed", seed, 0)
    rows = ranking_rows(seed, n_events)
    return [
        ExplorerTab(
            "Ranking metrics",
            "Video recommendations: the most-popular list against matrix factorisation. Change k "
            "(how many items a screen shows) and the metric; below, edit a short list by hand to "
            "see how each metric rewards moving one hit up or down.",
            lambda: explorers.RankingExplorer(**rows, k=RANKING_K),
            _ranking_start,
        ),
        ExplorerTab(
            "Latency budget",
            "A request passes through the stages of a serving funnel. Choose how many items each "
            "stage handles and see whether the 99th-percentile latency still meets the budget.",
            lambda: funnel_explorer(seed),
            _funnel_start,
        ),
    ]


def _ranking_start(explorer) -> dict[str, float]:
    means = explorer.state.snapshot()
    return {f"{result.name.replace(' ', '_')}_{means.metric}@{means.k}": result.mean
            for result in means.recommenders}


def funnel_explorer(seed: int):
    """The latency-budget explorer of the home page's funnel (:mod:`.serving`), its latencies
    simulated with ``seed``."""
    from mlsd.cases.video_recs.serving import LATENCY_BUDGET_MS, funnel_stages

    return explorers.FunnelBudgetExplorer(funnel_stages(), budget_ms=LATENCY_BUDGET_MS, seed=seed)


def _funnel_start(explorer) -> dict[str, float | bool]:
    budget = explorer.state.snapshot()
    return {"funnel_p99_ms": budget.request_p99_ms, "funnel_within_budget": budget.within_budget}


@cached_inputs
def ranking_rows(seed: int, n_events: int) -> dict:
    """The ranking explorer's inputs: most-popular and matrix-factorisation top ``RANKING_K`` lists
    of the test users, as :func:`~.evaluation.shared_rows` lays them out."""
    from mlsd.cases.video_recs.data import load_data, split
    from mlsd.cases.video_recs.evaluation import shared_rows
    from mlsd.cases.video_recs.models import (
        MatrixFactorizationSource,
        PopularSource,
        recommend,
        watch_matrix,
    )

    data = load_data(SIMULATED, seed=seed, n_users=N_USERS, n_videos=N_VIDEOS, n_events=n_events)
    held_out = split(data, "temporal")
    watched = watch_matrix(held_out.train, N_USERS, N_VIDEOS)
    users = np.unique(held_out.test["user_id"])
    recommendations = {
        "popular": recommend(PopularSource().fit(watched), watched, users, RANKING_K),
        "matrix factorisation": recommend(
            MatrixFactorizationSource(seed=seed).fit(watched), watched, users, RANKING_K
        ),
    }
    return shared_rows(recommendations, held_out.test, RANKING_K)

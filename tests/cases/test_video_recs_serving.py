"""The video home page's serving funnel against its latency budget."""

from mlsd.cases.video_recs.serving import LATENCY_BUDGET_MS, funnel_stages
from mlsd.explore import FunnelBudgetState


def test_the_funnel_narrows_from_thousands_of_cheap_items_to_tens_of_costly_ones():
    candidates, ranking, reranking = funnel_stages()
    assert (candidates.name, ranking.name, reranking.name) == (
        "candidate generation",
        "ranking",
        "re-ranking",
    )
    assert candidates.items >= 1_000 and ranking.items == 500 and reranking.items == 50
    costs = [stage.cost_us_per_item for stage in (candidates, ranking, reranking)]
    assert costs == sorted(costs)


def test_the_funnel_fits_200_ms_until_ranking_takes_twice_the_candidates():
    state = FunnelBudgetState(funnel_stages(), budget_ms=LATENCY_BUDGET_MS)
    fits = state.snapshot()
    assert fits.budget_ms == 200.0 and fits.headroom_ms > 0 and fits.within_budget > 0.99
    assert fits.dominant_stage == "ranking"
    state.set_items("ranking", 1_000)
    assert state.snapshot().headroom_ms < 0

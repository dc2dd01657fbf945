"""The rental-search funnel against its budget, and the stale price a skewed serving path reads."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.rental_search import serving
from mlsd.explore import FunnelBudgetState


def p99(**sizes):
    return FunnelBudgetState(serving.funnel_stages(**sizes), budget_ms=serving.LATENCY_BUDGET_MS,
                             seed=7).snapshot().request_p99_ms


def test_the_default_funnel_fits_the_budget_and_far_more_work_does_not():
    assert p99() <= serving.LATENCY_BUDGET_MS - 20
    assert p99(n_personalised=2_000) > serving.LATENCY_BUDGET_MS
    assert p99(n_retrieved=4_000) > serving.LATENCY_BUDGET_MS
    with pytest.raises(ValueError, match="n_personalised"):
        serving.funnel_stages(n_retrieved=100, n_personalised=300)


def test_a_stale_price_moves_each_listing_by_one_factor_of_the_stated_spread():
    rows = pd.DataFrame({"listing_id": np.r_[np.arange(4_000), np.arange(4_000)],
                         "price": 100.0})
    assert serving.stale_price(rows, 0.0)["price"].tolist() == rows["price"].tolist()
    stale = serving.stale_price(rows, 0.25, seed=3)["price"].to_numpy()
    assert (stale[:4_000] == stale[4_000:]).all()  # one draw per listing
    assert np.log(stale / 100).std() == pytest.approx(0.25, rel=0.05)
    with pytest.raises(ValueError, match="sd"):
        serving.stale_price(rows, -0.1)


def test_price_skew_serves_the_ranker_each_stale_price():
    rows = pd.DataFrame({"listing_id": [0, 1, 2], "price": [50.0, 100.0, 200.0]})

    class PriceRanker:
        def predict(self, frame):
            return -frame["price"].to_numpy()

    table = serving.price_skew(PriceRanker(), rows, (0.0, 1.0),
                               lambda frame, score: {"cheapest": float(-score.max())}, seed=2)
    assert table.loc[0.0, "cheapest"] == 50.0
    assert table.loc[1.0, "cheapest"] == pytest.approx(
        serving.stale_price(rows, 1.0, seed=2)["price"].min())

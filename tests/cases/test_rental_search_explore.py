"""Rental search's gallery tab: the ranking-gains explorer on a small world, its start numbers
those its state shows, its truth the bookings each order earns, and the lesson its line states —
the logged order wins offline, not on the truth."""

import pytest

from mlsd.cases.contract import ExplorerTab
from mlsd.cases.rental_search import explore
from mlsd.cases.rental_search.evaluation import expected_outcomes
from mlsd.explore import RankingGainsExplorer

SMALL = 4_000


@pytest.fixture(scope="module")
def tab():
    (tab,) = explore.gallery_tabs(seed=3, n_searches=SMALL)
    return tab


def test_the_tab_is_the_ranking_gains_explorer_starting_at_its_snapshot(tab):
    assert isinstance(tab, ExplorerTab) and tab.title == "Ranking gains"
    assert isinstance(tab.explorer, RankingGainsExplorer)
    snapshot = tab.explorer.state.snapshot()
    assert list(tab.explorer.sliders) == ["booked", "rejected", "long_click", "click"]
    assert tab.start["gains_lambdamart_ndcg@10"] == snapshot.offline["LambdaMART"]
    assert tab.start["gains_logged_order_bookings"] == snapshot.truth["logged order"]
    assert len(tab.start) == 2 * 5


def test_the_logged_order_wins_offline_and_a_learned_ranker_on_the_truth(tab):
    snapshot = tab.explorer.state.snapshot()
    assert snapshot.offline_winner == "logged order" and snapshot.agree is False
    assert snapshot.truth["logged order"] < min(snapshot.truth[name] for name in
                                                ("pointwise GBDT", "LambdaMART"))
    state = tab.explorer.state
    for gains in ({"booked": 5.0}, {"booked": 0.0}, {"rejected": -2.0}):
        state.gains = {**state.gains, **gains}
        assert state.snapshot().offline_winner == "logged order", gains


def test_the_truth_is_the_bookings_each_order_earns():
    from mlsd.cases.rental_search.data import load_data, split

    data = load_data("simulated", seed=1, n_searches=SMALL)
    test = split(data).test
    scores = {"by price": -test["price"].to_numpy(), "logged": -test["position"].to_numpy(float)}
    view = explore.ranking_gains_explorer(test, scores, examination_decay=0.7)
    earned = expected_outcomes(test, scores["by price"], 0.7)["bookings"]
    assert view.state.truth["by price"] == earned
    assert explore.ranking_gains_explorer(test, scores).state.truth == {}


def test_sizes_are_checked():
    with pytest.raises(ValueError, match="n_searches must be an integer >= 2000; got 100"):
        explore.gallery_tabs(n_searches=100)

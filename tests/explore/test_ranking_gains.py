"""The ranking-gains explorer: its NDCG is the kit's where gains are >= 0, a per-search reference
where a gain is negative, its winners follow the numbers, and its controls move the readout."""

import numpy as np
import pandas as pd
import pytest

from mlsd.explore import RankingGainsExplorer, RankingGainsState
from mlsd.metrics.ranking import RankedLists

GRADES = ("booked", "rejected", "click", "viewed")
GAINS = {"booked": 1.0, "rejected": -0.4, "click": 0.05, "viewed": 0.0}


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(3)
    search = np.repeat(np.arange(300), rng.integers(3, 15, 300))
    grade = np.asarray(GRADES)[np.searchsorted(np.cumsum([0.08, 0.05, 0.2, 0.67]),
                                               rng.random(len(search)), side="right")]
    scores = {"a": rng.random(len(search)), "b": rng.random(len(search)),
              "c": (grade == "booked") + 0.5 * rng.random(len(search))}
    return grade, scores, search


def reference(grade, score, search, gains, k, d=lambda r: 1 / np.log2(1 + r)):
    """NDCG@k of each search, one search at a time: (DCG − worst) / (best − worst)."""
    values = []
    for s in np.unique(search):
        mine = search == s
        order = np.lexsort((np.arange(mine.sum()), -score[mine]))
        g = np.array([gains[x] for x in grade[mine]])[order]
        discount = np.where(np.arange(1, len(g) + 1) <= k, d(np.arange(1, len(g) + 1.0)), 0)
        best = (np.sort(np.maximum(g, 0))[::-1] * discount).sum()
        worst = (np.sort(np.minimum(g, 0)) * discount).sum()
        if best > worst:
            values.append(((g * discount).sum() - worst) / (best - worst))
    return float(np.mean(values))


def test_with_gains_at_least_zero_it_is_the_kits_ndcg(rows):
    grade, scores, search = rows
    gains = {**GAINS, "rejected": 0.3}
    state = RankingGainsState(grade, scores, search, gains=gains, k=5)
    relevance = pd.Series(grade).map(gains).to_numpy()
    for name, score in scores.items():
        kit = np.nanmean(RankedLists(relevance, score, search).ndcg_at(5))
        assert state.ndcg()[name] == pytest.approx(kit, abs=1e-12)


@pytest.mark.parametrize("discount, decay", [("log2", 1.0), ("power", 0.0), ("power", 1.7)])
def test_negative_gains_count_between_the_worst_and_the_best_order(rows, discount, decay):
    grade, scores, search = rows
    state = RankingGainsState(grade, scores, search, gains=GAINS, discount=discount, decay=decay,
                              k=4)
    d = (lambda r: 1 / np.log2(1 + r)) if discount == "log2" else (lambda r: r ** -decay)
    for name, score in scores.items():
        assert state.ndcg()[name] == pytest.approx(reference(grade, score, search, GAINS, 4, d),
                                                   abs=1e-12)
    assert all(0 <= value <= 1 for value in state.ndcg().values())


def test_a_search_with_only_a_rejection_counts_and_one_with_no_gain_does_not():
    state = RankingGainsState(["rejected", "viewed", "viewed", "viewed"], {"x": [1, 0, 0, 0]},
                              [1, 1, 2, 2], gains={"rejected": -1.0, "viewed": 0.0}, k=1)
    snapshot = state.snapshot()
    assert snapshot.offline == {"x": 0.0} and snapshot.searches_counted == 1
    state.set_gain("rejected", 0.0)
    assert np.isnan(state.ndcg()["x"]) and state.snapshot().searches_counted == 0


def test_the_winners_follow_the_numbers_and_the_sweep_reorders_them(rows):
    grade, scores, search = rows
    truth = {"a": 0.3, "b": 0.1, "c": 0.2}
    state = RankingGainsState(grade, scores, search, gains=GAINS, truth=truth)
    snapshot = state.snapshot()
    assert snapshot.offline_winner == "c" == max(snapshot.offline, key=snapshot.offline.get)
    assert snapshot.true_winner == "a" and snapshot.agree is False
    sweep = state.sweep("booked", [0.0, 1.0, 5.0])
    assert sweep.loc[1.0, "c"] == pytest.approx(snapshot.offline["c"], abs=1e-12)
    assert sweep.loc[0.0, "c"] < sweep.loc[5.0, "c"]
    assert sweep.loc[5.0, "winner"] == "c"
    assert state.gains == GAINS  # the sweep leaves the gains as they were


def test_bad_input_is_named(rows):
    grade, scores, search = rows
    with pytest.raises(ValueError, match="grades hold 'booked', which gains does not name"):
        RankingGainsState(grade, scores, search, gains={"click": 1.0})
    with pytest.raises(ValueError, match="truth lacks the rankers"):
        RankingGainsState(grade, scores, search, gains=GAINS, truth={"a": 1.0})
    state = RankingGainsState(grade, scores, search, gains=GAINS)
    with pytest.raises(ValueError, match="discount must be one of 'log2', 'power'; got 'ln'"):
        state.discount = "ln"
    with pytest.raises(ValueError, match="k must be"):
        state.k = 0
    with pytest.raises(ValueError, match=r"gains\['booked'\] must be"):
        state.set_gain("booked", float("nan"))
    with pytest.raises(ValueError, match="inputs must have the same length"):
        RankingGainsState(grade[:-1], scores, search, gains=GAINS)


def test_the_view_moves_the_state_and_its_readout(rows):
    grade, scores, search = rows
    view = RankingGainsExplorer(grade, scores, search, gains=GAINS, truth={"a": 1, "b": 2, "c": 3},
                                truth_label="true bookings", fixed=("viewed",))
    assert list(view.sliders) == ["booked", "rejected", "click"]
    assert view.decay_slider.disabled
    before = view.readout.value
    view.sliders["rejected"].value = -2.0
    assert view.state.gains["rejected"] == -2.0 and view.readout.value != before
    assert f"{view.state.snapshot().offline['a']:.4f}" in view.readout.value
    view.discount_buttons.value = "power"
    assert not view.decay_slider.disabled and view.state.discount == "power"
    view.k_slider.value = 3
    assert view.state.k == 3 and "offline NDCG@3" in view.readout.value
    assert "true winner: <b>c</b>" in view.readout.value
    assert view.image.value[:4] == b"\x89PNG"


def test_a_moved_gain_shows_the_figure_a_new_view_draws_for_that_gain(rows):
    grade, scores, search = rows
    moved = RankingGainsExplorer(grade, scores, search, gains=GAINS, truth={"a": 1, "b": 2, "c": 3})
    start = bytes(moved.image.value)
    for gain in (3.0, 0.5, 3.0):
        moved.sliders["booked"].value = gain
    fresh = RankingGainsExplorer(grade, scores, search, gains={**GAINS, "booked": 3.0},
                                 truth={"a": 1, "b": 2, "c": 3})
    assert bytes(moved.image.value) == bytes(fresh.image.value) != start
    moved.k_slider.value = fresh.k_slider.value = 4
    assert bytes(moved.image.value) == bytes(fresh.image.value)

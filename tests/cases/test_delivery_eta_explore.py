"""Delivery ETA's gallery tab: the promise explorer on a small world, its start numbers those its
state shows, the same numbers for the same seed, and the explorer on a notebook's own orders."""

from dataclasses import asdict

import numpy as np
import pytest

from mlsd.cases.contract import ExplorerTab
from mlsd.cases.delivery_eta import explore
from mlsd.cases.delivery_eta.promise import PromiseCosts, promise_outcomes
from mlsd.explore import PromiseExplorer
from mlsd.explore.promise import DEFAULT_COSTS

SMALL = 8_000


@pytest.fixture(scope="module")
def tab():
    (tab,) = explore.gallery_tabs(seed=3, n_orders=SMALL)
    return tab


def test_the_tab_is_the_promise_explorer_starting_at_its_snapshot(tab):
    assert isinstance(tab, ExplorerTab) and tab.title == "Promise" and tab.what_to_try
    assert isinstance(tab.explorer, PromiseExplorer)
    state = tab.explorer.state
    assert state.bases == tuple(explore.BASES) and state.base == "point GBDT"
    assert state.buffer == 0.0 and np.array_equal(state.buffers, explore.BUFFERS)
    assert (state.lost_order, state.late_fixed, state.late_per_minute) == (5.0, 3.0, 0.25)
    start = state.snapshot()
    assert tab.start["promise_late_rate"] == start.late_rate
    assert tab.start["promise_mean_quote"] == start.mean_quote
    assert tab.start["promise_conversion"] == start.conversion
    assert tab.start["promise_expected_cost"] == start.expected_cost
    for name, key in explore.BASES.items():
        best = state.cheapest(name)
        assert tab.start[f"promise_{key}_best_buffer"] == best.buffer
        assert tab.start[f"promise_{key}_best_cost"] == best.expected_cost
        assert tab.start[f"promise_{key}_best_late_rate"] == best.late_rate
    assert len(tab.start) == 4 + 3 * 3
    assert all(name.startswith("promise_") for name in tab.start)


def test_the_start_numbers_are_those_of_the_orders(tab):
    actual, quotes = explore.gallery_quotes(3, SMALL)
    truth = promise_outcomes(actual, quotes["point GBDT"], PromiseCosts())
    assert tab.start["promise_late_rate"] == truth["late_rate"]
    assert tab.start["promise_expected_cost"] == pytest.approx(truth["expected_cost"], abs=1e-12)
    calibrated = promise_outcomes(actual, quotes["0.8 quantile, calibrated"])
    assert 0.1 < calibrated["late_rate"] < 0.3  # about 1 - 0.8 on the test days


def test_a_mean_is_late_far_more_often_than_a_quantile(tab):
    state = tab.explorer.state
    late_at_zero = {base: state.curve("late_rate", base)[state.buffers == 0.0][0]
                    for base in state.bases}
    assert late_at_zero["point GBDT"] > 0.3 > late_at_zero["0.8 quantile, calibrated"]
    assert tab.start["promise_point_best_buffer"] > tab.start["promise_calibrated_best_buffer"]


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others(tab):
    (again,) = explore.gallery_tabs(seed=3, n_orders=SMALL)
    assert again.start == tab.start
    (other,) = explore.gallery_tabs(seed=4, n_orders=SMALL)
    assert other.start != tab.start


def test_the_explorer_on_a_notebooks_own_orders():
    rng = np.random.default_rng(1)
    actual = rng.gamma(6.0, 6.0, 400)
    quotes = {"flat": np.full(400, 35.0), "oracle": actual.copy()}
    view = explore.promise_explorer(actual, quotes, buffers=[-2.0, 0.0, 2.0], base="oracle",
                                    costs=PromiseCosts(lost_order=1.0), title="Mine")
    state = view.state
    assert state.bases == ("flat", "oracle") and state.base == "oracle"
    assert state.lost_order == 1.0 and state.snapshot().late_rate == 0.0
    assert state.cheapest("oracle").buffer == 0.0  # never late at 0; -2 is late on every order
    assert view.widget.children[0].value == "<h3>Mine</h3>"


def test_sizes_are_checked():
    with pytest.raises(ValueError, match="n_orders must be an integer >= 5000; got 100"):
        explore.gallery_tabs(n_orders=100)
    with pytest.raises(ValueError, match="seed must be"):
        explore.gallery_tabs(seed=-1)


def test_the_explorers_default_costs_are_the_cases():
    assert DEFAULT_COSTS == asdict(PromiseCosts())

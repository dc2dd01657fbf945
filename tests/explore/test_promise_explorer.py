"""Tests for mlsd.explore.promise: the state equals recomputing each promise over the orders with
delivery ETA's promise_outcomes, the cheapest buffer is the brute-force one (ties: the smallest),
buffers snap to the grid, inputs are validated, and the widgets drive the state."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.delivery_eta.promise import PromiseCosts, promise_curves, promise_outcomes
from mlsd.explore import PromiseExplorer, PromiseExplorerState
from mlsd.explore.promise import CURVE_COLUMNS

BUFFERS = np.arange(-6.0, 12.5, 0.5)
COSTS = [PromiseCosts(), PromiseCosts(late_fixed=10.0, late_per_minute=1.0, lost_order=2.0),
         PromiseCosts(late_fixed=0.0, late_per_minute=0.0, lost_order=5.0),
         PromiseCosts(late_fixed=4.0, late_per_minute=0.5, lost_order=0.0)]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def orders(seed, n=3_000):
    """Right-skewed durations and three base quotes: the mean, a high quantile, and noise."""
    rng = np.random.default_rng(seed)
    expected = rng.uniform(20, 45, n)
    actual = expected + rng.gamma(2.0, 4.0, n) - 8.0
    quotes = {"mean": expected, "high": expected + 5.0,
              "noisy": expected + rng.normal(0, 6, n)}
    return actual, quotes


@pytest.fixture(scope="module")
def world():
    actual, quotes = orders(0)
    return actual, quotes, promise_curves(actual, quotes, BUFFERS)


def costs_of(state):
    return PromiseCosts(late_fixed=state.late_fixed, late_per_minute=state.late_per_minute,
                        lost_order=state.lost_order)


def set_costs(state, costs):
    state.lost_order, state.late_fixed = costs.lost_order, costs.late_fixed
    state.late_per_minute = costs.late_per_minute


# --- the state: exactly what recomputing over the orders gives ------------------------------


@pytest.mark.parametrize("seed", range(3))
def test_snapshot_equals_recomputing_each_promise_over_the_orders(seed):
    actual, quotes = orders(seed)
    state = PromiseExplorerState(promise_curves(actual, quotes, BUFFERS))
    for costs in COSTS:
        set_costs(state, costs)
        for base in quotes:
            state.base = base
            for buffer in BUFFERS[::5]:
                state.buffer = buffer
                snapshot = state.snapshot()
                truth = promise_outcomes(actual, quotes[base] + buffer, costs)
                assert (snapshot.base, snapshot.buffer) == (base, buffer)
                assert snapshot.late_rate == truth["late_rate"]
                assert snapshot.mean_quote == pytest.approx(truth["mean_quote"], abs=1e-12)
                assert snapshot.conversion == pytest.approx(truth["conversion"], abs=1e-12)
                assert snapshot.expected_cost == pytest.approx(truth["expected_cost"], abs=1e-12)
                assert snapshot.lost_cost + snapshot.late_cost + snapshot.minutes_late_cost == (
                    pytest.approx(snapshot.expected_cost, abs=1e-12))


@pytest.mark.parametrize("costs", COSTS)
def test_the_cheapest_buffer_is_the_brute_force_one(world, costs):
    actual, quotes, curves = world
    state = PromiseExplorerState(curves)
    set_costs(state, costs)
    for base, quote in quotes.items():
        brute = [promise_outcomes(actual, quote + b, costs)["expected_cost"] for b in BUFFERS]
        at = int(np.argmin(brute))
        best = state.cheapest(base)
        assert best.buffer == BUFFERS[at]
        assert best.expected_cost == pytest.approx(brute[at], abs=1e-12)
        assert best.late_rate == promise_outcomes(actual, quote + BUFFERS[at])["late_rate"]
        assert state.cheapest_by_base().loc[base, "buffer"] == BUFFERS[at]
    state.base = "high"
    snapshot = state.snapshot()
    assert snapshot.best_buffer == state.cheapest("high").buffer
    assert snapshot.best_cost == min(state.curve("expected_cost", "high"))


def test_costs_move_the_cheapest_buffer_the_right_way(world):
    state = PromiseExplorerState(world[2], base="mean")
    cheap_lateness = state.cheapest().buffer
    state.late_fixed = 20.0
    assert state.cheapest().buffer > cheap_lateness
    state.late_fixed, state.late_per_minute = 0.0, 0.0
    assert state.cheapest().buffer == BUFFERS[0]  # only lost orders cost: promise the soonest
    state.lost_order = 0.0
    assert state.snapshot().best_cost == 0.0 and state.cheapest().buffer == BUFFERS[0]


def tied_curves(buffers=(-1.0, 0.0, 1.0, 2.0)):
    """One base whose shares are equal at buffers 0 and 2 and higher elsewhere."""
    lost = np.array([0.5, 0.2, 0.3, 0.2])
    return pd.DataFrame({"base": "only", "buffer": buffers, "late_rate": [0.4, 0.3, 0.2, 0.3],
                         "mean_quote": np.add(buffers, 30.0), "conversion": 1 - lost,
                         "lost_share": lost, "late_share": [0.3, 0.1, 0.2, 0.1],
                         "minutes_late_share": [2.0, 1.0, 1.5, 1.0]})


def test_ties_go_to_the_smallest_buffer():
    state = PromiseExplorerState(tied_curves())
    best = state.cheapest()
    assert best.buffer == 0.0
    assert best.expected_cost == pytest.approx(5.0 * 0.2 + 3.0 * 0.1 + 0.25 * 1.0)


def test_buffers_snap_to_the_nearest_grid_buffer_halfway_to_the_smaller(world):
    state = PromiseExplorerState(world[2])
    assert state.buffer == 0.0  # the default: the grid buffer nearest 0
    for asked, kept in ((0.26, 0.5), (0.25, 0.0), (0.24, 0.0), (-6.0, -6.0), (12.0, 12.0),
                        (3.5000001, 3.5), (0.1 * 3, 0.5)):
        state.buffer = asked
        assert state.buffer == kept, asked
    shifted = world[2].assign(buffer=world[2]["buffer"] + 8.0)
    assert PromiseExplorerState(shifted).buffer == 2.0  # 0 is off the grid: its first buffer


def test_the_state_keeps_the_bases_in_order_and_its_arrays_read_only(world):
    state = PromiseExplorerState(world[2])
    assert state.bases == ("mean", "high", "noisy") and state.base == "mean"
    assert np.array_equal(state.buffers, BUFFERS)
    for array in (state.buffers, state.curve("late_rate"), state.curve("expected_cost")):
        with pytest.raises(ValueError):
            array[0] = 1.0
    with pytest.raises(AttributeError):
        state.snapshot().buffer = 1.0


# --- bad input: one ValueError naming the argument ------------------------------------------


def bad_curves():
    good = tied_curves()
    two = pd.concat([good, good.assign(base="other")])
    return [
        ([1, 2], "curves must be a pandas DataFrame"),
        (good.drop(columns="late_share"), r"missing \['late_share'\]"),
        (good.iloc[:0], "non-empty"),
        (good.assign(buffer=[0.0, -1.0, 1.0, 2.0]), "strictly increasing"),
        (good.assign(buffer=[0.0, 0.0, 1.0, 2.0]), "strictly increasing"),
        (two.assign(buffer=[-1.0, 0, 1, 2, -1, 0, 1, 3]), "'other' has"),
        (good.assign(base=["only", "only", "", ""]), "non-empty name"),
        (good.assign(late_rate=[0.4, 1.2, 0.2, 0.3]), r"late_rate must be in \[0, 1\]"),
        (good.assign(minutes_late_share=[1.0, -1.0, 1.0, 1.0]), "minutes_late_share must be"),
        (good.assign(mean_quote=np.nan), "mean_quote must be finite"),
        (good.assign(conversion=0.9), "lost_share must equal 1 - conversion"),
    ]


@pytest.mark.parametrize("curves, message", bad_curves())
def test_a_bad_curves_table_is_refused(curves, message):
    with pytest.raises(ValueError, match=message):
        PromiseExplorerState(curves)


@pytest.mark.parametrize("name, value, message", [
    ("base", "nope", "base must be one of 'only'; got 'nope'"),
    ("buffer", 2.5, r"buffer must be a number in \[-1, 2\]; got 2.5"),
    ("buffer", np.nan, "buffer must be"),
    ("lost_order", -1.0, "lost_order must be"),
    ("late_fixed", np.inf, "late_fixed must be"),
    ("late_per_minute", "1", "late_per_minute must be"),
])
def test_bad_inputs_are_refused_by_name(name, value, message):
    state = PromiseExplorerState(tied_curves())
    with pytest.raises(ValueError, match=message):
        setattr(state, name, value)
    with pytest.raises(ValueError, match=message):
        PromiseExplorerState(tied_curves(), **{name: value})


def test_curve_and_cheapest_refuse_unknown_names():
    state = PromiseExplorerState(tied_curves())
    with pytest.raises(ValueError, match="column must be one of"):
        state.curve("base")
    with pytest.raises(ValueError, match="base must be one of"):
        state.cheapest("nope")
    assert set(CURVE_COLUMNS) == set(tied_curves().columns)


# --- the view: its widgets set the state, and the readout and figure follow --------------------


@pytest.fixture
def explorer(world):
    return PromiseExplorer(world[2], base="mean", buffer=0.0, title="Promise <ETA>")


def test_view_starts_in_step_with_its_state(explorer):
    state = explorer.state
    assert explorer.base_dropdown.value == state.base == "mean"
    assert explorer.buffer_slider.value == state.buffer == 0.0
    assert list(explorer.buffer_slider.options) == [(f"{b:+g} min", b) for b in BUFFERS]
    assert (explorer.lost_order_input.value, explorer.late_fixed_input.value,
            explorer.late_per_minute_input.value) == (5.0, 3.0, 0.25)
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    snapshot = state.snapshot()
    assert f"expected cost per checkout {snapshot.expected_cost:.4f}" in explorer.readout.value
    assert explorer.widget.children[0].value == "<h3>Promise &lt;ETA&gt;</h3>"
    assert explorer.buffer_slider.continuous_update is False
    assert all(control.tooltip for control in (
        explorer.base_dropdown, explorer.buffer_slider, explorer.lost_order_input,
        explorer.late_fixed_input, explorer.late_per_minute_input, explorer.best_button))


def test_slider_move_updates_state_readout_and_figure(explorer):
    before_image, before_text = bytes(explorer.image.value), explorer.readout.value
    explorer.buffer_slider.value = 4.5
    snapshot = explorer.state.snapshot()
    assert explorer.state.buffer == snapshot.buffer == 4.5
    assert "mean +4.5 min" in explorer.readout.value
    for number in (f"late rate {snapshot.late_rate:.2%}", f"conversion {snapshot.conversion:.2%}",
                   f"mean quote {snapshot.mean_quote:.2f} min",
                   f"expected cost per checkout {snapshot.expected_cost:.4f}"):
        assert number in explorer.readout.value
    assert explorer.readout.value != before_text
    after = bytes(explorer.image.value)
    assert after.startswith(PNG_SIGNATURE) and after != before_image


def test_base_and_costs_update_state_and_cheapest(explorer):
    explorer.base_dropdown.value = "noisy"
    assert explorer.state.base == "noisy" and "<b>noisy +0 min</b>" in explorer.readout.value
    cheapest_before = explorer.state.cheapest().buffer
    before = bytes(explorer.image.value)
    explorer.late_fixed_input.value = 25.0
    explorer.late_per_minute_input.value = 2.0
    explorer.lost_order_input.value = 1.0
    state = explorer.state
    assert (state.late_fixed, state.late_per_minute, state.lost_order) == (25.0, 2.0, 1.0)
    best = state.cheapest()
    assert best.buffer > cheapest_before
    assert f"cheapest buffer {best.buffer:+g} min: cost {best.expected_cost:.4f}" in (
        explorer.readout.value)
    assert bytes(explorer.image.value) != before


def test_best_button_moves_the_slider_to_the_cheapest_buffer(explorer):
    explorer.buffer_slider.value = -6.0
    explorer.best_button.click()
    best = explorer.state.cheapest()
    assert explorer.buffer_slider.value == explorer.state.buffer == best.buffer
    assert explorer.state.snapshot().expected_cost == best.expected_cost
    assert "this buffer costs 0.0000 more" in explorer.readout.value


def test_explorer_displays_as_its_widget(explorer):
    bundle = explorer._repr_mimebundle_()
    model_id = bundle["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert model_id == explorer.widget.model_id

"""Tests for mlsd.explore.latency: the state's numbers are mlsd.serving's, they are deterministic
and move monotonically with the items, inputs are validated, and the widgets drive the state."""

import math

import numpy as np
import pytest

from mlsd.explore import FunnelBudgetExplorer, FunnelBudgetState, FunnelStage
from mlsd.serving import Stage, latency_budget, simulate_latency

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
N_REQUESTS = 5_000


def small_funnel():
    return [
        FunnelStage("retrieve", 2_000, 3.0, 10.0, 0.5),
        FunnelStage("score", 300, 150.0, 5.0, 0.4),
        FunnelStage("order", 30, 200.0, 2.0, 0.0),
    ]


def state_of(stages=None, **options):
    options.setdefault("n_requests", N_REQUESTS)
    return FunnelBudgetState(small_funnel() if stages is None else stages, **options)


# --- the stages ------------------------------------------------------------------------------


def test_a_stage_median_is_its_fixed_time_plus_items_times_cost():
    stage = FunnelStage("ranking", 500, 120.0, 8.0, 0.35)
    assert stage.median_ms == 8.0 + 500 * 120.0 / 1000
    assert stage.stage() == Stage("ranking", 68.0, 0.35)
    assert FunnelStage("cheap", 10, 1.0).median_ms == 0.01
    assert FunnelStage("cheap", 10, 1.0).sigma == 0.5


@pytest.mark.parametrize(
    "arguments, message",
    [
        (("", 10, 1.0), "a stage's name must be a non-empty string; got ''"),
        (("a", 0, 1.0), "stage a: items must be an integer >= 1; got 0"),
        (("a", 2.5, 1.0), "stage a: items must be an integer >= 1; got 2.5"),
        (("a", True, 1.0), "stage a: items must be an integer >= 1; got True"),
        (("a", 10, -1.0), "stage a: cost_us_per_item must be a finite number >= 0; got -1.0"),
        (("a", 10, 1.0, math.inf), "stage a: fixed_ms must be a finite number >= 0; got inf"),
        (("a", 10, 1.0, 0.0, math.nan), "stage a: sigma must be a finite number >= 0; got nan"),
        (("a", 10, 0.0, 0.0), "stage a: fixed_ms or cost_us_per_item must be > 0"),
    ],
)
def test_bad_stages_are_refused_naming_the_stage_and_field(arguments, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        FunnelStage(*arguments)


# --- the state: mlsd.serving's numbers --------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 7])
def test_snapshot_equals_latency_budget_of_simulate_latency(seed):
    state = state_of(seed=seed, budget_ms=120.0)
    state.set_items("score", 450)
    stages = [stage.stage() for stage in state.stages]
    samples = simulate_latency(stages, N_REQUESTS, seed)
    assert state.samples().equals(samples)
    table = latency_budget(samples, 120.0)
    snapshot = state.snapshot()
    for latency, stage in zip(snapshot.stages, state.stages, strict=True):
        assert (latency.name, latency.items, latency.median_ms) == (
            stage.name,
            stage.items,
            stage.median_ms,
        )
        assert latency.p50_ms == table.at[stage.name, "p50_ms"]
        assert latency.p99_ms == table.at[stage.name, "p99_ms"]
        assert latency.share_of_mean == table.at[stage.name, "share_of_mean"]
    assert snapshot.request_p50_ms == table.at["total", "p50_ms"]
    assert snapshot.request_p99_ms == table.at["total", "p99_ms"]
    assert snapshot.within_budget == table.at["total", "within_budget"]
    assert snapshot.sum_of_stage_p99s_ms == table.at["sum of stage p99s", "p99_ms"]
    assert snapshot.headroom_ms == 120.0 - snapshot.request_p99_ms
    assert snapshot.dominant_stage == table["share_of_mean"].iloc[:3].idxmax()


def test_the_request_p99_is_below_the_sum_of_the_stage_p99s():
    snapshot = state_of().snapshot()
    assert snapshot.request_p99_ms < snapshot.sum_of_stage_p99s_ms
    assert sum(stage.share_of_mean for stage in snapshot.stages) == pytest.approx(1.0)


def test_a_stage_without_spread_takes_its_median_every_time():
    snapshot = state_of().snapshot()
    order = snapshot.stages[2]
    assert order.p50_ms == order.p99_ms == order.median_ms == 2.0 + 30 * 0.2


def test_same_settings_give_the_same_snapshot_whatever_the_path():
    state = state_of()
    first = state.snapshot()
    state.set_items("retrieve", 9_000)
    state.budget_ms = 80.0
    state.set_items("retrieve", 2_000)
    state.budget_ms = 200.0
    assert state.snapshot() == first == state_of().snapshot()
    assert state_of(seed=1).snapshot() != first


@pytest.mark.parametrize("name", ["retrieve", "score", "order"])
def test_more_items_never_make_the_funnel_faster(name):
    state = state_of(budget_ms=60.0)
    snapshots = []
    for items in (1, 10, 100, 500, 2_000, 30_000):
        state.set_items(name, items)
        snapshots.append(state.snapshot())
    grown = [next(s for s in snapshot.stages if s.name == name) for snapshot in snapshots]
    assert all(np.diff([stage.p50_ms for stage in grown]) > 0)
    assert all(np.diff([stage.p99_ms for stage in grown]) > 0)
    assert all(np.diff([snapshot.request_p50_ms for snapshot in snapshots]) > 0)
    assert all(np.diff([snapshot.request_p99_ms for snapshot in snapshots]) > 0)
    assert all(np.diff([snapshot.within_budget for snapshot in snapshots]) <= 0)
    others = [
        [(s.p50_ms, s.p99_ms) for s in snapshot.stages if s.name != name] for snapshot in snapshots
    ]
    assert all(other == others[0] for other in others)
    assert snapshots[-1].dominant_stage == name


def test_a_larger_budget_only_changes_the_share_within_it():
    state = state_of(budget_ms=30.0)
    tight = state.snapshot()
    state.budget_ms = 300.0
    loose = state.snapshot()
    assert loose.within_budget > tight.within_budget
    assert loose.stages == tight.stages and loose.request_p99_ms == tight.request_p99_ms
    assert (tight.headroom_ms < 0) and (loose.headroom_ms > 0)


def test_items_are_read_and_set_by_stage_name():
    state = state_of()
    assert state.names == ("retrieve", "score", "order")
    assert state.items("score") == 300
    state.set_items("score", 40)
    assert state.items("score") == 40 and state.stages[1].median_ms == 5.0 + 40 * 0.15


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: state_of([]), "stages must be a non-empty list of FunnelStage"),
        (lambda: state_of([Stage("a", 1.0)]), "stages must be a non-empty list of FunnelStage"),
        (
            lambda: state_of([FunnelStage("a", 1, 1.0), FunnelStage("a", 2, 1.0)]),
            "stage names must be unique; 'a' appears more than once",
        ),
        (
            lambda: state_of([FunnelStage("total", 1, 1.0)]),
            "a stage cannot be named 'total': latency_budget names a row of its table so",
        ),
        (lambda: state_of(3), "stages must be a non-empty list of FunnelStage; got 3"),
        (lambda: state_of(budget_ms=0), "budget_ms must be a finite number > 0; got 0"),
        (lambda: state_of(budget_ms=math.nan), "budget_ms must be a finite number > 0; got nan"),
        (lambda: state_of(n_requests=50), "n_requests must be an integer >= 100; got 50"),
        (lambda: state_of(seed=-1), "seed must be an integer >= 0; got -1"),
        (
            lambda: state_of().set_items("rank", 3),
            r"stage must be one of \('retrieve', 'score', 'order'\); got 'rank'",
        ),
        (lambda: state_of().set_items("score", 0), "stage score: items must be an integer >= 1"),
    ],
)
def test_bad_input_is_refused_naming_argument_value_and_allowed(make, message):
    with pytest.raises(ValueError, match=f"^{message}"):
        make()


def test_a_refused_setting_changes_nothing():
    state = state_of()
    before = state.snapshot()
    with pytest.raises(ValueError):
        state.set_items("score", -5)
    with pytest.raises(ValueError):
        state.budget_ms = -1.0
    assert state.snapshot() == before


# --- the view --------------------------------------------------------------------------------


@pytest.fixture
def explorer():
    return FunnelBudgetExplorer(small_funnel(), 60.0, n_requests=N_REQUESTS, title="Feed <funnel>")


def test_view_starts_in_step_with_its_state(explorer):
    assert list(explorer.items_sliders) == ["retrieve", "score", "order"]
    for stage in explorer.state.stages:
        slider = explorer.items_sliders[stage.name]
        assert slider.value == stage.items
        values = [value for _, value in slider.options]
        assert values == sorted(values) and (values[0], values[-1]) == (1, 10 * stage.items)
        assert {1, 2, 3, 5, 7, 10, 15, 20} <= set(values)
        assert slider.continuous_update is False and slider.tooltip
    assert explorer.budget_slider.value == explorer.state.budget_ms == 60.0
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    assert "retrieve" in explorer.readout.value


def test_items_slider_updates_state_readout_and_figure(explorer):
    before = bytes(explorer.image.value)
    explorer.items_sliders["score"].value = 700
    snapshot = explorer.state.snapshot()
    assert explorer.state.items("score") == 700
    for number in (
        f"{snapshot.request_p99_ms:.1f}",
        f"{snapshot.request_p50_ms:.1f}",
        f"{snapshot.sum_of_stage_p99s_ms:.1f}",
        f"{snapshot.within_budget:.2%}",
        f"{snapshot.stages[1].p99_ms:.1f}",
        "700",
    ):
        assert number in explorer.readout.value
    assert "over budget" in explorer.readout.value
    assert f"Most of the time goes to <b>{snapshot.dominant_stage}</b>" in explorer.readout.value
    after = bytes(explorer.image.value)
    assert after.startswith(PNG_SIGNATURE) and after != before


def test_budget_slider_updates_the_verdict(explorer):
    explorer.budget_slider.value = 500.0
    snapshot = explorer.state.snapshot()
    assert explorer.state.budget_ms == 500.0
    assert f"{snapshot.headroom_ms:.1f} ms</b> to spare" in explorer.readout.value
    assert "100.00%" in explorer.readout.value


def test_explorer_displays_as_its_widget_with_an_escaped_title(explorer):
    bundle = explorer._repr_mimebundle_()
    model_id = bundle["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert model_id == explorer.widget.model_id
    assert explorer.widget.children[0].value == "<h3>Feed &lt;funnel&gt;</h3>"
    assert explorer.budget_slider.tooltip and explorer.budget_slider.continuous_update is False


def test_a_budget_beyond_the_usual_range_widens_the_slider():
    view = FunnelBudgetExplorer(small_funnel(), 5_000.0, n_requests=N_REQUESTS)
    assert view.budget_slider.max >= 5_000.0 == view.budget_slider.value


def test_a_funnel_drawn_over_a_saved_background_is_the_figure_drawn_afresh():
    view = FunnelBudgetExplorer(small_funnel(), 60.0, n_requests=N_REQUESTS)
    shown = {}
    for items in (700, 1_000, 150, 700, 1_000):  # the axis' end changes, then comes back
        view.items_sliders["score"].value = items
        shown.setdefault(items, []).append(bytes(view.image.value))
    assert shown[700][0] == shown[700][1] and shown[1_000][0] == shown[1_000][1]
    assert len({images[0] for images in shown.values()}) == 3
    view._figure._backgrounds.clear()  # draw the background of 700 again, from nothing
    view.items_sliders["score"].value = 700
    assert bytes(view.image.value) == shown[700][0]


@pytest.mark.parametrize(("longest_ms", "right"), [
    (8.6, 10.0), (10.0, 12.0), (52.17, 60.0), (60.0 / 1.15, 60.0), (87.0, 120.0), (0.5, 0.6),
    (1_234.0, 1_500.0)])
def test_the_funnel_axis_ends_at_the_first_round_number_with_15_percent_of_room(longest_ms, right):
    from mlsd.explore.latency import axis_right

    assert axis_right(longest_ms) == right

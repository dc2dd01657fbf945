"""Tests for mlsd.explore.value_model: the snapshot equals the formula written plainly and the feed
case's feed_metrics, a heavier hide weight lowers hides along the frontier, a click-only value
model orders by click, bad weights are refused by name, and the sliders drive the readout."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.feed_ranking.evaluation import (
    DEFAULT_WEIGHTS,
    feed_metrics,
    slots_by_score,
    truth_predictions,
)
from mlsd.cases.feed_ranking.schema import HEADS
from mlsd.cases.feed_ranking.simulate import simulate_feed
from mlsd.explore.value_model import (
    FRONTIER_POINTS,
    OUTCOMES,
    SNAPSHOT_NUMBERS,
    ValueModelExplorer,
    ValueModelExplorerState,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- a small example, computed plainly ---------------------------------------------------------


def small_feed(seed=0):
    """Three sessions of 4, 2 and 5 rows, interleaved, with random heads, truth and creators."""
    rng = np.random.default_rng(seed)
    sessions = np.array([7, 3, 7, 9, 3, 9, 7, 9, 9, 7, 9])
    n = len(sessions)
    predictions = pd.DataFrame({head: rng.uniform(0, 0.5, n) for head in HEADS})
    truth = pd.DataFrame({head: rng.uniform(0, 0.5, n) for head in HEADS})
    creators = np.array([11, 12, 13, 11, 14, 15, 12, 16, 17, 18, 19])
    size = pd.Series(rng.integers(1, 100, 12).astype(float), index=np.arange(11, 23))
    examination = 1 / np.arange(1, 6) ** 0.7
    return predictions, truth, sessions, examination, creators, size


def plainly(predictions, truth, sessions, examination, creators, size, weights, top_slots):
    """The snapshot's numbers one session and one row at a time."""
    expected = dict.fromkeys(truth.columns, 0.0)
    views, top = {}, []
    for session in np.unique(sessions):
        rows = list(np.flatnonzero(sessions == session))
        score = {row: sum(w * predictions[h][row] for h, w in weights.items()) for row in rows}
        ordered = sorted(rows, key=lambda row: -score[row])  # sorted is stable: ties keep row order
        for slot, row in enumerate(ordered, start=1):
            e = examination[slot - 1]
            for head in truth.columns:
                expected[head] += e * truth[head][row]
            views[creators[row]] = views.get(creators[row], 0.0) + e
            if slot <= top_slots:
                top.append(creators[row])
    n_sessions = len(np.unique(sessions))
    expected = {head: total / n_sessions for head, total in expected.items()}
    ranked = sorted(size.index, key=lambda creator: (-size[creator], creator))
    largest = set(ranked[:max(1, round(0.1 * len(ranked)))])
    smallest = set(ranked[len(ranked) - max(1, round(0.5 * len(ranked))):])
    x = np.array(list(views.values()))
    gini = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    return {
        **{name: sum(expected[head] for head in heads) for name, heads in OUTCOMES.items()},
        "expected": expected,
        "top_creator_share": np.mean([creator in largest for creator in top]),
        "small_creator_share": np.mean([creator in smallest for creator in top]),
        "creator_gini": gini,
    }


@pytest.mark.parametrize("top_slots", [1, 3])
@pytest.mark.parametrize(
    "weights", [DEFAULT_WEIGHTS, {"click": 1.0}, {"comment": 3.0, "hide": -10.0, "share": 0.5}]
)
def test_snapshot_equals_the_formula_written_plainly(weights, top_slots):
    inputs = small_feed()
    state = ValueModelExplorerState(*inputs[:5], creator_size=inputs[5], weights=weights,
                                    top_slots=top_slots)
    snapshot = state.snapshot()
    truth = plainly(*inputs, weights, top_slots)
    assert snapshot.weights == {head: float(weights.get(head, 0.0)) for head in HEADS}
    for name in SNAPSHOT_NUMBERS:
        assert getattr(snapshot, name) == pytest.approx(truth[name], rel=1e-12), name
    assert snapshot.expected == pytest.approx(truth["expected"], rel=1e-12)


def test_frontier_rows_are_the_snapshots_of_their_weights():
    inputs = small_feed(1)
    state = ValueModelExplorerState(*inputs[:5], weights=DEFAULT_WEIGHTS)
    grid = [-12.0, -5.0, 0.0, 2.5]
    frontier = state.frontier("hide", grid)
    assert frontier.index.tolist() == grid and frontier.columns.tolist() == list(SNAPSHOT_NUMBERS)
    for value in grid:
        snapshot = state.snapshot({**DEFAULT_WEIGHTS, "hide": value})
        for name in SNAPSHOT_NUMBERS:
            assert frontier.loc[value, name] == pytest.approx(getattr(snapshot, name), rel=1e-12)
    assert state.weights == {head: float(DEFAULT_WEIGHTS[head]) for head in HEADS}


def test_default_creator_size_counts_rows_and_default_weights_are_one():
    inputs = small_feed(2)
    state = ValueModelExplorerState(*inputs[:5])
    rows = pd.Series(inputs[4]).value_counts().astype(float)
    truth = plainly(*inputs[:5], rows, dict.fromkeys(HEADS, 1.0), 3)
    assert state.weights == dict.fromkeys(HEADS, 1.0)
    assert state.snapshot().top_creator_share == pytest.approx(truth["top_creator_share"])


# --- on the simulated feed ---------------------------------------------------------------------


@pytest.fixture(scope="module", params=[1, 2, 3, 4, 5])
def feed(request):
    world = simulate_feed(n_impressions=30_000, seed=request.param)
    impressions = world.impressions
    truth = truth_predictions(impressions, given_examination=True)
    slots = impressions.groupby("session_id").size().max()
    examination = np.arange(1, slots + 1) ** -world.parameters["examination_decay"]
    state = ValueModelExplorerState(
        truth, truth, impressions["session_id"], examination, impressions["creator_id"],
        creator_size=world.creators.set_index("creator_id")["followers"], weights=DEFAULT_WEIGHTS,
    )
    return world, truth, state


def test_snapshot_equals_feed_metrics(feed):
    world, truth, state = feed
    for weights in (DEFAULT_WEIGHTS, {**DEFAULT_WEIGHTS, "hide": -20.0}, {"share": 1.0}):
        scores = sum(w * truth[head] for head, w in weights.items())
        metrics = feed_metrics(world, world.impressions, scores, weights=weights)
        snapshot = state.snapshot(weights)
        for name in SNAPSHOT_NUMBERS:
            assert getattr(snapshot, name) == pytest.approx(metrics[name], rel=1e-9), name


def test_a_heavier_hide_weight_lowers_hides_along_the_frontier(feed):
    _, _, state = feed
    frontier = state.frontier("hide", np.linspace(-20, 0, 21))  # heaviest first
    hides = frontier["hides"].to_numpy()
    assert np.all(np.diff(hides) >= 0)
    assert hides[0] < hides[-1]


def test_click_only_weights_give_the_click_ordered_feed(feed):
    world, truth, state = feed
    impressions = world.impressions
    snapshot = state.snapshot({"click": 1.0})
    slot = slots_by_score(impressions["session_id"].to_numpy(), truth["click"].to_numpy())
    examined = slot.astype(float) ** -world.parameters["examination_decay"]
    sessions = impressions["session_id"].nunique()
    for head in HEADS:
        assert snapshot.expected[head] == pytest.approx(
            np.sum(examined * truth[head].to_numpy()) / sessions, rel=1e-9
        )
    every_head_zero = state.snapshot({**dict.fromkeys(HEADS, 0.0), "click": 2.5})
    assert every_head_zero.expected == snapshot.expected  # the same order, to the bit
    assert snapshot.clicks > state.snapshot({"hide": -1.0}).clicks  # no order earns more clicks


# --- validation --------------------------------------------------------------------------------


@pytest.fixture
def small_state():
    inputs = small_feed()
    return ValueModelExplorerState(*inputs[:5], creator_size=inputs[5], weights=DEFAULT_WEIGHTS)


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"likes": 2.0}, r"weights name the head 'likes' \(weight 2.0\); the heads are 'click', "
                         r"'long_dwell', 'like', 'comment', 'share', 'hide'"),
        ({"hide": float("nan")}, r"weights\['hide'\] must be a finite number; got nan"),
        ({"share": float("inf")}, r"weights\['share'\] must be a finite number; got inf"),
        ({"click": "1"}, r"weights\['click'\] must be a finite number; got '1'"),
        ({"click": True}, r"weights\['click'\] must be a finite number; got True"),
        ([1.0, 2.0], r"weights must be a mapping of head to weight; got \[1.0, 2.0\]"),
    ],
)
def test_bad_weights_are_refused_naming_the_head_and_value(small_state, weights, message):
    with pytest.raises(ValueError, match=message):
        small_state.weights = weights
    with pytest.raises(ValueError, match=message):
        small_state.snapshot(weights)
    assert small_state.weights == {head: float(DEFAULT_WEIGHTS[head]) for head in HEADS}


def test_set_weight_checks_the_head_and_the_value(small_state):
    small_state.set_weight("comment", 9)
    assert small_state.weights["comment"] == 9.0 and small_state.weights["share"] == 8.0
    with pytest.raises(ValueError, match=r"weights\['comment'\] must be a finite number; got nan"):
        small_state.set_weight("comment", np.nan)
    with pytest.raises(ValueError, match="weights name the head 'view'"):
        small_state.set_weight("view", 1.0)
    with pytest.raises(ValueError, match="the frontier's head must be one of 'click'"):
        small_state.frontier("view", [0.0, 1.0])


def test_bad_inputs_are_refused():
    predictions, truth, sessions, examination, creators, size = small_feed()
    with pytest.raises(ValueError, match=r"examination must give a probability for every slot "
                                         r"up to the longest session, 5; got 4"):
        ValueModelExplorerState(predictions, truth, sessions, examination[:4], creators)
    with pytest.raises(ValueError, match=r"examination must hold probabilities in \[0, 1\]"):
        ValueModelExplorerState(predictions, truth, sessions, examination * 2, creators)
    with pytest.raises(ValueError, match=r"truth lacks the heads \['hide'\]"):
        ValueModelExplorerState(predictions, truth.drop(columns="hide"), sessions, examination,
                                creators)
    with pytest.raises(ValueError, match=r"predictions\['like'\] must hold probabilities in "
                                         r"\[0, 1\]; row 0 is 1.5"):
        ValueModelExplorerState(predictions.assign(like=1.5), truth, sessions, examination,
                                creators)
    with pytest.raises(ValueError, match="inputs must have the same length"):
        ValueModelExplorerState(predictions, truth, sessions[:-1], examination, creators)
    with pytest.raises(ValueError, match=r"creator_size lacks the creators \[11\]"):
        ValueModelExplorerState(predictions, truth, sessions, examination, creators,
                                creator_size=size.drop(11))
    with pytest.raises(ValueError, match="predictions must be a DataFrame or a mapping"):
        ValueModelExplorerState([0.1, 0.2], truth, sessions, examination, creators)


# --- the view ----------------------------------------------------------------------------------


@pytest.fixture
def explorer():
    inputs = small_feed()
    return ValueModelExplorer(*inputs[:5], creator_size=inputs[5], weights=DEFAULT_WEIGHTS)


def readout_numbers(snapshot):
    return [f"{snapshot.clicks:.4f}", f"{snapshot.long_dwells:.4f}",
            f"{snapshot.viral_actions:.4f}", f"{snapshot.hides:.4f}",
            f"{snapshot.top_creator_share:.1%}", f"{snapshot.creator_gini:.3f}"]


def test_one_slider_per_head_at_its_weight(explorer):
    assert list(explorer.sliders) == list(HEADS)
    for head, slider in explorer.sliders.items():
        assert slider.value == DEFAULT_WEIGHTS[head] and slider.continuous_update is False
    assert explorer.sliders["hide"].max == 0 and explorer.sliders["hide"].min == -20
    assert explorer.sliders["share"].min == 0 and explorer.sliders["share"].max == 20


@pytest.mark.parametrize("head, value", [("hide", -15.0), ("comment", 0.5), ("click", 12.0)])
def test_moving_a_slider_updates_the_state_the_readout_and_the_figure(explorer, head, value):
    before = bytes(explorer.image.value)
    explorer.sliders[head].value = value
    assert explorer.state.weights[head] == value
    snapshot = explorer.state.snapshot()
    for number in readout_numbers(snapshot):
        assert number in explorer.readout.value
    assert f"{head} {value:g}" in explorer.readout.value
    after = bytes(explorer.image.value)
    assert after.startswith(PNG_SIGNATURE) and after != before


def test_the_figure_is_the_frontier_of_the_hide_weight(explorer):
    frontier = explorer.frontier()
    assert len(frontier) == FRONTIER_POINTS
    assert frontier.index[0] == -20 and frontier.index[-1] == 0
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    explorer.sliders["share"].value = 2.0
    assert explorer.frontier()["viral_actions"].tolist() != frontier["viral_actions"].tolist()


def test_explorer_displays_as_its_widget(explorer):
    bundle = explorer._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id


def test_the_frontier_head_must_be_a_head():
    inputs = small_feed()
    with pytest.raises(ValueError, match="frontier_head must be one of 'click'"):
        ValueModelExplorer(*inputs[:5], frontier_head="hides")

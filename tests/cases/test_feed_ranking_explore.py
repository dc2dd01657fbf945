"""The feed's gallery tab: its start numbers are those of a value-model state rebuilt from the same
seed, the heads it weighs are the case's trained heads, the same seed gives the same numbers, and
a bad size is refused by name."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.feed_ranking import explore
from mlsd.cases.feed_ranking.data import load_data, split
from mlsd.cases.feed_ranking.evaluation import DEFAULT_WEIGHTS, feed_metrics
from mlsd.cases.feed_ranking.models import HeadModels
from mlsd.cases.feed_ranking.schema import HEADS
from mlsd.explore import ValueModelExplorer, ValueModelExplorerState
from mlsd.explore.value_model import SNAPSHOT_NUMBERS

SIZE = explore.MIN_FEED_IMPRESSIONS


@pytest.fixture(scope="module", params=[1, 2])
def tab(request):
    (only,) = explore.gallery_tabs(request.param, n_feed_impressions=SIZE)
    return request.param, only


def test_the_tab_starts_at_the_default_weights_snapshot(tab):
    _, value = tab
    assert value.title == "Value model" and "hide weight" in value.what_to_try
    assert isinstance(value.explorer, ValueModelExplorer)
    assert value.explorer.state.weights == {head: float(w) for head, w in DEFAULT_WEIGHTS.items()}
    snapshot = value.explorer.state.snapshot()
    assert value.start == {f"value_{name}": getattr(snapshot, name) for name in SNAPSHOT_NUMBERS}
    assert f"{snapshot.hides:.4f}" in value.explorer.readout.value


def test_start_numbers_equal_a_state_rebuilt_from_the_same_seed_and_the_feed_metrics(tab):
    seed, value = tab
    data = load_data("simulated", seed=seed, n_impressions=SIZE)
    held_out = split(data)
    predicted = HeadModels(seed=seed).fit(held_out.train).predict(held_out.test, serve_position=1)
    inputs = explore.value_model_inputs(seed, SIZE)
    pd.testing.assert_frame_equal(inputs["predictions"], predicted)
    rebuilt = ValueModelExplorerState(**inputs, weights=DEFAULT_WEIGHTS).snapshot()
    assert value.start == {f"value_{name}": getattr(rebuilt, name) for name in SNAPSHOT_NUMBERS}
    scores = sum(w * predicted[head] for head, w in DEFAULT_WEIGHTS.items())
    metrics = feed_metrics(data.world, held_out.test, scores.to_numpy())
    for name in SNAPSHOT_NUMBERS:
        assert value.start[f"value_{name}"] == pytest.approx(metrics[name], rel=1e-9), name


def test_the_trained_heads_earn_less_value_than_the_truth_ordered_feed(tab):
    seed, value = tab
    inputs = explore.value_model_inputs(seed, SIZE)
    truth_ordered = ValueModelExplorerState(**{**inputs, "predictions": inputs["truth"]},
                                            weights=DEFAULT_WEIGHTS).snapshot()

    def worth(snapshot):
        return sum(w * snapshot.expected[head] for head, w in DEFAULT_WEIGHTS.items())

    assert worth(value.explorer.state.snapshot()) < worth(truth_ordered)
    assert set(value.explorer.state.heads) == set(HEADS)


def test_the_same_seed_gives_the_same_numbers_and_another_seed_others(tab):
    seed, value = tab
    (again,) = explore.gallery_tabs(seed, n_feed_impressions=SIZE)
    assert again.start == value.start
    (other,) = explore.gallery_tabs(seed + 10, n_feed_impressions=SIZE)
    assert other.start["value_clicks"] != value.start["value_clicks"]


@pytest.mark.parametrize(
    "sizes, message",
    [
        ({"n_feed_impressions": SIZE - 1},
         r"n_feed_impressions must be an integer >= 20000; got 19999"),
        ({"n_feed_impressions": 5e4},
         r"n_feed_impressions must be an integer >= 20000; got 50000.0"),
        ({"seed": -1}, r"seed must be an integer >= 0; got -1"),
    ],
)
def test_a_bad_size_or_seed_is_refused_by_name(sizes, message):
    with pytest.raises(ValueError, match=message):
        explore.gallery_tabs(**sizes)


def test_the_examination_is_the_simulators_decay_over_every_slot():
    inputs = explore.value_model_inputs(3, SIZE)
    longest = pd.Series(inputs["sessions"]).value_counts().max()
    np.testing.assert_array_equal(inputs["examination"], np.arange(1, longest + 1) ** -1.0)

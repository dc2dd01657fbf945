"""Tests for mlsd.explore.threshold: the state equals recomputing with mlsd.metrics, the cached
best threshold follows the costs, inputs are validated, and the widgets drive the state."""

import math

import numpy as np
import pytest

from mlsd.explore import ThresholdExplorer, ThresholdExplorerState
from mlsd.explore.threshold import ThresholdSnapshot
from mlsd.metrics.classification import confusion_counts, expected_cost, f1, precision, recall
from mlsd.metrics.thresholds import ThresholdCurve

SEEDS = range(12)
COSTS = [(1.0, 1.0), (1.0, 20.0), (5.0, 0.5), (0.0, 3.0)]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def random_case(seed, n=2_000):
    """About 5% positives; one case in two rounds the scores so that many of them tie."""
    rng = np.random.default_rng(seed)
    y_true = (rng.random(n) < 0.05).astype(int)
    y_true[:2] = [1, 0]
    y_score = 1.0 / (1.0 + np.exp(-(rng.normal(size=n) + 2.0 * y_true - 3.0)))
    return y_true, np.round(y_score, 2) if seed % 2 else y_score


def top_score_is_a_negative():
    """A case where any flagged set contains a negative, so a costly false positive makes
    flagging nothing the cheapest choice."""
    y_true, y_score = random_case(2)
    y_score[1] = 1.0
    return y_true, y_score


def thresholds_to_try(y_score, seed):
    """Existing scores, values between and around them, and the range ends."""
    rng = np.random.default_rng(seed + 100)
    low, high = y_score.min(), y_score.max()
    return np.r_[
        rng.choice(y_score, 5), rng.uniform(low - 0.1, high + 0.1, 5), low, high, -3.0, 7.0
    ]


def from_scratch(y_true, y_score, threshold, cost_fp, cost_fn) -> ThresholdSnapshot:
    """The snapshot rebuilt with the functions of mlsd.metrics, each over all examples."""
    counts = confusion_counts(y_true, y_score, threshold)
    best = ThresholdCurve(y_true, y_score).best_threshold(cost_fp, cost_fn)
    return ThresholdSnapshot(
        threshold=threshold,
        tp=counts.tp,
        fp=counts.fp,
        tn=counts.tn,
        fn=counts.fn,
        precision=precision(y_true, y_score, threshold),
        recall=recall(y_true, y_score, threshold),
        f1=f1(y_true, y_score, threshold),
        fpr=counts.fp / (counts.fp + counts.tn),
        expected_cost=expected_cost(y_true, y_score, threshold, cost_fp, cost_fn),
        flagged_share=float(np.mean(y_score >= threshold)),
        best_threshold=best.threshold,
        best_cost=best.cost,
    )


# --- the state: exactly what recomputing gives -------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_snapshot_equals_recomputing_with_the_metrics_at_every_threshold_and_cost(seed):
    y_true, y_score = random_case(seed)
    state = ThresholdExplorerState(y_true, y_score)
    for cost_fp, cost_fn in COSTS:
        state.cost_fp, state.cost_fn = cost_fp, cost_fn
        for threshold in thresholds_to_try(y_score, seed):
            state.threshold = threshold
            assert state.snapshot() == from_scratch(y_true, y_score, threshold, cost_fp, cost_fn)


def test_snapshot_counts_are_python_ints_and_the_snapshot_is_frozen():
    y_true, y_score = random_case(0)
    snapshot = ThresholdExplorerState(y_true, y_score).snapshot()
    assert all(type(count) is int for count in (snapshot.tp, snapshot.fp, snapshot.tn, snapshot.fn))
    with pytest.raises(AttributeError):
        snapshot.threshold = 0.3


def test_best_threshold_is_computed_once_per_pair_of_costs():
    y_true, y_score = random_case(1)
    state = ThresholdExplorerState(y_true, y_score, cost_fp=1.0, cost_fn=10.0)
    first = state.best()
    state.threshold = 0.9
    assert state.best() is first
    state.cost_fn = 2.0
    assert state.best() == state.curve.best_threshold(1.0, 2.0)
    state.cost_fn = 10.0
    assert state.best() is first


def test_flagging_nothing_can_be_the_best_and_the_cost_there_is_the_best_cost():
    y_true, y_score = top_score_is_a_negative()
    state = ThresholdExplorerState(y_true, y_score, cost_fp=100.0, cost_fn=1.0)
    assert state.best().threshold == math.inf
    state.threshold = state.threshold_range.high
    snapshot = state.snapshot()
    assert snapshot.tp + snapshot.fp == 0
    assert snapshot.expected_cost == snapshot.best_cost


def test_default_threshold_is_one_half_for_probabilities_and_the_middle_of_other_scores():
    y_true, y_score = random_case(3)
    assert ThresholdExplorerState(y_true, y_score).threshold == 0.5
    assert ThresholdExplorerState(y_true, 10 * y_score - 2).threshold == pytest.approx(
        (10 * y_score.min() - 2 + 10 * y_score.max() - 2) / 2
    )
    assert ThresholdExplorerState(y_true, y_score, threshold=0.2).threshold == 0.2


@pytest.mark.parametrize("scale, shift", [(1.0, 0.0), (1e-4, 0.0), (300.0, -50.0), (0.0, 0.7)])
def test_threshold_range_runs_from_flagging_everything_to_flagging_nothing(scale, shift):
    y_true, y_score = random_case(4)
    scores = scale * y_score + shift
    state = ThresholdExplorerState(y_true, scores)
    low, high, step = state.threshold_range
    assert state.curve.counts(low).tn + state.curve.counts(low).fn == 0
    assert state.curve.counts(high).tp + state.curve.counts(high).fp == 0
    assert low <= scores.min() <= scores.max() < high
    assert 1_000 <= (high - low) / step <= 10_002
    assert math.log10(step) == round(math.log10(step))


def test_one_slider_step_is_one_unit_of_the_last_decimal_shown():
    rng = np.random.default_rng(3)
    probabilities = np.r_[0.0, rng.random(500), 1.0]
    view = ThresholdExplorer((probabilities > 0.5).astype(int), probabilities)
    assert view.slider.step == 0.001 and view.slider.readout_format == ".3f"
    click_rates = probabilities * 0.2
    view = ThresholdExplorer((probabilities > 0.5).astype(int), click_rates)
    assert view.slider.step == 0.0001 and view.slider.readout_format == ".4f"


def test_curves_hold_at_most_512_thresholds_and_follow_the_costs():
    y_true, y_score = random_case(5)
    state = ThresholdExplorerState(y_true, y_score)
    curves = state.curves()
    grid = curves.thresholds
    assert len(grid) <= 512 and np.all(np.diff(grid) > 0)
    assert (grid[0], grid[-1]) == state.threshold_range[:2]
    assert curves.recall.tolist() == [state.curve.recall(t) for t in grid]
    flagged = state.curve.counts(grid).tp + state.curve.counts(grid).fp
    assert np.isnan(curves.precision[flagged == 0]).all()
    state.cost_fn = 30.0
    expected = [state.curve.expected_cost(t, 1.0, 30.0) for t in grid]
    assert state.curves().expected_cost.tolist() == expected


def test_curves_resolve_crowded_scores():
    """At a 2% click rate nearly every score sits near 0; half the grid follows the scores."""
    rng = np.random.default_rng(6)
    y_score = rng.beta(0.5, 30, size=20_000)
    y_true = (rng.random(20_000) < y_score).astype(int)
    grid = ThresholdExplorerState(y_true, y_score).curves().thresholds
    assert np.count_nonzero(grid < np.quantile(y_score, 0.9)) >= 200


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("threshold", math.inf, "threshold must be a finite number; got inf"),
        ("threshold", math.nan, "threshold must be a finite number; got nan"),
        ("threshold", "0.5", "threshold must be a finite number; got '0.5'"),
        ("threshold", True, "threshold must be a finite number; got True"),
        ("cost_fp", -1.0, "cost_fp must be a finite number >= 0; got -1.0"),
        ("cost_fp", math.inf, "cost_fp must be a finite number >= 0; got inf"),
        ("cost_fn", None, "cost_fn must be a finite number >= 0; got None"),
    ],
)
def test_bad_inputs_are_refused_naming_argument_value_and_allowed_range(name, value, message):
    y_true, y_score = random_case(7)
    state = ThresholdExplorerState(y_true, y_score)
    with pytest.raises(ValueError, match=f"^{message}$"):
        setattr(state, name, value)
    with pytest.raises(ValueError, match=f"^{message}$"):
        ThresholdExplorerState(y_true, y_score, **{name: value})


def test_bad_labels_and_scores_are_refused_by_the_curve():
    with pytest.raises(ValueError, match="y_true must contain only 0 and 1"):
        ThresholdExplorerState([0, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="same length"):
        ThresholdExplorerState([0, 1, 1], [0.1, 0.2])


# --- the view ----------------------------------------------------------------------------------


@pytest.fixture
def explorer():
    y_true, y_score = random_case(9)
    return ThresholdExplorer(y_true, y_score, cost_fp=1.0, cost_fn=10.0, title="Bid <or> skip")


def test_view_starts_in_step_with_its_state(explorer):
    state = explorer.state
    assert explorer.slider.value == state.threshold
    assert (explorer.slider.min, explorer.slider.max) == state.threshold_range[:2]
    assert (explorer.cost_fp_input.value, explorer.cost_fn_input.value) == (1.0, 10.0)
    assert bytes(explorer.image.value).startswith(PNG_SIGNATURE)
    assert f"Threshold {state.threshold:.4f}" in explorer.readout.value


def test_slider_move_updates_state_readout_and_figure(explorer):
    before = bytes(explorer.image.value)
    explorer.slider.value = 0.1
    snapshot = explorer.state.snapshot()
    assert explorer.state.threshold == 0.1
    assert "Threshold 0.1000" in explorer.readout.value
    for number in (f"{snapshot.precision:.4f}", f"{snapshot.recall:.4f}", f"{snapshot.f1:.4f}"):
        assert number in explorer.readout.value
    assert f"TP {snapshot.tp:,}" in explorer.readout.value
    assert f"FN {snapshot.fn:,}" in explorer.readout.value
    assert f"{snapshot.expected_cost:.4g}" in explorer.readout.value
    after = bytes(explorer.image.value)
    assert after.startswith(PNG_SIGNATURE) and after != before


def test_cost_inputs_update_state_best_threshold_and_figure(explorer):
    before = bytes(explorer.image.value)
    explorer.cost_fp_input.value = 4.0
    explorer.cost_fn_input.value = 2.0
    assert (explorer.state.cost_fp, explorer.state.cost_fn) == (4.0, 2.0)
    best = explorer.state.curve.best_threshold(4.0, 2.0)
    assert explorer.state.snapshot().best_threshold == best.threshold
    assert f"cost {best.cost:.4g} per example" in explorer.readout.value
    assert "(4 × FP + 2 × FN) / n" in explorer.readout.value
    assert bytes(explorer.image.value) != before


def test_button_goes_to_the_cost_minimising_threshold(explorer):
    explorer.best_button.click()
    snapshot = explorer.state.snapshot()
    assert explorer.slider.value == snapshot.best_threshold == explorer.state.threshold
    assert snapshot.expected_cost == snapshot.best_cost


def test_button_flags_nothing_when_that_is_cheapest():
    explorer = ThresholdExplorer(*top_score_is_a_negative(), threshold=0.3)
    explorer.cost_fp_input.value = 1000.0
    explorer.best_button.click()
    snapshot = explorer.state.snapshot()
    assert snapshot.best_threshold == math.inf
    assert explorer.slider.value == explorer.slider.max
    assert snapshot.tp + snapshot.fp == 0 and snapshot.expected_cost == snapshot.best_cost
    assert "+inf (flag nothing)" in explorer.readout.value


def test_a_starting_threshold_outside_the_scores_widens_the_slider():
    y_true, y_score = random_case(10)
    view = ThresholdExplorer(y_true, y_score, threshold=-2.0)
    assert view.slider.min == -2.0 and view.slider.value == view.state.threshold == -2.0


def test_explorer_displays_as_its_widget_with_an_escaped_title(explorer):
    bundle = explorer._repr_mimebundle_()
    model_id = bundle["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert model_id == explorer.widget.model_id
    assert explorer.widget.children[0].value == "<h3>Bid &lt;or&gt; skip</h3>"
    assert explorer.slider.continuous_update is False
    decimals = -round(math.log10(explorer.slider.step))
    assert explorer.slider.readout_format == f".{decimals}f"
    assert all(
        control.tooltip
        for control in (
            explorer.slider,
            explorer.cost_fp_input,
            explorer.cost_fn_input,
            explorer.best_button,
        )
    )

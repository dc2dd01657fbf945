"""Tests for mlsd.explore.calibration on clicks with a known true rate: the correction recovers the
truth, the snapshot equals recomputing with mlsd.metrics, inputs are validated, and the slider
drives the state."""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from mlsd.explore import CalibrationExplorer, CalibrationExplorerState
from mlsd.metrics.calibration import (
    calibration_ratio,
    expected_calibration_error,
    reliability_table,
    undo_downsampling,
)
from mlsd.metrics.classification import log_loss, normalized_entropy

RATES = (0.02, 0.1, 0.5, 1.0)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def true_click_rates(n, seed=0):
    """True click probabilities around 3% (log-odds normal, mean -4), and clicks drawn from them."""
    rng = np.random.default_rng(seed)
    p = 1.0 / (1.0 + np.exp(-rng.normal(-4.0, 1.0, size=n)))
    return p, (rng.random(n) < p).astype(int)


def trained_on_downsampled(p, rate):
    """What a perfectly calibrated model trained with negatives kept at ``rate`` predicts."""
    return p / (p + (1 - p) * rate)


@pytest.fixture(scope="module")
def truth():
    p, y_true = true_click_rates(200_000)
    return p, y_true, {rate: trained_on_downsampled(p, rate) for rate in RATES}


# --- the correction recovers the truth ---------------------------------------------------------


@pytest.mark.parametrize("rate", RATES)
def test_corrected_predictions_are_the_true_click_rates(truth, rate):
    p, y_true, predictions = truth
    state = CalibrationExplorerState(y_true, predictions, rate=rate)
    assert_allclose(state.corrected(), p, rtol=1e-12, atol=0)
    snapshot = state.snapshot()
    assert snapshot.corrected.calibration_ratio == pytest.approx(1.0, abs=0.03)
    assert snapshot.corrected.mean_prediction == pytest.approx(p.mean(), rel=1e-12)


@pytest.mark.parametrize("rate", [rate for rate in RATES if rate < 1])
def test_downsampling_over_predicts_and_the_correction_removes_the_error(truth, rate):
    _, y_true, predictions = truth
    snapshot = CalibrationExplorerState(y_true, predictions, rate=rate).snapshot()
    assert snapshot.raw.calibration_ratio > 1.5
    assert snapshot.corrected.ece < snapshot.raw.ece / 20
    assert snapshot.corrected.log_loss < snapshot.raw.log_loss
    assert snapshot.corrected.normalized_entropy < min(1.0, snapshot.raw.normalized_entropy)


def test_raw_error_grows_as_fewer_negatives_are_kept(truth):
    _, y_true, predictions = truth
    summary = CalibrationExplorerState(y_true, predictions).summary()
    assert summary["calibration_ratio_raw"].is_monotonic_decreasing
    assert summary["ece_raw"].is_monotonic_decreasing


def test_at_rate_one_corrected_equals_raw_exactly(truth):
    _, y_true, predictions = truth
    snapshot = CalibrationExplorerState(y_true, predictions, rate=1.0).snapshot()
    assert snapshot.corrected == snapshot.raw
    assert_array_equal(
        snapshot.corrected.reliability.mean_predicted, snapshot.raw.reliability.mean_predicted
    )


def test_quantile_bins_hold_the_same_examples_before_and_after_the_correction(truth):
    _, y_true, predictions = truth
    snapshot = CalibrationExplorerState(y_true, predictions, rate=0.1).snapshot()
    assert_array_equal(snapshot.corrected.reliability.count, snapshot.raw.reliability.count)
    assert_array_equal(
        snapshot.corrected.reliability.observed_rate, snapshot.raw.reliability.observed_rate
    )


# --- exactly what recomputing gives ------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["quantile", "uniform"])
@pytest.mark.parametrize("n_bins", [3, 10])
def test_snapshot_equals_recomputing_with_the_metrics(truth, strategy, n_bins):
    _, y_true, predictions = truth
    state = CalibrationExplorerState(y_true, predictions, n_bins=n_bins, strategy=strategy)
    for rate in RATES:
        state.rate = rate
        snapshot = state.snapshot()
        raw = predictions[rate]
        corrected = undo_downsampling(raw, rate)
        assert snapshot.rate == rate and snapshot.observed_rate == y_true.mean()
        for quality, prob in ((snapshot.raw, raw), (snapshot.corrected, corrected)):
            assert quality.mean_prediction == prob.mean()
            assert quality.calibration_ratio == calibration_ratio(y_true, prob)
            assert quality.ece == expected_calibration_error(y_true, prob, n_bins, strategy)
            assert quality.log_loss == log_loss(y_true, prob)
            assert quality.normalized_entropy == normalized_entropy(y_true, prob)
            table = reliability_table(y_true, prob, n_bins, strategy)
            for ours, theirs in zip(quality.reliability, table, strict=True):
                assert_array_equal(ours, theirs)


def test_summary_has_one_row_per_rate_with_the_snapshot_values(truth):
    _, y_true, predictions = truth
    state = CalibrationExplorerState(y_true, predictions)
    summary = state.summary()
    assert isinstance(summary, pd.DataFrame)
    assert summary.index.tolist() == list(RATES) and summary.index.name == "rate"
    assert summary.columns.tolist() == [
        "calibration_ratio_raw",
        "calibration_ratio_corrected",
        "ece_raw",
        "ece_corrected",
        "normalized_entropy_raw",
        "normalized_entropy_corrected",
    ]
    state.rate = 0.1
    snapshot = state.snapshot()
    assert summary.loc[0.1, "ece_corrected"] == snapshot.corrected.ece
    assert summary.loc[0.1, "calibration_ratio_raw"] == snapshot.raw.calibration_ratio


def test_rates_are_sorted_the_default_is_the_smallest_and_snapshots_are_kept(truth):
    _, y_true, predictions = truth
    shuffled = {rate: predictions[rate] for rate in (0.5, 1.0, 0.02, 0.1)}
    state = CalibrationExplorerState(y_true, shuffled)
    assert state.rates == RATES and state.rate == 0.02
    first = state.snapshot()
    state.rate = 0.5
    state.rate = 0.02
    assert state.snapshot() is first
    assert not any(array.flags.writeable for array in first.raw.reliability)


# --- validation --------------------------------------------------------------------------------


SMALL_LABELS = np.array([0, 1, 0, 0, 1, 0])
SMALL_PREDICTIONS = np.array([0.1, 0.8, 0.3, 0.2, 0.6, 0.4])


def small_case():
    return SMALL_LABELS, {0.5: SMALL_PREDICTIONS}


@pytest.mark.parametrize(
    "predictions_by_rate, message",
    [
        ({}, "predictions_by_rate must be a non-empty mapping"),
        ([SMALL_PREDICTIONS], "predictions_by_rate must be a non-empty mapping"),
        ({0.0: SMALL_PREDICTIONS}, r"each downsampling rate must be a number in \(0, 1\]; got 0.0"),
        ({1.5: SMALL_PREDICTIONS}, r"each downsampling rate must be a number in \(0, 1\]; got 1.5"),
        ({"half": SMALL_PREDICTIONS}, r"number in \(0, 1\]; got 'half'"),
        ({0.5: SMALL_PREDICTIONS[:4]}, r"predictions_by_rate\[0.5\] must have shape \(6,\)"),
        (
            {0.5: SMALL_PREDICTIONS + 0.5},
            (
                r"predictions_by_rate\[0.5\] must hold probabilities in \[0, 1\]; "
                r"predictions_by_rate\[0.5\]\[1\] = 1.3"
            ),
        ),
        ({0.5: np.r_[np.nan, SMALL_PREDICTIONS[1:]]}, r"predictions_by_rate\[0.5\]\[0\] = nan"),
        ({0.5: ["a"] * 6}, r"predictions_by_rate\[0.5\] must be an array of probabilities"),
        ({0.1: SMALL_PREDICTIONS, Fraction(1, 10): SMALL_PREDICTIONS}, "has the rate 0.1 twice"),
    ],
)
def test_bad_predictions_are_refused(predictions_by_rate, message):
    with pytest.raises(ValueError, match=message):
        CalibrationExplorerState(SMALL_LABELS, predictions_by_rate)


@pytest.mark.parametrize(
    "y_true, message",
    [
        ([0, 1, 2, 0, 1, 0], r"y_true must contain only 0 and 1; y_true\[2\] = 2.0"),
        (
            [0, 0, 0, 0, 0, 0],
            r"y_true must contain both classes \(0 and 1\) to measure calibration; it holds only 0",
        ),
        (
            [[0, 1, 0], [0, 1, 0]],
            r"y_true must be a non-empty 1-dimensional array; got shape \(2, 3\)",
        ),
        (["a", "b"], "y_true must be an array of 0 and 1"),
    ],
)
def test_bad_labels_are_refused(y_true, message):
    _, predictions = small_case()
    with pytest.raises(ValueError, match=message):
        CalibrationExplorerState(y_true, predictions)


def test_rate_must_be_one_of_the_rates_given():
    y_true, predictions = small_case()
    predictions[1.0] = predictions[0.5]
    state = CalibrationExplorerState(y_true, predictions)
    with pytest.raises(
        ValueError, match=r"rate must be one of the rates given \(0.5, 1\); got 0.25"
    ):
        state.rate = 0.25
    with pytest.raises(
        ValueError, match=r"rate must be one of the rates given \(0.5, 1\); got 0.3"
    ):
        CalibrationExplorerState(y_true, predictions, rate=0.3)
    with pytest.raises(ValueError, match=r"one of the rates given \(0.5, 1\); got 0.3"):
        state.corrected(0.3)
    assert state.rate == 0.5


@pytest.mark.parametrize(
    "options, message",
    [
        ({"n_bins": 0}, "n_bins must be an integer >= 1; got 0"),
        ({"n_bins": 2.5}, "n_bins must be an integer >= 1; got 2.5"),
        ({"strategy": "equal"}, "strategy must be one of 'uniform', 'quantile'; got 'equal'"),
    ],
)
def test_bad_binning_is_refused(options, message):
    with pytest.raises(ValueError, match=message):
        CalibrationExplorerState(*small_case(), **options)


# --- the view ----------------------------------------------------------------------------------


@pytest.fixture
def explorer(truth):
    _, y_true, predictions = truth
    return CalibrationExplorer(y_true, predictions)


def test_slider_offers_every_rate_with_a_readable_label(explorer):
    assert explorer.slider.options == (
        ("keep 2% of negatives", 0.02),
        ("keep 10% of negatives", 0.1),
        ("keep 50% of negatives", 0.5),
        ("keep all negatives (no downsampling)", 1.0),
    )
    assert explorer.slider.value == explorer.state.rate == 0.02
    assert explorer.slider.continuous_update is False and explorer.slider.tooltip


def test_slider_move_updates_state_readout_and_diagram(explorer):
    before = bytes(explorer.image.value)
    assert "keep 2% of negatives" in explorer.readout.value
    explorer.slider.value = 0.1
    snapshot = explorer.state.snapshot()
    assert explorer.state.rate == 0.1
    assert "keep 10% of negatives" in explorer.readout.value
    for number in (
        f"{snapshot.raw.calibration_ratio:.3f}",
        f"{snapshot.corrected.calibration_ratio:.3f}",
        f"{snapshot.raw.ece:.4f}",
        f"{snapshot.corrected.normalized_entropy:.4f}",
        f"{snapshot.observed_rate:.4%}",
    ):
        assert number in explorer.readout.value
    after = bytes(explorer.image.value)
    assert after.startswith(PNG_SIGNATURE) and after != before
    explorer.slider.value = 0.02
    assert bytes(explorer.image.value) == before


def test_explorer_displays_as_its_widget(explorer):
    bundle = explorer._repr_mimebundle_()
    assert (
        bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == explorer.widget.model_id
    )


def test_one_rate_is_enough():
    y_true, predictions = small_case()
    view = CalibrationExplorer(y_true, predictions, n_bins=2)
    assert view.state.rate == 0.5 and bytes(view.image.value).startswith(PNG_SIGNATURE)

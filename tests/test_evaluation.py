"""Scorecards: one row per model or per slice, each number from mlsd.metrics."""

import inspect

import numpy as np
import pytest

from mlsd.evaluation import (
    CEILING_COLUMNS,
    ECE_BINS,
    ECE_STRATEGY,
    difference_sentence,
    ece_noise_floor,
    probability_scorecard,
    scorecard_ece,
    scorecards,
    scorecards_by,
    truth_is_best,
)
from mlsd.metrics import calibration_ratio, expected_calibration_error, normalized_entropy, roc_auc
from mlsd.metrics.calibration import reliability_table
from mlsd.uncertainty import Interval


def _data(seed=0, n=4_000):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.01, 0.3, n)
    return (rng.random(n) < p).astype(int), p


def test_scorecard_values_are_the_metrics():
    y, p = _data()
    card = probability_scorecard(y, p)
    assert card["roc_auc"] == roc_auc(y, p)
    assert card["normalized_entropy"] == normalized_entropy(y, p)
    assert card["calibration_ratio"] == calibration_ratio(y, p)
    assert list(scorecards(y, {"a": p, "b": p * 0.5}).index) == ["a", "b"]


def test_slices_get_their_own_rows_and_thin_slices_are_left_out():
    y, p = _data(1)
    groups = np.where(np.arange(len(y)) < 3_990, np.where(np.arange(len(y)) % 2, "odd", "even"), "tiny")
    table = scorecards_by(y, p, groups, min_positives=5)
    assert list(table.index) == ["even", "odd"]  # "tiny" has 10 rows, too few positives
    even = np.flatnonzero(groups == "even")
    assert table.loc["even", "n"] == len(even) and table.loc["even", "positives"] == y[even].sum()
    assert table.loc["even", "roc_auc"] == roc_auc(y[even], p[even])


# --- the ECE of the scorecard: quantile bins, as the reliability diagram draws them ---------------


def _rare(seed=0, n=40_000):
    """Rare positives (about 2%) with their true probabilities, and a model twice too confident."""
    rng = np.random.default_rng(seed)
    logit = rng.normal(-4.3, 0.9, n)
    truth = 1 / (1 + np.exp(-logit))
    model = 1 / (1 + np.exp(-(2 * logit + 4.0 + rng.normal(0, 0.5, n))))
    return (rng.random(n) < truth).astype(int), truth, model


def test_the_scorecard_ece_uses_ten_quantile_bins():
    y, truth, model = _rare()
    assert (ECE_BINS, ECE_STRATEGY) == (10, "quantile")
    for p in (truth, model):
        assert probability_scorecard(y, p)["ece"] == expected_calibration_error(y, p, 10, "quantile")
        assert scorecard_ece(y, p) == probability_scorecard(y, p)["ece"]


def test_uniform_bins_on_rare_events_reduce_ece_to_the_calibration_gap_and_quantile_bins_do_not():
    y, truth, model = _rare()
    assert np.mean(truth < 0.1) > 0.95
    inside = truth < 0.1  # nearly every prediction sits in the first of ten uniform bins
    uniform = expected_calibration_error(y[inside], truth[inside], 10, "uniform")
    assert uniform == pytest.approx(abs(truth[inside].mean() - y[inside].mean()))
    # with quantile bins the over-confident model is measured as worse calibrated than the truth
    assert scorecard_ece(y, model) > 2 * scorecard_ece(y, truth)


def test_the_scorecard_ece_and_the_reliability_diagram_use_the_same_bins():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mlsd import plots

    y, truth, model = _rare(1)
    assert inspect.signature(plots.reliability).parameters["n_bins"].default == ECE_BINS
    fig, ax = plt.subplots()
    plots.reliability(ax, y, {"model": model})
    drawn_x, drawn_y = ax.get_lines()[0].get_data()
    table = reliability_table(y, model, ECE_BINS, ECE_STRATEGY)
    shown = table.observed_rate > 0
    np.testing.assert_allclose(drawn_x, table.mean_predicted[shown])
    np.testing.assert_allclose(drawn_y, table.observed_rate[shown])
    weights = table.count / table.count.sum()
    assert scorecard_ece(y, model) == pytest.approx(np.sum(weights * np.abs(table.mean_predicted - table.observed_rate)))
    plt.close(fig)


def test_the_truth_is_best_only_where_every_column_says_so():
    y, truth, model = _rare(2)
    table = scorecards(y, {"model": model, "truth": truth})
    assert truth_is_best(table)
    assert set(CEILING_COLUMNS) == {"log_loss", "normalized_entropy", "roc_auc"}
    worse = table.copy()
    worse.loc["truth", "roc_auc"] = worse.loc["model", "roc_auc"]  # a tie is not best
    assert not truth_is_best(worse)
    assert truth_is_best(table.rename(index={"truth": "oracle"}), truth="oracle")


def test_the_noise_floor_of_ece_is_what_calibrated_predictions_score_and_shrinks_with_more_rows():
    _, truth, _ = _rare(3, n=80_000)
    floor = ece_noise_floor(truth, seed=1)
    assert floor == ece_noise_floor(truth, seed=1) > 0
    assert ece_noise_floor(truth[:8_000], seed=1) > 1.5 * floor


def test_a_difference_sentence_says_which_way_or_that_there_is_no_measurable_difference():
    def interval(low, high):
        return Interval((low + high) / 2, low, high, 0.95, 1000)

    assert difference_sentence(interval(0.01, 0.03), "b − a", "per item") == (
        "b − a: +0.0200 per item, 95% interval [+0.0100, +0.0300]: measurably above 0")
    assert difference_sentence(interval(-0.03, -0.01), "b − a").endswith("measurably below 0")
    assert difference_sentence(interval(-0.01, 0.03), "b − a").endswith("no measurable difference")

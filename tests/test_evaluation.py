"""Scorecards: one row per model or per slice, each number from mlsd.metrics."""

import numpy as np

from mlsd.evaluation import probability_scorecard, scorecards, scorecards_by
from mlsd.metrics import calibration_ratio, normalized_entropy, roc_auc


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

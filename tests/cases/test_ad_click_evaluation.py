"""The ad-click scorecard's two views: accuracy's blind spot on rare clicks, and the slices."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.ad_click.evaluation import (
    NEVER_CLICK,
    SLICE_COLUMNS,
    accuracy_at_half,
    accuracy_gap,
    slice_scorecards,
)
from mlsd.evaluation import scorecards_by


def test_never_predicting_a_click_is_the_most_accurate_on_rare_clicks():
    y = np.array([0] * 95 + [1] * 5)
    informative = np.where(y == 1, 0.4, 0.01)  # ranks every click first, yet never reaches 0.5
    eager = np.where(np.arange(100) % 10 == 0, 0.6, 0.01)
    accuracy = accuracy_at_half(y, {"informative": informative, "eager": eager})
    assert list(accuracy) == ["informative", "eager", NEVER_CLICK]
    assert accuracy["informative"] == accuracy[NEVER_CLICK] == 0.95
    assert accuracy["eager"] == pytest.approx(np.mean((eager >= 0.5) == y))
    assert accuracy[NEVER_CLICK] >= max(accuracy["informative"], accuracy["eager"])


def test_slices_are_scorecards_by_device_and_by_ad_age():
    rng = np.random.default_rng(0)
    n = 4_000
    rows = pd.DataFrame(
        {"device": rng.choice(["mobile", "desktop"], n), "ad_age_days": rng.uniform(0, 6, n)}
    )
    y_prob = rng.uniform(0.01, 0.2, n)
    y_true = (rng.random(n) < y_prob).astype(int)
    slices = slice_scorecards(rows, y_true, y_prob)
    assert list(slices) == ["device", "ad age"]
    by_device = scorecards_by(y_true, y_prob, rows["device"])[SLICE_COLUMNS]
    pd.testing.assert_frame_equal(slices["device"], by_device)
    assert list(slices["ad age"].index) == ["established ad", "new ad (< 2 days)"]
    assert slices["ad age"].loc["new ad (< 2 days)", "n"] == (rows["ad_age_days"] < 2).sum()


def test_accuracy_gap_names_the_best_model_and_its_points_above_the_constant():
    accuracy = {"lr": 0.9812, "trees": 0.9822, "truth": 0.99, NEVER_CLICK: 0.98}
    assert accuracy_gap(accuracy) == (
        "Never predicting a click is right on 98.0% of the test rows; the most accurate model, "
        "trees, on 98.2%: +0.2 points."
    )

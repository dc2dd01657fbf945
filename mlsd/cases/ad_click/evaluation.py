"""The ad-click scorecard: probability quality first, then what accuracy hides and what slices show.

Models are compared with :func:`mlsd.evaluation.scorecards` (ROC AUC, average precision, log loss,
normalized entropy, calibration ratio, ECE): the auction prices with the probability itself, so
calibration counts as much as ranking. Two views complete it:

- :func:`accuracy_at_half` — accuracy of "click when p >= 0.5" against never predicting a click,
  and :func:`accuracy_gap`, the sentence saying how far the best model gets above the constant:
  on rare clicks hardly at all, which is why accuracy is not a click model's metric;
- :func:`slice_scorecards` — normalized entropy and calibration ratio by device and by ad age
  (ads younger than :data:`NEW_AD_DAYS` days against established ones), where a model that is
  calibrated on average can be off for a slice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.evaluation import scorecards_by

NEVER_CLICK = "always 'no click'"
"""The key of the constant prediction in :func:`accuracy_at_half`."""
NEW_AD_DAYS = 2
SLICE_COLUMNS = ["n", "positives", "normalized_entropy", "calibration_ratio"]


def accuracy_at_half(y_true, predictions: dict[str, np.ndarray]) -> dict[str, float]:
    """Share of impressions where ``p >= 0.5`` agrees with the click, per model, then the share
    without a click (the accuracy of never predicting one) under :data:`NEVER_CLICK`."""
    y_true = np.asarray(y_true)
    accuracy = {
        name: float(np.mean((np.asarray(p) >= 0.5) == y_true)) for name, p in predictions.items()
    }
    accuracy[NEVER_CLICK] = float(np.mean(y_true == 0))
    return accuracy


def accuracy_gap(accuracy: dict[str, float]) -> str:
    """The sentence under :func:`accuracy_at_half`'s numbers: the constant's accuracy (the share of
    rows without a click), and the best model's, in percentage points above it (the simulator's
    ``"truth"``, when present, is not a model and is left out)."""
    constant = accuracy[NEVER_CLICK]
    models = {name: value for name, value in accuracy.items() if name not in (NEVER_CLICK, "truth")}
    best = max(models, key=models.get)
    return (
        f"Never predicting a click is right on {constant:.1%} of the test rows; the most accurate "
        f"model, {best}, on {models[best]:.1%}: {100 * (models[best] - constant):+.1f} points."
    )


def slice_scorecards(impressions: pd.DataFrame, y_true, y_prob) -> dict[str, pd.DataFrame]:
    """The scorecard of one model's predictions on ``impressions`` by slice: ``"device"`` and
    ``"ad age"`` (new: ``ad_age_days < NEW_AD_DAYS``), the columns of :data:`SLICE_COLUMNS`;
    slices with too few clicks are left out, as :func:`mlsd.evaluation.scorecards_by` does."""
    new_ad = impressions["ad_age_days"].to_numpy() < NEW_AD_DAYS
    slices = {
        "device": impressions["device"],
        "ad age": np.where(new_ad, f"new ad (< {NEW_AD_DAYS} days)", "established ad"),
    }
    return {name: scorecards_by(y_true, y_prob, by)[SLICE_COLUMNS] for name, by in slices.items()}

"""The ad-click scorecard: probability quality first, then what accuracy hides and what slices show.

Models are compared with :func:`mlsd.evaluation.scorecards` (ROC AUC, average precision, log loss,
normalized entropy, calibration ratio, ECE): the auction prices with the probability itself, so
calibration counts as much as ranking. Two views complete it:

- :func:`accuracy_at_half` — accuracy of "click when p >= 0.5" against never predicting a click,
  and :func:`accuracy_gap`, the sentence saying how far the best model gets above the constant:
  on rare clicks hardly at all, which is why accuracy is not a click model's metric;
- :func:`slice_scorecards` — normalized entropy and calibration ratio by device and by ad age
  (ads younger than :data:`NEW_AD_DAYS` days against established ones), where a model that is
  calibrated on average can be off for a slice. A slice's ratio rests on its clicks, a hundred or
  so for the smallest, so each comes with its bootstrap interval (:func:`ratio_intervals`) and, on
  simulated rows, the ratio against the truth: mean prediction / mean ``true_ctr``, what the
  observed ratio estimates without the noise of the clicks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.evaluation import scorecards_by
from mlsd.uncertainty import bootstrap_interval

NEVER_CLICK = "always 'no click'"
"""The key of the constant prediction in :func:`accuracy_at_half`."""
NEW_AD_DAYS = 2
SLICE_COLUMNS = ["n", "positives", "normalized_entropy", "calibration_ratio"]
INTERVAL_COLUMNS = ["ratio_low", "ratio_high"]
TRUTH_COLUMN = "ratio_vs_truth"
SLICE_RESAMPLES = 500


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


def slice_scorecards(impressions: pd.DataFrame, y_true, y_prob, *, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The scorecard of one model's predictions on ``impressions`` by slice: ``"device"`` and
    ``"ad age"`` (new: ``ad_age_days < NEW_AD_DAYS``), the columns of :data:`SLICE_COLUMNS`, then
    the calibration ratio's interval (:func:`ratio_intervals`) and, when ``impressions`` has
    ``true_ctr``, :data:`TRUTH_COLUMN`; slices with too few clicks are left out, as
    :func:`mlsd.evaluation.scorecards_by` does."""
    new_ad = impressions["ad_age_days"].to_numpy() < NEW_AD_DAYS
    slices = {
        "device": impressions["device"].to_numpy(),
        "ad age": np.where(new_ad, f"new ad (< {NEW_AD_DAYS} days)", "established ad"),
    }
    truth = impressions["true_ctr"].to_numpy() if "true_ctr" in impressions else None
    return {name: sliced_scorecard(y_true, y_prob, by, truth, seed=seed) for name, by in slices.items()}


def sliced_scorecard(y_true, y_prob, groups, true_prob=None, *, seed: int = 0) -> pd.DataFrame:
    """:func:`mlsd.evaluation.scorecards_by` of ``groups``, its :data:`SLICE_COLUMNS`, the
    interval of each slice's calibration ratio (:data:`INTERVAL_COLUMNS`, :func:`ratio_intervals`)
    and, given ``true_prob``, each slice's ratio against the truth (:data:`TRUTH_COLUMN`:
    ``mean(y_prob) / mean(true_prob)`` over the slice)."""
    y_true, y_prob, groups = np.asarray(y_true), np.asarray(y_prob, dtype=float), np.asarray(groups)
    table = scorecards_by(y_true, y_prob, groups)[SLICE_COLUMNS]
    intervals = ratio_intervals(y_true, y_prob, groups, table.index, seed=seed)
    table = pd.concat([table, intervals], axis=1)
    if true_prob is not None:
        true_prob = np.asarray(true_prob, dtype=float)
        table[TRUTH_COLUMN] = [y_prob[groups == value].mean() / true_prob[groups == value].mean()
                               for value in table.index]
    return table


def ratio_intervals(y_true, y_prob, groups, values, *, n_resamples: int = SLICE_RESAMPLES,
                    level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """For each slice ``value`` of ``groups``, the percentile bootstrap interval of its calibration
    ratio ``Σ y_prob / Σ y_true``, resampling the slice's impressions
    (:func:`mlsd.uncertainty.bootstrap_interval`; a resample without a click is left out):
    columns :data:`INTERVAL_COLUMNS`, indexed by ``values``."""
    def ratio(p, y):
        clicks = y.sum()
        return p.sum() / clicks if clicks else np.nan

    rows = {}
    for value in values:
        inside = groups == value
        interval = bootstrap_interval(ratio, y_prob[inside], y_true[inside], n_resamples=n_resamples,
                                      level=level, seed=seed)
        rows[value] = {"ratio_low": interval.low, "ratio_high": interval.high}
    return pd.DataFrame.from_dict(rows, orient="index").reindex(values)


def worst_slice_looks_worse_than_it_is(table: pd.DataFrame) -> bool:
    """Whether the slice whose calibration ratio is furthest from 1 (in log terms) is, against the
    truth (:data:`TRUTH_COLUMN`), less far from 1: the worst-looking slice is partly worst by
    chance, since it was picked for being far out."""
    worst = np.abs(np.log(table["calibration_ratio"].to_numpy())).argmax()
    observed, truth = table["calibration_ratio"].iloc[worst], table[TRUTH_COLUMN].iloc[worst]
    return bool(abs(np.log(truth)) < abs(np.log(observed)))

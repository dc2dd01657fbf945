"""The small simulated world of ``notebooks/00_start_here.ipynb``: items to flag, with known truth.

Generative story, for items i = 1..n:

    x_i ~ Normal(0, 1)                          a hidden signal (e.g. how suspicious an item is)
    p_i = sigmoid(a + separation * x_i)         the true probability that item i is positive
    y_i ~ Bernoulli(p_i)                        the label
    s_i = sigmoid(a + separation * x_i + model_noise * e_i),  e_i ~ Normal(0, 1)

The intercept ``a`` is solved (by bisection) so the mean of p_i equals ``positive_rate`` exactly on
the sample. ``p`` is the truth — the best score any model could produce — and ``s`` is a model that
sees the signal through noise. Because ``p`` is calibrated, the cost-minimising rule for it is the
Bayes threshold ``cost_fp / (cost_fp + cost_fn)``: flag an item when p_i * cost_fn > (1 - p_i) * cost_fp.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.metrics.thresholds import ThresholdCurve
from mlsd.simulation import intercept_for_rate, sigmoid


@dataclass(frozen=True)
class FlaggingWorld:
    """Labels, true probabilities and a noisy model's scores for ``n`` items."""

    labels: np.ndarray
    true_probability: np.ndarray
    model_score: np.ndarray


def simulate_flagging(n_items: int, positive_rate: float, separation: float, model_noise: float, seed: int) -> FlaggingWorld:
    """Draw a :class:`FlaggingWorld` (see the module docstring for the generative story).

    Raises
    ------
    ValueError
        When the drawn sample holds only one class (too few items for so rare a positive).
    """
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal(n_items)
    noise = rng.standard_normal(n_items)
    intercept = intercept_for_rate(separation * signal, positive_rate)
    true_logit = intercept + separation * signal
    labels = (rng.random(n_items) < sigmoid(true_logit)).astype(int)
    if labels.min() == labels.max():
        raise ValueError(
            f"the sample of n_items={n_items} at positive_rate={positive_rate} has only "
            f"{'positives' if labels[0] else 'negatives'}; raise n_items or positive_rate"
        )
    return FlaggingWorld(labels, sigmoid(true_logit), sigmoid(true_logit + model_noise * noise))


def bayes_threshold(cost_fp: float, cost_fn: float) -> float:
    """The cost-minimising threshold for calibrated probabilities: cost_fp / (cost_fp + cost_fn)."""
    return cost_fp / (cost_fp + cost_fn)


def decision_table(labels: np.ndarray, rules: dict[str, tuple[np.ndarray, float]], cost_fp: float, cost_fn: float) -> pd.DataFrame:
    """One row per decision rule ``name: (scores, threshold)``: items flagged, precision, recall
    and mean cost per item, where cost = (cost_fp * FP + cost_fn * FN) / n."""
    rows = {}
    for name, (score, threshold) in rules.items():
        curve = ThresholdCurve(labels, score)
        counts = curve.counts(threshold)
        rows[name] = {
            "threshold": threshold,
            "flagged": counts.tp + counts.fp,
            "precision": curve.precision(threshold),
            "recall": curve.recall(threshold),
            "mean_cost": curve.expected_cost(threshold, cost_fp, cost_fn),
        }
    return pd.DataFrame(rows).T

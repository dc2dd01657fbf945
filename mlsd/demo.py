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

A threshold chosen on the rows it is then scored on looks better than it is (it is their minimum),
so the notebook chooses on a **validation** sample, drawn from the same story but from its own
random stream (``sample="validation"``), and reports on the test sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.metrics.thresholds import ThresholdCurve
from mlsd.simulation import intercept_for_rate, sigmoid
from mlsd.uncertainty import Interval, paired_difference_interval
from mlsd.validation import check_choice

SAMPLES = ("test", "validation")
"""The independent samples :func:`simulate_flagging` draws from one seed."""


@dataclass(frozen=True)
class FlaggingWorld:
    """Labels, true probabilities and a noisy model's scores for ``n`` items."""

    labels: np.ndarray
    true_probability: np.ndarray
    model_score: np.ndarray


def simulate_flagging(n_items: int, positive_rate: float, separation: float, model_noise: float, seed: int, *,
                      sample: str = "test") -> FlaggingWorld:
    """Draw a :class:`FlaggingWorld` (see the module docstring for the generative story).

    ``sample`` (one of :data:`SAMPLES`) picks the random stream: ``"test"`` draws from
    ``default_rng(seed)``, ``"validation"`` from ``default_rng([seed, 1])``, so the two samples of
    one seed are independent draws of the same story (each with its own intercept solved for
    ``positive_rate``).

    Raises
    ------
    ValueError
        When the drawn sample holds only one class (too few items for so rare a positive).
    """
    stream = SAMPLES.index(check_choice("sample", sample, SAMPLES))
    rng = np.random.default_rng(seed if stream == 0 else [seed, stream])
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


def item_costs(labels: np.ndarray, scores: np.ndarray, threshold: float, cost_fp: float, cost_fn: float) -> np.ndarray:
    """Each item's cost when items scoring at least ``threshold`` are flagged: ``cost_fp`` for a
    flagged negative, ``cost_fn`` for an unflagged positive, 0 otherwise. Its mean is the
    ``mean_cost`` of :func:`decision_table`."""
    labels, flagged = np.asarray(labels), np.asarray(scores) >= threshold
    return np.where(flagged, cost_fp * (labels == 0), cost_fn * (labels == 1)).astype(float)


def cost_difference(labels: np.ndarray, rule_a: tuple[np.ndarray, float], rule_b: tuple[np.ndarray, float],
                    cost_fp: float, cost_fn: float, seed: int = 0) -> Interval:
    """The mean cost per item of ``rule_b`` minus that of ``rule_a`` (each ``(scores, threshold)``)
    on the same items, with its paired bootstrap interval over items
    (:func:`mlsd.uncertainty.paired_difference_interval`): above 0, ``rule_b`` costs more."""
    costs = [item_costs(labels, scores, threshold, cost_fp, cost_fn) for scores, threshold in (rule_a, rule_b)]
    return paired_difference_interval(*costs, seed=seed)


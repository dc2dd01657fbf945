"""One scorecard for predicted probabilities, shared by every notebook that compares models.

Its ``ece`` column is the expected calibration error over :data:`ECE_BINS` **quantile** bins
(edges at the deciles of the predictions, so every bin holds about a tenth of the rows): the
binning of the reliability diagram (:func:`mlsd.plots.reliability`), so the table and the plot
agree. Uniform bins over [0, 1] would not mean what the name says on rare events: with click rates
of a few percent every prediction below 0.1 falls in one bin, and the "ECE" is then only
``|mean prediction − observed rate|``, the calibration ratio's information again.
"""

from __future__ import annotations

import numpy as np

from mlsd.metrics.calibration import calibration_ratio, expected_calibration_error
from mlsd.metrics.classification import log_loss, normalized_entropy
from mlsd.metrics.thresholds import ThresholdCurve
from mlsd.uncertainty import Interval

ECE_BINS = 10
ECE_STRATEGY = "quantile"
"""The binning of the scorecard's ``ece``: :data:`ECE_BINS` bins of about equal counts."""


def scorecard_ece(y_true, y_prob) -> float:
    """The scorecard's ECE: :func:`~mlsd.metrics.calibration.expected_calibration_error` over
    :data:`ECE_BINS` quantile bins (:data:`ECE_STRATEGY`)."""
    return expected_calibration_error(y_true, y_prob, ECE_BINS, ECE_STRATEGY)


def probability_scorecard(y_true, y_prob) -> dict[str, float]:
    """Ranking quality (ROC AUC, average precision) and probability quality (log loss, normalized
    entropy, calibration ratio, and ``ece``, the expected calibration error over ten quantile
    bins: :func:`scorecard_ece`) of one set of predicted probabilities."""
    curve = ThresholdCurve(y_true, y_prob)
    return {
        "roc_auc": curve.roc_auc(),
        "average_precision": curve.average_precision(),
        "log_loss": log_loss(y_true, y_prob),
        "normalized_entropy": normalized_entropy(y_true, y_prob),
        "calibration_ratio": calibration_ratio(y_true, y_prob),
        "ece": scorecard_ece(y_true, y_prob),
    }


def scorecards(y_true, predictions: dict[str, np.ndarray]):
    """A DataFrame with one :func:`probability_scorecard` row per named set of predictions
    (``ece`` over ten quantile bins, as the reliability diagram bins them)."""
    import pandas as pd

    return pd.DataFrame({name: probability_scorecard(y_true, p) for name, p in predictions.items()}).T


def scorecards_by(y_true, y_prob, groups, *, min_positives: int = 5):
    """One :func:`probability_scorecard` row per value of ``groups`` (a slice such as device).

    Slices with fewer than ``min_positives`` positives, or with no negative, are left out: their
    metrics would be undefined or noise. The ``n`` and ``positives`` columns say what each row rests on.
    """
    import pandas as pd

    y_true, y_prob, groups = np.asarray(y_true), np.asarray(y_prob), pd.Series(np.asarray(groups))
    rows = {}
    for value, index in groups.groupby(groups, sort=True).indices.items():
        labels = y_true[index]
        if labels.sum() >= min_positives and labels.sum() < len(labels):
            rows[value] = {"n": len(index), "positives": int(labels.sum()), **probability_scorecard(labels, y_prob[index])}
    return pd.DataFrame.from_dict(rows, orient="index")


CEILING_COLUMNS = {"log_loss": "min", "normalized_entropy": "min", "roc_auc": "max"}
"""The scorecard columns on which the true probabilities are best *in expectation*: log loss (and
so normalized entropy) is a strictly proper scoring rule, minimised in expectation by the true
probabilities; the expected ROC AUC is highest for a score ordered like them (it is the share of
(click, non-click) pairs ranked right, and the true order ranks each pair right as often as any
score can). Calibration ratio and ECE are not in it: the truth's are 1 and 0 only up to the noise
of the labels, which can put a model's closer on one sample."""


def truth_is_best(table, truth: str = "truth", columns=CEILING_COLUMNS) -> bool:
    """Whether the row ``truth`` of a :func:`scorecards` table is strictly the best on every
    column of ``columns`` (``{column: "min" or "max"}``, by default :data:`CEILING_COLUMNS`)."""
    others = table.drop(index=truth)
    return bool(all(
        (table.loc[truth, column] < others[column]).all() if best == "min"
        else (table.loc[truth, column] > others[column]).all()
        for column, best in columns.items()
    ))


def ece_noise_floor(true_prob, n_draws: int = 20, seed: int = 0) -> float:
    """The ECE a perfectly calibrated predictor gets from label noise alone: the mean, over
    ``n_draws`` sets of labels drawn ``y ~ Bernoulli(true_prob)``, of :func:`scorecard_ece` of
    ``true_prob`` against them. A model whose ECE is near it cannot be told from a calibrated
    one by ECE on a sample of this size (only a simulator, which knows ``true_prob``, can draw it)."""
    true_prob = np.asarray(true_prob, dtype=float)
    rng = np.random.default_rng(seed)
    return float(np.mean([scorecard_ece((rng.random(len(true_prob)) < true_prob).astype(int), true_prob)
                          for _ in range(n_draws)]))


def difference_sentence(interval: Interval, what: str, unit: str = "") -> str:
    """One line on a difference ``what`` ("b − a"): its estimate and interval (in ``unit``, e.g.
    "per item"), and the verdict — measurably above or below 0, or "no measurable difference"
    when the interval contains 0."""
    if interval.low > 0:
        verdict = "measurably above 0"
    elif interval.high < 0:
        verdict = "measurably below 0"
    else:
        verdict = "no measurable difference"
    unit = f" {unit}" if unit else ""
    return (f"{what}: {interval.estimate:+.4f}{unit}, {interval.level:.0%} interval "
            f"[{interval.low:+.4f}, {interval.high:+.4f}]: {verdict}")

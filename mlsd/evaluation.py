"""One scorecard for predicted probabilities, shared by every notebook that compares models."""

from __future__ import annotations

import numpy as np

from mlsd.metrics.calibration import calibration_ratio, expected_calibration_error
from mlsd.metrics.classification import log_loss, normalized_entropy
from mlsd.metrics.thresholds import ThresholdCurve


def probability_scorecard(y_true, y_prob) -> dict[str, float]:
    """Ranking quality (ROC AUC, average precision) and probability quality (log loss, normalized
    entropy, calibration ratio, expected calibration error) of one set of predicted probabilities."""
    curve = ThresholdCurve(y_true, y_prob)
    return {
        "roc_auc": curve.roc_auc(),
        "average_precision": curve.average_precision(),
        "log_loss": log_loss(y_true, y_prob),
        "normalized_entropy": normalized_entropy(y_true, y_prob),
        "calibration_ratio": calibration_ratio(y_true, y_prob),
        "ece": expected_calibration_error(y_true, y_prob),
    }


def scorecards(y_true, predictions: dict[str, np.ndarray]):
    """A DataFrame with one :func:`probability_scorecard` row per named set of predictions."""
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

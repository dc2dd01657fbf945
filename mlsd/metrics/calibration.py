"""Calibration: do predicted probabilities match observed frequencies?

``calibration_ratio`` checks the overall level, ``reliability_table`` and
``expected_calibration_error`` check it bin by bin, and ``undo_downsampling`` repairs the level
of a model trained on negative-downsampled data.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlsd.metrics.classification import _labels_and_probabilities
from mlsd.validation import check_choice, check_int, check_number, probabilities

STRATEGIES = ("uniform", "quantile")


class ReliabilityTable(NamedTuple):
    """One row per non-empty probability bin (arrays of equal length)."""

    bin_lower: np.ndarray
    bin_upper: np.ndarray
    count: np.ndarray
    mean_predicted: np.ndarray
    observed_rate: np.ndarray

    def to_frame(self):
        """The table as a ``pandas.DataFrame``, one row per bin."""
        import pandas as pd

        return pd.DataFrame(self._asdict())


def calibration_ratio(y_true, y_prob) -> float:
    """Mean predicted probability over the observed positive rate.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1; at least one positive.
    y_prob : array-like of shape (n,)
        Predicted probability of the positive class, in [0, 1].

    Returns
    -------
    float
        1 is calibrated on average; above 1 over-predicts, below 1 under-predicts.

    Notes
    -----
    Formula: ``calibration = mean(y_prob) / mean(y_true)``.

    Convention: a ratio of averages, blind to errors that cancel across examples (see
    :func:`reliability_table`). Raises ``ValueError`` when there are no positives.

    References
    ----------
    He, X. et al. (2014). Practical lessons from predicting clicks on ads at Facebook. ADKDD, §2.
    """
    labels, prob = _labels_and_probabilities(y_true, y_prob)
    if not labels.any():
        raise ValueError("calibration_ratio is undefined when y_true holds no positives")
    return float(prob.mean() / labels.mean())


def reliability_table(y_true, y_prob, n_bins=10, strategy="uniform") -> ReliabilityTable:
    """Mean predicted probability and observed positive rate per probability bin.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1.
    y_prob : array-like of shape (n,)
        Predicted probability of the positive class, in [0, 1].
    n_bins : int, default=10
        Number of bins (>= 1).
    strategy : {"uniform", "quantile"}, default="uniform"
        ``"uniform"``: equal-width bins over [0, 1]. ``"quantile"``: edges at the
        ``0, 1/n_bins, …, 1`` quantiles of ``y_prob``, so bins hold about equally many examples.

    Returns
    -------
    ReliabilityTable
        Arrays ``bin_lower``, ``bin_upper``, ``count``, ``mean_predicted``, ``observed_rate``,
        one entry per non-empty bin; ``to_frame()`` gives a DataFrame.

    Notes
    -----
    Formula: for bin b, ``mean_predicted_b = mean(y_prob in b)`` and
    ``observed_rate_b = mean(y_true in b)``.

    Convention: bin assignment is exactly ``sklearn.calibration.calibration_curve``'s:
    ``np.searchsorted(inner_edges, y_prob)``, so a bin is ``(lower, upper]`` and the first bin
    also holds its lower edge (a probability on an inner edge falls in the lower bin). Empty bins
    are dropped, so there may be fewer than ``n_bins`` rows; ``mean_predicted`` and
    ``observed_rate`` equal ``calibration_curve``'s ``prob_pred`` and ``prob_true``. Quantile
    edges are ``np.percentile`` (linear interpolation) of ``y_prob``; tied probabilities can
    make them repeat, which leaves empty bins (dropped) and can make the first bin ``[e, e]``.

    References
    ----------
    Niculescu-Mizil, A. & Caruana, R. (2005). Predicting good probabilities with supervised
    learning. ICML.
    """
    labels, prob = _labels_and_probabilities(y_true, y_prob)
    n_bins = check_int("n_bins", n_bins, 1)
    edges = _bin_edges(prob, n_bins, check_choice("strategy", strategy, STRATEGIES))
    bin_ids = np.searchsorted(edges[1:-1], prob)
    count = np.bincount(bin_ids, minlength=n_bins)
    prob_sum = np.bincount(bin_ids, weights=prob, minlength=n_bins)
    positives = np.bincount(bin_ids, weights=labels, minlength=n_bins)
    filled = count != 0
    return ReliabilityTable(
        bin_lower=edges[:-1][filled],
        bin_upper=edges[1:][filled],
        count=count[filled],
        mean_predicted=prob_sum[filled] / count[filled],
        observed_rate=positives[filled] / count[filled],
    )


def expected_calibration_error(y_true, y_prob, n_bins=10, strategy="uniform") -> float:
    """Example-weighted mean gap between predicted probability and observed rate over bins.

    Parameters
    ----------
    y_true, y_prob, n_bins, strategy
        As in :func:`reliability_table`.

    Returns
    -------
    float
        In [0, 1]; 0 when every bin's mean prediction equals its positive rate.

    Notes
    -----
    Formula: ``ECE = Σ_b (n_b / n) |mean_predicted_b − observed_rate_b|``.

    Convention: bins as in :func:`reliability_table` (empty bins carry no weight). The value
    depends on ``n_bins`` and ``strategy``; compare models only with the same binning.

    References
    ----------
    Naeini, M. P., Cooper, G. & Hauskrecht, M. (2015). Obtaining well calibrated probabilities
    using Bayesian binning. AAAI.
    """
    table = reliability_table(y_true, y_prob, n_bins, strategy)
    weights = table.count / table.count.sum()
    return float(np.sum(weights * np.abs(table.mean_predicted - table.observed_rate)))


def undo_downsampling(y_prob, rate) -> np.ndarray:
    """Map probabilities of a model trained on negative-downsampled data back to the full data.

    Parameters
    ----------
    y_prob : array-like of shape (n,)
        Probabilities ``p`` predicted by the model trained on the downsampled data, in [0, 1].
    rate : float
        ``w``, the probability with which each negative was kept, ``0 < w <= 1``.

    Returns
    -------
    numpy.ndarray of shape (n,)
        Calibrated probabilities ``q`` for data with the original class balance.

    Notes
    -----
    Formula: ``q = p / (p + (1 − p) / w)``. Keeping negatives with probability w multiplies the
    odds of the positive class by ``1 / w``; the formula multiplies them back by w.

    Convention: only negatives are downsampled; positives are all kept. ``rate = 1`` returns
    ``p`` unchanged.

    References
    ----------
    He, X. et al. (2014). Practical lessons from predicting clicks on ads at Facebook. ADKDD, §6.
    """
    prob = probabilities(y_prob)
    kept = check_number("rate", rate, 0, 1, low_open=True)
    return prob / (prob + (1 - prob) / kept)


def _bin_edges(prob: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    return np.percentile(prob, np.linspace(0, 1, n_bins + 1) * 100)

"""Intervals for the ad-click experiments: impressions that share an ad are not independent.

Two models scored on the same impressions are compared by the mean of a per-impression difference
(of log losses, each divided by its day's entropy so that the mean is a mean of normalized
entropies). Impressions of one ad move together — its quality drifts, whichever model serves it —
so the interval resamples **ads**, each with all its impressions (the cluster bootstrap of
:mod:`mlsd.uncertainty`): the statistic of a resample is ``Σ values of the drawn ads / Σ their
impressions``. Vectorised over resamples, so 1,000 resamples of 3,000 ads take milliseconds.

:func:`day_weighted_difference` builds the per-impression values whose plain mean is the mean over
days of each day's normalized-entropy difference.
"""

from __future__ import annotations

import math

import numpy as np

from mlsd.uncertainty import DEFAULT_RESAMPLES, Interval
from mlsd.validation import as_1d, check_int, check_number

_BLOCK = 64


def cluster_mean_interval(values, groups, n_resamples: int = DEFAULT_RESAMPLES, level: float = 0.95,
                          seed: int = 0, denominator=None) -> Interval:
    """Percentile bootstrap interval of ``mean(values)``, resampling whole ``groups``.

    Each resample draws as many groups as there are, with replacement; its statistic is the sum of
    the drawn groups' values over their number of rows. ``estimate`` is ``mean(values)``. With
    ``denominator`` (one number per row) the statistic is the ratio ``Σ values / Σ denominator``
    instead — e.g. a calibration ratio, ``Σ p / Σ click``.
    """
    values = as_1d(values, "values")
    groups = np.asarray(groups)
    if len(values) == 0 or groups.shape != values.shape:
        raise ValueError(f"values and groups must be non-empty and of equal length; got {len(values)} "
                         f"and {groups.shape}")
    n_resamples = check_int("n_resamples", n_resamples, 10)
    level = check_number("level", level, 0.0, 1.0, low_open=True, high_open=True)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    codes, _ = _factorize(groups)
    below = np.ones(len(values)) if denominator is None else as_1d(denominator, "denominator")
    if below.shape != values.shape:
        raise ValueError(f"denominator must have one value per row ({len(values)}); got {below.shape}")
    sums, sizes = np.bincount(codes, values), np.bincount(codes, below)
    n_groups = len(sums)
    statistics = []
    for block in [_BLOCK] * (n_resamples // _BLOCK) + [n_resamples % _BLOCK]:
        if block:
            drawn = rng.integers(0, n_groups, size=(block, n_groups))
            statistics.append(sums[drawn].sum(axis=1) / sizes[drawn].sum(axis=1))
    low, high = np.quantile(np.concatenate(statistics), [(1 - level) / 2, (1 + level) / 2])
    return Interval(float(values.sum() / below.sum()), float(low), float(high), level, n_resamples)


def day_weighted_difference(loss_a, loss_b, day, entropy_by_day: dict) -> np.ndarray:
    """Per-impression ``(loss_b − loss_a) / H_d × N / (D n_d)``: its mean over the ``N``
    impressions of ``D`` days is ``mean_d (NE_b,d − NE_a,d)``, each day's normalized entropy
    ``NE_d = mean log loss_d / H_d`` (``H_d`` the entropy of day ``d``'s click rate, ``n_d`` its
    impressions)."""
    day = np.asarray(day)
    days, inverse, counts = np.unique(day, return_inverse=True, return_counts=True)
    entropy = np.array([entropy_by_day[d] for d in days.tolist()])
    weight = len(day) / (len(days) * counts[inverse] * entropy[inverse])
    return (np.asarray(loss_b) - np.asarray(loss_a)) * weight


def log_losses(y, p) -> np.ndarray:
    """Per-impression log loss ``−[y ln p + (1 − y) ln(1 − p)]``, clipped as
    :func:`mlsd.metrics.log_loss` clips it, so that its mean is that log loss."""
    y, p = np.asarray(y), np.asarray(p, dtype=float)
    eps = np.finfo(p.dtype).eps
    return -np.where(y == 1, np.log(np.clip(p, eps, 1 - eps)), np.log(np.clip(1 - p, eps, 1 - eps)))


def base_entropy(y) -> float:
    """``H(b) = −b ln b − (1 − b) ln(1 − b)`` of the click rate ``b = mean(y)``: the denominator
    of normalized entropy."""
    b = float(np.mean(y))
    return -b * math.log(b) - (1 - b) * math.log(1 - b)


def _factorize(groups: np.ndarray):
    uniques, codes = np.unique(groups, return_inverse=True)
    return codes.ravel(), uniques

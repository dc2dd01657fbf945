"""How much a number would move on another sample: percentile bootstrap intervals.

A metric computed on held-out data — a mean NDCG over users, a calibration ratio over impressions —
is one draw of what the same system would show on another sample of the same population. The
percentile bootstrap (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 13) estimates
that spread without a formula: draw ``n_resamples`` samples of the independent units **with
replacement**, each as large as the original, compute the statistic on each, and report the
``(1 − level)/2`` and ``(1 + level)/2`` quantiles of those values as the interval around the
statistic of the original sample.

Resample what is independent. Per-user ranking metrics resample users (one value per user);
impression metrics resample impressions, or — when rows share a user, an ad or a day and so are
not independent — whole groups (``groups=``: the *cluster* bootstrap, every row of a drawn group
comes along). A statistic that is undefined on some resample (say, a calibration ratio of a slice
with no click) returns NaN there; those resamples are left out of the quantiles, and the interval
says how many were left (``undefined``).

Two models scored on the same units are compared by the interval of the **paired** difference
(:func:`paired_difference_interval`): resampling the units once for both keeps what they share, so
the interval is much narrower than two separate intervals would suggest. A difference whose interval
contains 0 is "no measurable difference" on these data, not a tie.

Determinism: every function takes ``seed`` and draws from ``numpy.random.default_rng(seed)``;
same inputs and seed give the same interval byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from mlsd.validation import as_1d, check_callable, check_int, check_number

DEFAULT_RESAMPLES = 1000
_BLOCK = 64


@dataclass(frozen=True)
class Interval:
    """A statistic, its bootstrap interval ``[low, high]`` at ``level``, and the resamples used."""

    estimate: float
    low: float
    high: float
    level: float
    n_resamples: int
    undefined: int = 0

    @property
    def width(self) -> float:
        """``high − low``."""
        return self.high - self.low

    def excludes(self, value: float = 0.0) -> bool:
        """Whether ``value`` lies outside ``[low, high]`` (a difference "measurably" non-zero)."""
        return not (self.low <= value <= self.high)

    def __str__(self) -> str:
        return f"{self.estimate:.4g} [{self.low:.4g}, {self.high:.4g}]"


def bootstrap_interval(
    statistic: Callable[..., float],
    *arrays,
    groups=None,
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap interval of ``statistic(*arrays)`` (see the module for the method).

    Parameters
    ----------
    statistic : callable
        Called with one resampled copy of every array (rows drawn with replacement, the same rows
        for every array) and returning a float; NaN where it is undefined.
    *arrays : array-like
        One or more arrays of equal length ``n``; row ``i`` of each belongs to unit ``i``.
    groups : array-like of length ``n``, optional
        Resample whole groups (cluster bootstrap) instead of rows: each resample draws as many
        groups as there are, with replacement, and takes every row of each drawn group.
    n_resamples : int, default=1000
        Number of bootstrap resamples (>= 10).
    level : float, default=0.95
        Coverage of the interval, in (0, 1).
    seed : int, default=0
        Seed of the resampling.

    Returns
    -------
    Interval
        ``estimate`` is the statistic of the original arrays.
    """
    check_callable("statistic", statistic)
    columns = _columns(arrays)
    n_resamples = check_int("n_resamples", n_resamples, 10)
    level = check_number("level", level, 0.0, 1.0, low_open=True, high_open=True)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    draw = _row_drawer(len(columns[0]), groups)
    estimate = float(statistic(*columns))
    values = np.array([float(statistic(*(column[rows] for column in columns)))
                       for rows in (draw(rng) for _ in range(n_resamples))])
    return _interval(estimate, values, level)


def mean_interval(values, n_resamples: int = DEFAULT_RESAMPLES, level: float = 0.95,
                  seed: int = 0) -> Interval:
    """Percentile bootstrap interval of ``mean(values)``, one value per independent unit.

    Vectorised: resamples are drawn in blocks, so 1,000 resamples of 100,000 values take well
    under a second.
    """
    values = as_1d(values, "values")
    if len(values) == 0:
        raise ValueError("values is empty; a mean needs at least one value")
    level = check_number("level", level, 0.0, 1.0, low_open=True, high_open=True)
    return _interval(float(values.mean()), _resampled_means(values, n_resamples, seed), level)


def paired_difference_interval(a, b, n_resamples: int = DEFAULT_RESAMPLES, level: float = 0.95,
                               seed: int = 0) -> Interval:
    """Interval of ``mean(b − a)`` for two models scored on the same units (``a[i]``, ``b[i]``).

    The units are resampled once for both, which keeps what the two share: a unit that is hard for
    one model is usually hard for the other.
    """
    a, b = as_1d(a, "a"), as_1d(b, "b")
    if len(a) != len(b):
        raise ValueError(f"a and b must score the same units: got {len(a)} and {len(b)} values")
    return mean_interval(b - a, n_resamples, level, seed)


def interval_table(per_unit: pd.DataFrame, n_resamples: int = DEFAULT_RESAMPLES,
                   level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """For each column of per-unit values, its mean and the bootstrap interval of the mean.

    The same resamples of the rows are used for every column, so the intervals are comparable.
    Returns one row per column with ``mean``, ``low`` and ``high``.
    """
    if not isinstance(per_unit, pd.DataFrame) or per_unit.empty:
        raise ValueError("per_unit must be a non-empty DataFrame with one row per unit")
    values = per_unit.to_numpy(dtype=float)
    level = check_number("level", level, 0.0, 1.0, low_open=True, high_open=True)
    means = _resampled_means(values, n_resamples, seed)
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return pd.DataFrame({"mean": values.mean(axis=0), "low": low, "high": high},
                        index=per_unit.columns)


def _columns(arrays) -> list[np.ndarray]:
    if not arrays:
        raise ValueError("bootstrap_interval needs at least one array to resample")
    columns = [np.asarray(array) for array in arrays]
    lengths = {len(column) for column in columns}
    if len(lengths) != 1:
        raise ValueError(f"the arrays must have one row per unit, of equal length; got lengths "
                         f"{sorted(len(column) for column in columns)}")
    if 0 in lengths:
        raise ValueError("the arrays are empty; there is nothing to resample")
    return columns


def _row_drawer(n_rows: int, groups):
    """A function of the generator returning the row indices of one resample."""
    if groups is None:
        return lambda rng: rng.integers(0, n_rows, size=n_rows)
    groups = np.asarray(groups)
    if len(groups) != n_rows:
        raise ValueError(f"groups must have one entry per row: got {len(groups)} for {n_rows} rows")
    order = np.argsort(groups, kind="stable")
    _, starts, sizes = np.unique(groups[order], return_index=True, return_counts=True)

    def draw(rng):
        picked = rng.integers(0, len(starts), size=len(starts))
        lengths = sizes[picked]
        offsets = np.repeat(starts[picked] - np.cumsum(lengths) + lengths, lengths)
        return order[offsets + np.arange(lengths.sum())]

    return draw


def _resampled_means(values: np.ndarray, n_resamples, seed) -> np.ndarray:
    """The mean (per column) of ``n_resamples`` row resamples, drawn in blocks with ``seed``."""
    n_resamples = check_int("n_resamples", n_resamples, 10)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    return np.concatenate([
        values[rng.integers(0, len(values), size=(block, len(values)))].mean(axis=1)
        for block in _blocks(n_resamples)
    ])


def _blocks(n_resamples: int) -> list[int]:
    full, rest = divmod(n_resamples, _BLOCK)
    return [_BLOCK] * full + ([rest] if rest else [])


def _interval(estimate: float, values: np.ndarray, level: float) -> Interval:
    defined = values[~np.isnan(values)]
    if len(defined) == 0:
        raise ValueError("the statistic is undefined (NaN) on every resample; "
                         "is there anything in the data it can be computed from?")
    low, high = np.quantile(defined, [(1 - level) / 2, (1 + level) / 2])
    return Interval(estimate, float(low), float(high), level, len(values),
                    len(values) - len(defined))

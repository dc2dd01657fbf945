"""Orderings by score that do not depend on the last bits of a float.

Two scores that are equal on paper often differ in their last bits once computed: a sum taken in
another order (another CPU's BLAS kernel, another thread count) moves them by an ulp or two. A
top-k list sorted on the raw floats then flips near-ties from machine to machine, and every metric
computed from the list moves with it.

The rule used by every ranking in the kit: **scores are compared after rounding to
:data:`SIGNIFICANT_DIGITS` significant digits, and equal rounded scores are ordered by id**, the
lower id first. Differences of about 1e-15 relative (what arithmetic order changes) vanish in the
rounding; differences the models mean (far above 1e-9 relative) survive it.
"""

from __future__ import annotations

import numpy as np

SIGNIFICANT_DIGITS = 9


def rounded_scores(scores, significant: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """``scores`` as floats rounded to ``significant`` significant digits; 0, ±inf and NaN unchanged.

    Each value ``x`` becomes ``round(x / u) * u`` with ``u = 10 ** (floor(log10 |x|) - significant + 1)``.
    """
    values = np.array(scores, dtype=float)
    changed = np.isfinite(values) & (values != 0)
    if changed.any():
        magnitude = np.floor(np.log10(np.abs(values[changed])))
        unit = 10.0 ** (magnitude - significant + 1)
        values[changed] = np.round(values[changed] / unit) * unit
    return values


def order_by_score(scores, ids=None) -> np.ndarray:
    """Indices that sort ``scores`` from the highest, ties (after rounding) by ``ids`` ascending.

    ``ids`` defaults to the position, so equal scores keep their order.
    """
    rounded = rounded_scores(scores)
    ids = np.arange(len(rounded)) if ids is None else np.asarray(ids)
    return np.lexsort((ids, -rounded))


def top_k_columns(scores: np.ndarray, k: int) -> np.ndarray:
    """For each row of a 2-D ``scores``, the column indices of its ``k`` highest scores.

    Rows are ranked by rounded score, highest first, equal rounded scores by the lower column.
    """
    rounded = rounded_scores(scores)
    columns = np.broadcast_to(np.arange(rounded.shape[1]), rounded.shape)
    return np.lexsort((columns, -rounded), axis=1)[:, :k]


def rank_within_groups(groups, scores) -> np.ndarray:
    """The 1-based rank of each row within its group by decreasing ``scores``, equal scores in
    row order, returned in the rows' order.

    Unlike :func:`order_by_score` the raw floats are compared, as :mod:`mlsd.metrics.ranking`
    ranks a list: a rank read beside a metric (the top ``k`` its NDCG@k counts) must be that
    metric's own.
    """
    groups = np.asarray(groups)
    scores = np.asarray(scores, dtype=float)
    order = np.lexsort((np.arange(len(scores)), -scores, groups))
    grouped = groups[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    lengths = np.diff(np.r_[starts, len(order)])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.repeat(starts, lengths) + 1
    return rank

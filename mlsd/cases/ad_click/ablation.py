"""What each part of the logistic regression's input buys: the ablation table.

Logistic regression on hashed categoricals has two design choices worth an interview answer: the
**feature crosses** (user segment × ad category, device × slot — the interactions a linear model
cannot learn from the fields alone) and the **number of hash buckets** (fewer buckets, more
collisions between values that share a column). An ablation refits the model without one of them
and scores both on the same test impressions.

The difference of normalized entropy between a variant and the reference is the mean of the
per-impression log-loss differences divided by the entropy of the test click rate
(:func:`~.intervals.log_losses`, :func:`~.intervals.base_entropy`), so its interval is a paired
one: resampling **whole ads** with all their impressions (:func:`~.intervals.cluster_mean_interval`;
an ad's impressions share its quality and its errors, so they are not independent), or single rows
when the log has no ad id (Criteo).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.intervals import base_entropy, cluster_mean_interval, log_losses
from mlsd.metrics import normalized_entropy

ABLATIONS = {
    "no crosses": {"crosses": False},
    "2^10 buckets": {"n_buckets": 2**10},
}
"""The variants of the reference logistic regression (2^18 buckets, with crosses) refitted, by
the options of :class:`~.models.HashedLogisticRegression` they change."""
REFERENCE = "2^18 buckets, crosses"


def ablation_table(y_test, predictions: dict[str, np.ndarray], reference: str = REFERENCE,
                   groups=None, seed: int = 0) -> pd.DataFrame:
    """One row per model of ``predictions`` (``reference`` among them): its normalized entropy on
    ``y_test``, and its difference from the reference's (``ne_change``: above 0 is worse) with the
    95% paired interval ``ne_change_low``, ``ne_change_high`` (resampling ``groups``, e.g. the ad
    of each impression, or the rows when None; see the module docstring)."""
    y_test = np.asarray(y_test)
    groups = np.arange(len(y_test)) if groups is None else np.asarray(groups)
    entropy = base_entropy(y_test)
    reference_loss = log_losses(y_test, predictions[reference])
    rows = {}
    for name, prob in predictions.items():
        row = {"normalized_entropy": normalized_entropy(y_test, prob)}
        if name == reference:
            row.update(ne_change=0.0, ne_change_low=0.0, ne_change_high=0.0)
        else:
            change = (log_losses(y_test, prob) - reference_loss) / entropy
            interval = cluster_mean_interval(change, groups, seed=seed)
            row.update(ne_change=interval.estimate, ne_change_low=interval.low,
                       ne_change_high=interval.high)
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def every_ablation_hurts(table: pd.DataFrame, reference: str = REFERENCE) -> bool:
    """Whether every variant's NE is measurably above the reference's: its interval lies above 0."""
    return bool((table.drop(index=reference)["ne_change_low"] > 0).all())

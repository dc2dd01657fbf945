"""What a ranker's objective buys: completed watches, or watch minutes.

A "relevant" video in the scorecard is one the user watched to at least 80% (:func:`~.schema.
relevant`). That label says nothing about length: a 2-minute clip and a 30-minute video count the
same once 80% watched, so a ranker trained on it is blind to the minutes a list earns — what a
platform that optimises watch time (YouTube since 2012) cares about. :mod:`.models` trains the
ranker either way (:data:`~.models.OBJECTIVES`); this module scores the lists on both.

Expected watch minutes (the simulator's truth)
    Shown video ``v``, user ``u`` watches it with probability ``m(u, v)`` — the expected engagement
    (:meth:`~.simulate.VideoWorld.expected_engagement`) — and then watches a share ``m(u, v)`` of
    its length ``L_v``: the model of :func:`~.tradeoffs.ab_test_watch_time` and
    :func:`~.tradeoffs.feedback_loop`. A list's expected watch minutes are
    ``Σ_{v in top k} m(u, v)² · L_v / 60``: what the A/B test would measure on average, without
    its coin flips.

:func:`objective_table` puts the lists of several rankers side by side: expected watch minutes per
user, completion NDCG@k (the scorecard's), the median length of the videos recommended, and the
paired differences with a reference ranker, with percentile bootstrap intervals over users
(:mod:`mlsd.uncertainty`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.video_recs.evaluation import per_user_metrics
from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT
from mlsd.uncertainty import DEFAULT_RESAMPLES, mean_interval, paired_difference_interval
from mlsd.validation import check_int


def expected_watch_minutes(world, recommendations: pd.DataFrame, k: int = 10) -> pd.Series:
    """Each user's expected watch minutes of their top ``k`` under the simulator's truth
    (module docstring): ``Σ m(u, v)² · L_v / 60``, indexed by ``user_id``."""
    k = check_int("k", k, 1)
    top = recommendations[recommendations["rank"] <= k]
    users, videos = top["user_id"].to_numpy(), top["video_id"].to_numpy()
    engagement = world.expected_engagement(users, videos)
    minutes = engagement**2 * world.videos["length_seconds"].to_numpy()[videos] / 60
    return pd.Series(minutes).groupby(users).sum().rename_axis("user_id")


def length_minutes(world, recommendations: pd.DataFrame, k: int = 10) -> np.ndarray:
    """The lengths, in minutes, of every video in the users' top ``k`` (one per slot)."""
    top = recommendations[recommendations["rank"] <= check_int("k", k, 1)]
    return world.videos["length_seconds"].to_numpy()[top["video_id"].to_numpy()] / 60


def objective_table(
    world,
    lists_by_ranker: dict[str, pd.DataFrame],
    test: pd.DataFrame,
    reference: str,
    k: int = 10,
    threshold: float = RELEVANT_ENGAGEMENT,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """Expected watch minutes, completion NDCG@k and median video length of each ranker's lists.

    Parameters
    ----------
    world : VideoWorld
        The simulator's truth, for the expected watch minutes and the lengths.
    lists_by_ranker : dict of name to recommendations
        ``user_id, video_id, rank`` lists of the same users.
    test : DataFrame
        The held-out watches: a video is a completion hit at engagement >= ``threshold``.
    reference : str
        A key of ``lists_by_ranker``: every other ranker gets a row ``"name − reference"`` of the
        paired per-user differences.
    k, threshold, n_resamples, seed
        Cut-off, relevance threshold, and the bootstrap's resamples and seed.

    Returns
    -------
    DataFrame
        One row per ranker, then per difference; columns ``watch_minutes``, ``watch_minutes_low``,
        ``watch_minutes_high`` (per user, every user with a list), ``ndcg``, ``ndcg_low``,
        ``ndcg_high`` (over the users with a relevant test event) and ``median_length_minutes``
        (of the ranker's rows; empty on difference rows). ``attrs`` holds ``users_minutes`` and
        ``users_ndcg``, the users each column rests on.
    """
    if reference not in lists_by_ranker:
        raise ValueError(f"reference must be one of {sorted(lists_by_ranker)}; got {reference!r}")
    minutes = pd.DataFrame({name: expected_watch_minutes(world, recs, k)
                            for name, recs in lists_by_ranker.items()}).dropna()
    ndcg = pd.DataFrame({name: per_user_metrics(recs, test, k, threshold)[f"ndcg@{k}"]
                         for name, recs in lists_by_ranker.items()}).dropna()
    rows = {}
    for name, recs in lists_by_ranker.items():
        row = _interval_columns("watch_minutes", mean_interval(minutes[name], n_resamples,
                                                               seed=seed))
        row.update(_interval_columns("ndcg", mean_interval(ndcg[name], n_resamples, seed=seed)))
        row["median_length_minutes"] = float(np.median(length_minutes(world, recs, k)))
        rows[name] = row
    for name in lists_by_ranker:
        if name == reference:
            continue
        row = _interval_columns("watch_minutes", paired_difference_interval(
            minutes[reference], minutes[name], n_resamples, seed=seed))
        row.update(_interval_columns("ndcg", paired_difference_interval(
            ndcg[reference], ndcg[name], n_resamples, seed=seed)))
        rows[f"{name} − {reference}"] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.attrs.update(users_minutes=len(minutes), users_ndcg=len(ndcg))
    return table


def _interval_columns(name: str, interval) -> dict[str, float]:
    return {name: interval.estimate, f"{name}_low": interval.low, f"{name}_high": interval.high}

"""The candidate mix: how many of a fixed number of candidates each source should hand the ranker.

The ranker can take ``n`` candidates per user; the sources find different things — the popular
list what everyone watches, matrix factorisation what the user's history points to, trending what
is rising now. A **mix** ``(n_1, …, n_s)`` with ``Σ n_i = n`` fills each user's candidate set
source by source (:func:`mix_candidates`): source ``i`` contributes its ``n_i`` best videos *not
already taken* by the sources before it, so every mix holds exactly ``n`` distinct candidates and
mixes compare at equal length (merging lists of ``n_i`` each would give shorter sets wherever the
lists overlap, and flatter the mixes that overlap least).

Which mix is best depends on whom it serves. A user with no history gets all-zero scores from
matrix factorisation — its candidates for them are a uniformly random draw (:mod:`.models`) — so a
mix chosen on the recall of all users, most of whom have a history, can serve new users badly.
:func:`mix_recalls` gives each user's recall of each mix; :func:`mix_table` the means, for new
users, returning users and everyone, with bootstrap intervals; :func:`best_mix` the best mix of a
group (the exercise, :mod:`.exercise`, judges a chosen mix against it). :func:`source_lists` fits
the three sources a mix draws on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.video_recs.evaluation import evaluation_lists
from mlsd.cases.video_recs.models import (
    MatrixFactorizationSource,
    PopularSource,
    recommend,
    watch_matrix,
)
from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT
from mlsd.cases.video_recs.trending import TrendingSource
from mlsd.uncertainty import DEFAULT_RESAMPLES, interval_table
from mlsd.validation import check_choice

GROUPS = ("new users", "returning users", "all users")


def mix_candidates(lists: dict[str, pd.DataFrame], counts) -> pd.DataFrame:
    """Each user's candidates under the mix ``counts`` (module docstring).

    Parameters
    ----------
    lists : dict of source name to ranked list
        ``user_id, video_id, rank`` (1 = best), as :func:`~.models.recommend` returns, each at
        least as long as the largest count asked of it.
    counts : dict of source name to int, or a sequence of ints in the order of ``lists``
        How many candidates each source contributes; sources are filled in the order of ``lists``.

    Returns
    -------
    DataFrame
        ``user_id, video_id, source``: the candidates, each once, ``source`` the one that
        contributed it.
    """
    names = list(lists)
    if not isinstance(counts, dict):
        counts = dict(zip(names, counts, strict=True))
    taken, parts = None, []
    for name in names:
        n = int(counts.get(name, 0))
        if n <= 0:
            continue
        ranked = lists[name][["user_id", "video_id", "rank"]]
        if taken is not None:
            ranked = ranked[~_pairs(ranked).isin(_pairs(taken))]
        ranked = ranked.sort_values(["user_id", "rank"], kind="stable")
        part = ranked[ranked.groupby("user_id").cumcount() < n][["user_id", "video_id"]]
        parts.append(part.assign(source=name))
        taken = pd.concat(parts, ignore_index=True)
    if taken is None:
        return pd.DataFrame(columns=["user_id", "video_id", "source"])
    return taken


def mix_recalls(
    lists: dict[str, pd.DataFrame],
    mixes,
    test: pd.DataFrame,
    train: pd.DataFrame,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> pd.DataFrame:
    """Each user's recall of each mix's candidate set.

    Returns one row per user with a relevant test event, indexed by (``user_id``, ``new``) —
    ``new`` is True for a user without a training event — and one column per mix, labelled by its
    tuple of counts (in the order of ``lists``); ``attrs["sources"]`` names the sources.
    """
    columns = {}
    for mix in mixes:
        candidates = mix_candidates(lists, tuple(mix)).assign(rank=1)
        depth = max(1, int(candidates.groupby("user_id").size().max()))
        ranked = evaluation_lists(candidates, test, threshold)
        columns[tuple(mix)] = pd.Series(ranked.recall_at(depth), index=ranked.groups)
    table = pd.concat(columns.values(), axis=1)
    table.columns = pd.Index(list(columns), tupleize_cols=False, name="mix")
    users = table.index.to_numpy()
    new = ~np.isin(users, train["user_id"].unique())
    table.index = pd.MultiIndex.from_arrays([users, new], names=["user_id", "new"])
    table.attrs["sources"] = list(lists)
    return table


def mix_table(per_user: pd.DataFrame, n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0) -> pd.DataFrame:
    """Mean recall of each mix for new users, returning users and all users, with bootstrap
    intervals: rows are the mixes, columns ``(group, "mean" | "low" | "high")``; ``attrs["users"]``
    maps each group to its number of users."""
    mixes = list(per_user.columns)
    parts, users = {}, {}
    for group in GROUPS:
        rows = group_rows(per_user, group)
        users[group] = int(rows.sum())
        values = per_user[rows].copy()
        values.columns = range(len(mixes))
        intervals = interval_table(values, n_resamples, seed=seed)
        intervals.index = pd.Index(mixes, tupleize_cols=False)
        parts[group] = intervals
    table = pd.concat(parts, axis=1)
    table.attrs["users"] = users
    return table


def best_mix(per_user: pd.DataFrame, group: str) -> tuple:
    """The mix with the highest mean recall for ``group`` (one of :data:`GROUPS`); ties to the
    first listed."""
    rows = group_rows(per_user, check_choice("group", group, GROUPS))
    means = per_user[rows].mean()
    return means.index[int(np.argmax(means.to_numpy()))]


def group_rows(per_user: pd.DataFrame, group: str) -> np.ndarray:
    """The boolean mask of ``per_user``'s rows in ``group`` (one of :data:`GROUPS`), read from the
    index level ``new``."""
    new = per_user.index.get_level_values("new").to_numpy(dtype=bool)
    return {"new users": new, "returning users": ~new, "all users": np.ones_like(new)}[group]


def _pairs(frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[["user_id", "video_id"]])


def source_lists(
    train: pd.DataFrame, users, n_users: int, n_videos: int, depth: int, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """The three sources a mix draws on, each fit on ``train`` and giving every user of ``users``
    their top ``depth``: ``"popular"``, ``"mf"`` (matrix factorisation, ``seed``) and
    ``"trending"`` (:class:`~.trending.TrendingSource`), in that order."""
    watched = watch_matrix(train, n_users, n_videos)
    return {
        "popular": recommend(PopularSource().fit(watched), watched, users, depth),
        "mf": recommend(MatrixFactorizationSource(seed=seed).fit(watched), watched, users, depth),
        "trending": recommend(TrendingSource().fit_log(train, n_videos), watched, users, depth),
    }

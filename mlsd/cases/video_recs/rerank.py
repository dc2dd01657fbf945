"""The re-ranker after the ranker: maximal marginal relevance (MMR) for a more varied list.

A ranker scores each video on its own, so a user who likes one genre gets ten videos of it. The
re-ranker of the funnel trades some of that relevance for variety. Maximal marginal relevance
(Carbonell & Goldstein 1998, *The use of MMR, diversity-based reranking for reordering documents
and producing summaries*, SIGIR) builds each list greedily: from the ranker's top ``pool`` videos
of a user it picks, one slot at a time, the video maximising ::

    λ · relevance(v) − (1 − λ) · max_{c chosen} sim(v, c)

with ``relevance`` the ranker's score divided by the user's best score (so it lies in ``[0, 1]``
like the similarity), ``sim`` the cosine similarity of two videos' genre vectors (the simulator's
true mixtures ``g_v``: non-negative, so in ``[0, 1]``), and the max over an empty set 0 (the first
pick is the most relevant video). ``λ = 1`` keeps the ranker's order; lowering ``λ`` weighs
diversity more. Values are compared at :data:`mlsd.ordering.SIGNIFICANT_DIGITS` significant digits
and ties go to the video the ranker placed higher.

:func:`mmr_sweep` re-ranks at several ``λ`` and scores each list by NDCG@k (accuracy) and by genre
diversity (:func:`~.evaluation.genre_diversity_by_user`, the mean pairwise cosine distance of the
list's genre mixtures), with the percentile bootstrap intervals of :mod:`mlsd.uncertainty` over the
users and the paired difference with ``λ = 1``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.video_recs.evaluation import genre_diversity_by_user, per_user_metrics
from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT
from mlsd.ordering import rounded_scores
from mlsd.uncertainty import DEFAULT_RESAMPLES, interval_table
from mlsd.validation import check_int, check_number

WEIGHTS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.3)
"""The relevance weights ``λ`` of the notebook's sweep, from the ranker's own order down."""


def mmr_rerank(candidates: pd.DataFrame, genres: np.ndarray, weight: float, k: int = 10) -> pd.DataFrame:
    """Each user's top ``k`` of ``candidates`` by maximal marginal relevance at ``λ = weight``.

    Parameters
    ----------
    candidates : DataFrame
        ``user_id``, ``video_id``, ``score`` (the ranker's, higher is better) and ``rank`` (1 =
        best), as :meth:`~.models.TwoStageRecommender.recommend` returns: the pool to choose from.
    genres : array of shape (n_videos, n_genres)
        Non-negative genre vectors, row ``v`` for video ``v`` (a row of zeros is similar to
        nothing).
    weight : float
        ``λ`` in ``[0, 1]``: 1 keeps the ranker's order, 0 weighs only diversity.
    k : int
        Slots per list, >= 1 (a user with fewer candidates gets them all).

    Returns
    -------
    DataFrame
        ``user_id, video_id, score, rank`` — ``score`` the MMR value at the pick, ``rank`` the slot.
    """
    weight = check_number("weight", weight, 0, 1)
    k = check_int("k", k, 1)
    genres = np.asarray(genres, dtype=float)
    if candidates.empty:
        return pd.DataFrame(columns=["user_id", "video_id", "score", "rank"])
    pool = candidates.sort_values(["user_id", "rank"], kind="stable", ignore_index=True)
    users, starts, sizes = np.unique(pool["user_id"].to_numpy(), return_index=True,
                                     return_counts=True)
    width = int(sizes.max())
    slot = np.arange(len(pool)) - np.repeat(starts, sizes)
    row = np.repeat(np.arange(len(users)), sizes)
    valid = np.zeros((len(users), width), dtype=bool)
    valid[row, slot] = True
    video = np.zeros((len(users), width), dtype=np.int64)
    video[row, slot] = pool["video_id"].to_numpy()
    relevance = np.zeros((len(users), width))
    relevance[row, slot] = pool["score"].to_numpy(dtype=float)
    best = relevance.max(axis=1, keepdims=True)
    relevance = np.divide(relevance, best, out=np.zeros_like(relevance), where=best > 0)
    norms = np.linalg.norm(genres, axis=1, keepdims=True)
    unit = np.divide(genres, norms, out=np.zeros_like(genres), where=norms > 0)[video]
    closest = np.zeros((len(users), width))  # max similarity to what is already chosen
    chosen = ~valid
    picks, values = [], []
    for _ in range(min(k, width)):
        value = rounded_scores(weight * relevance - (1 - weight) * closest)
        value[chosen] = -np.inf
        pick = np.argmax(value, axis=1)  # ties: the first, the ranker's higher place
        available = np.isfinite(value[np.arange(len(users)), pick])
        picks.append(np.where(available, pick, -1))
        values.append(value[np.arange(len(users)), pick])
        chosen[np.arange(len(users))[available], pick[available]] = True
        similarity = (unit * unit[np.arange(len(users)), pick][:, None, :]).sum(axis=2)
        closest = np.where(available[:, None], np.maximum(closest, similarity), closest)
    picks, values = np.stack(picks, axis=1), np.stack(values, axis=1)
    taken = picks >= 0
    user_rows = np.broadcast_to(np.arange(len(users))[:, None], picks.shape)[taken]
    return pd.DataFrame({
        "user_id": users[user_rows],
        "video_id": video[user_rows, picks[taken]],
        "score": values[taken],
        "rank": np.broadcast_to(np.arange(1, picks.shape[1] + 1), picks.shape)[taken],
    })


def mmr_sweep(
    candidates: pd.DataFrame,
    genres: np.ndarray,
    test: pd.DataFrame,
    weights=WEIGHTS,
    k: int = 10,
    threshold: float = RELEVANT_ENGAGEMENT,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """NDCG@k and genre diversity of the MMR lists at each ``λ`` of ``weights``, with intervals.

    The users are those with a relevant test event (at ``threshold``) whose list has a diversity
    (two videos with a genre), the same for every ``λ``; one bootstrap of them (``n_resamples``,
    ``seed``) serves every cell. Returns one row per ``λ`` (index ``weight``, in the given order)
    with ``ndcg``, ``ndcg_low``, ``ndcg_high``, ``diversity``, ``diversity_low``,
    ``diversity_high`` and the paired differences with ``λ = 1`` — the ranker's own order —
    ``ndcg_change`` and ``diversity_change`` with their ``_low`` / ``_high``; ``attrs["users"]``
    is the number of users.
    """
    weights = [check_number("weight", weight, 0, 1) for weight in weights]
    per_user = {}
    for weight in [1.0, *weights]:
        if weight in per_user:
            continue
        lists = mmr_rerank(candidates, genres, weight, k)
        ndcg = per_user_metrics(lists, test, k, threshold)[f"ndcg@{k}"]
        diversity = genre_diversity_by_user(lists, genres, k)
        per_user[weight] = pd.DataFrame({"ndcg": ndcg}).join(diversity.rename("diversity"),
                                                              how="inner").dropna()
    users = None
    for frame in per_user.values():
        users = frame.index if users is None else users.intersection(frame.index)
    columns = {}
    for weight in weights:
        for metric in ("ndcg", "diversity"):
            values = per_user[weight].loc[users, metric].to_numpy()
            columns[(weight, metric)] = values
            columns[(weight, f"{metric}_change")] = values - per_user[1.0].loc[users, metric].to_numpy()
    intervals = interval_table(pd.DataFrame(columns), n_resamples, seed=seed)
    rows = {}
    for weight in weights:
        row = {}
        for metric in ("ndcg", "diversity", "ndcg_change", "diversity_change"):
            mean, low, high = intervals.loc[(weight, metric), ["mean", "low", "high"]]
            row.update({metric: mean, f"{metric}_low": low, f"{metric}_high": high})
        rows[weight] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "weight"
    table.attrs["users"] = int(len(users))
    return table

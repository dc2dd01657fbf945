"""The video case's scorecard: a recommender's offline metrics, at k and beyond accuracy.

Every metric scores ranked lists (:func:`evaluation_lists`): a recommended video is a hit when the
user went on to watch it in the test period with relevant engagement (:func:`~.schema.relevant`).
Accuracy (from :mod:`mlsd.metrics.ranking`, conventions there): precision@k, recall@k, hit rate@k,
MAP@k, NDCG@k, MRR over the users with a relevant test event. Beyond accuracy, over every user's
top k: catalog coverage (share of the catalog recommended to anyone), novelty (mean self-information
``−log2`` of the recommended videos' share of training users) and intra-list diversity (mean pairwise
cosine distance of the videos' vectors — here the matrix-factorisation video factors, learned from
the same training data, so simulated and MovieLens data work alike). A video nobody watched in
training has no learned vector (all zeros) and is left out of the diversity of its list (NaN when no
list keeps two videos with vectors).

:func:`ndcg_by_split` (and :func:`split_effect`, its sentence) is notebook 2's comparison of the
temporal and random splits; :func:`ndcg_by_history` splits a score between new and returning users.
Every function takes ``threshold``, the engagement a test event needs to count as relevant
(:func:`~.schema.relevance_threshold` names the notebooks' rules).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.video_recs.data import SPLITS, VideoData, split
from mlsd.cases.video_recs.models import (
    MatrixFactorizationSource,
    PopularSource,
    recommend,
    watch_matrix,
)
from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT, relevant
from mlsd.metrics.ranking import RankedLists, catalog_coverage, intra_list_diversity, novelty


def evaluation_lists(
    recommendations: pd.DataFrame, test: pd.DataFrame, threshold: float = RELEVANT_ENGAGEMENT
) -> RankedLists:
    """The recommendations as ranked lists, a row relevant when the user went on to watch it in
    ``test`` with engagement >= ``threshold`` (a tiny threshold counts every watch); each user's
    ``n_relevant`` counts all their relevant test events, found or not. Users with no relevant test
    event are left out."""
    liked = test[relevant(test, threshold)]
    n_liked = liked.groupby("user_id").size()
    rows = recommendations[recommendations["user_id"].isin(n_liked.index)]
    hit = _pairs(rows).isin(_pairs(liked))
    return RankedLists(
        hit.astype(float),
        -rows["rank"].to_numpy(),
        rows["user_id"].to_numpy(),
        n_relevant=rows["user_id"].map(n_liked).to_numpy(),
    )


def mean_ndcg(
    recommendations: pd.DataFrame,
    test: pd.DataFrame,
    k: int = 10,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> float:
    """Mean NDCG@k of each user's top ``k`` over the users with a relevant test event (at
    ``threshold``, as in :func:`evaluation_lists`)."""
    top = recommendations[recommendations["rank"] <= k]
    return float(np.nanmean(evaluation_lists(top, test, threshold).ndcg_at(k)))


def recommender_metrics(
    recommendations: pd.DataFrame,
    test: pd.DataFrame,
    train: pd.DataFrame,
    n_videos: int,
    video_vectors: np.ndarray,
    k: int = 10,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> dict[str, float]:
    """The metrics of one recommender's lists (at most ``k`` per user are used), a test event
    relevant at ``threshold`` as in :func:`evaluation_lists`."""
    top = recommendations[recommendations["rank"] <= k]
    lists = evaluation_lists(top, test, threshold)
    score, group = -top["rank"].to_numpy(), top["user_id"].to_numpy()
    video = top["video_id"].to_numpy()
    n_train_users = train["user_id"].nunique()
    watched_by = np.bincount(train["video_id"].to_numpy(), minlength=n_videos) / n_train_users
    shown_share = np.maximum(watched_by[video], 1 / n_train_users)  # never watched: one user
    return {
        f"precision@{k}": float(np.nanmean(lists.precision_at(k))),
        f"recall@{k}": float(np.nanmean(lists.recall_at(k))),
        f"hit_rate@{k}": float(np.nanmean(lists.hit_rate_at(k))),
        f"map@{k}": float(np.nanmean(lists.average_precision_at(k))),
        f"ndcg@{k}": float(np.nanmean(lists.ndcg_at(k))),
        "mrr": float(np.nanmean(lists.reciprocal_rank())),
        "coverage": catalog_coverage(video, score, group, k, n_videos),
        "novelty": novelty(video, score, group, k, shown_share),
        "diversity": _diversity(video_vectors[video], score, group, k),
    }


def _diversity(vectors: np.ndarray, score: np.ndarray, group: np.ndarray, k: int) -> float:
    """Intra-list diversity over the videos that have a vector; NaN when no list keeps two."""
    has_vector = np.linalg.norm(vectors, axis=1) > 0
    if (pd.Series(has_vector).groupby(group).sum() < 2).all():
        return float("nan")
    return intra_list_diversity(vectors[has_vector], score[has_vector], group[has_vector], k)


def metrics_table(
    recommendations_by_model: dict[str, pd.DataFrame],
    test: pd.DataFrame,
    train: pd.DataFrame,
    n_videos: int,
    video_vectors: np.ndarray,
    k: int = 10,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> pd.DataFrame:
    """One :func:`recommender_metrics` row per model."""
    rows = {
        name: recommender_metrics(recs, test, train, n_videos, video_vectors, k, threshold)
        for name, recs in recommendations_by_model.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def ndcg_by_split(
    data: VideoData, k: int = 10, seed: int = 0, threshold: float = RELEVANT_ENGAGEMENT
) -> pd.DataFrame:
    """NDCG@k of the most-popular list and of matrix factorisation, each trained and scored on every
    split of :data:`~.data.SPLITS` (random drawn with ``seed``): one row per model, one column per
    split. The random split lets both train on events after the ones they are asked to predict;
    whether that raises or lowers a model's score depends on the data (:func:`split_effect`)."""
    columns = {}
    for kind in SPLITS:
        held_out = split(data, kind, seed=seed)
        table = baseline_metrics(data, held_out.train, held_out.test, k, seed, threshold)
        columns[kind] = table[f"ndcg@{k}"]
    return pd.DataFrame(columns)


def baseline_metrics(
    data: VideoData,
    train: pd.DataFrame,
    test: pd.DataFrame,
    k: int = 10,
    seed: int = 0,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> pd.DataFrame:
    """:func:`metrics_table` of the two reference recommenders trained on ``train``: the
    most-popular list (``"popular"``) and matrix factorisation (PureSVD, ``seed``), each user of
    ``test`` getting their top ``k``."""
    watched = watch_matrix(train, data.n_users, data.n_videos)
    users = np.unique(test["user_id"])
    mf = MatrixFactorizationSource(seed=seed).fit(watched)
    recommendations = {
        "popular": recommend(PopularSource().fit(watched), watched, users, k),
        "matrix factorisation": recommend(mf, watched, users, k),
    }
    return metrics_table(recommendations, test, train, data.n_videos, mf.video_factors_, k, threshold)


def split_effect(by_split: pd.DataFrame) -> str:
    """One sentence per model of :func:`ndcg_by_split`'s table: how the random split moved its
    score against the temporal one (raised, lowered, or left it within 1% relative)."""
    sentences = []
    for model, row in by_split.iterrows():
        temporal, random = row["temporal"], row["random"]
        change = random / temporal - 1 if temporal > 0 else float("inf")
        if abs(change) < 0.01:
            verb = "leaves"
        else:
            verb = "raises" if change > 0 else "lowers"
        sentences.append(
            f"the random split {verb} {model}'s NDCG from {temporal:.4f} (temporal) "
            f"to {random:.4f} ({change:+.0%})"
        )
    return "On these data, " + "; ".join(sentences) + "."


def recall_curve(
    recommendations: pd.DataFrame, test: pd.DataFrame, cutoffs,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> pd.Series:
    """Mean recall@k of one ranked candidate list at each cut-off ``k`` (the candidate-stage
    curve)."""
    lists = evaluation_lists(recommendations, test, threshold)
    return pd.Series({k: float(np.nanmean(lists.recall_at(k))) for k in cutoffs}, name="recall")


def recall_by_history(
    recommendations_by_model: dict[str, pd.DataFrame],
    test: pd.DataFrame,
    train: pd.DataFrame,
    k: int,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> pd.DataFrame:
    """Recall@k per model for users with no training history (cold start) and for returning
    users."""
    return _by_history(recommendations_by_model, test, train, k, threshold, "recall_at")


def ndcg_by_history(
    recommendations_by_model: dict[str, pd.DataFrame],
    test: pd.DataFrame,
    train: pd.DataFrame,
    k: int,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> pd.DataFrame:
    """NDCG@k per model for new users (no training event) and for returning users, and the number
    of test users of each kind (the ``users`` row): a model that learns from a user's history can
    only beat the most-popular list where there is a history to learn from."""
    table = _by_history(recommendations_by_model, test, train, k, threshold, "ndcg_at")
    lists = evaluation_lists(next(iter(recommendations_by_model.values())), test, threshold)
    returning = np.isin(lists.groups, train["user_id"].unique())
    users = pd.DataFrame(
        {"new users": [int((~returning).sum())], "returning users": [int(returning.sum())]},
        index=["users"],
    )
    return pd.concat([table, users])


def history_effect(by_history: pd.DataFrame, model: str, baseline: str = "popular") -> str:
    """The sentence under :func:`ndcg_by_history`'s table: how many test users are new, and
    ``model``'s NDCG against ``baseline``'s for each kind of user."""
    users = by_history.loc["users"]
    new, total = int(users["new users"]), int(users.sum())
    parts = [f"{new:,} of {total:,} test users ({new / total:.0%}) are new"]
    for kind in ("new users", "returning users"):
        ours, theirs = by_history.loc[model, kind], by_history.loc[baseline, kind]
        verb = "beats" if ours > theirs else "does not beat"
        parts.append(f"for {kind}, {model} {verb} {baseline}: {ours:.4f} against {theirs:.4f}")
    return "On these data, " + "; ".join(parts) + "."


def _by_history(recommendations_by_model, test, train, k, threshold, measure) -> pd.DataFrame:
    returning = train["user_id"].unique()
    rows = {}
    for name, recs in recommendations_by_model.items():
        lists = evaluation_lists(recs[recs["rank"] <= k], test, threshold)
        values = pd.Series(getattr(lists, measure)(k), index=lists.groups)
        is_returning = values.index.isin(returning)
        rows[name] = {
            "new users": float(values[~is_returning].mean()),
            "returning users": float(values[is_returning].mean()),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def shared_rows(
    recommendations_by_model: dict[str, pd.DataFrame],
    test: pd.DataFrame,
    k: int = 10,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> dict:
    """Several recommenders' top-``k`` lists as one set of (user, video) rows, for the ranking
    explorer.

    Rows are the union of every model's top ``k`` per user, for the users with a relevant test
    event (at ``threshold``). A model's score of a row is ``-rank``, or ``-(k + 1)`` for a video it
    did not put in its top k, so every model's first ``k`` rows are its own list. Returns the
    explorer's keyword arguments: ``y_true``, ``scores_by_recommender``, ``group``, ``n_relevant``
    and ``item``.
    """
    liked = test[relevant(test, threshold)]
    n_liked = liked.groupby("user_id").size()
    tops = {
        name: recs[(recs["rank"] <= k) & recs["user_id"].isin(n_liked.index)]
        for name, recs in recommendations_by_model.items()
    }
    rows = pd.concat([top[["user_id", "video_id"]] for top in tops.values()]).drop_duplicates()
    rows = rows.sort_values(["user_id", "video_id"], ignore_index=True)
    key = pd.MultiIndex.from_frame(rows)
    scores = {}
    for name, top in tops.items():
        position = pd.MultiIndex.from_frame(top[["user_id", "video_id"]]).get_indexer(key)
        scores[name] = np.where(position >= 0, -top["rank"].to_numpy()[position], -(k + 1.0))
    return {
        "y_true": key.isin(pd.MultiIndex.from_frame(liked[["user_id", "video_id"]])).astype(float),
        "scores_by_recommender": scores,
        "group": rows["user_id"].to_numpy(),
        "n_relevant": rows["user_id"].map(n_liked).to_numpy(),
        "item": rows["video_id"].to_numpy(),
    }


def candidate_set_recall(
    candidates: pd.DataFrame, test: pd.DataFrame, threshold: float = RELEVANT_ENGAGEMENT
) -> float:
    """Mean recall of an unordered candidate set per user: the share of each user's relevant test
    watches that are among their candidates, whatever the set's size (users with none left
    out)."""
    unordered = candidates[["user_id", "video_id"]].assign(rank=1)
    depth = max(1, unordered.groupby("user_id").size().max())
    return float(np.nanmean(evaluation_lists(unordered, test, threshold).recall_at(depth)))


def _pairs(frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[["user_id", "video_id"]])

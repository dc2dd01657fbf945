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

:func:`ndcg_by_split` is notebook 2's comparison of the temporal and random splits.
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


def recommender_metrics(recommendations: pd.DataFrame, test: pd.DataFrame, train: pd.DataFrame, n_videos: int, video_vectors: np.ndarray, k: int = 10) -> dict[str, float]:
    """The metrics of one recommender's lists (at most ``k`` per user are used)."""
    top = recommendations[recommendations["rank"] <= k]
    lists = evaluation_lists(top, test)
    score, group, video = -top["rank"].to_numpy(), top["user_id"].to_numpy(), top["video_id"].to_numpy()
    share_watched = np.bincount(train["video_id"].to_numpy(), minlength=n_videos) / train["user_id"].nunique()
    shown_share = np.maximum(share_watched[video], 1 / train["user_id"].nunique())  # a never-watched video counts as one user
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
    """Intra-list diversity over the videos that have a vector; NaN when no list keeps two of them."""
    has_vector = np.linalg.norm(vectors, axis=1) > 0
    if (pd.Series(has_vector).groupby(group).sum() < 2).all():
        return float("nan")
    return intra_list_diversity(vectors[has_vector], score[has_vector], group[has_vector], k)


def metrics_table(recommendations_by_model: dict[str, pd.DataFrame], test: pd.DataFrame, train: pd.DataFrame, n_videos: int, video_vectors: np.ndarray, k: int = 10) -> pd.DataFrame:
    """One :func:`recommender_metrics` row per model."""
    rows = {name: recommender_metrics(recs, test, train, n_videos, video_vectors, k) for name, recs in recommendations_by_model.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def ndcg_by_split(data: VideoData, k: int = 10, seed: int = 0) -> pd.DataFrame:
    """NDCG@k of the most-popular list and of matrix factorisation, each trained and scored on every
    split of :data:`~.data.SPLITS` (random drawn with ``seed``): one row per model, one column per
    split. The random split lets both train on the future, which flatters them."""
    columns = {}
    for kind in SPLITS:
        held_out = split(data, kind, seed=seed)
        train, test = held_out.train, held_out.test
        watched = watch_matrix(train, data.n_users, data.n_videos)
        users = np.unique(test["user_id"])
        mf = MatrixFactorizationSource(seed=seed).fit(watched)
        recommendations = {
            "popular": recommend(PopularSource().fit(watched), watched, users, k),
            "matrix factorisation": recommend(mf, watched, users, k),
        }
        table = metrics_table(recommendations, test, train, data.n_videos, mf.video_factors_, k)
        columns[kind] = table[f"ndcg@{k}"]
    return pd.DataFrame(columns)


def recall_curve(recommendations: pd.DataFrame, test: pd.DataFrame, cutoffs) -> pd.Series:
    """Mean recall@k of one ranked candidate list at each cut-off ``k`` (the candidate-stage curve)."""
    lists = evaluation_lists(recommendations, test)
    return pd.Series({k: float(np.nanmean(lists.recall_at(k))) for k in cutoffs}, name="recall")


def recall_by_history(recommendations_by_model: dict[str, pd.DataFrame], test: pd.DataFrame, train: pd.DataFrame, k: int) -> pd.DataFrame:
    """Recall@k per model for users with no training history (cold start) and for returning users."""
    returning = set(train["user_id"].unique())
    rows = {}
    for name, recs in recommendations_by_model.items():
        lists = evaluation_lists(recs[recs["rank"] <= k], test)
        recall = pd.Series(lists.recall_at(k), index=lists.groups)
        is_returning = recall.index.isin(list(returning))
        rows[name] = {"new users": float(recall[~is_returning].mean()), "returning users": float(recall[is_returning].mean())}
    return pd.DataFrame.from_dict(rows, orient="index")


def shared_rows(recommendations_by_model: dict[str, pd.DataFrame], test: pd.DataFrame, k: int = 10) -> dict:
    """Several recommenders' top-``k`` lists as one set of (user, video) rows, for the ranking explorer.

    Rows are the union of every model's top ``k`` per user, for the users with a relevant test event.
    A model's score of a row is ``-rank``, or ``-(k + 1)`` for a video it did not put in its top k, so
    every model's first ``k`` rows are its own list. Returns the explorer's keyword arguments:
    ``y_true``, ``scores_by_recommender``, ``group``, ``n_relevant`` and ``item``.
    """
    liked = test[relevant(test)]
    n_liked = liked.groupby("user_id").size()
    tops = {name: recs[(recs["rank"] <= k) & recs["user_id"].isin(n_liked.index)] for name, recs in recommendations_by_model.items()}
    rows = pd.concat([top[["user_id", "video_id"]] for top in tops.values()]).drop_duplicates().sort_values(["user_id", "video_id"], ignore_index=True)
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


def candidate_set_recall(candidates: pd.DataFrame, test: pd.DataFrame) -> float:
    """Mean recall of an unordered candidate set per user: the share of each user's relevant test
    watches that are among their candidates, whatever the set's size (users with none left out)."""
    unordered = candidates[["user_id", "video_id"]].assign(rank=1)
    return float(np.nanmean(evaluation_lists(unordered, test).recall_at(max(1, unordered.groupby("user_id").size().max()))))


def _pairs(frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[["user_id", "video_id"]])

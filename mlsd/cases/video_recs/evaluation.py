"""One table of offline metrics for a recommender: accuracy at k and what lies beyond accuracy.

Accuracy (from :mod:`mlsd.metrics.ranking`, conventions there): precision@k, recall@k, hit rate@k,
MAP@k, NDCG@k, MRR over the users with a relevant test event. Beyond accuracy, over every user's
top k: catalog coverage (share of the catalog recommended to anyone), novelty (mean self-information
``−log2`` of the recommended videos' share of training users) and intra-list diversity (mean pairwise
cosine distance of the videos' vectors — here the matrix-factorisation video factors, learned from
the same training data, so simulated and MovieLens data work alike).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.video_recs.candidates import evaluation_lists
from mlsd.metrics.ranking import catalog_coverage, intra_list_diversity, novelty


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
        "diversity": intra_list_diversity(video_vectors[video], score, group, k),
    }


def metrics_table(recommendations_by_model: dict[str, pd.DataFrame], test: pd.DataFrame, train: pd.DataFrame, n_videos: int, video_vectors: np.ndarray, k: int = 10) -> pd.DataFrame:
    """One :func:`recommender_metrics` row per model."""
    rows = {name: recommender_metrics(recs, test, train, n_videos, video_vectors, k) for name, recs in recommendations_by_model.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


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

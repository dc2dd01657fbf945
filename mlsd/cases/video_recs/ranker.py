"""The ranking stage: merge the candidate sources, describe each (user, video) pair, learn to order them.

Training a ranker needs labels *after* the features: the training period is cut in time into a
history (the first ``1 - label_share``) and a label window (the rest). The candidate sources are fit
on the history, generate candidates for the users active in the label window, and a pair's label is
whether the user went on to watch that video with relevant engagement in the window. To recommend,
the sources are refit on the whole training period and the trained ranker orders their candidates.

Features of a pair (all computable from the interactions table alone, so simulated and MovieLens data
work alike): each source's rank (a missing rank counts as ``k_per_source + 1``), the personalised
sources' scores relative to the user's best candidate score, the share of users who watched the video
and the time since its first watch, the user's watches relative to the average user and their mean
engagement. The features are relative on purpose: the ranker learns on a shorter history than it
serves on, and raw counts would grow between the two — a train/serve skew of its own.
Model: scikit-learn's ``HistGradientBoostingClassifier`` (log loss), single-threaded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from mlsd.cases.video_recs.candidates import CoVisitationSource, MatrixFactorizationSource, PopularSource, recommend, watch_matrix
from mlsd.cases.video_recs.schema import relevant

FEATURES = (
    "popular_rank", "co_visitation_rank", "co_visitation_score", "mf_rank", "mf_score",
    "video_audience_share", "video_days_since_first_watch", "user_watches_per_mean", "user_mean_engagement",
)


def default_sources(seed: int = 0) -> dict:
    """The three candidate sources, keyed by the prefix of their feature names."""
    return {"popular": PopularSource(), "co_visitation": CoVisitationSource(), "mf": MatrixFactorizationSource(seed=seed)}


def merged_candidates(history: pd.DataFrame, user_ids, n_users: int, n_videos: int, k_per_source: int, seed: int = 0) -> pd.DataFrame:
    """The union of every source's top ``k_per_source`` for each user, with every pair's features."""
    watched = watch_matrix(history, n_users, n_videos)
    sources = {name: source.fit(watched) for name, source in default_sources(seed).items()}
    lists = [recommend(source, watched, user_ids, k_per_source).assign(source=name) for name, source in sources.items()]
    pairs = pd.concat(lists, ignore_index=True)[["user_id", "video_id"]].drop_duplicates(ignore_index=True)
    for (name, source), own_list in zip(sources.items(), lists):
        scores = _scores_of_pairs(source, pairs)
        best = pd.Series(scores).groupby(pairs["user_id"].to_numpy()).transform("max").to_numpy()
        pairs[f"{name}_score"] = np.divide(scores, best, out=np.zeros_like(scores), where=best > 0)
        pairs[f"{name}_rank"] = _ranks_of_pairs(own_list, pairs, missing=k_per_source + 1)
    return _add_history_features(pairs, history)


class TwoStageRecommender:
    """Candidate sources, then a gradient-boosted ranker over their merged candidates.

    ``k_per_source`` candidates come from each source; ``label_share`` of the training period (by
    time) provides the ranker's labels.
    """

    def __init__(self, k_per_source: int = 100, label_share: float = 0.2, max_iter: int = 200, seed: int = 0):
        if not 0 < label_share < 1:
            raise ValueError(f"label_share must be strictly between 0 and 1; got {label_share!r}")
        self.k_per_source, self.label_share, self.max_iter, self.seed = k_per_source, label_share, max_iter, seed

    def fit(self, train: pd.DataFrame, n_users: int, n_videos: int) -> TwoStageRecommender:
        cutoff = train["time"].quantile(1 - self.label_share)
        history, window = train[train["time"] < cutoff], train[train["time"] >= cutoff]
        users = np.unique(window["user_id"].to_numpy())
        pairs = merged_candidates(history, users, n_users, n_videos, self.k_per_source, self.seed)
        liked = window[relevant(window)]
        labels = pd.MultiIndex.from_frame(pairs[["user_id", "video_id"]]).isin(pd.MultiIndex.from_frame(liked[["user_id", "video_id"]]))
        model = HistGradientBoostingClassifier(max_iter=self.max_iter, learning_rate=0.05, max_leaf_nodes=15, early_stopping=False, random_state=self.seed)
        with threadpool_limits(limits=1):
            self.model_ = model.fit(pairs[list(FEATURES)], labels.astype(int))
        self.n_users_, self.n_videos_ = n_users, n_videos
        self.train_ = train
        return self

    def recommend(self, user_ids, k: int) -> pd.DataFrame:
        """Each user's top ``k`` of the merged candidates by the ranker's probability."""
        pairs = merged_candidates(self.train_, user_ids, self.n_users_, self.n_videos_, self.k_per_source, self.seed)
        with threadpool_limits(limits=1):
            pairs["score"] = self.model_.predict_proba(pairs[list(FEATURES)])[:, 1]
        ranked = pairs.sort_values(["user_id", "score", "video_id"], ascending=[True, False, True], kind="stable")
        ranked["rank"] = ranked.groupby("user_id").cumcount() + 1
        return ranked[ranked["rank"] <= k][["user_id", "video_id", "score", "rank"]].reset_index(drop=True)


def _scores_of_pairs(source, pairs: pd.DataFrame, block_rows: int = 200_000) -> np.ndarray:
    """The source's score of each (user, video) pair, computed a block of users at a time."""
    scores = np.empty(len(pairs))
    for start in range(0, len(pairs), block_rows):
        block = pairs.iloc[start : start + block_rows]
        users, inverse = np.unique(block["user_id"].to_numpy(), return_inverse=True)
        scores[start : start + len(block)] = source.scores(users)[inverse, block["video_id"].to_numpy()]
    return scores


def _ranks_of_pairs(own_list: pd.DataFrame, pairs: pd.DataFrame, missing: float) -> np.ndarray:
    """Each pair's rank in the source's own list, ``missing`` where the source did not propose it."""
    ranks = np.full(len(pairs), float(missing))
    if len(own_list):
        key = lambda frame: pd.MultiIndex.from_frame(frame[["user_id", "video_id"]])  # noqa: E731
        position = key(own_list).get_indexer(key(pairs))
        ranks[position >= 0] = own_list["rank"].to_numpy()[position[position >= 0]]
    return ranks


def _add_history_features(pairs: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    now = history["time"].max()
    videos = history.groupby("video_id").agg(video_audience=("user_id", "nunique"), first_watch=("time", "min"))
    users = history.groupby("user_id").agg(user_watches=("video_id", "size"), user_mean_engagement=("engagement", "mean"))
    pairs["video_audience_share"] = pairs["video_id"].map(videos["video_audience"]).fillna(0).to_numpy() / max(len(users), 1)
    pairs["video_days_since_first_watch"] = (now - pairs["video_id"].map(videos["first_watch"])).to_numpy(dtype=float)
    pairs["user_watches_per_mean"] = pairs["user_id"].map(users["user_watches"]).fillna(0).to_numpy() / users["user_watches"].mean()
    pairs["user_mean_engagement"] = pairs["user_id"].map(users["user_mean_engagement"]).to_numpy(dtype=float)
    return pairs

"""The recommenders: cheap candidate sources, and a ranker that orders their merged candidates.

Candidate generation narrows millions of videos to a few hundred per user. Every source scores all
videos for a block of users at once (``scores(user_ids) -> matrix``), and :func:`recommend` keeps
each user's top k, never a video the user already watched in training. The candidate stage is
judged by **recall@k** — did the few hundred candidates contain what the user went on to
watch? — because the ranker can only reorder what it is given.

- :class:`PopularSource` — the most watched videos of the training period, the same for everyone
  (the baseline).
- :class:`CoVisitationSource` — item to item: videos watched by the same users as the user's own
  videos, by cosine similarity of their audiences: ``sim(i, j) = n_ij / sqrt(n_i n_j)``.
- :class:`MatrixFactorizationSource` — PureSVD (Cremonesi et al. 2010): a rank-``d`` truncated SVD
  of the binary user × video matrix ``X ≈ U Σ Vᵀ``; a user's scores are ``x_u V Vᵀ``.

Users with no training history get zero scores from the two personalised sources — the cold-start
problem in one line — and their "recommendations" are then arbitrary.

The ranking stage (:class:`TwoStageRecommender`) needs labels *after* the features: the training
period is cut in time into a history (the first ``1 - label_share``) and a label window (the rest).
The candidate sources are fit on the history, generate candidates for the users active in the label
window, and a pair's label is whether the user went on to watch that video with relevant engagement
in the window. To recommend, the sources are refit on the whole training period and the trained
ranker orders their candidates.

Features of a pair (:data:`FEATURES`, all computable from the interactions table alone, so
simulated and MovieLens data work alike): each source's rank (a missing rank counts as
``k_per_source + 1``), the personalised sources' scores relative to the user's best candidate
score, the share of users who watched the video and the time since its first watch, the user's
watches relative to the average user and their mean engagement. The features are relative on
purpose: the ranker learns on a shorter history than it serves on, and raw counts would grow
between the two — a train/serve skew of its own. Model: scikit-learn's
``HistGradientBoostingClassifier`` (log loss), single-threaded.

Every ranking compares scores at :data:`mlsd.ordering.SIGNIFICANT_DIGITS` significant digits and
breaks ties by the lower video id, so the lists do not depend on a score's last bits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT, relevant
from mlsd.ordering import rounded_scores, top_k_columns
from mlsd.validation import check_int, check_number

BLOCK_USERS = 512
FEATURES = (
    "popular_rank", "co_visitation_rank", "co_visitation_score", "mf_rank", "mf_score",
    "video_audience_share", "video_days_since_first_watch", "user_watches_per_mean",
    "user_mean_engagement",
)
RECOMMENDATION_COLUMNS = ["user_id", "video_id", "score", "rank"]


def watch_matrix(interactions: pd.DataFrame, n_users: int, n_videos: int) -> sparse.csr_matrix:
    """Binary user × video matrix: 1 where the user watched the video (repeats count once)."""
    users, videos = interactions["user_id"].to_numpy(), interactions["video_id"].to_numpy()
    matrix = sparse.csr_matrix((np.ones(len(users)), (users, videos)), shape=(n_users, n_videos))
    matrix.data[:] = 1.0
    return matrix


class PopularSource:
    """Score = number of training users who watched the video."""

    name = "popular"

    def fit(self, watched: sparse.csr_matrix) -> PopularSource:
        self.counts_ = np.asarray(watched.sum(axis=0)).ravel()
        return self

    def scores(self, user_ids: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.counts_, (len(user_ids), len(self.counts_))).copy()


class CoVisitationSource:
    """Score of video ``j`` for user ``u`` = Σ over the user's videos ``i`` of ``sim(i, j)``."""

    name = "co-visitation"

    def fit(self, watched: sparse.csr_matrix) -> CoVisitationSource:
        audience = np.sqrt(np.asarray(watched.sum(axis=0)).ravel())
        together = (watched.T @ watched).tocsr().astype(float)
        together.setdiag(0)
        inverse_audience = np.divide(1.0, audience, out=np.zeros_like(audience), where=audience > 0)
        inverse = sparse.diags(inverse_audience)
        self.similarity_ = (inverse @ together @ inverse).tocsr()
        self.watched_ = watched
        return self

    def scores(self, user_ids: np.ndarray) -> np.ndarray:
        return (self.watched_[user_ids] @ self.similarity_).toarray()


class MatrixFactorizationSource:
    """PureSVD with ``n_factors`` factors (scikit-learn's ``TruncatedSVD``, seeded)."""

    name = "matrix factorisation"

    def __init__(self, n_factors: int = 32, seed: int = 0):
        self.n_factors, self.seed = check_int("n_factors", n_factors, 1), seed

    def fit(self, watched: sparse.csr_matrix) -> MatrixFactorizationSource:
        n_factors = min(self.n_factors, min(watched.shape) - 1)
        with threadpool_limits(limits=1):
            svd = TruncatedSVD(n_factors, random_state=self.seed).fit(watched)
        self.video_factors_ = svd.components_.T
        self.watched_ = watched
        return self

    def scores(self, user_ids: np.ndarray) -> np.ndarray:
        return (self.watched_[user_ids] @ self.video_factors_) @ self.video_factors_.T


def default_sources(seed: int = 0) -> dict:
    """The three candidate sources, keyed by the prefix of their feature names."""
    return {
        "popular": PopularSource(),
        "co_visitation": CoVisitationSource(),
        "mf": MatrixFactorizationSource(seed=seed),
    }


def recommend(source, watched: sparse.csr_matrix, user_ids, k: int) -> pd.DataFrame:
    """Each user's top ``k`` videos by the source's score, excluding videos watched in training.

    Returns one row per (user, video) with ``score`` and ``rank`` (1 = best), users in the given
    order, ties by the lower video id. A user with fewer than ``k`` unwatched videos gets them all.
    """
    k = min(check_int("k", k, 1), watched.shape[1])
    user_ids = np.asarray(user_ids, dtype=np.int64)
    blocks = [
        _top_k_block(source, watched, user_ids[first : first + BLOCK_USERS], k)
        for first in range(0, len(user_ids), BLOCK_USERS)
    ]
    if not blocks:
        return pd.DataFrame(columns=RECOMMENDATION_COLUMNS)
    return pd.concat(blocks, ignore_index=True)


def merged_candidates(
    history: pd.DataFrame, user_ids, n_users: int, n_videos: int, k_per_source: int, seed: int = 0
) -> pd.DataFrame:
    """The union of every source's top ``k_per_source`` for each user, with each pair's features."""
    watched = watch_matrix(history, n_users, n_videos)
    sources = {name: source.fit(watched) for name, source in default_sources(seed).items()}
    lists = [
        recommend(source, watched, user_ids, k_per_source).assign(source=name)
        for name, source in sources.items()
    ]
    pairs = pd.concat(lists, ignore_index=True)[["user_id", "video_id"]]
    pairs = pairs.drop_duplicates(ignore_index=True)
    for (name, source), own_list in zip(sources.items(), lists):
        scores = _scores_of_pairs(source, pairs)
        best = pd.Series(scores).groupby(pairs["user_id"].to_numpy()).transform("max").to_numpy()
        pairs[f"{name}_score"] = np.divide(scores, best, out=np.zeros_like(scores), where=best > 0)
        pairs[f"{name}_rank"] = _ranks_of_pairs(own_list, pairs, missing=k_per_source + 1)
    return _add_history_features(pairs, history)


class TwoStageRecommender:
    """Candidate sources, then a gradient-boosted ranker over their merged candidates.

    ``k_per_source`` candidates come from each source; ``label_share`` of the training period (by
    time), in ``(0, 1)``, provides the ranker's labels: a pair is positive when the user went on to
    watch the video in that window with engagement >= ``threshold`` (:func:`~.schema.relevant`).
    """

    def __init__(
        self,
        k_per_source: int = 100,
        label_share: float = 0.2,
        max_iter: int = 200,
        seed: int = 0,
        threshold: float = RELEVANT_ENGAGEMENT,
    ):
        check_number("label_share", label_share, 0, 1, low_open=True, high_open=True)
        self.k_per_source, self.label_share = k_per_source, label_share
        self.max_iter, self.seed = max_iter, seed
        self.threshold = check_number("threshold", threshold, 0, 1)

    def fit(self, train: pd.DataFrame, n_users: int, n_videos: int) -> TwoStageRecommender:
        cutoff = train["time"].quantile(1 - self.label_share)
        history, window = train[train["time"] < cutoff], train[train["time"] >= cutoff]
        users = np.unique(window["user_id"].to_numpy())
        pairs = merged_candidates(history, users, n_users, n_videos, self.k_per_source, self.seed)
        liked = window[relevant(window, self.threshold)]
        labels = _pair_index(pairs).isin(_pair_index(liked))
        model = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=0.05,
            max_leaf_nodes=15,
            early_stopping=False,
            random_state=self.seed,
        )
        with threadpool_limits(limits=1):
            self.model_ = model.fit(pairs[list(FEATURES)], labels.astype(int))
        self.n_users_, self.n_videos_ = n_users, n_videos
        self.train_ = train
        return self

    def recommend(self, user_ids, k: int) -> pd.DataFrame:
        """Each user's top ``k`` of the merged candidates by the ranker's probability."""
        pairs = merged_candidates(
            self.train_, user_ids, self.n_users_, self.n_videos_, self.k_per_source, self.seed
        )
        with threadpool_limits(limits=1):
            pairs["score"] = self.model_.predict_proba(pairs[list(FEATURES)])[:, 1]
        pairs["rounded"] = rounded_scores(pairs["score"].to_numpy())
        ranked = pairs.sort_values(
            ["user_id", "rounded", "video_id"], ascending=[True, False, True], kind="stable"
        )
        ranked["rank"] = ranked.groupby("user_id").cumcount() + 1
        return ranked[ranked["rank"] <= k][RECOMMENDATION_COLUMNS].reset_index(drop=True)


def _top_k_block(source, watched: sparse.csr_matrix, users: np.ndarray, k: int) -> pd.DataFrame:
    scores = source.scores(users).astype(float)
    seen_rows, seen_videos = watched[users].nonzero()
    scores[seen_rows, seen_videos] = -np.inf
    order = top_k_columns(scores, k)
    block = pd.DataFrame(
        {
            "user_id": np.repeat(users, k),
            "video_id": order.ravel(),
            "score": np.take_along_axis(scores, order, axis=1).ravel(),
            "rank": np.tile(np.arange(1, k + 1), len(users)),
        }
    )
    # a user who watched nearly everything gets fewer than k
    return block[np.isfinite(block["score"].to_numpy())]


def _pair_index(frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[["user_id", "video_id"]])


def _scores_of_pairs(source, pairs: pd.DataFrame, block_rows: int = 200_000) -> np.ndarray:
    """The source's score of each (user, video) pair, computed a block of users at a time."""
    scores = np.empty(len(pairs))
    for start in range(0, len(pairs), block_rows):
        block = pairs.iloc[start : start + block_rows]
        users, inverse = np.unique(block["user_id"].to_numpy(), return_inverse=True)
        block_scores = source.scores(users)
        scores[start : start + len(block)] = block_scores[inverse, block["video_id"].to_numpy()]
    return scores


def _ranks_of_pairs(own_list: pd.DataFrame, pairs: pd.DataFrame, missing: float) -> np.ndarray:
    """Each pair's rank in the source's own list, or ``missing`` where it did not propose it."""
    ranks = np.full(len(pairs), float(missing))
    if len(own_list):
        position = _pair_index(own_list).get_indexer(_pair_index(pairs))
        ranks[position >= 0] = own_list["rank"].to_numpy()[position[position >= 0]]
    return ranks


def _add_history_features(pairs: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    now = history["time"].max()
    videos = history.groupby("video_id").agg(
        video_audience=("user_id", "nunique"), first_watch=("time", "min")
    )
    users = history.groupby("user_id").agg(
        user_watches=("video_id", "size"), user_mean_engagement=("engagement", "mean")
    )
    audience = pairs["video_id"].map(videos["video_audience"]).fillna(0).to_numpy()
    watches = pairs["user_id"].map(users["user_watches"]).fillna(0).to_numpy()
    first_watch = pairs["video_id"].map(videos["first_watch"])
    pairs["video_audience_share"] = audience / max(len(users), 1)
    pairs["video_days_since_first_watch"] = (now - first_watch).to_numpy(dtype=float)
    pairs["user_watches_per_mean"] = watches / users["user_watches"].mean()
    mean_engagement = pairs["user_id"].map(users["user_mean_engagement"])
    pairs["user_mean_engagement"] = mean_engagement.to_numpy(dtype=float)
    return pairs

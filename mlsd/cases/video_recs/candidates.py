"""Candidate generation: cheap sources that narrow millions of videos to a few hundred per user.

Every source scores all videos for a block of users at once (``scores(user_ids) -> matrix``), and
:func:`recommend` keeps each user's top k, never a video the user already watched in training.
The candidate stage is judged by **recall@k** — did the few hundred candidates contain what the
user went on to watch? — because the ranker can only reorder what it is given.

- :class:`PopularSource` — the most watched videos of the training period, the same for everyone.
- :class:`CoVisitationSource` — item to item: videos watched by the same users as the user's own
  videos, by cosine similarity of their audiences: ``sim(i, j) = n_ij / sqrt(n_i n_j)``.
- :class:`MatrixFactorizationSource` — PureSVD (Cremonesi et al. 2010): a rank-``d`` truncated SVD
  of the binary user × video matrix ``X ≈ U Σ Vᵀ``; a user's scores are ``x_u V Vᵀ``.

Users with no training history get zero scores from the two personalised sources — the cold-start
problem in one line — and their "recommendations" are then arbitrary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from threadpoolctl import threadpool_limits

from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT, relevant
from mlsd.metrics.ranking import RankedLists

BLOCK_USERS = 512


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
        inverse = sparse.diags(np.divide(1.0, audience, out=np.zeros_like(audience), where=audience > 0))
        self.similarity_ = (inverse @ together @ inverse).tocsr()
        self.watched_ = watched
        return self

    def scores(self, user_ids: np.ndarray) -> np.ndarray:
        return (self.watched_[user_ids] @ self.similarity_).toarray()


class MatrixFactorizationSource:
    """PureSVD with ``n_factors`` factors (scikit-learn's ``TruncatedSVD``, seeded)."""

    name = "matrix factorisation"

    def __init__(self, n_factors: int = 32, seed: int = 0):
        if not isinstance(n_factors, (int, np.integer)) or n_factors < 1:
            raise ValueError(f"n_factors must be an integer >= 1; got {n_factors!r}")
        self.n_factors, self.seed = n_factors, seed

    def fit(self, watched: sparse.csr_matrix) -> MatrixFactorizationSource:
        n_factors = min(self.n_factors, min(watched.shape) - 1)
        with threadpool_limits(limits=1):
            self.video_factors_ = TruncatedSVD(n_factors, random_state=self.seed).fit(watched).components_.T
        self.watched_ = watched
        return self

    def scores(self, user_ids: np.ndarray) -> np.ndarray:
        return (self.watched_[user_ids] @ self.video_factors_) @ self.video_factors_.T


def recommend(source, watched: sparse.csr_matrix, user_ids, k: int) -> pd.DataFrame:
    """Each user's top ``k`` videos by the source's score, excluding videos watched in training.

    Returns one row per (user, video) with ``score`` and ``rank`` (1 = best), users in the given
    order. Ties in score are broken by the lower video id. A user with fewer than ``k`` unwatched
    videos gets them all.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an integer >= 1; got {k!r}")
    user_ids = np.asarray(user_ids, dtype=np.int64)
    k = min(k, watched.shape[1])
    blocks = [_top_k_block(source, watched, user_ids[i : i + BLOCK_USERS], k) for i in range(0, len(user_ids), BLOCK_USERS)]
    return pd.concat(blocks, ignore_index=True) if blocks else pd.DataFrame(columns=["user_id", "video_id", "score", "rank"])


def evaluation_lists(recommendations: pd.DataFrame, test: pd.DataFrame, threshold: float = RELEVANT_ENGAGEMENT) -> RankedLists:
    """The recommendations as ranked lists, a row relevant when the user went on to watch it in
    ``test`` with engagement >= ``threshold`` (a tiny threshold counts every watch); each user's
    ``n_relevant`` counts all their relevant test events, found or not. Users with no relevant test
    event are left out."""
    liked = test[relevant(test, threshold)]
    n_liked = liked.groupby("user_id").size()
    rows = recommendations[recommendations["user_id"].isin(n_liked.index)]
    hit = pd.MultiIndex.from_frame(rows[["user_id", "video_id"]]).isin(pd.MultiIndex.from_frame(liked[["user_id", "video_id"]]))
    return RankedLists(hit.astype(float), -rows["rank"].to_numpy(), rows["user_id"].to_numpy(), n_relevant=rows["user_id"].map(n_liked).to_numpy())


def _top_k_block(source, watched: sparse.csr_matrix, users: np.ndarray, k: int) -> pd.DataFrame:
    scores = source.scores(users).astype(float)
    seen_rows, seen_videos = watched[users].nonzero()
    scores[seen_rows, seen_videos] = -np.inf
    order = np.lexsort((np.broadcast_to(np.arange(scores.shape[1]), scores.shape), -scores), axis=1)[:, :k]
    block = pd.DataFrame(
        {
            "user_id": np.repeat(users, k),
            "video_id": order.ravel(),
            "score": np.take_along_axis(scores, order, axis=1).ravel(),
            "rank": np.tile(np.arange(1, k + 1), len(users)),
        }
    )
    return block[np.isfinite(block["score"].to_numpy())]  # a user who watched nearly everything gets fewer

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
problem in one line — and their "recommendations" are then arbitrary: a tie among all videos.

The ranking stage (:class:`TwoStageRecommender`) needs labels *after* the features: the training
period is cut in time into a history (the first ``1 - label_share``) and a label window (the rest).
The candidate sources are fit on the history and generate candidates for the users active in the
label window; what a pair learns from that window is the ranker's **objective**
(:data:`OBJECTIVES`):

``"completion"`` (the default)
    label 1 when the user went on to watch the video in the window with relevant engagement
    (``>= threshold``, :func:`~.schema.relevant`: by default 80% of it watched), else 0; the
    ranker's probability estimates the chance of a completed watch.
``"watch_time"``
    weighted logistic regression in the manner of Covington, Adams & Sargin (2016), *Deep Neural
    Networks for YouTube Recommendations* (RecSys), section 4.2: a pair the user watched in the
    window is a positive **weighted by its watch minutes**, every other pair a negative of weight
    1. The odds ``p / (1 − p)`` such a classifier learns are then ``Σ T / N_negative``: with
    ``E[T] = Σ T / N`` the expected watch minutes of showing the video and ``P`` the chance it is
    watched, that is ``E[T] / (1 − P) ≈ E[T] (1 + P)``, about ``E[T]`` since watches are rare
    among candidates — so ranking by ``p`` ranks by expected watch time. It needs the
    ``watch_seconds`` column (the simulator's; a MovieLens rating has no watch time).

A completion label counts a 2-minute and a 30-minute video the same when both are 80% watched:
it is blind to how many minutes a list earns, which is what a watch-time objective optimises. To
recommend, the sources are refit on the whole training period and the trained ranker orders their
candidates.

Features of a pair (:data:`FEATURES`, all computable from the interactions table alone, so
simulated and MovieLens data work alike): each source's rank (a missing rank counts as
``k_per_source + 1``), the personalised sources' scores relative to the user's best candidate
score, the share of users who watched the video, the time since its first watch, its mean
engagement and mean watch minutes per watch (missing — NaN, which the trees route on their own —
for a video without a watch in the history; on data without ``watch_seconds`` the watch minutes are
left out of the model, ``features_``), the user's watches relative to the average user and their
mean engagement. The features are relative on purpose: the ranker learns on a shorter history than
it serves on, and raw counts would grow between the two — a train/serve skew of its own. Model:
scikit-learn's ``HistGradientBoostingClassifier`` (log loss), single-threaded.

Every ranking compares scores at :data:`mlsd.ordering.SIGNIFICANT_DIGITS` significant digits, so
the lists do not depend on a score's last bits, and breaks the ties that remain by a rule that
carries no signal:

- a **personalised** ranking — a source with a ``seed`` (co-visitation, matrix factorisation) and
  the ranker — orders tied videos by :func:`tie_break_keys`, a pseudo-random key of
  ``(seed, user, video)``: deterministic for a seed, different from user to user. A user with no
  history, whose scores all tie, gets a uniformly random list. (Ordering ties by the lower video
  id instead gave every new user the same lowest ids, a fixed sample of the catalogue that can be
  far more, or less, popular than a random one: under seed 7 the 100 lowest of 2,000 ids hold 21%
  of the popularity mass, against 5% for 100 ids drawn at random.)
- a **global** ranking — a source without a seed (the most-popular list, trending) — is one list
  for everyone, and orders ties by the lower video id, as the published MovieLens protocol's count
  table does (:mod:`.published`); ids carry no signal in the simulator or the loaders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT, relevant
from mlsd.ordering import rounded_scores
from mlsd.validation import check_choice, check_int, check_number

BLOCK_USERS = 512
FEATURES = (
    "popular_rank", "co_visitation_rank", "co_visitation_score", "mf_rank", "mf_score",
    "video_audience_share", "video_days_since_first_watch", "video_mean_engagement",
    "video_mean_watch_minutes", "user_watches_per_mean", "user_mean_engagement",
)
OBJECTIVES = ("completion", "watch_time")
"""What the ranker learns from its label window (the module docstring defines each)."""
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
    """Score of video ``j`` for user ``u`` = Σ over the user's videos ``i`` of ``sim(i, j)``.

    ``seed`` breaks ties (:func:`tie_break_keys`).
    """

    name = "co-visitation"

    def __init__(self, seed: int = 0):
        self.seed = check_int("seed", seed, 0)

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
    """PureSVD with ``n_factors`` factors (scikit-learn's ``TruncatedSVD``, seeded by ``seed``,
    which also breaks ties: :func:`tie_break_keys`)."""

    name = "matrix factorisation"

    def __init__(self, n_factors: int = 32, seed: int = 0):
        self.n_factors, self.seed = check_int("n_factors", n_factors, 1), check_int("seed", seed, 0)

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
        "co_visitation": CoVisitationSource(seed=seed),
        "mf": MatrixFactorizationSource(seed=seed),
    }


def recommend(source, watched: sparse.csr_matrix, user_ids, k: int) -> pd.DataFrame:
    """Each user's top ``k`` videos by the source's score, excluding videos watched in training.

    Returns one row per (user, video) with ``score`` and ``rank`` (1 = best), users in the given
    order. Ties (after rounding) are broken by :func:`tie_break_keys` with the source's ``seed``
    when it has one, by the lower video id when it has none (the module docstring says why). A
    user with fewer than ``k`` unwatched videos gets them all.
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
    time), in ``(0, 1)``, provides the ranker's labels. With ``objective="completion"`` a pair is
    positive when the user went on to watch the video in that window with engagement >=
    ``threshold`` (:func:`~.schema.relevant`); with ``objective="watch_time"`` every watch in the
    window is a positive weighted by its minutes, every other pair a negative of weight 1 (the
    module docstring: Covington et al. 2016), and ``threshold`` is not used.

    Both objectives see the features binned the same way: each feature with more than
    :data:`MAX_BINS` distinct training values is replaced by its bin among the unweighted
    quantiles of the training pairs (:func:`_bin_edges`), the binning the trees would make
    themselves. Binning first keeps the watch-time objective's sample weights out of it:
    scikit-learn would otherwise compute weighted quantiles, bin edge by bin edge, which took
    three of the five seconds of fitting that ranker.
    """

    def __init__(
        self,
        k_per_source: int = 100,
        label_share: float = 0.2,
        max_iter: int = 200,
        seed: int = 0,
        threshold: float = RELEVANT_ENGAGEMENT,
        objective: str = "completion",
    ):
        check_number("label_share", label_share, 0, 1, low_open=True, high_open=True)
        self.k_per_source, self.label_share = k_per_source, label_share
        self.max_iter, self.seed = max_iter, check_int("seed", seed, 0)
        self.threshold = check_number("threshold", threshold, 0, 1)
        self.objective = check_choice("objective", objective, OBJECTIVES)

    def fit(self, train: pd.DataFrame, n_users: int, n_videos: int) -> TwoStageRecommender:
        cutoff = train["time"].quantile(1 - self.label_share)
        history, window = train[train["time"] < cutoff], train[train["time"] >= cutoff]
        users = np.unique(window["user_id"].to_numpy())
        self._check_objective(train)
        pairs = merged_candidates(history, users, n_users, n_videos, self.k_per_source, self.seed)
        self.n_users_, self.n_videos_ = n_users, n_videos
        self.train_, self.training_pairs_, self.window_ = train, pairs, window
        self._candidates = None
        return self._fit_model()

    def refit(self, objective: str) -> TwoStageRecommender:
        """A copy of this fitted recommender trained with another ``objective`` on the same
        candidates and label window (the candidate stage is shared, only the ranker is trained)."""
        if not hasattr(self, "model_"):
            raise ValueError("refit needs a fitted TwoStageRecommender: call fit first")
        other = TwoStageRecommender(
            self.k_per_source, self.label_share, self.max_iter, self.seed, self.threshold, objective
        )
        other._check_objective(self.train_)
        other.n_users_, other.n_videos_ = self.n_users_, self.n_videos_
        other.train_, other.training_pairs_ = self.train_, self.training_pairs_
        other.window_, other._candidates = self.window_, self._candidates
        return other._fit_model()

    def _check_objective(self, train: pd.DataFrame) -> None:
        if self.objective == "watch_time" and "watch_seconds" not in train.columns:
            raise ValueError(
                "objective 'watch_time' needs a watch_seconds column (the simulator has one); "
                f"these interactions have {list(train.columns)} (a MovieLens rating has no watch "
                "time): use objective 'completion'"
            )

    def _fit_model(self) -> TwoStageRecommender:
        pairs = self.training_pairs_
        labels, weights = self._labels(pairs, self.window_)
        # a feature these data cannot have (watch minutes of a MovieLens file) is left out
        self.features_ = [name for name in FEATURES if pairs[name].notna().any()]
        model = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=0.05,
            max_leaf_nodes=15,
            early_stopping=False,
            random_state=self.seed,
        )
        self.bin_edges_ = {name: _bin_edges(pairs[name].to_numpy(dtype=float)) for name in self.features_}
        with threadpool_limits(limits=1):
            self.model_ = model.fit(self._binned(pairs), labels, sample_weight=weights)
        self._ranked = None
        return self

    def _binned(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """The ranker's features of ``pairs``, each binned by its training edges (None: as is)."""
        return pd.DataFrame({name: _binned(pairs[name].to_numpy(dtype=float), self.bin_edges_[name])
                             for name in self.features_}, index=pairs.index)

    def _labels(self, pairs: pd.DataFrame, window: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Each candidate pair's label and sample weight (None: every pair weighs 1)."""
        if self.objective == "completion":
            liked = window[relevant(window, self.threshold)]
            return _pair_index(pairs).isin(_pair_index(liked)).astype(int), None
        minutes = window.groupby(["user_id", "video_id"])["watch_seconds"].sum() / 60
        position = minutes.index.get_indexer(_pair_index(pairs))
        watched = position >= 0
        weights = np.ones(len(pairs))
        weights[watched] = minutes.to_numpy()[position[watched]]
        return watched.astype(int), weights

    def candidates(self, user_ids) -> pd.DataFrame:
        """The merged candidates of ``user_ids`` with their features (:func:`merged_candidates` of
        the sources refit on the whole training period); the last users' are kept and reused."""
        users = np.asarray(user_ids, dtype=np.int64)
        if self._candidates is None or not np.array_equal(self._candidates[0], users):
            pairs = merged_candidates(
                self.train_, users, self.n_users_, self.n_videos_, self.k_per_source, self.seed
            )
            self._candidates = (users.copy(), pairs)
        return self._candidates[1].copy()

    def recommend(self, user_ids, k: int) -> pd.DataFrame:
        """Each user's top ``k`` of the merged candidates by the ranker's probability (the ranking
        of the last users asked is kept, so asking again for another ``k`` costs no scoring)."""
        k = check_int("k", k, 1)
        users = np.asarray(user_ids, dtype=np.int64)
        if self._ranked is None or not np.array_equal(self._ranked[0], users):
            self._ranked = (users.copy(), self._rank(users))
        ranked = self._ranked[1]
        return ranked[ranked["rank"] <= k].reset_index(drop=True)

    def _rank(self, users: np.ndarray) -> pd.DataFrame:
        """Every merged candidate of ``users``, ranked by the ranker's probability."""
        pairs = self.candidates(users)
        with threadpool_limits(limits=1):
            pairs["score"] = self.model_.predict_proba(self._binned(pairs))[:, 1]
        pairs["rounded"] = rounded_scores(pairs["score"].to_numpy())
        pairs["tie"] = tie_break_keys(
            self.seed, pairs["user_id"].to_numpy(), pairs["video_id"].to_numpy()
        )
        ranked = pairs.sort_values(
            ["user_id", "rounded", "tie"], ascending=[True, False, True], kind="stable"
        )
        ranked["rank"] = ranked.groupby("user_id").cumcount() + 1
        return ranked[RECOMMENDATION_COLUMNS].reset_index(drop=True)


def tie_break_keys(seed: int, user_ids, video_ids) -> np.ndarray:
    """A pseudo-random ``uint64`` key for each (user, video) pair, the same for the same ``seed``.

    ``user_ids`` and ``video_ids`` broadcast against each other (a column of users and a row of
    videos give a users × videos matrix). The key is SplitMix64 (Steele, Lea & Flood 2014,
    *Fast splittable pseudorandom number generators*, OOPSLA) of the video id mixed into the
    SplitMix64 of the seed mixed with the user id: a pure function of ``(seed, user, video)``, so a
    list does not depend on which other users are in the same call or block. Sorting tied videos
    by their keys orders them uniformly at random, differently for each user and seed.
    """
    seed = check_int("seed", seed, 0)
    users = np.asarray(user_ids, dtype=np.uint64)
    videos = np.asarray(video_ids, dtype=np.uint64)
    seeded = _splitmix64(np.full(1, seed, dtype=np.uint64))
    return _splitmix64(_splitmix64(seeded ^ users) ^ videos)


def _splitmix64(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser of ``values + γ`` (γ = 0x9E3779B97F4A7C15), wrapping modulo 2^64."""
    with np.errstate(over="ignore"):
        z = np.asarray(values, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _top_k_block(source, watched: sparse.csr_matrix, users: np.ndarray, k: int) -> pd.DataFrame:
    scores = source.scores(users).astype(float)
    seen_rows, seen_videos = watched[users].nonzero()
    scores[seen_rows, seen_videos] = -np.inf
    order = _top_k_order(scores, users, k, getattr(source, "seed", None))
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


def _top_k_order(scores: np.ndarray, users: np.ndarray, k: int, seed) -> np.ndarray:
    """Column indices of each row's ``k`` highest rounded scores, ties by the row's
    :func:`tie_break_keys` under ``seed`` (by the lower column when ``seed`` is None).

    Only the columns at or above a row's k-th highest score can be in its top k, so those (found by
    a partition) are sorted; a row with many ties at its k-th score (a user without history ties
    on every video), or a ``k`` above an eighth of the columns, is sorted whole. Both give the
    order of a full sort by (score, key).
    """
    rounded = rounded_scores(scores)
    n_rows, n_columns = rounded.shape
    order = np.empty((n_rows, k), dtype=np.int64)
    if 8 * k <= n_columns:
        kth = -np.partition(-rounded, k - 1, axis=1)[:, k - 1]
        keep = rounded >= kth[:, None]
        narrow = keep.sum(axis=1) <= 4 * k
    else:  # a long list of a short catalogue: sorting every column is as cheap
        keep, narrow = None, np.zeros(n_rows, dtype=bool)
    if narrow.any():
        width = int(keep[narrow].sum(axis=1).max())
        columns = np.argsort(~keep[narrow], axis=1, kind="stable")[:, :width]
        valid = np.take_along_axis(keep[narrow], columns, axis=1)
        values = np.where(valid, np.take_along_axis(rounded[narrow], columns, axis=1), -np.inf)
        ties = columns if seed is None else tie_break_keys(seed, users[narrow, None], columns)
        within = np.lexsort((ties, ~valid, -values), axis=1)[:, :k]
        order[narrow] = np.take_along_axis(columns, within, axis=1)
    if (~narrow).any():
        every = np.arange(n_columns)[None, :]
        ties = every if seed is None else tie_break_keys(seed, users[~narrow, None], every)
        ties = np.broadcast_to(ties, rounded[~narrow].shape)
        order[~narrow] = np.lexsort((ties, -rounded[~narrow]), axis=1)[:, :k]
    return order


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
    aggregates = {"video_audience": ("user_id", "nunique"), "first_watch": ("time", "min"),
                  "mean_engagement": ("engagement", "mean")}
    if "watch_seconds" in history.columns:
        aggregates["mean_watch_seconds"] = ("watch_seconds", "mean")
    videos = history.groupby("video_id").agg(**aggregates)
    users = history.groupby("user_id").agg(
        user_watches=("video_id", "size"), user_mean_engagement=("engagement", "mean")
    )
    video, user = pairs["video_id"], pairs["user_id"]
    audience = video.map(videos["video_audience"]).fillna(0).to_numpy()
    watches = user.map(users["user_watches"]).fillna(0).to_numpy()
    pairs["video_audience_share"] = audience / max(len(users), 1)
    pairs["video_days_since_first_watch"] = (now - video.map(videos["first_watch"])).to_numpy(float)
    pairs["video_mean_engagement"] = video.map(videos["mean_engagement"]).to_numpy(dtype=float)
    if "mean_watch_seconds" in videos.columns:
        seconds = video.map(videos["mean_watch_seconds"]).to_numpy(dtype=float)
        pairs["video_mean_watch_minutes"] = seconds / 60
    else:  # no watch time in these data (MovieLens): missing for every pair
        pairs["video_mean_watch_minutes"] = np.nan
    pairs["user_watches_per_mean"] = watches / users["user_watches"].mean()
    pairs["user_mean_engagement"] = user.map(users["user_mean_engagement"]).to_numpy(dtype=float)
    return pairs


MAX_BINS = 255
"""The most bins a feature of the ranker keeps: scikit-learn's histogram trees bin into 255."""


def _bin_edges(values: np.ndarray) -> np.ndarray | None:
    """The edges between :data:`MAX_BINS` equal-count bins of the finite ``values`` — midpoints of
    the unweighted quantiles at ``j / MAX_BINS``, ``j = 1 … MAX_BINS - 1`` — or None when there
    are no more distinct values than bins (the trees then bin each value alone)."""
    finite = values[np.isfinite(values)]
    if len(np.unique(finite)) <= MAX_BINS:
        return None
    levels = np.linspace(0, 100, MAX_BINS + 1)[1:-1]
    return np.unique(np.percentile(finite, levels, method="midpoint"))


def _binned(values: np.ndarray, edges: np.ndarray | None) -> np.ndarray:
    """``values`` replaced by their bin (0, 1, …: the number of edges below or at each value);
    NaN stays NaN (the trees' missing-value bin); unchanged without edges."""
    if edges is None:
        return values
    return np.where(np.isnan(values), np.nan, np.searchsorted(edges, values, side="right").astype(float))

"""Retrieval options for the candidate stage: matrix factorisation's exact top-k, an approximate
nearest-neighbour (ANN) index over its video vectors, and the table of options.

Matrix factorisation (:class:`~.models.MatrixFactorizationSource`) scores user ``u`` and video
``i`` by a dot product ``s(u, i) = q_u · v_i``: the user's query ``q_u = x_u V`` (the user's row
of the watch matrix times the video factors ``V``) and the video's vector ``v_i`` (a row of
``V``). **Exact** retrieval computes ``s(u, i)`` for every video — ``n_videos`` dot products of
length ``d`` per request — and keeps the top ``k``: nothing at 2,000 videos, too much at 100
million within a request's budget.

**Inverted-file (IVF) index** (Jégou, Douze & Schmid 2011, "Product Quantization for Nearest
Neighbor Search", IEEE TPAMI, section 4; FAISS's ``IndexIVFFlat``: Johnson, Douze & Jégou 2019,
"Billion-scale similarity search with GPUs", IEEE Transactions on Big Data):

- build: k-means (scikit-learn's ``KMeans``, k-means++ seeded by ``seed``, one thread) groups the
  video vectors into ``n_clusters`` clusters with centroids ``c_j``; each video is listed under
  its cluster;
- search: a query ranks the centroids by ``q_u · c_j`` — the inner product the scores use, as
  FAISS's inner-product IVF does; ties by the lower cluster — and scores only the videos of its
  ``n_probe`` best clusters: ``n_clusters`` centroid products plus the probed lists' lengths.

The scored videos are ranked as :func:`~.models.recommend` ranks — rounded scores, ties by
:func:`~.models.tie_break_keys` under the factorisation's seed, never a video the user watched in
training — so with ``n_probe = n_clusters`` the list is exactly the exact one. Fewer probes score
fewer videos and can miss some of the exact top ``k``; a user whose probed clusters hold fewer
than ``k`` unwatched videos gets a shorter list. k-means puts most of the catalogue's rarely
watched videos, whose vectors are short, into a few large clusters near the origin, so the share
of videos a query scores is measured (:func:`ann_sweep`), not ``n_probe / n_clusters``.

:func:`retrieval_options` is the table of the candidate stage's options — when each wins, its cost
per request, its cold start, and the recall@100 measured here or the source of the claim where the
kit does not have the model (two-tower models).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from mlsd.cases.video_recs.evaluation import recall_curve
from mlsd.cases.video_recs.models import RECOMMENDATION_COLUMNS, tie_break_keys
from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT
from mlsd.ordering import rounded_scores
from mlsd.validation import check_distinct_ints, check_int

SWEEP_COLUMNS = ["scored_share", "ann_recall", "recall"]
"""Columns of :func:`ann_sweep`: the share of the catalogue scored per query, the ANN's recall of
the exact top ``k``, and the recall@k of held-out watches."""
OPTION_COLUMNS = ["when it wins", "cost per request", "cold start", "recall@100 here"]
"""Columns of :func:`retrieval_options`."""
OPTIONS = ("popular", "co-visitation", "matrix factorisation (exact)", "MF + IVF index",
           "two-tower with features")
"""Rows of :func:`retrieval_options`, the candidate stage's options."""
TWO_TOWER_SOURCE = ("Yi et al., RecSys 2019 (sampling-bias-corrected two-tower); "
                    "Covington et al., RecSys 2016")


class IVFIndex:
    """An inverted-file index of item vectors for top-k inner-product search (module docstring).

    ``n_clusters`` (at least 1, at most the number of items) k-means clusters; ``seed`` seeds
    k-means and breaks ties among equal scores (give it the factorisation's seed so that the
    ranking matches :func:`~.models.recommend`). After :meth:`fit`: ``centroids_``
    (``n_clusters × d``), ``cluster_of_`` (each item's cluster), ``cluster_sizes_``.
    """

    def __init__(self, n_clusters: int = 32, seed: int = 0):
        self.n_clusters = check_int("n_clusters", n_clusters, 1)
        self.seed = check_int("seed", seed, 0)

    def fit(self, item_vectors) -> IVFIndex:
        """Cluster the rows of ``item_vectors`` (``n_items × d``, finite)."""
        vectors = np.asarray(item_vectors, dtype=float)
        if vectors.ndim != 2 or not np.isfinite(vectors).all():
            raise ValueError(f"item_vectors must be a finite 2-D array (items × dimensions); got "
                             f"shape {vectors.shape}")
        if self.n_clusters > len(vectors):
            raise ValueError(f"n_clusters must be at most the number of items ({len(vectors)}); "
                             f"got {self.n_clusters}")
        with threadpool_limits(limits=1):
            kmeans = KMeans(self.n_clusters, random_state=self.seed, n_init=1).fit(vectors)
        self.vectors_, self.centroids_ = vectors, kmeans.cluster_centers_
        self.cluster_of_ = kmeans.labels_.astype(np.int64)
        self.cluster_sizes_ = np.bincount(self.cluster_of_, minlength=self.n_clusters)
        self.members_ = [np.flatnonzero(self.cluster_of_ == j) for j in range(self.n_clusters)]
        return self

    def probed(self, queries, n_probe: int) -> np.ndarray:
        """Boolean ``n_queries × n_clusters``: the ``n_probe`` clusters of each query's highest
        centroid inner products ``q · c_j`` (ties by the lower cluster)."""
        n_probe = check_int("n_probe", n_probe, 1, self.n_clusters)
        queries = np.asarray(queries, dtype=float)
        order = np.argsort(-rounded_scores(queries @ self.centroids_.T), axis=1, kind="stable")
        chosen = np.zeros((len(queries), self.n_clusters), dtype=bool)
        np.put_along_axis(chosen, order[:, :n_probe], True, axis=1)
        return chosen

    def scores(self, queries, n_probe: int) -> np.ndarray:
        """``n_queries × n_items`` inner products ``q · v_i`` for the items of each query's probed
        clusters, ``-inf`` elsewhere; only those products are computed, cluster by cluster."""
        queries = np.asarray(queries, dtype=float)
        chosen = self.probed(queries, n_probe)
        scores = np.full((len(queries), len(self.vectors_)), -np.inf)
        for cluster, members in enumerate(self.members_):
            rows = np.flatnonzero(chosen[:, cluster])
            if len(rows) and len(members):
                scores[np.ix_(rows, members)] = queries[rows] @ self.vectors_[members].T
        return scores

    def scored_share(self, queries, n_probe: int) -> np.ndarray:
        """Per query, the share of the items its search scores: probed lists' lengths / items."""
        return self.probed(queries, n_probe) @ self.cluster_sizes_ / len(self.vectors_)


def mf_queries(source, user_ids) -> np.ndarray:
    """The query vectors ``q_u = x_u V`` of a fitted :class:`~.models.MatrixFactorizationSource`
    (its scores are ``q_u · v_i``, ``V`` its ``video_factors_``)."""
    return np.asarray(source.watched_[np.asarray(user_ids, dtype=np.int64)]
                      @ source.video_factors_)


def ann_recommend(source, index: IVFIndex, watched: sparse.csr_matrix, user_ids, k: int,
                  n_probe: int) -> pd.DataFrame:
    """Each user's top ``k`` unwatched videos among those the ``index`` scores with ``n_probe``
    probes, for the factorisation ``source`` whose ``video_factors_`` the index holds.

    Same columns and ranking rule as :func:`~.models.recommend` (ties by
    :func:`~.models.tie_break_keys` under the index's ``seed``); a user whose probed clusters
    hold fewer than ``k`` unwatched videos gets them all.
    """
    k = min(check_int("k", k, 1), watched.shape[1])
    users = np.asarray(user_ids, dtype=np.int64)
    scores = index.scores(mf_queries(source, users), n_probe)
    seen_rows, seen_videos = watched[users].nonzero()
    scores[seen_rows, seen_videos] = -np.inf
    order, valid = _top_k_finite(scores, users, k, index.seed)
    frame = pd.DataFrame({
        "user_id": np.repeat(users, k), "video_id": order.ravel(),
        "score": np.take_along_axis(scores, order, axis=1).ravel(),
        "rank": np.tile(np.arange(1, k + 1), len(users)),
    })
    return frame[valid.ravel()][RECOMMENDATION_COLUMNS].reset_index(drop=True)


def ann_lists(source, index: IVFIndex, watched: sparse.csr_matrix, user_ids, k: int,
              n_probes) -> dict:
    """:func:`ann_recommend`'s list for every ``n_probe`` of ``n_probes``, from one ranking.

    A search with ``n_probe`` probes ranks the videos of its probed clusters by the rule every
    list follows (rounded score, then :func:`~.models.tie_break_keys`), so its list is the exact
    ranking of all unwatched videos restricted to those videos, cut at ``k``. Ranking every video
    once and reading each ``n_probe``'s list from that ranking gives the same lists as one
    :func:`ann_recommend` per ``n_probe`` (the tests check it) in a fraction of the time: this is
    how the sweep evaluates many settings, not how a search runs.
    """
    k = min(check_int("k", k, 1), watched.shape[1])
    n_probes = check_distinct_ints("n_probes", n_probes, 1, index.n_clusters)
    users = np.asarray(user_ids, dtype=np.int64)
    queries = mf_queries(source, users)
    scores = queries @ index.vectors_.T
    seen_rows, seen_videos = watched[users].nonzero()
    scores[seen_rows, seen_videos] = -np.inf
    order = _ranking(scores, users, index.seed)
    centroid_order = np.argsort(-rounded_scores(queries @ index.centroids_.T), axis=1,
                                kind="stable")
    cluster_rank = np.argsort(centroid_order, axis=1)
    probe_rank = np.take_along_axis(cluster_rank, index.cluster_of_[order], axis=1)
    unwatched = np.isfinite(np.take_along_axis(scores, order, axis=1))
    lists = {}
    for n_probe in n_probes:
        eligible = unwatched & (probe_rank < n_probe)
        rank = np.cumsum(eligible, axis=1)
        rows, positions = np.nonzero(eligible & (rank <= k))
        videos = order[rows, positions]
        lists[n_probe] = pd.DataFrame({"user_id": users[rows], "video_id": videos,
                                       "score": scores[rows, videos],
                                       "rank": rank[rows, positions]})
    return lists


def ann_sweep(source, watched: sparse.csr_matrix, test: pd.DataFrame, exact: pd.DataFrame,
              n_probes, *, k: int = 100, n_clusters: int = 32,
              threshold: float = RELEVANT_ENGAGEMENT, seed: int = 0) -> pd.DataFrame:
    """The IVF index over ``source``'s video vectors against the ``exact`` top-``k`` lists.

    ``exact`` is :func:`~.models.recommend`'s output for the same factorisation (a longer list is
    cut at ``k``); its users are the queries. One row per ``n_probe`` of ``n_probes`` (distinct,
    each in ``[1, n_clusters]``; lists of :func:`ann_lists`), then an ``exact`` row:
    ``scored_share`` (mean share of the catalogue scored per query), ``ann_recall`` (mean over
    queries of ``|ANN top-k ∩ exact top-k| / |exact top-k|``) and ``recall`` (recall@k of the
    held-out ``test`` watches, :func:`~.evaluation.recall_curve`). ``attrs``: ``n_clusters``,
    ``k``, ``cluster_sizes`` (largest first).
    """
    k = check_int("k", k, 1)
    n_clusters = check_int("n_clusters", n_clusters, 1)
    n_probes = check_distinct_ints("n_probes", n_probes, 1, n_clusters)
    index = IVFIndex(n_clusters, seed=seed).fit(source.video_factors_)
    exact = exact[exact["rank"] <= k]
    users = exact["user_id"].unique()
    queries = mf_queries(source, users)
    rows = {}
    for n_probe, found in ann_lists(source, index, watched, users, k, n_probes).items():
        rows[n_probe] = {
            "scored_share": float(index.scored_share(queries, n_probe).mean()),
            "ann_recall": _overlap(found, exact, *watched.shape),
            "recall": float(recall_curve(found, test, [k], threshold).iloc[0]),
        }
    rows["exact"] = {"scored_share": 1.0, "ann_recall": 1.0,
                     "recall": float(recall_curve(exact, test, [k], threshold).iloc[0])}
    table = pd.DataFrame.from_dict(rows, orient="index")[SWEEP_COLUMNS]
    table.index.name = "n_probe"
    table.attrs.update(n_clusters=n_clusters, k=k,
                       cluster_sizes=sorted(index.cluster_sizes_.tolist(), reverse=True))
    return table


def retrieval_options(recall_at_100: dict, sweep: pd.DataFrame, n_probe: int,
                      n_videos: int) -> pd.DataFrame:
    """The candidate stage's options (:data:`OPTIONS`) by :data:`OPTION_COLUMNS`.

    ``recall_at_100`` holds the measured recall@100 of ``popular``, ``co-visitation`` and
    ``matrix factorisation``; ``sweep`` is :func:`ann_sweep`'s table, read at its row
    ``n_probe``; ``n_videos`` the catalogue's size. The measured cells are those numbers; the
    two-tower row, which the kit does not have, names its source (:data:`TWO_TOWER_SOURCE`).
    """
    if n_probe not in sweep.index:
        raise ValueError(f"n_probe must be a row of the sweep, one of "
                         f"{[p for p in sweep.index if p != 'exact']}; got {n_probe!r}")
    missing = [name for name in ("popular", "co-visitation", "matrix factorisation")
               if name not in recall_at_100]
    if missing:
        raise ValueError(f"recall_at_100 must hold popular, co-visitation and matrix "
                         f"factorisation; missing {missing}")
    ann = sweep.loc[n_probe]
    clusters = sweep.attrs["n_clusters"]
    rows = {
        "popular": ("new users; the fallback", "none: one cached list", "new users: yes",
                    f"{recall_at_100['popular']:.3f}"),
        "co-visitation": ('"watch next" from one video', "the user's videos' neighbours",
                          "needs co-watches", f"{recall_at_100['co-visitation']:.3f}"),
        "matrix factorisation (exact)": ("a catalogue small enough to score",
                                         f"{n_videos:,} dot products", "no watches, no vector",
                                         f"{recall_at_100['matrix factorisation']:.3f}"),
        "MF + IVF index": ("large catalogues, tight budget",
                           f"{clusters} centroids + {ann['scored_share']:.0%} of videos",
                           "as MF; add vectors to lists",
                           f"{ann['recall']:.3f} (n_probe {n_probe})"),
        "two-tower with features": ("many new videos; rich features",
                                    "one user-tower pass + ANN", "features give vectors",
                                    "not in the kit: " + TWO_TOWER_SOURCE.split(" (")[0]),
    }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=OPTION_COLUMNS)
    table.index.name = "option"
    return table


def _overlap(found: pd.DataFrame, exact: pd.DataFrame, n_users: int, n_videos: int) -> float:
    """Mean over ``exact``'s users of the share of their exact list that ``found`` holds."""
    in_exact = sparse.csr_matrix((np.ones(len(exact), dtype=bool),
                                  (exact["user_id"].to_numpy(), exact["video_id"].to_numpy())),
                                 shape=(n_users, n_videos))
    hit = np.asarray(in_exact[found["user_id"].to_numpy(), found["video_id"].to_numpy()]).ravel()
    users, per_user = np.unique(exact["user_id"].to_numpy(), return_counts=True)
    hits = np.bincount(found["user_id"].to_numpy(), hit, minlength=n_users)[users]
    return float(np.mean(hits / per_user))


def _ranking(scores: np.ndarray, users: np.ndarray, seed: int) -> np.ndarray:
    """Per row, every column from the highest rounded score (``-inf`` last), ties by
    :func:`~.models.tie_break_keys` under ``seed``.

    Sorted by score first; then each run of equal finite rounded scores (the videos no training
    user watched all score 0; a user without history ties on every video) is put in key order.
    """
    rounded = rounded_scores(scores)
    order = np.argsort(-rounded, axis=1)
    ranked = np.take_along_axis(rounded, order, axis=1)
    same = (ranked[:, 1:] == ranked[:, :-1]) & np.isfinite(ranked[:, 1:])
    follows = np.hstack([np.zeros((len(ranked), 1), dtype=bool), same])
    in_run = follows | np.hstack([same, np.zeros((len(ranked), 1), dtype=bool)])
    rows, positions = np.nonzero(in_run)
    if len(rows):
        run = np.cumsum((in_run & ~follows).ravel())[in_run.ravel()]
        tied = order[rows, positions]
        order[rows, positions] = tied[np.lexsort((tie_break_keys(seed, users[rows], tied), run))]
    return order


def _top_k_finite(scores: np.ndarray, users: np.ndarray, k: int, seed: int):
    """``(order, valid)``: per row the columns of its ``k`` highest finite rounded scores, ties by
    :func:`~.models.tie_break_keys` under ``seed`` (the order of :func:`~.models.recommend`), and
    which of those ``k`` are finite (a row with fewer finite scores has invalid tail entries).

    The columns at or above a row's k-th highest finite score are sorted (at most ``4 k`` of
    them); a row with more ties there (a user without history ties on every probed video) is
    sorted whole.
    """
    rounded = rounded_scores(scores)
    finite = np.isfinite(rounded)
    kth = -np.partition(-rounded, k - 1, axis=1)[:, k - 1]
    keep = finite & (rounded >= kth[:, None])
    narrow = keep.sum(axis=1) <= 4 * k
    order = np.empty((len(rounded), k), dtype=np.int64)
    if narrow.any():
        width = max(int(keep[narrow].sum(axis=1).max()), k)
        columns = np.argsort(~keep[narrow], axis=1, kind="stable")[:, :width]
        inside = np.take_along_axis(keep[narrow], columns, axis=1)
        values = np.where(inside, np.take_along_axis(rounded[narrow], columns, axis=1), -np.inf)
        ties = tie_break_keys(seed, users[narrow, None], columns)
        within = np.lexsort((ties, ~inside, -values), axis=1)[:, :k]
        order[narrow] = np.take_along_axis(columns, within, axis=1)
    if (~narrow).any():
        every = np.arange(rounded.shape[1])[None, :]
        ties = np.broadcast_to(tie_break_keys(seed, users[~narrow, None], every),
                               rounded[~narrow].shape)
        order[~narrow] = np.lexsort((ties, ~finite[~narrow], -rounded[~narrow]), axis=1)[:, :k]
    valid = np.take_along_axis(finite, order, axis=1)
    return order, valid

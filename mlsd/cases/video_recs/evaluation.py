"""The video case's scorecard: a recommender's offline metrics, at k and beyond accuracy.

Every metric scores ranked lists (:func:`evaluation_lists`): a recommended video is a hit when the
user went on to watch it in the test period with relevant engagement (:func:`~.schema.relevant`).
Accuracy (from :mod:`mlsd.metrics.ranking`, conventions there): precision@k, recall@k, hit rate@k,
MAP@k, NDCG@k, MRR over the users with a relevant test event. Beyond accuracy, over every user's
top k: catalog coverage (share of the catalog recommended to anyone), novelty (mean self-information
``−log2`` of the recommended videos' share of training users) and intra-list diversity (mean pairwise
cosine distance of the videos' vectors, :func:`diversity_space`: on simulated data the true genre
mixtures ``g_v`` — :func:`genre_diversity` — and on MovieLens, which the loader reads without
genres, matrix factorisation's video factors, a model's own space). A video without a vector (all
zeros: no genre, or never watched in training) is left out of the diversity of its list (NaN when no
list keeps two videos with vectors).

Uncertainty: :func:`per_user_metrics` gives each test user's values, :func:`metric_intervals` the
percentile bootstrap interval of each model's mean over users and of the paired difference between
two models (:mod:`mlsd.uncertainty`); :func:`history_intervals` does the same for new and returning
users apart.

:func:`ndcg_by_split` (and :func:`split_effect`, its sentence) compares the temporal and random
splits as they are (:mod:`.compare_splits` compares them on test sets of the same composition);
:func:`ndcg_by_history` splits a score between new and returning users.
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
from mlsd.uncertainty import DEFAULT_RESAMPLES, interval_table
from mlsd.validation import check_int


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


def genre_diversity_by_user(
    recommendations: pd.DataFrame, genres: np.ndarray, k: int = 10
) -> pd.Series:
    """Each user's intra-list diversity in a genre space: the mean pairwise **cosine distance**
    ``1 − g_v · g_w / (‖g_v‖ ‖g_w‖)`` of the genre vectors ``g`` of the videos in their top ``k``.

    Parameters
    ----------
    recommendations : DataFrame
        ``user_id``, ``video_id`` and ``rank`` (1 = best), as :func:`~.models.recommend` returns;
        rows with ``rank > k`` are ignored.
    genres : array of shape (n_videos, n_genres)
        Non-negative genre vectors, row ``v`` for video ``v``: the simulator's true mixtures
        ``g_v`` (``world.genres``, rows summing to 1) or genre indicators. A row of zeros (a video
        without a genre) is left out of its list.
    k : int
        Cut-off, >= 1.

    Returns
    -------
    Series indexed by ``user_id``
        In ``[0, 1]`` (vectors are non-negative): 0 for a list of videos with identical mixtures,
        1 for videos of pairwise disjoint genres. NaN for a list with fewer than two videos with a
        genre. This is :func:`mlsd.metrics.ranking.intra_list_diversity`'s formula (Ziegler et al.
        2005), one value per list, computed with ``Σ_{i<j} u_i · u_j = (‖Σ_i u_i‖² − m) / 2`` for
        the unit vectors ``u``.
    """
    genres = np.asarray(genres, dtype=float)
    if genres.ndim != 2 or (genres < 0).any():
        raise ValueError(
            f"genres must be a non-negative 2-d array (videos × genres); got shape {genres.shape}"
        )
    return list_diversity_by_user(recommendations, genres, k).clip(0.0, 1.0)


def list_diversity_by_user(
    recommendations: pd.DataFrame, vectors: np.ndarray, k: int = 10
) -> pd.Series:
    """Each user's mean pairwise cosine distance ``1 − cos(x_v, x_w)`` among the vectors of the
    videos in their top ``k``, for any real vectors (in ``[0, 2]``; :func:`genre_diversity_by_user`
    is the non-negative case, in ``[0, 1]``). A zero vector is left out of its list; NaN for a list
    with fewer than two videos left. Indexed by ``user_id``."""
    k = check_int("k", k, 1)
    vectors = np.asarray(vectors, dtype=float)
    if vectors.ndim != 2:
        raise ValueError(
            f"vectors must be a 2-d array (videos × features); got shape {vectors.shape}"
        )
    top = recommendations[recommendations["rank"] <= k]
    video = top["video_id"].to_numpy()
    if len(video) and video.max() >= len(vectors):
        raise ValueError(
            f"video_id {int(video.max())} has no row in the vectors ({len(vectors)} rows)"
        )
    rows = vectors[video]
    norm = np.linalg.norm(rows, axis=1)
    keep = norm > 0
    unit = rows[keep] / norm[keep, None]
    users = top["user_id"].to_numpy()[keep]
    summed = pd.DataFrame(unit).groupby(users).sum()
    m = pd.Series(users).value_counts().reindex(summed.index).to_numpy(dtype=float)
    similarity = ((summed.to_numpy() ** 2).sum(axis=1) - m) / 2
    pairs = m * (m - 1) / 2
    per_list = np.where(pairs > 0, 1.0 - similarity / np.maximum(pairs, 1), np.nan)
    values = pd.Series(np.clip(per_list, 0.0, 2.0), index=summed.index, name="diversity")
    every_user = pd.Index(pd.unique(top["user_id"].to_numpy()), name="user_id")
    return values.reindex(every_user)


def genre_diversity(recommendations: pd.DataFrame, genres: np.ndarray, k: int = 10) -> float:
    """Mean over users of :func:`genre_diversity_by_user` — intra-list diversity as the mean
    pairwise cosine distance of the videos' genre vectors (in ``[0, 1]``: 0 when every video of a
    list has the same mixture, 1 when they share no genre); lists with fewer than two videos with a
    genre are left out, NaN when no list is left."""
    values = genre_diversity_by_user(recommendations, genres, k)
    return float(values.mean()) if values.notna().any() else float("nan")


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


def diversity_space(data: VideoData, video_factors: np.ndarray) -> tuple[np.ndarray, str]:
    """The video vectors the ``diversity`` column is measured in, and one line saying which.

    Simulated data: the simulator's true genre mixtures ``g_v`` (``data.world.genres``), so the
    column is :func:`genre_diversity` — what a viewer would see as variety, independent of any
    model. MovieLens: the loader reads only the ratings file, which has no genres, so the column
    falls back on ``video_factors`` (matrix factorisation's video factors, learned from the same
    training data: a model's own space, which flatters lists that the model itself made)."""
    world = getattr(data, "world", None)
    genres = getattr(world, "genres", None)
    if genres is not None and len(genres) == data.n_videos:
        return np.asarray(genres, dtype=float), (
            "diversity: mean pairwise cosine distance of the videos' true genre mixtures "
            "(the simulator's g_v), in [0, 1]"
        )
    return np.asarray(video_factors, dtype=float), (
        "diversity: mean pairwise cosine distance of matrix factorisation's video factors — "
        "these data have no genres, so it is measured in a model's own space, not the truth's"
    )


PER_USER_COLUMNS = ("precision", "recall", "hit_rate", "map", "ndcg")


def per_user_metrics(
    recommendations: pd.DataFrame,
    test: pd.DataFrame,
    k: int = 10,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> pd.DataFrame:
    """Each user's accuracy metrics of one recommender's top ``k``: one row per user with a
    relevant test event (at ``threshold``) and a list, indexed by ``user_id``; columns
    ``precision@k, recall@k, hit_rate@k, map@k, ndcg@k, mrr``. Their means are the
    :func:`recommender_metrics` of the same lists, the units a bootstrap resamples."""
    top = recommendations[recommendations["rank"] <= k]
    lists = evaluation_lists(top, test, threshold)
    values = {
        f"precision@{k}": lists.precision_at(k),
        f"recall@{k}": lists.recall_at(k),
        f"hit_rate@{k}": lists.hit_rate_at(k),
        f"map@{k}": lists.average_precision_at(k),
        f"ndcg@{k}": lists.ndcg_at(k),
        "mrr": lists.reciprocal_rank(),
    }
    return pd.DataFrame(values, index=pd.Index(lists.groups, name="user_id"))


def metric_intervals(
    recommendations_by_model: dict[str, pd.DataFrame],
    test: pd.DataFrame,
    k: int = 10,
    threshold: float = RELEVANT_ENGAGEMENT,
    metrics=None,
    differences=(),
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Per-model metrics with percentile bootstrap intervals over test users, and the paired
    differences between models.

    Parameters
    ----------
    recommendations_by_model : dict of name to recommendations
    test, k, threshold
        As in :func:`metrics_table`.
    metrics : sequence of str, optional
        Columns of :func:`per_user_metrics`; default ``ndcg@k`` and ``recall@k``.
    differences : sequence of (str, str)
        Pairs ``(a, b)`` of model names: a row ``"a − b"`` holds the mean of the per-user
        difference and its interval. Resampling the users once for both keeps what they share
        (:func:`mlsd.uncertainty.paired_difference_interval`).
    n_resamples, level, seed
        Of the bootstrap (:func:`mlsd.uncertainty.interval_table`): the same resamples of the
        users serve every row and column.

    Returns
    -------
    DataFrame
        One row per model, then one per difference; columns ``(metric, "mean" | "low" | "high")``.
        Users are those every model scored (each user with a relevant test event who got a list
        from every model), so the rows compare like with like; ``attrs["users"]`` is their number.
    """
    metrics = list(metrics) if metrics is not None else [f"ndcg@{k}", f"recall@{k}"]
    per_model = {
        name: per_user_metrics(recs, test, k, threshold)
        for name, recs in recommendations_by_model.items()
    }
    return _interval_rows(per_model, metrics, differences, n_resamples, level, seed)


def diversity_intervals(
    recommendations_by_model: dict[str, pd.DataFrame],
    vectors: np.ndarray,
    k: int = 10,
    differences=(),
    n_resamples: int = DEFAULT_RESAMPLES,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`metric_intervals` of intra-list diversity (:func:`list_diversity_by_user` in the
    space of ``vectors``, e.g. :func:`diversity_space`'s): one column ``diversity`` of
    ``mean``/``low``/``high``, one row per model and per difference ``"a − b"``, over the users
    whose list has a diversity under every model (``attrs["users"]``)."""
    per_model = {name: list_diversity_by_user(recs, vectors, k).dropna()
                 for name, recs in recommendations_by_model.items()}
    frames = {name: values.to_frame("diversity") for name, values in per_model.items()}
    return _interval_rows(frames, ["diversity"], differences, n_resamples, level, seed)


def _interval_rows(per_model: dict, metrics, differences, n_resamples, level, seed) -> pd.DataFrame:
    """The table of :func:`metric_intervals` from per-user frames (one per model, users as index):
    the users every model has, one bootstrap for every cell."""
    users = None
    for values in per_model.values():
        users = values.index if users is None else users.intersection(values.index)
    if users is None or len(users) == 0:
        raise ValueError("no test user is scored by every model")
    columns = {}
    for name, values in per_model.items():
        for metric in metrics:
            columns[(name, metric)] = values.loc[users, metric].to_numpy()
    for a, b in differences:
        for metric in metrics:
            columns[(difference_name(a, b), metric)] = columns[(a, metric)] - columns[(b, metric)]
    intervals = interval_table(pd.DataFrame(columns), n_resamples, level, seed)
    table = intervals.stack().unstack([1, 2])
    rows = list(per_model) + [difference_name(a, b) for a, b in differences]
    table = table.reindex(index=rows, columns=pd.MultiIndex.from_product(
        [list(metrics), ["mean", "low", "high"]]))
    table.attrs["users"] = int(len(users))
    return table


def difference_name(a: str, b: str) -> str:
    """The row name of the paired difference of models ``a`` and ``b``: ``"a − b"``."""
    return f"{a} − {b}"


def difference_sentence(intervals: pd.DataFrame, a: str, b: str, metric: str) -> str:
    """One clause on the row ``a − b`` of :func:`metric_intervals` (or a group's table of
    :func:`history_intervals`): the mean difference, its interval, and whether it is measurable
    (the interval excludes 0) or "no measurable difference"."""
    row = intervals.loc[difference_name(a, b), metric]
    mean, low, high = row["mean"], row["low"], row["high"]
    if low > 0:
        verdict = f"{a} is measurably ahead"
    elif high < 0:
        verdict = f"{b} is measurably ahead"
    else:
        verdict = "no measurable difference"
    return f"{a} − {b} on {metric}: {mean:+.4f} [{low:+.4f}, {high:+.4f}], {verdict}"


def is_measurably_ahead(intervals: pd.DataFrame, a: str, b: str, metric: str) -> bool:
    """Whether the interval of ``a − b`` on ``metric`` lies above 0."""
    return bool(intervals.loc[difference_name(a, b), (metric, "low")] > 0)


def history_intervals(
    recommendations_by_model: dict[str, pd.DataFrame],
    test: pd.DataFrame,
    train: pd.DataFrame,
    k: int = 10,
    threshold: float = RELEVANT_ENGAGEMENT,
    metric: str | None = None,
    differences=(),
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """:func:`metric_intervals` of one metric (default ``ndcg@k``) for new users (no training
    event) and for returning users apart: columns ``(kind, "mean" | "low" | "high")``, the kinds
    ``"new users (n)"`` and ``"returning users (n)"`` with ``n`` the users each rests on
    (``attrs["kinds"]`` maps ``"new users"`` and ``"returning users"`` to these labels). A kind
    with no scored user is left out."""
    metric = metric or f"ndcg@{k}"
    returning = train["user_id"].unique()
    parts = {}
    for kind, keep in (("new users", False), ("returning users", True)):
        group = test[np.isin(test["user_id"].to_numpy(), returning) == keep]
        try:
            table = metric_intervals(recommendations_by_model, group, k, threshold, [metric],
                                     differences, n_resamples, seed=seed)
        except ValueError:
            continue
        parts[f"{kind} ({table.attrs['users']:,})"] = table[metric]
    if not parts:
        raise ValueError("no test user has a relevant test event and a list from every model")
    by_kind = pd.concat(parts, axis=1)
    by_kind.attrs["kinds"] = {label.rsplit(" (", 1)[0]: label for label in parts}
    return by_kind


def history_sentences(by_kind: pd.DataFrame, differences, metric: str = "NDCG") -> list[str]:
    """For each kind of user of :func:`history_intervals` and each difference ``(a, b)``, one
    :func:`difference_sentence` ("for new users (31), a − b on NDCG: …")."""
    return [
        f"for {kind}, "
        + difference_sentence(by_kind, a, b, kind).replace(f"on {kind}", f"on {metric}")
        for kind in by_kind.columns.get_level_values(0).unique()
        for a, b in differences
    ]


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
    vectors, _ = diversity_space(data, mf.video_factors_)
    return metrics_table(recommendations, test, train, data.n_videos, vectors, k, threshold)


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

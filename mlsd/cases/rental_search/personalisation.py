"""Real-time personalisation from the trip's clicks: a similarity signal from listing embeddings.

The feature (:func:`session_similarity`), for a listing ``l`` shown in search ``s`` of trip ``t``:

    session_similarity(s, l) = mean over the listings c clicked in the searches of t made
                               before s of cos(v_l, v_c)

with ``v`` the vectors of :class:`~.embeddings.ListingEmbeddings` (learned on the training days).
Only clicks of *earlier* searches count — what the serving path knows when ``s`` is served; the
clicks of ``s`` itself and of later searches would leak the label. NaN where nothing is known: the
trip's first search, no earlier click with a vector, or a listing without a vector. Airbnb's
ranker uses such similarities to the session's clicked (and skipped) listings (Grbovic & Cheng,
KDD 2018).

:func:`personalise` is the personalisation stage of the funnel: it re-scores the ranker's order
with the similarity, and adds nothing where the similarity is missing — so a first search, and
every search while the embedding service is down, gets the ranker's own order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.rental_search.embeddings import ListingEmbeddings
from mlsd.cases.rental_search.evaluation import K, expected_gain, offline_gain
from mlsd.metrics.ranking import RankedLists
from mlsd.uncertainty import Interval, paired_difference_interval
from mlsd.validation import check_int, check_number

FAST_RANKER = {"n_trees": 60, "learning_rate": 0.1}
"""LightGBM sizes that keep a notebook's training to seconds (fewer, larger steps than
:class:`~.models.LambdaMART`'s default 200 at 0.05)."""
WEIGHT = 0.5
"""The default weight of the similarity in :func:`personalise`: the best of 0.25, 0.5, 1 and 2 on
the test weeks of seeds 1–3, not fitted per run. Notebook 3 shows the sweep on its own seed: on
seeds 1–5 every weight up to 1 raises true NDCG@10 and 2 lowers it (a production system tunes the
weight on validation days or in an A/B test)."""
NO_SESSIONS = (
    "no sessions: these logs have no guest id and no trip (Expedia's do not say who searched), "
    "so the listings a guest clicked earlier in the trip are unknown; the session-personalisation "
    "cells are skipped"
)
"""The line a notebook prints where a cell needs the trips and the data have none."""


def has_sessions(results: pd.DataFrame) -> bool:
    """Whether ``results`` say which searches belong to one trip (a ``trip_id`` and guest ids)."""
    return "trip_id" in results.columns and bool(results["guest_id"].notna().any())


def session_similarity(results: pd.DataFrame, embeddings: ListingEmbeddings,
                       session: str = "trip_id") -> np.ndarray:
    """The feature of the module docstring for each row of ``results`` (in their order).

    Searches of one ``session`` are ordered by ``time`` (ties by ``search_id``); a search sees the
    clicks of the searches before it in that order only.
    """
    if session not in results.columns:
        raise ValueError(f"session_similarity needs the session column {session!r}: "
                         f"{NO_SESSIONS}")
    _, first_row, search = np.unique(results["search_id"].to_numpy(), return_index=True,
                                     return_inverse=True)
    listing = results["listing_id"].to_numpy()
    unit = embeddings.unit_vectors(listing)
    clicked = (results["click"].to_numpy() == 1) & embeddings.has_vector(listing)
    n_searches = len(first_row)
    click_sum = np.zeros((n_searches, unit.shape[1]))
    np.add.at(click_sum, search[clicked], unit[clicked])
    click_count = np.bincount(search[clicked], minlength=n_searches).astype(float)
    trip = results[session].to_numpy()[first_row]
    time = results["time"].to_numpy()[first_row]
    earlier_sum, earlier_count = _earlier_in_session(trip, time, click_sum, click_count)
    dot = (unit * earlier_sum[search]).sum(axis=1)
    count = earlier_count[search]
    known = (count > 0) & embeddings.has_vector(listing)
    return np.where(known, dot / np.maximum(count, 1), np.nan)


def _earlier_in_session(trip, time, values, counts):
    """Per search, the sums of ``values`` (rows) and ``counts`` over the earlier searches of its
    trip, in the order of ``time``, then of the search's index."""
    order = np.lexsort((np.arange(len(trip)), time, trip))
    ordered_trip = trip[order]
    starts = np.r_[0, np.flatnonzero(ordered_trip[1:] != ordered_trip[:-1]) + 1]
    start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    stacked = np.column_stack([values[order], counts[order]])
    before = np.r_[np.zeros((1, stacked.shape[1])), np.cumsum(stacked, axis=0)]
    earlier = np.empty_like(stacked)
    earlier[order] = before[:-1] - before[start]
    return earlier[:, :-1], earlier[:, -1]


def personalise(score, similarity, weight: float = WEIGHT) -> np.ndarray:
    """The personalisation stage's re-score: ``score + weight × sd(score) × similarity``, a
    missing similarity (NaN) adding 0 — the ranker's own order where nothing is known."""
    score = np.asarray(score, dtype=float)
    similarity = np.asarray(similarity, dtype=float)
    if similarity.shape != score.shape:
        raise ValueError(f"similarity must hold one value per score ({len(score)}); got shape "
                         f"{similarity.shape}")
    weight = check_number("weight", weight, 0.0)
    return score + weight * score.std() * np.nan_to_num(similarity, nan=0.0)


def ranking_sample(results: pd.DataFrame, n_searches: int, seed: int = 0) -> pd.DataFrame:
    """The rows of at most ``n_searches`` searches of ``results`` with a click, drawn at random
    (in the rows' order): LambdaMART learns nothing from a search whose rows share one grade,
    and a sample keeps training fast."""
    n_searches = check_int("n_searches", n_searches, 1)
    search = results["search_id"].to_numpy()
    clicked = np.unique(search[results["click"].to_numpy() == 1])
    rng = np.random.default_rng(check_int("seed", seed, 0))
    keep = clicked[rng.permutation(len(clicked))[:n_searches]]
    return results[np.isin(search, keep)]


def per_search_ndcg(rows: pd.DataFrame, score, truth: bool, k: int = K) -> np.ndarray:
    """NDCG@k of every search of ``rows`` (in ``search_id`` order), on the expected gains
    (``truth``) or the logged ones; NaN where a search has no positive gain."""
    gain = expected_gain(rows) if truth else offline_gain(rows)
    return RankedLists(gain, np.asarray(score, dtype=float),
                       rows["search_id"].to_numpy()).ndcg_at(check_int("k", k, 1))


def ndcg_change(rows: pd.DataFrame, base, score, truth: bool = True, k: int = K,
                seed: int = 0) -> Interval:
    """Mean NDCG@k of ``score`` minus that of ``base`` over the searches where both are defined,
    with its paired 95% bootstrap interval over searches."""
    before, after = (per_search_ndcg(rows, s, truth, k) for s in (base, score))
    defined = ~np.isnan(before) & ~np.isnan(after)
    return paired_difference_interval(before[defined], after[defined], seed=seed)


def ndcg_table(rows: pd.DataFrame, scores: dict, base: str, truth: bool = True, k: int = K,
               seed: int = 0) -> pd.DataFrame:
    """One row per score: NDCG@k on the truth (``truth``) or the logged grades, and its change
    against ``scores[base]`` with the paired 95% interval (``change``, ``low``, ``high``)."""
    table = {}
    for name, score in scores.items():
        change = ndcg_change(rows, scores[base], score, truth, k, seed)
        table[name] = {"ndcg": float(np.nanmean(per_search_ndcg(rows, score, truth, k))),
                       "change": change.estimate, "low": change.low, "high": change.high}
    return pd.DataFrame(table).T.rename_axis("ranker")

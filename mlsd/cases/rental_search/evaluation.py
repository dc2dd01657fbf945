"""Rental search's scorecard: how well an order of each search's results ranks, offline on the
logged grades and, where the simulator knows it, on the truth.

Conventions, for results ``rows`` of the case's schema and a ``score`` per row (higher first; only
the order within a search counts):

- **offline NDCG@k** — :func:`mlsd.metrics.ranking.ndcg_at_k` over searches, the gain of a row its
  logged grade's gain (:func:`~.schema.graded_relevance`) **with negative gains counted as 0**: the
  kit's NDCG needs gains >= 0, so a request the host rejected scores as a view does, and the
  scorecard reports the rejection rate of the top ``k`` beside it. Searches with no positive gain
  are left out, as NDCG is undefined there.
- **MRR of the booking** — :func:`mlsd.metrics.ranking.mrr` with the booked row relevant, over the
  searches that booked.
- **true NDCG@k** — NDCG@k with each row's *expected* gain given examination
  (:func:`expected_gain`): what the order is worth free of which rows the logging policy happened
  to show on top.
- **bookings and rejections per search** — the simulated online outcome of serving the order:
  the guest examines position ``j`` with ``e_j = j ** -examination_decay`` and requests in
  position order until a host accepts, so position ``j`` is booked with probability
  ``e_j b_j Π_{i<j} (1 - e_i b_i)`` (``b = true_book``) and rejected with ``e_j (r_j - b_j)
  Π_{i<j} (1 - e_i b_i)`` (``r = true_request``): :func:`expected_outcomes`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mlsd.cases.rental_search.schema import GAINS, check_gains, graded_relevance
from mlsd.metrics.ranking import RankedLists, mrr
from mlsd.ordering import rank_within_groups
from mlsd.validation import check_int, check_number

TRUTH_COLUMNS = ("true_click", "true_long_click", "true_request", "true_accept")
"""The simulator's truth columns the true measures read."""
K = 10
"""The default cut-off: the first screen of results."""


def offline_gain(rows: pd.DataFrame, gains: Mapping[str, float] = GAINS) -> np.ndarray:
    """Each row's logged gain for NDCG: ``max(0, gains[grade])`` (the module docstring says why)."""
    return np.maximum(graded_relevance(rows, gains).to_numpy(), 0.0)


def expected_gain(rows: pd.DataFrame, gains: Mapping[str, float] = GAINS) -> np.ndarray:
    """Each row's expected gain given that the guest examines it, from the truth:
    ``g_booked b + g_rejected (r - b) + g_long_click (l - r) + g_click (c - l)`` with
    ``c, l, r = true_click, true_long_click, true_request`` and ``b = r × true_accept`` (each grade
    is the row's best outcome), every gain counted at ``max(0, gain)`` as offline."""
    gains = {grade: max(0.0, gain) for grade, gain in check_gains(gains).items()}
    click, long_click, request, book = _truth(rows)
    return (gains["booked"] * book + gains["rejected"] * (request - book)
            + gains["long_click"] * (long_click - request) + gains["click"] * (click - long_click))


def has_truth_columns(rows: pd.DataFrame) -> bool:
    """Whether ``rows`` carry the simulator's truth (:data:`TRUTH_COLUMNS`)."""
    return all(column in rows.columns for column in TRUTH_COLUMNS)


def ndcg(gain, score, search, k: int = K) -> float:
    """Mean NDCG@k over the searches with a positive gain (linear gain, ties in input order)."""
    lists = RankedLists(gain, score, search)
    values = lists.ndcg_at(check_int("k", k, 1))
    return float(np.nanmean(values))


def booking_mrr(rows: pd.DataFrame, score) -> float:
    """MRR of the booked listing over the searches that booked; NaN when none did."""
    booked = rows["booked"].to_numpy(dtype=float)
    if not booked.any():
        return float("nan")
    return mrr(booked, score, rows["search_id"].to_numpy())


def top_rejection_rate(rows: pd.DataFrame, score, k: int = K) -> float:
    """The share of the top ``k`` rows of every search (by ``score``) whose request the host
    rejected: what offline NDCG, counting a rejection as 0, does not see."""
    rejected = (rows["booking_request"].to_numpy() == 1) & (rows["booked"].to_numpy() == 0)
    rank = rank_within_search(rows["search_id"].to_numpy(), score)
    top = rank <= check_int("k", k, 1)
    return float(rejected[top].mean())


def rank_within_search(search, score) -> np.ndarray:
    """The 1-based rank of each row within its search by decreasing ``score`` (ties in input
    order), in the rows' order (:func:`mlsd.ordering.rank_within_groups`)."""
    return rank_within_groups(search, score)


def check_scores(scores: Mapping[str, np.ndarray], rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """``scores`` (ranker → a score per row of ``rows``) as float arrays, or one ValueError naming
    the ranker whose scores are not one per row."""
    checked = {}
    for name, score in scores.items():
        score = np.asarray(score, dtype=float)
        if score.shape != (len(rows),):
            raise ValueError(f"scores[{name!r}] must hold one score per row ({len(rows)}); "
                             f"got shape {score.shape}")
        checked[name] = score
    return checked


def expected_outcomes(rows: pd.DataFrame, score, examination_decay: float) -> dict[str, float]:
    """``bookings`` and ``rejections`` per search when each search's rows are served in the order
    of ``score`` (the module docstring gives the formulas); needs the truth columns."""
    decay = check_number("examination_decay", examination_decay, 0, 5)
    search = rows["search_id"].to_numpy()
    _, _, request, book = _truth(rows)
    rank = rank_within_search(search, score)
    order = np.lexsort((rank, search))
    search, request, book = search[order], request[order], book[order]
    examined = rank[order].astype(float) ** -decay
    no_booking_yet = _exclusive_running_product(1.0 - examined * book, search)
    n_searches = len(np.unique(search))
    return {
        "bookings": float((examined * book * no_booking_yet).sum() / n_searches),
        "rejections": float((examined * (request - book) * no_booking_yet).sum() / n_searches),
    }


def scorecard(rows: pd.DataFrame, scores: Mapping[str, np.ndarray], *, k: int = K,
              gains: Mapping[str, float] = GAINS, examination_decay: float | None = None
              ) -> pd.DataFrame:
    """One row per ranker of ``scores`` (name → a score per row of ``rows``): ``ndcg`` (offline,
    logged gains), ``booking_mrr``, ``top_rejection_rate``; with the truth also ``true_ndcg`` and,
    given ``examination_decay``, ``bookings`` and ``rejections`` per search."""
    search = rows["search_id"].to_numpy()
    logged = offline_gain(rows, gains)
    truth = has_truth_columns(rows)
    expected = expected_gain(rows, gains) if truth else None
    table = {}
    for name, score in check_scores(scores, rows).items():
        measures = {"ndcg": ndcg(logged, score, search, k), "booking_mrr": booking_mrr(rows, score),
                    "top_rejection_rate": top_rejection_rate(rows, score, k)}
        if truth:
            measures["true_ndcg"] = ndcg(expected, score, search, k)
            if examination_decay is not None:
                measures.update(expected_outcomes(rows, score, examination_decay))
        table[name] = measures
    return pd.DataFrame(table).T.rename_axis("ranker")


def logged_order(rows: pd.DataFrame) -> np.ndarray:
    """The score that reproduces the order the logging policy showed: ``-position``."""
    return -rows["position"].to_numpy(dtype=float)


def _truth(rows: pd.DataFrame) -> tuple[np.ndarray, ...]:
    if not has_truth_columns(rows):
        raise ValueError(f"the true measures need the simulator's columns {list(TRUTH_COLUMNS)}; "
                         "real logs have no truth")
    click, long_click, request, accept = (rows[column].to_numpy(dtype=float)
                                          for column in TRUTH_COLUMNS)
    return click, long_click, request, request * accept


def _exclusive_running_product(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Within each run of equal ``group`` (rows grouped), the product of the earlier rows'
    ``values`` (1 on a group's first row)."""
    log_values = np.log(np.clip(values, 1e-300, None))
    total = np.cumsum(log_values)
    starts = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]
    lengths = np.diff(np.r_[starts, len(values)])
    before_group = np.repeat(np.r_[0.0, total][starts], lengths)
    return np.exp(total - log_values - before_group)

"""Notebook 2's experiments: the rankers compared on one time split, the truth's order as the
ceiling, slices, what the gains change, and the offline metric against the bookings an order earns
when served, with the A/B test that would tell two rankers apart.

The rankers (:func:`fit_rankers`), on the same features and graded labels (:mod:`.models`):

- ``pointwise`` — :class:`~.models.PointwiseGBDT` on every training row;
- ``pointwise on bookings`` — the same learner on the rows of the searches that booked only: the
  label is then *which* listing of the search was booked, not *whether* the search booked;
- ``LambdaMART`` — :class:`~.models.LambdaMART`, gradients from within-search swaps only.

Besides them (:func:`ranker_scores`): the ``quality heuristic``, the ``logged order`` (where the
source logs positions) and, on the simulator, the ``truth's order`` — each row's expected gain
(:func:`~.evaluation.expected_gain`), whose true NDCG is 1 by construction.

Slices (:func:`slice_ndcg`): a listing is **new** when ``listing_age_days < 30`` or it has no review
(``review_count == 0``); unknown age and count (Expedia's Kaggle file) count as established. A
slice's NDCG@k ranks each search's rows *of that slice* among themselves by the ranker's score.

Online (:func:`booking_probability`): served in the order of ``score``, a search books with
probability ``1 - Π_j (1 - e_j b_j)`` — the sum over positions of the scorecard's
``e_j b_j Π_{i<j} (1 - e_i b_i)`` (:mod:`.evaluation`) — with ``e_j = j ** -examination_decay``
and ``b = true_book``. :func:`ab_power` simulates A/B tests that randomise searches between two
rankers and draw one Bernoulli booking per search.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mlsd.cases.rental_search.evaluation import (
    K,
    expected_gain,
    has_truth_columns,
    logged_order,
    offline_gain,
    rank_within_search,
)
from mlsd.cases.rental_search.models import (
    FEATURES,
    TREES,
    LambdaMART,
    PointwiseGBDT,
    quality_heuristic,
)
from mlsd.cases.rental_search.schema import GAINS
from mlsd.experiments import difference_in_means, sample_size_per_arm
from mlsd.metrics.ranking import RankedLists
from mlsd.validation import check_int, check_number

NEW_LISTING_DAYS = 30.0
"""A listing younger than this many days (or with no review) is new."""
BUDGETS = (10, 20, 50, 100, 200)
"""The tree budgets of :func:`budget_curve`: the models after that many boosting rounds."""
LEARNERS = ("pointwise", "pointwise on bookings", "LambdaMART")
"""The names of :func:`fit_rankers`'s learners, in order."""
EXPEDIA_GAINS = {"booked": 5.0, "rejected": 0.0, "long_click": 1.0, "click": 1.0, "viewed": 0.0}
"""The Kaggle 2013 competition's relevance: booked 5, clicked 1, otherwise 0."""


def booking_searches(rows: pd.DataFrame) -> np.ndarray:
    """Whether each row belongs to a search with a booking (bool per row)."""
    booked = rows["booked"].to_numpy() == 1
    return pd.Series(booked).groupby(rows["search_id"].to_numpy()).transform("max").to_numpy()


def new_listings(rows: pd.DataFrame) -> np.ndarray:
    """Whether each row's listing is new (the module docstring gives the rule; unknown → no)."""
    age = rows["listing_age_days"].to_numpy(dtype=float)
    reviews = rows["review_count"].astype("Float64").fillna(-1).to_numpy(dtype=float)
    return (np.nan_to_num(age, nan=np.inf) < NEW_LISTING_DAYS) | (reviews == 0)


def fit_rankers(train: pd.DataFrame, *, gains: Mapping[str, float] = GAINS,
                n_trees: int = TREES, seed: int = 0) -> dict:
    """The fitted learners of :data:`LEARNERS` (the module docstring), name → ranker."""
    booked = booking_searches(train)
    if not booked.any():
        raise ValueError("train holds no search with a booking; 'pointwise on bookings' needs one")
    options = dict(gains=gains, n_trees=n_trees, seed=seed)
    return {"pointwise": PointwiseGBDT(**options).fit(train),
            "pointwise on bookings": PointwiseGBDT(**options).fit(train[booked]),
            "LambdaMART": LambdaMART(**options).fit(train)}


def ranker_scores(test: pd.DataFrame, fitted: Mapping, gains: Mapping[str, float] = GAINS
                  ) -> dict[str, np.ndarray]:
    """A score per test row for the heuristic, the logged order (when every row has a
    position), each fitted ranker and, with the truth, the truth's order."""
    scores = {"quality heuristic": quality_heuristic(test)}
    if test["position"].notna().all():
        scores["logged order"] = logged_order(test)
    scores.update({name: ranker.predict(test) for name, ranker in fitted.items()})
    if has_truth_columns(test):
        scores["truth's order"] = expected_gain(test, gains)
    return scores


def budget_curve(test: pd.DataFrame, fitted: Mapping, budgets: Sequence[int] = BUDGETS,
                 k: int = K, gains: Mapping[str, float] = GAINS) -> pd.DataFrame:
    """True NDCG@k of each fitted ranker after each number of trees of ``budgets`` (increasing;
    :meth:`~.models.PointwiseGBDT.staged_predict`), indexed by ``n_trees`` and ``ranker``:
    ``true_ndcg``, the mean over the searches with a positive gain, and ``standard_error``, the
    standard deviation of the searches' NDCG over the square root of their number. Needs the
    truth."""
    gain, search = expected_gain(test, gains), test["search_id"].to_numpy()
    check_int("k", k, 1)
    rows = []
    for name, ranker in fitted.items():
        for budget, score in zip(budgets, ranker.staged_predict(test, budgets)):
            per_search = RankedLists(gain, score, search).ndcg_at(k)
            per_search = per_search[~np.isnan(per_search)]
            error = per_search.std(ddof=1) / np.sqrt(len(per_search))
            rows.append((budget, name, float(per_search.mean()), float(error)))
    table = pd.DataFrame(rows, columns=["n_trees", "ranker", "true_ndcg", "standard_error"])
    return table.set_index(["n_trees", "ranker"])


def split_gain_shares(fitted: Mapping) -> pd.DataFrame:
    """Each feature's share of the total split gain of each fitted ranker's trees (columns sum
    to 1): where the learner spent its capacity."""
    shares = {}
    for name, ranker in fitted.items():
        gain = ranker.model_.booster_.feature_importance(importance_type="gain")
        shares[name] = gain / gain.sum()
    return pd.DataFrame(shares, index=pd.Index(FEATURES, name="feature"))


def slice_ndcg(test: pd.DataFrame, scores: Mapping[str, np.ndarray], k: int = K,
               gains: Mapping[str, float] = GAINS) -> pd.DataFrame:
    """NDCG@k within each slice — ``new`` and ``established`` listings, then each ``market m`` —
    for each ranker of ``scores``: true NDCG with the truth, else offline NDCG on the logged
    gains. A slice with no search holding a positive gain is NaN. Columns ``rows`` (the slice's
    share of test rows) and one per ranker."""
    truth = has_truth_columns(test)
    gain = expected_gain(test, gains) if truth else offline_gain(test, gains)
    search = test["search_id"].to_numpy()
    new = new_listings(test)
    masks = {"new": new, "established": ~new}
    market = test["market"].to_numpy()
    masks.update({f"market {m}": market == m for m in np.unique(market)})
    table = {}
    for name, mask in masks.items():
        row = {"rows": float(mask.mean())}
        for ranker, score in scores.items():
            row[ranker] = _mean_ndcg(gain[mask], np.asarray(score)[mask], search[mask], k)
        table[name] = row
    return pd.DataFrame(table).T.rename_axis("slice")


def top_share(test: pd.DataFrame, score, mask, k: int = K) -> float:
    """The share of the first ``k`` slots of every search (by ``score``) held by ``mask`` rows."""
    top = rank_within_search(test["search_id"].to_numpy(), score) <= check_int("k", k, 1)
    return float(np.asarray(mask, dtype=bool)[top].mean())


def booking_probability(rows: pd.DataFrame, score, examination_decay: float) -> np.ndarray:
    """Each search's chance of a booking when its rows are served in the order of ``score``:
    ``1 - Π_j (1 - e_j b_j)`` (the module docstring), one value per search in ``search_id`` order.
    Needs the truth."""
    decay = check_number("examination_decay", examination_decay, 0, 5)
    if not has_truth_columns(rows):
        raise ValueError("booking_probability needs the simulator's truth; real logs have none")
    search = rows["search_id"].to_numpy()
    rank = rank_within_search(search, score).astype(float)
    book = rows["true_request"].to_numpy(dtype=float) * rows["true_accept"].to_numpy(dtype=float)
    log_miss = np.log1p(-np.clip(rank ** -decay * book, 0.0, 1.0 - 1e-12))
    _, inverse = np.unique(search, return_inverse=True)
    return 1.0 - np.exp(np.bincount(inverse, weights=log_miss))


def ab_power(p_a, p_b, searches_per_arm: int, *, n_experiments: int = 200, alpha: float = 0.05,
             seed: int = 0) -> float:
    """The share of ``n_experiments`` simulated A/B tests that find arm B's bookings per search
    different from arm A's at level ``alpha`` (:func:`mlsd.experiments.difference_in_means`).

    Each test draws ``searches_per_arm`` searches per arm uniformly, with replacement, from the
    searches of ``p_a`` and ``p_b`` (the booking probability of each search under rankers A and
    B, the same searches in the same order) and a Bernoulli booking per drawn search."""
    p_a, p_b = np.asarray(p_a, dtype=float), np.asarray(p_b, dtype=float)
    if p_a.shape != p_b.shape or p_a.ndim != 1 or len(p_a) == 0:
        raise ValueError(f"p_a and p_b must be 1-d and of one length; got shapes {p_a.shape} and "
                         f"{p_b.shape}")
    n = check_int("searches_per_arm", searches_per_arm, 2)
    n_experiments = check_int("n_experiments", n_experiments, 1)
    alpha = check_number("alpha", alpha, 0, 1, low_open=True, high_open=True)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    significant = 0
    for _ in range(n_experiments):
        a = rng.random(n) < p_a[rng.integers(0, len(p_a), n)]
        b = rng.random(n) < p_b[rng.integers(0, len(p_b), n)]
        significant += difference_in_means(a.astype(float), b.astype(float)).p_value < alpha
    return significant / n_experiments


def searches_needed(p_a, p_b, alpha: float = 0.05, power: float = 0.8) -> float:
    """Searches per arm for a two-proportion test to detect the difference of the mean booking
    probabilities (:func:`mlsd.experiments.sample_size_per_arm`); ``inf`` when they are equal."""
    rate_a, rate_b = float(np.mean(p_a)), float(np.mean(p_b))
    if rate_a == rate_b:
        return float("inf")
    return float(sample_size_per_arm(rate_a, rate_b / rate_a - 1, alpha=alpha, power=power))


def _mean_ndcg(gain, score, search, k: int) -> float:
    """Mean NDCG@k over the searches with a positive gain; NaN when there is none."""
    if not (np.asarray(gain) > 0).any():
        return float("nan")
    return float(np.nanmean(RankedLists(gain, score, search).ndcg_at(check_int("k", k, 1))))

"""Cold start for new listings: a ranker that trusts reviews sinks the listings that have none,
and an exploration slot that gives them exposure now buys them reviews for later.

A listing "without reviews" is what serving knows: ``review_count == 0`` (in the simulator the
brand-new listings, whose quality is drawn as every other's). The measures:

- :func:`row_booking_probability` — each row's chance to be the booking when its search is
  served in the order of a score: ``P_j = e_j b_j Π_{i<j} (1 - e_i b_i)`` (the cascade of
  :func:`~.evaluation.expected_outcomes`, whose ``bookings`` is ``Σ P_j`` over the searches);
- :func:`exploration_slot` — in each search the best-scored listing without reviews is moved up
  to position ``slot`` when the ranker put it lower (the others keep their order);
- :func:`next_period` — the small dynamic of "later": the listings without reviews that were
  booked now have reviews in the next period. Listing ``l`` with expected bookings
  ``B_l = Σ P_j`` over its rows this period gets ``n_l ~ Poisson(B_l)`` reviews (every stay is
  reviewed), drawn by the inverse CDF at one uniform ``u_l`` per listing from ``seed`` — the same
  ``u_l`` whatever the policy, so a listing booked more never gets fewer reviews — and, when
  ``n_l >= 1``, the rating the simulator gives any reviewed listing, ``clip(RATING_MEAN +
  RATING_QUALITY q_l + z_l RATING_NOISE_SD / sqrt(n_l), 1, 5)`` with one ``z_l ~ N(0, 1)`` per
  listing, also from ``seed``. Nothing else changes: the next period replays the same searches
  (the same guests, the same truth — reviews do not change what a guest wants), now with those
  reviews in the features;
- :func:`cold_start_table` — now and later, without and with the slot.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import poisson

from mlsd.cases.rental_search.evaluation import K, expected_gain, ndcg, rank_within_search
from mlsd.cases.rental_search.simulate import RATING_MEAN, RATING_NOISE_SD, RATING_QUALITY
from mlsd.validation import check_int, check_number

SLOT = 3
"""The default exploration slot: the third position of the first page."""


def no_reviews(rows: pd.DataFrame) -> np.ndarray:
    """Whether each row's listing has no review (``review_count`` 0; <NA> counts as unknown,
    not new)."""
    return (rows["review_count"].astype("Float64").fillna(-1) == 0).to_numpy(dtype=bool)


def row_booking_probability(rows: pd.DataFrame, score, examination_decay: float) -> np.ndarray:
    """Each row's chance to be its search's booking when served in the order of ``score``
    (module docstring), in the rows' order; needs the simulator's truth."""
    decay = check_number("examination_decay", examination_decay, 0, 5)
    search = rows["search_id"].to_numpy()
    book = (rows["true_request"] * rows["true_accept"]).to_numpy(dtype=float)
    rank = rank_within_search(search, score)
    order = np.lexsort((rank, search))
    examined_book = rank[order].astype(float) ** -decay * book[order]
    before = _exclusive_product(1.0 - examined_book, search[order])
    probability = np.empty(len(rows))
    probability[order] = examined_book * before
    return probability


def _exclusive_product(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Within each run of equal ``group``, the product of the earlier rows' ``values`` (all in
    ``(0, 1]``; a sum of logs, 1 on a run's first row)."""
    log_values = np.log(np.clip(values, 1e-300, None))
    total = np.cumsum(log_values)
    starts = np.r_[0, np.flatnonzero(group[1:] != group[:-1]) + 1]
    before = np.repeat(np.r_[0.0, total][starts], np.diff(np.r_[starts, len(values)]))
    return np.exp(total - log_values - before)


def exploration_slot(rows: pd.DataFrame, score, slot: int = SLOT) -> np.ndarray:
    """A score whose order is ``score``'s with, in each search, the best-scored listing without
    reviews moved to position ``slot`` if it ranked below it (an integer >= 1); the listings it
    passes move down one place. The result is ``-position``."""
    slot = check_int("slot", slot, 1)
    search = rows["search_id"].to_numpy()
    rank = rank_within_search(search, score).astype(float)
    new = no_reviews(rows)
    best_new = pd.Series(np.where(new, rank, np.inf)).groupby(search).transform("min").to_numpy()
    promoted = new & (rank == best_new) & (rank > slot)
    rank[promoted] = slot - 0.5
    return -rank_within_search(search, -rank).astype(float)


def next_period(listings: pd.DataFrame, rows: pd.DataFrame, probability, seed: int = 0
                ) -> pd.DataFrame:
    """The reviews the listings without reviews have after this period (module docstring).

    ``listings`` is the world's table (``listing_id``, ``quality``), ``rows`` this period's
    results and ``probability`` their booking chances (:func:`row_booking_probability`). One row
    per listing without reviews in ``rows``, indexed by ``listing_id``: ``expected_bookings``,
    ``reviews`` and ``rating`` (NaN without a review)."""
    probability = np.asarray(probability, dtype=float)
    if probability.shape != (len(rows),):
        raise ValueError(f"probability must hold one value per row ({len(rows)}); got shape "
                         f"{probability.shape}")
    new = no_reviews(rows)
    expected = pd.Series(probability[new]).groupby(rows["listing_id"].to_numpy()[new]).sum()
    rng = np.random.default_rng(check_int("seed", seed, 0))
    uniform = rng.random(len(listings))
    noise = rng.normal(0, 1, len(listings))
    listing = expected.index.to_numpy()
    reviews = poisson.ppf(uniform[listing], expected.to_numpy()).astype(np.int64)
    quality = listings["quality"].to_numpy()[listing]
    rating = np.clip(RATING_MEAN + RATING_QUALITY * quality
                     + noise[listing] * RATING_NOISE_SD / np.sqrt(np.maximum(reviews, 1)), 1, 5)
    return pd.DataFrame({"expected_bookings": expected.to_numpy(), "reviews": reviews,
                         "rating": np.where(reviews > 0, np.round(rating, 2), np.nan)},
                        index=pd.Index(listing, name="listing_id"))


def with_reviews(rows: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with the ``review_count`` and ``rating`` of :func:`next_period`'s listings."""
    listing = rows["listing_id"]
    known = listing.isin(reviews.index).to_numpy()
    count = rows["review_count"].copy()
    count[known] = reviews["reviews"].reindex(listing[known]).to_numpy()
    rating = rows["rating"].to_numpy(dtype=float).copy()
    rating[known] = reviews["rating"].reindex(listing[known]).to_numpy()
    return rows.assign(review_count=count, rating=rating)


def cold_start_table(rows: pd.DataFrame, listings: pd.DataFrame, ranker, examination_decay: float,
                     *, slot: int = SLOT, k: int = K, seed: int = 0) -> pd.DataFrame:
    """The ranker's order of the simulated ``rows`` without and with the exploration slot, now
    and in the next period (the ranker ranks its searches again, with the reviews each policy
    bought, and no slot; only the searches holding a listing whose reviews changed are scored
    again). One row per policy (``ranker``, ``ranker + slot {slot}``):

    - now: ``true_ndcg`` (NDCG@k on the expected gains), ``bookings`` per search,
      ``new_bookings`` (those of listings without reviews) per search and ``new_top_share``
      (their share of the first ``k`` slots);
    - ``reviewed``: the listings without reviews that have some after the period;
    - later: ``later_true_ndcg``, ``later_bookings`` and ``later_new_bookings`` per search, the
      last for the listings that had no reviews at the start.
    """
    search = rows["search_id"].to_numpy()
    truth = expected_gain(rows)
    new = no_reviews(rows)
    n_searches = len(np.unique(search))
    base = ranker.predict(rows)
    table = {}
    for name, score in (("ranker", base), (f"ranker + slot {slot}",
                                           exploration_slot(rows, base, slot))):
        now = row_booking_probability(rows, score, examination_decay)
        reviews = next_period(listings, rows, now, seed)
        later_rows = with_reviews(rows, reviews)
        reviewed = rows["listing_id"].isin(reviews.index[reviews["reviews"] > 0]).to_numpy()
        changed = np.isin(search, search[reviewed])
        later_score = base.copy()
        if changed.any():
            later_score[changed] = ranker.predict(later_rows[changed])
        later = row_booking_probability(later_rows, later_score, examination_decay)
        table[name] = {
            "true_ndcg": ndcg(truth, score, search, k),
            "bookings": now.sum() / n_searches,
            "new_bookings": now[new].sum() / n_searches,
            "new_top_share": float(new[rank_within_search(search, score) <= k].mean()),
            "reviewed": int((reviews["reviews"] > 0).sum()),
            "later_true_ndcg": ndcg(truth, later_score, search, k),
            "later_bookings": later.sum() / n_searches,
            "later_new_bookings": later[new].sum() / n_searches,
        }
    return pd.DataFrame(table).T.rename_axis("policy")

"""Cold start: the per-row booking chances against the evaluation's cascade, the exploration
slot, the next period's reviews and their bad input."""

import numpy as np
import pytest

from mlsd.cases import rental_search as case
from mlsd.cases.rental_search.cold_start import no_reviews, with_reviews


@pytest.fixture(scope="module")
def world():
    return case.simulate_searches(n_searches=3_000, new_listing_share=0.3, seed=5)


def test_row_chances_add_up_to_the_cascades_bookings(world):
    rows = world.results
    score = case.quality_heuristic(rows)
    probability = case.row_booking_probability(rows, score, 0.7)
    searches = rows["search_id"].nunique()
    assert probability.sum() / searches == pytest.approx(
        case.expected_outcomes(rows, score, 0.7)["bookings"])
    assert (probability >= 0).all()


def test_the_slot_puts_the_best_new_listing_at_its_position(world):
    rows = world.results
    score = case.quality_heuristic(rows)
    slotted = case.exploration_slot(rows, score, slot=2)
    rank = case.rank_within_search(rows["search_id"].to_numpy(), slotted)
    new = no_reviews(rows)
    best_new = rows.assign(rank=np.where(new, rank, 10**9)).groupby("search_id")["rank"].min()
    has_new = rows.assign(new=new).groupby("search_id")["new"].any()
    assert (best_new[has_new] <= 2).all()
    old = case.rank_within_search(rows["search_id"].to_numpy(), score)
    assert (rank[~new & (old < 2)] == old[~new & (old < 2)]).all()
    moved = rank != old
    promoted = moved & new & (rank == 2)
    assert (rank[moved & ~promoted] == old[moved & ~promoted] + 1).all()  # passed: one down


def test_reviews_follow_bookings_and_the_same_draws(world):
    rows = world.results
    high = case.row_booking_probability(rows, case.expected_gain(rows), 0.7)
    reviews = case.next_period(world.listings, rows, high, seed=1)
    doubled = case.next_period(world.listings, rows, 2 * high, seed=1)
    assert (doubled["reviews"] >= reviews["reviews"]).all()
    assert reviews["expected_bookings"].sum() == pytest.approx(high[no_reviews(rows)].sum())
    assert reviews["rating"].isna().to_numpy().tolist() == (reviews["reviews"] == 0).tolist()
    later = with_reviews(rows, reviews)
    reviewed = reviews.index[reviews["reviews"] > 0]
    assert (later.loc[rows["listing_id"].isin(reviewed), "review_count"] > 0).all()


def test_bad_input_is_rejected(world):
    rows = world.results
    with pytest.raises(ValueError, match="slot"):
        case.exploration_slot(rows, np.zeros(len(rows)), slot=0)
    with pytest.raises(ValueError, match="examination_decay"):
        case.row_booking_probability(rows, np.zeros(len(rows)), -1)
    with pytest.raises(ValueError, match="probability"):
        case.next_period(world.listings, rows, np.zeros(3))

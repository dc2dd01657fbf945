"""Retrieval rebuilt from the simulated world: the recall of the booked listing on hand cases,
candidate sets that obey their filters and hold what the log showed, and served value."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.rental_search import retrieval
from mlsd.cases.rental_search.data import load_data


def test_booking_recall_counts_the_booked_searches_whose_booking_was_retrieved():
    candidates = pd.DataFrame({"search_id": [1, 1, 2, 3, 3], "booked": [0, 1, 0, 0, 1]})
    assert retrieval.booking_recall(candidates, [1, 2, 3, 3]) == pytest.approx(2 / 3)
    assert retrieval.booking_recall(candidates, [4]) == 0.0
    assert np.isnan(retrieval.booking_recall(candidates, []))


def test_ranker_recall_is_the_share_of_bookings_ranked_within_each_cutoff():
    candidates = pd.DataFrame({"search_id": [1, 1, 1, 2, 2, 2],
                               "booked": [0, 0, 1, 1, 0, 0]})
    score = np.array([3.0, 2.0, 1.0, 5.0, 6.0, 7.0])  # booking ranked 3rd in both searches
    assert retrieval.ranker_recall(candidates, score, (1, 2, 3)).tolist() == [0.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="cutoff"):
        retrieval.ranker_recall(candidates, score, (0,))


@pytest.fixture(scope="module")
def world():
    return load_data("simulated", seed=5, n_searches=5_000).world


@pytest.fixture(scope="module")
def searches(world):
    return world.searches["search_id"].to_numpy()[::10]


def test_candidates_hold_the_party_and_every_listing_the_search_showed(world, searches):
    rows = retrieval.candidate_sets(world, searches, seed=1)
    capacity = world.listings["capacity"].to_numpy()[rows["listing_id"].to_numpy()]
    assert (capacity >= rows["guests"].to_numpy()).all() and rows["free"].all()
    shown = world.results[world.results["search_id"].isin(searches)]
    keys = set(zip(rows["search_id"], rows["listing_id"]))
    assert all(pair in keys for pair in zip(shown["search_id"], shown["listing_id"]))
    booked = world.searches.set_index("search_id").loc[searches, "booked"]
    assert retrieval.booking_recall(rows, booked.index[booked == 1]) == 1.0
    market = world.listings["market"].to_numpy()[rows["listing_id"].to_numpy()]
    assert (market == world.searches["market"].to_numpy()[rows["search_id"].to_numpy()]).all()


def test_availability_redraws_as_many_free_listings_as_the_search_retrieved(world, searches):
    rows = retrieval.candidate_sets(world, searches, seed=1)
    per_search = rows.groupby("search_id").size().reindex(searches, fill_value=0)
    logged = world.searches.set_index("search_id").loc[searches, "retrieved"]
    assert (per_search.to_numpy() == logged.to_numpy()).all()  # as many as the log found


def test_filters_drop_booked_out_and_distant_listings_and_booked_out_earns_nothing(world, searches):
    every = retrieval.candidate_sets(world, searches, availability=False, seed=1)
    near = retrieval.candidate_sets(world, searches, radius=0.3, seed=1)
    assert (~every["free"]).any() and (near["distance"] <= 0.3).all() and len(near) < len(every)
    out = every[~every["free"]]
    assert (out[list(retrieval.TRUTH)].to_numpy() == 0).all()
    truth = world.truth_of(every.loc[every["free"], ["search_id", "listing_id"]])
    assert truth["true_click"].to_numpy() == pytest.approx(
        every.loc[every["free"], "true_click"].to_numpy())
    with pytest.raises(ValueError, match="radius"):
        retrieval.candidate_sets(world, searches, radius=0)


def test_serving_by_the_true_booking_chance_earns_more_than_the_reverse(world, searches):
    rows = retrieval.candidate_sets(world, searches, seed=1)
    book = (rows["true_request"] * rows["true_accept"]).to_numpy()
    decay = world.parameters["examination_decay"]
    best, worst = (retrieval.served_value(rows, s, decay) for s in (book, -book))
    assert best > 3 * worst > 0

"""Listing embeddings from click sessions: co-clicks counted by hand, the PPMI formula on a hand
example, no vector where the kept dimensions leave a listing none, and vectors that place alike
listings of the simulator together."""

import math

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.rental_search import embeddings as emb
from mlsd.cases.rental_search.data import load_data, split


def test_co_clicks_count_each_pair_once_per_trip_and_never_a_listing_with_itself():
    rows = pd.DataFrame({"trip_id": [0, 0, 0, 1, 1, 1, 1],
                         "listing_id": [1, 2, 2, 1, 2, 3, 4],
                         "click": [1, 1, 1, 1, 1, 1, 0]})
    counts = emb.co_click_counts(rows).set_index(["listing_a", "listing_b"])["count"]
    assert counts.to_dict() == {(1, 2): 2, (1, 3): 1, (2, 1): 2, (2, 3): 1, (3, 1): 1, (3, 2): 1}
    with pytest.raises(ValueError, match="session column 'trip_id'"):
        emb.co_click_counts(rows.drop(columns="trip_id"))


def test_ppmi_follows_its_formula_on_a_hand_example():
    counts = np.array([[0, 2, 1], [2, 0, 1], [1, 1, 0]])  # total 8, row sums 3, 3, 2
    expected = np.array([[0, math.log(16 / 9), math.log(4 / 3)],
                         [math.log(16 / 9), 0, math.log(4 / 3)],
                         [math.log(4 / 3), math.log(4 / 3), 0]])
    assert emb.ppmi(counts) == pytest.approx(expected)
    shifted = emb.ppmi(counts, shift=1.5)  # ln(16/9) - ln 1.5 > 0; ln(4/3) - ln 1.5 < 0 → 0
    assert shifted[0, 1] == pytest.approx(math.log(16 / 9 / 1.5)) and shifted[0, 2] == 0
    with pytest.raises(ValueError, match="square matrix"):
        emb.ppmi(np.ones((2, 3)))
    with pytest.raises(ValueError, match="shift"):
        emb.ppmi(counts, shift=0.5)


def test_the_vectors_reproduce_the_ppmi_matrix_they_factorise():
    rows = pd.DataFrame({"trip_id": [0, 0, 1, 1, 2, 2, 2], "market": 0,
                         "listing_id": [0, 1, 1, 2, 0, 1, 2], "click": 1})
    model = emb.ListingEmbeddings(dim=3).fit(rows)
    counts = np.zeros((3, 3))
    for _, pair in emb.co_click_counts(rows).iterrows():
        counts[pair["listing_a"], pair["listing_b"]] = pair["count"]
    target = emb.ppmi(counts)
    eigenvalues = np.linalg.eigvalsh(target)
    vectors = model.vectors_
    signs = np.sign(eigenvalues[np.argsort(-np.abs(eigenvalues), kind="stable")])
    assert (vectors * signs) @ vectors.T == pytest.approx(target, abs=1e-9)  # full rank: exact


def test_a_listing_outside_the_kept_dimensions_has_no_vector_not_a_noisy_direction():
    # two groups of listings never co-clicked together: the rarer pair 2-3 has the higher PMI
    # (ln 6 against ln 3), so with one dimension kept the pair 0-1 lies wholly in a dropped one
    rows = pd.DataFrame({"trip_id": [0, 0, 1, 1, 2, 2], "market": 0,
                         "listing_id": [0, 1, 2, 3, 0, 1], "click": 1})
    model = emb.ListingEmbeddings(dim=1).fit(rows)
    assert model.has_vector([0, 1, 2, 3]).tolist() == [False, False, True, True]
    assert model.nearest([0, 2]).tolist() == [-1, 3]


@pytest.fixture(scope="module")
def world_and_vectors():
    data = load_data("simulated", seed=3, n_searches=20_000)
    train = split(data).train
    return data.world, emb.ListingEmbeddings().fit(train), train


def test_nearest_neighbours_share_the_room_type_more_than_chance(world_and_vectors):
    world, model, _ = world_and_vectors
    check = emb.neighbour_check(world.listings, model, seed=1)
    assert check.loc["nearest", "same_room_type"] > check.loc["random", "same_room_type"] + 0.1
    random_share = world.listings.groupby("market")["room_type"].value_counts(normalize=True)
    chance = float((random_share ** 2).groupby("market").sum().mean())
    assert check.loc["random", "same_room_type"] == pytest.approx(chance, abs=0.05)


def test_only_co_clicked_listings_get_a_vector_and_neighbours_stay_in_their_market(
        world_and_vectors):
    world, model, train = world_and_vectors
    pairs = emb.co_click_counts(train)
    listing = np.arange(len(world.listings))
    co_clicked = np.isin(listing, pairs["listing_a"])
    assert not (model.has_vector(listing) & ~co_clicked).any()
    assert (co_clicked & ~model.has_vector(listing)).sum() <= 0.01 * co_clicked.sum()
    nearest = model.nearest(listing)
    found = nearest >= 0
    market = world.listings["market"].to_numpy()
    assert (market[nearest[found]] == market[found]).all()
    assert (nearest[found] != listing[found]).all()
    without = np.flatnonzero(~model.has_vector(listing))[:3]
    assert np.isnan(model.cosine(without, without)).all()
    assert model.cosine([nearest[found][0]], [listing[found][0]])[0] <= 1 + 1e-12

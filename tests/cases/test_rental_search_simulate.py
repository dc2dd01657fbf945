"""The rental-search simulator against its own generative story."""

import hashlib
import re

import numpy as np
import pandas as pd
import pytest
from cpu_paths import output_with_simd_loops

from mlsd.cases.rental_search.schema import COLUMNS, check_table
from mlsd.cases.rental_search.simulate import (
    HEADS, NEW_LISTING_DAYS, TRUTH_COLUMNS, simulate_searches,
)

SEED = 1
Z = 4.0  # a deviation of more than Z standard errors is a failure, not noise
SMALL = dict(n_listings=800, n_guests=1_000, n_days=6, n_searches=3_000)


@pytest.fixture(scope="module")
def world():
    return simulate_searches(n_searches=20_000, seed=SEED)


@pytest.fixture(scope="module")
def explored():
    """Half of the searches in random order, so that every position holds thousands of them."""
    return simulate_searches(n_searches=20_000, random_share=0.5, seed=SEED)


def _z(observed, probability):
    """How many standard errors the count of ``observed`` lies from the sum of ``probability``."""
    probability = np.asarray(probability)
    spread = np.sqrt((probability * (1 - probability)).sum())
    return (np.sum(observed) - probability.sum()) / spread


def _gap_z(first, second):
    """The difference of two means over its standard error."""
    first, second = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    spread = np.sqrt(first.var() / len(first) + second.var() / len(second))
    return (first.mean() - second.mean()) / spread


def _before_a_booking(results):
    """Per row, the chance that no position above it in its search was booked:
    ``Π_{j<k} (1 - e_j true_book_j)``, rows sorted by search, then position."""
    search = results["search_id"].to_numpy()
    booked = results["examine_probability"].to_numpy() * results["true_book"].to_numpy()
    log_free = np.log1p(-booked)
    total = np.cumsum(log_free)
    starts = np.flatnonzero(np.r_[True, search[1:] != search[:-1]])
    before = np.repeat(np.r_[0, total][starts], np.diff(np.r_[starts, len(search)]))
    return np.exp(total - log_free - before)


def test_results_follow_the_schema(world):
    results, searches = world.results, world.searches
    assert check_table(results) is results
    assert list(results.columns) == [*COLUMNS, "trip_id", "policy_score", *TRUTH_COLUMNS]
    assert len(searches) == world.parameters["n_searches"]
    assert (searches["search_id"].to_numpy() == np.arange(len(searches))).all()
    assert searches["time"].is_monotonic_increasing
    assert (results["time"].to_numpy() == searches["time"].to_numpy()[results["search_id"]]).all()
    by_search = results.groupby("search_id")
    assert (by_search["position"].max() == by_search.size()).all()  # positions 1 … shown
    assert not results.duplicated(["search_id", "listing_id"]).any()
    assert (by_search["random_order"].nunique() == 1).all()
    assert (by_search.size().reindex(searches["search_id"], fill_value=0).to_numpy()
            == searches["shown"].to_numpy()).all()
    truth = results[list(TRUTH_COLUMNS)].to_numpy()
    assert ((truth > 0) & (truth <= 1)).all()
    assert (results["true_request"] <= results["true_long_click"]).all()
    assert (results["true_long_click"] <= results["true_click"]).all()
    assert (results["true_book"] == results["true_request"] * results["true_accept"]).all()
    assert (results["booking_request"] <= results["long_click"]).all()


def test_retrieval_keeps_the_listings_of_the_market_that_hold_the_party(world):
    results, searches, listings = world.results, world.searches, world.listings
    listing = results["listing_id"].to_numpy()
    assert (listings["market"].to_numpy()[listing] == results["market"].to_numpy()).all()
    assert (listings["capacity"].to_numpy()[listing] >= results["guests"].to_numpy(int)).all()
    shown = np.minimum(searches["retrieved"], world.parameters["results_per_search"])
    assert (searches["shown"] == shown).all()
    capacity = listings.groupby("market")["capacity"]
    holds_table = np.array([[(rows >= party).sum() for party in range(7)] for _, rows in capacity])
    holds = holds_table[searches["market"].to_numpy(), searches["guests"].to_numpy()]
    assert (searches["retrieved"].to_numpy() <= holds).all()
    assert (searches["retrieved"].to_numpy() < 0.9 * holds).mean() > 0.95  # the dates are taken
    per_trip = results.groupby("trip_id")["listing_id"].nunique()
    retrieved = searches.groupby("trip_id")["retrieved"].first()
    assert (per_trip <= retrieved.loc[per_trip.index]).all()  # one retrieval per trip


def test_new_listings_have_no_reviews_and_the_share_asked_for(world):
    listings, share = world.listings, world.parameters["new_listing_share"]
    new = listings["new"].to_numpy()
    assert abs(new.mean() - share) < Z * np.sqrt(share * (1 - share) / len(new))
    assert (listings.loc[new, "review_count"] == 0).all()
    assert listings.loc[new, "rating"].isna().all()
    assert (listings.loc[new, "age_days"] < NEW_LISTING_DAYS).all()
    assert (listings.loc[~new, "age_days"] >= NEW_LISTING_DAYS).all()
    results = world.results
    shown_new = new[results["listing_id"].to_numpy()]
    assert (results.loc[shown_new, "review_count"] == 0).all()
    age = listings["age_days"].to_numpy()[results["listing_id"]] + results["time"].to_numpy()
    assert np.allclose(results["listing_age_days"], age)
    none = simulate_searches(**SMALL, new_listing_share=0.0, seed=SEED).listings
    assert not none["new"].any() and none["review_count"].sum() > 0


def test_random_order_clicks_by_position_recover_the_examination(explored):
    """CTR at position k over CTR at position 1, in random order: k ** -decay within intervals."""
    shown = explored.results[explored.results["random_order"]]
    decay = explored.parameters["examination_decay"]
    by_position = shown.groupby("position")["click"].agg(["mean", "size"])
    first = by_position.loc[1]
    for position, row in by_position.iloc[1:].iterrows():
        ratio = row["mean"] / first["mean"]
        spread = ratio * np.sqrt((1 - row["mean"]) / (row["mean"] * row["size"])
                                 + (1 - first["mean"]) / (first["mean"] * first["size"]))
        assert abs(ratio - position ** -decay) < Z * spread, position
    last = shown[shown["position"] == by_position.index.max()]
    assert abs(_gap_z(shown.loc[shown["position"] == 1, "true_click"], last["true_click"])) < Z


def test_the_logged_order_sinks_new_listings_though_they_are_as_good(explored):
    results = explored.results
    new = explored.listings["new"].to_numpy()[results["listing_id"].to_numpy()]
    position = results["position"].to_numpy(dtype=float)
    random_order = results["random_order"].to_numpy()
    logged = ~random_order
    assert _gap_z(position[logged & new], position[logged & ~new]) > Z
    assert abs(_gap_z(position[random_order & new], position[random_order & ~new])) < Z
    listings = explored.listings  # the quality of a listing is drawn whatever its age
    assert abs(_gap_z(listings.loc[listings["new"], "quality"],
                      listings.loc[~listings["new"], "quality"])) < Z
    reviews = np.log1p(results["review_count"].to_numpy(dtype=float))
    first, last = (results["position"] == 1).to_numpy(), (results["position"] == 24).to_numpy()
    assert _gap_z(reviews[logged & first], reviews[logged & last]) > Z
    assert abs(_gap_z(reviews[random_order & first], reviews[random_order & last])) < Z


def test_outcomes_are_examination_times_the_truth(world):
    results = world.results
    examine = results["examine_probability"].to_numpy()
    assert np.allclose(examine, results["position"].to_numpy(dtype=float)
                       ** -world.parameters["examination_decay"])
    for outcome, head in (("click", "click"), ("long_click", "long_click")):
        assert abs(_z(results[outcome], examine * results[f"true_{head}"])) < Z, outcome
    unbooked = _before_a_booking(results)
    booked = examine * results["true_book"].to_numpy() * unbooked
    requested = examine * results["true_request"].to_numpy() * unbooked
    assert abs(_z(results["booked"], booked)) < Z
    assert abs(_z(results["booking_request"], requested)) < Z
    per_search = results.groupby("search_id")["booked"].sum()
    assert abs(_z(per_search, pd.Series(booked).groupby(results["search_id"].to_numpy()).sum())) < Z


def test_a_booking_ends_the_requests_of_its_search_and_its_trip(world):
    results, searches = world.results, world.searches
    assert results.groupby("search_id")["booked"].sum().max() == 1
    assert searches.groupby("trip_id")["booked"].sum().max() == 1
    booked_at = results[results["booked"] == 1].set_index("search_id")["position"]
    after = results["position"].to_numpy() > booked_at.reindex(results["search_id"]).to_numpy()
    assert not results.loc[after, "booking_request"].any()
    assert results.loc[after, "click"].sum() > 0  # the guest still opens listings below it
    last = searches.groupby("trip_id")["time"].transform("max")
    assert (searches.loc[searches["booked"] == 1, "time"] == last[searches["booked"] == 1]).all()
    assert (searches.groupby("trip_id")["booked"].max().to_numpy()
            == world.trips["booked"].to_numpy()).all()


def test_host_rejections_track_their_acceptance_propensity(world):
    results = world.results
    requests = results[results["booking_request"] == 1]
    rejected = 1 - requests["booked"].to_numpy()
    propensity = world.listings["acceptance"].to_numpy()[requests["listing_id"].to_numpy()]
    rates = []
    for low, high in ((0, 0.6), (0.6, 0.85), (0.85, 1)):
        rows = (propensity >= low) & (propensity < high)
        assert abs(_z(rejected[rows], 1 - requests["true_accept"].to_numpy()[rows])) < Z
        rates.append(rejected[rows].mean())
    assert rates[0] > 0.3 and rates[0] > rates[1] > rates[2]
    assert 0.1 < rejected.mean() < 0.35


def test_a_trip_is_a_session_of_searches_by_one_guest_in_one_market(world):
    searches, trips = world.searches, world.trips
    per_trip = searches.groupby("trip_id")
    for column in ("guest_id", "market", "nights", "guests"):
        assert (per_trip[column].nunique() == 1).all()
        assert (per_trip[column].first().to_numpy() == trips[column].to_numpy()).all()
    assert (per_trip.size().to_numpy() == trips["searches"].to_numpy()).all()
    assert (trips["searches"] > 1).mean() > 0.5
    span_hours = 24 * (per_trip["time"].max() - per_trip["time"].min())
    assert 4 < span_hours[trips["searches"] > 1].median() < 48
    assert (searches.groupby("guest_id")["trip_id"].nunique() > 1).mean() > 0.3  # trips again


def test_positive_rates_are_those_of_a_search_log(world):
    results, searches = world.results, world.searches
    rates = results[["click", "long_click", "booking_request", "booked"]].mean()
    assert 0.03 < rates["click"] < 0.1 and 0.3 < rates["long_click"] / rates["click"] < 0.7
    assert 0.002 < rates["booked"] < rates["booking_request"] < 0.015
    assert 0.05 < searches["booked"].mean() < 0.2


def test_truth_of_gives_the_logged_truth_and_any_pair_of_the_market(world):
    results = world.results.iloc[::53]
    truth = world.truth_of(results)
    assert list(truth.columns) == [f"true_{head}" for head in HEADS]
    assert (truth.to_numpy() == results[truth.columns].to_numpy()).all()
    assert (world.examine_probability(results["position"]) == results["examine_probability"]).all()
    search = world.searches.iloc[7]
    market = world.listings[world.listings["market"] == search["market"]]
    pairs = pd.DataFrame({"search_id": search["search_id"], "listing_id": market["listing_id"]})
    unshown = world.truth_of(pairs)
    assert len(unshown) == len(market) and ((unshown > 0) & (unshown < 1)).all().all()
    elsewhere = world.listings.loc[world.listings["market"] != search["market"], "listing_id"]
    with pytest.raises(ValueError, match="outside the search's market"):
        world.truth_of(pd.DataFrame({"search_id": [7], "listing_id": [elsewhere.iloc[0]]}))


def test_simulator_is_deterministic_per_seed():
    first, second = simulate_searches(**SMALL, seed=11), simulate_searches(**SMALL, seed=11)
    for table in ("results", "markets", "listings", "guests", "trips", "searches"):
        pd.testing.assert_frame_equal(getattr(first, table), getattr(second, table))
    assert not simulate_searches(**SMALL, seed=12).results.equals(first.results)


HASH = (
    "import hashlib, pandas as pd\n"
    "from mlsd.cases.rental_search.simulate import simulate_searches\n"
    "w = simulate_searches(n_listings=800, n_guests=1_000, n_days=6, n_searches=3_000, seed=11)\n"
    "h = hashlib.sha256()\n"
    "for t in (w.results, w.listings, w.guests, w.trips, w.searches):\n"
    "    h.update(pd.util.hash_pandas_object(t).to_numpy().tobytes())\n"
    "print(h.hexdigest())\n"
)


def test_the_world_is_the_same_with_numpys_simd_loops_on_or_off():
    on = output_with_simd_loops(HASH, on=True)
    off = output_with_simd_loops(HASH, on=False)
    assert re.fullmatch("[0-9a-f]{64}", on) and on == off
    here = simulate_searches(**SMALL, seed=11)
    digest = hashlib.sha256()
    for table in (here.results, here.listings, here.guests, here.trips, here.searches):
        digest.update(pd.util.hash_pandas_object(table).to_numpy().tobytes())
    assert digest.hexdigest() == on


@pytest.mark.parametrize("name, value, allowed", [
    ("n_markets", 0, "an integer >= 1"),
    ("n_listings", 5, "an integer >= 8"),
    ("n_guests", 2.5, "an integer >= 1"),
    ("n_days", True, "an integer >= 1"),
    ("n_searches", -1, "an integer >= 1"),
    ("results_per_search", 0, "an integer >= 1"),
    ("random_share", 1.5, "a number in [0, 1]"),
    ("examination_decay", float("nan"), "a number in [0, 5]"),
    ("new_listing_share", -0.1, "a number in [0, 1]"),
    ("seed", -3, "an integer >= 0"),
])
def test_bad_parameters_are_named(name, value, allowed):
    with pytest.raises(ValueError, match="^" + re.escape(f"{name} must be {allowed}; got")):
        simulate_searches(**{name: value})

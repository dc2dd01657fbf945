"""Loading and splitting the rental-search data: the simulator, split by day with every search
whole on one side, and the messages for bad input."""

import pandas as pd
import pytest

from mlsd.cases.contract import CaseData, has_truth, split_by_day
from mlsd.cases.rental_search.data import (
    SOURCES, TEST_DAYS, load_data, split,
)
from mlsd.cases.rental_search.schema import check_table
from mlsd.cases.rental_search.simulate import SearchWorld, simulate_searches

SIZES = {"n_listings": 1_000, "n_guests": 2_000, "n_searches": 6_000}


@pytest.fixture(scope="module")
def data():
    return load_data("simulated", seed=4, **SIZES)


def test_the_simulated_source_is_the_simulators_world_with_its_sizes(data):
    assert SOURCES == ("simulated", "expedia")
    assert isinstance(data, CaseData) and isinstance(data.world, SearchWorld) and has_truth(data)
    assert data.source == "simulated"
    assert data.table.equals(simulate_searches(seed=4, **SIZES).results)
    assert check_table(data.table) is data.table
    table = data.table
    assert data.sizes == {"rows": len(table), "users": table["guest_id"].nunique(),
                          "items": table["listing_id"].nunique(),
                          "days": table["time"].max() - table["time"].min()}
    assert 27 < data.sizes["days"] < 28
    searches = data.world.searches  # a search whose retrieval found nothing shows no row
    assert len(searches) == 6_000
    assert table["search_id"].nunique() == (searches["shown"] > 0).sum() > 5_900


def test_every_simulator_keyword_reaches_the_simulator():
    knobs = dict(n_markets=3, n_listings=300, n_guests=200, n_days=4, n_searches=500,
                 results_per_search=10, random_share=0.5, examination_decay=0.5,
                 new_listing_share=0.3)
    loaded = load_data("simulated", seed=2, **knobs)
    assert loaded.world.parameters == {**knobs, "seed": 2}


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(data):
    assert load_data("simulated", seed=4, **SIZES).table.equals(data.table)
    assert not load_data("simulated", seed=5, **SIZES).table.equals(data.table)


def test_an_unknown_source_names_the_ones_there_are():
    with pytest.raises(ValueError) as error:
        load_data("airbnb")
    assert str(error.value) == "data_source must be one of 'simulated', 'expedia'; got 'airbnb'"



def test_the_default_split_trains_on_three_weeks_and_tests_on_the_last(data):
    held_out = split(data)
    assert TEST_DAYS == 7
    assert held_out.rule == "by day: days 0–20 train, the last 7 (days 21–27) test"
    assert set(held_out.train["day"]) == set(range(21))
    assert set(held_out.test["day"]) == set(range(21, 28))
    assert held_out.train["time"].max() < held_out.test["time"].min()
    assert len(held_out.train) + len(held_out.test) == len(data.table)


def test_every_search_lies_whole_on_one_side(data):
    held_out = split(data, test_days=10)
    train, test = set(held_out.train["search_id"]), set(held_out.test["search_id"])
    assert not train & test
    sizes = data.table.groupby("search_id").size()
    assert (held_out.train.groupby("search_id").size() == sizes.loc[sorted(train)]).all()
    assert (held_out.test.groupby("search_id").size() == sizes.loc[sorted(test)]).all()


def test_the_split_keeps_the_rows_in_time_order(data):
    held_out = split(data, test_days=3)
    both = pd.concat([held_out.train, held_out.test])
    assert both.index.equals(data.table.index)  # never shuffled: the table's rows, in order
    assert held_out.rule == "by day: days 0–24 train, the last 3 (days 25–27) test"


def test_a_test_period_that_leaves_no_training_day_is_refused(data):
    with pytest.raises(ValueError, match=r"test_days must be an integer in \[1, 27\]; got 28"):
        split(data, test_days=28)
    with pytest.raises(ValueError, match=r"test_days must be an integer in \[1, 27\]; got 0"):
        split(data, test_days=0)
    one_day = data.table[data.table["day"] == 3]
    with pytest.raises(ValueError, match=r"the table spans one day \(3\); a split by day needs "
                                         "at least 2"):
        split_by_day(one_day, 1)

"""Loading and splitting the ad-click data: the one source, what was loaded, a split by day."""

import pytest

from mlsd.cases.ad_click.data import load_data, split, split_by_day
from mlsd.cases.ad_click.simulate import AdMarket, simulate_market
from mlsd.cases.contract import CaseData


@pytest.fixture(scope="module")
def data():
    knobs = {"base_ctr": 0.05, "drift": 0.2, "shift_day": 11}
    return load_data("simulated", seed=2, n_impressions=20_000, **knobs)


def test_the_simulated_source_is_the_simulators_market_with_its_sizes(data):
    assert isinstance(data, CaseData) and isinstance(data.world, AdMarket)
    expected = simulate_market(n_impressions=20_000, base_ctr=0.05, drift=0.2, shift_day=11, seed=2)
    assert data.table.equals(expected.impressions)
    assert data.sizes == {
        "rows": 20_000,
        "users": data.table["user_id"].nunique(),
        "items": data.table["ad_id"].nunique(),
        "days": data.table["time"].max() - data.table["time"].min(),
    }
    assert 13 < data.sizes["days"] < 14


def test_an_unknown_source_names_the_one_there_is():
    with pytest.raises(ValueError, match="data_source must be one of 'simulated'; got 'criteo'"):
        load_data("criteo")


def test_split_by_day_never_mixes_time(data):
    train, test = split_by_day(data.table, 10)
    assert train["day"].max() == 9 and test["day"].min() == 10
    with pytest.raises(ValueError, match=r"first_test_day must be an integer in \[1, 13\]; got 0"):
        split_by_day(data.table, 0)


def test_split_states_its_rule(data):
    held_out = split(data)
    assert held_out.train["time"].max() < held_out.test["time"].min()
    assert held_out.rule == "by day: days before 10 train, days 10–13 test"
    assert split(data, 12).rule == "by day: days before 12 train, days 12–13 test"

"""Diversity and monitoring of rental search, and what notebook 4 records at its defaults.

The records are read from the committed notebook; nbval re-executes it and fails if any output,
records included, no longer reproduces."""

import numpy as np
import pytest

from kit_factory import KIT_ROOT
from mlsd.cases import rental_search as case
from mlsd.records import read_records


@pytest.fixture(scope="module")
def world():
    return case.simulate_searches(n_searches=5_000, seed=4)


@pytest.fixture(scope="module")
def rows(world):
    return world.results.assign(
        room_type=world.listings["room_type"].to_numpy()[world.results["listing_id"]])


def test_the_cap_limits_one_room_type_on_the_first_page(rows):
    capped = case.cap_room_type(rows, case.expected_gain(rows), cap=3)
    rank = case.rank_within_search(rows["search_id"].to_numpy(), capped)
    page = rows[rank <= 10]
    per_type = page.groupby(["search_id", "room_type"]).size()
    types = rows.groupby("search_id")["room_type"].nunique()
    varied = types[types > 1].index
    shown = page.groupby("search_id").size()
    crowded = per_type[per_type > 3].reset_index()["search_id"]
    # a type exceeds the cap only where the other types ran out before the page was full
    for search in crowded[crowded.isin(varied)]:
        others = rows[(rows["search_id"] == search)]
        assert shown[search] == min(10, len(others))
    table = case.diversity_table(rows, {"truth": case.expected_gain(rows), "capped": capped}, 0.7)
    assert table.loc["capped", "top_type_share"] < table.loc["truth", "top_type_share"]
    assert table.loc["capped", "true_ndcg"] < table.loc["truth", "true_ndcg"]


def test_the_monitor_alerts_on_the_incident_only(world):
    table = world.results
    broken = case.break_host_answers(table, 27)
    assert broken.loc[broken["day"] == 27, "booked"].sum() == 0
    alerts = case.monitor(broken, 21)
    fired = alerts[alerts["status"] == "alert"]
    assert set(fired["metric"]) == {"bookings_per_search", "rejection_share"}
    assert (fired["day"] == 27).all()
    daily = case.daily_metrics(table)
    assert daily["rejection_share"].between(0, 1).all()
    assert daily.loc[5, "bookings_per_search"] == pytest.approx(
        table[table["day"] == 5]["booked"].sum() / table[table["day"] == 5]["search_id"].nunique())
    assert {"owner", "alert"} <= set(case.monitoring_plan().columns)


def test_bad_input_is_rejected(rows, world):
    with pytest.raises(ValueError, match="cap"):
        case.cap_room_type(rows, np.zeros(len(rows)), cap=0)
    with pytest.raises(ValueError, match="day"):
        case.break_host_answers(world.results, 99)
    with pytest.raises(ValueError, match="first_test_day"):
        case.monitor(world.results, 3)
    with pytest.raises(ValueError, match="scores"):
        case.diversity_table(rows, {"x": np.zeros(2)}, 0.7)


def test_notebook_4_records():
    r = read_records(KIT_ROOT / "notebooks" / "04_rental_search" / "4_tradeoffs.ipynb")
    assert r["bias_logged_offline_ndcg"] > r["bias_lambdamart_offline_ndcg"]
    assert r["bias_logged_true_ndcg"] < r["bias_lambdamart_true_ndcg"] < r["bias_truth_true_ndcg"]
    assert r["bias_lambdamart_new_top_share"] < r["bias_truth_new_top_share"]
    assert r["bias_position_top_log_reviews"] < r["bias_lambdamart_top_log_reviews"]
    assert r["cold_slot_new_bookings"] > 1.3 * r["cold_ranker_new_bookings"]
    assert abs(r["cold_slot_later_bookings"] - r["cold_ranker_later_bookings"]) < 5e-4
    assert r["sides_book_rejections"] < r["sides_request_rejections"]
    assert r["sides_learned_book_rejections"] < r["sides_learned_request_rejections"]
    assert abs(r["decay_random"] - 0.7) < 0.15
    assert r["alerts"] == 2

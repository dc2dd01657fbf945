"""Rental search's notebook 1: its measurements checked against direct computations and the
simulator's truth, what the committed notebook records at its defaults, and that it runs on small
Expedia files written here in both published layouts (no download)."""

import datetime as dt
import json

import numpy as np
import pytest

from kit_factory import KIT_ROOT, run_mlsd
from mlsd.cases.rental_search import framing
from mlsd.cases.rental_search.data import NO_TRUTH, load_data
from mlsd.cases.rental_search.evaluation import expected_gain, scorecard
from mlsd.cases.rental_search.expedia import KAGGLE_HEADER, RECTOUR_HEADER
from mlsd.cases.rental_search.models import quality_heuristic
from mlsd.cases.rental_search.schema import GAINS, GRADES, grades
from mlsd.records import read_records

NOTEBOOK = "notebooks/04_rental_search/1_problem_framing.ipynb"


@pytest.fixture(scope="module")
def data():
    return load_data("simulated", seed=3, n_searches=6_000)


def test_the_grade_table_counts_each_rows_best_outcome(data):
    rows = data.table
    table = framing.grade_table(rows)
    assert table.index.tolist() == list(GRADES)
    assert table["rows"].sum() == len(rows)
    booked = int(rows["booked"].sum())
    rejected = int(((rows["booking_request"] == 1) & (rows["booked"] == 0)).sum())
    assert table.loc["booked", "rows"] == booked and table.loc["rejected", "rows"] == rejected
    assert table.loc["viewed", "rows"] == int((rows["click"] == 0).sum())
    assert table.loc["booked", "per_100_searches"] == pytest.approx(
        100 * booked / rows["search_id"].nunique())
    np.testing.assert_allclose(table["share_of_rows"], table["rows"] / len(rows))
    assert table["gain"].to_dict() == GAINS
    other = framing.grade_table(rows, {**GAINS, "rejected": 0.0})
    assert other.loc["rejected", "gain"] == 0.0
    with pytest.raises(ValueError, match="gains must name exactly the grades"):
        framing.grade_table(rows, {"booked": 1.0})


def test_a_trips_booking_waits_zero_hours_exactly_when_its_first_search_booked(data):
    hours = framing.hours_to_booking(data.world)
    searches = data.world.searches
    booked = searches[searches["booked"] == 1]
    assert len(hours) == len(booked) and (hours >= 0).all()
    first = searches.groupby("trip_id")["search_id"].min()
    on_first = booked["search_id"].to_numpy() == first.loc[booked["trip_id"]].to_numpy()
    np.testing.assert_array_equal(hours == 0, on_first)
    assert on_first.any() and not on_first.all()
    assert framing.LABEL_TIMELINE["hours_after_search"].is_monotonic_increasing


def test_the_orders_are_the_heuristic_the_positions_a_seeded_draw_and_the_truth(data):
    rows = data.table
    scores = framing.ordering_scores(rows, seed=4)
    assert list(scores) == list(framing.ORDERINGS)
    np.testing.assert_array_equal(scores["quality heuristic"], quality_heuristic(rows))
    np.testing.assert_array_equal(scores["logged order"], -rows["position"].to_numpy(float))
    np.testing.assert_array_equal(scores["random"], framing.ordering_scores(rows, 4)["random"])
    assert not np.array_equal(scores["random"], framing.ordering_scores(rows, 5)["random"])
    np.testing.assert_array_equal(scores["truth's order"], expected_gain(rows))
    real = rows.drop(columns=["true_click", "true_long_click", "true_request", "true_accept"])
    assert list(framing.ordering_scores(real)) == list(framing.ORDERINGS[:3])
    with pytest.raises(ValueError, match="seed must be an integer"):
        framing.ordering_scores(rows, seed=-1)


def test_no_order_beats_the_truths_on_true_ndcg_and_the_table_is_the_scorecard(data):
    rows = data.table
    table = framing.ordering_table(rows, seed=2, examination_decay=0.7)
    assert table.index.tolist() == list(framing.ORDERINGS)
    assert table["true_ndcg"].idxmax() == "truth's order"
    assert table.loc["truth's order", "true_ndcg"] == pytest.approx(1.0)
    assert table["bookings"].idxmax() == "truth's order"
    expected = scorecard(rows, framing.ordering_scores(rows, seed=2), examination_decay=0.7)
    np.testing.assert_allclose(table.to_numpy(), expected.to_numpy())


def test_new_listings_shares_read_the_worlds_new_flag(data):
    rows = data.table
    shares = framing.new_listing_exposure(data.world, rows, k=10)
    new = data.world.listings["new"].to_numpy()[rows["listing_id"].to_numpy()]
    explored = rows["random_order"].to_numpy()
    assert shares["candidates"] == pytest.approx(new[explored].mean())
    first = ~explored & (rows["position"].to_numpy(float) <= 10)
    assert shares["policy_first_screen"] == pytest.approx(new[first].mean())
    # the policy ranks by reviews, which new listings lack; their quality is drawn as any other's
    assert shares["policy_first_screen"] < shares["truly_best"] / 3
    assert shares["truly_best"] == pytest.approx(shares["candidates"], abs=0.04)
    with pytest.raises(ValueError, match="needs searches of both kinds"):
        framing.new_listing_exposure(data.world, rows[~rows["random_order"]])


def test_clicks_fall_with_the_position_on_random_order_searches_and_the_rates_are_means(data):
    rows = data.table
    table = framing.rate_by_position(rows, "click", max_position=24)
    assert table.columns.tolist() == ["policy", "random order"]
    explored = rows[rows["random_order"] & (rows["position"] == 1)]
    assert table.loc[1, "random order"] == pytest.approx(explored["click"].mean())
    assert table["random order"].iloc[:3].mean() > 2 * table["random order"].iloc[10:].mean()
    assert len(framing.rate_by_position(rows, "booked", max_position=5)) == 5
    with pytest.raises(ValueError, match="outcome must be a column of results"):
        framing.rate_by_position(rows, "bought")


def test_grades_of_the_table_agree_with_the_schemas_rule(data):
    counts = grades(data.table).value_counts()
    table = framing.grade_table(data.table)
    assert {grade: int(counts.get(grade, 0)) for grade in GRADES} == table["rows"].to_dict()


# --- what the committed notebook records ----------------------------------------------------------

def test_problem_framing():
    r = read_records(KIT_ROOT / NOTEBOOK)
    assert r["grade_booked_share_of_rows"] < 0.01 < r["grade_click_share_of_rows"]
    assert r["grade_rejected_share_of_rows"] < r["grade_booked_share_of_rows"]
    assert r["order_random_bookings"] < r["order_heuristic_bookings"] < r["order_logged_bookings"]
    assert r["order_truth_bookings"] > 1.5 * r["order_logged_bookings"]
    assert r["order_truth_true_ndcg"] == pytest.approx(1.0)
    assert r["order_logged_ndcg"] > r["order_truth_ndcg"]  # position bias flatters the logged order
    assert r["random_order_logged_ndcg"] > 1.5 * r["random_order_random_ndcg"]
    assert 1 / 3 < r["bookings_on_first_search"] < 2 / 3 and r["bookings_after_a_day"] > 0.05
    assert r["new_listings_policy_first_screen"] < 0.01 < r["new_listings_truly_best"]
    assert r["design_points_missing"] == 0 and r["design_findings"] == 0
    assert r["peak_requests_per_second"] == pytest.approx(3 * 10e6 * 5 / 86_400)


# --- on Expedia's two layouts ------------------------------------------------------------------

def write_kaggle(path, n_searches=30, per_search=12, seed=5):
    """A train.csv in Kaggle 2013's layout: 30 searches of 12 hotels over four days, a fifth of them
    in random order, about 5% clicks and one booking in three searches."""
    rng = np.random.default_rng(seed)
    columns = KAGGLE_HEADER.split(",")
    start = dt.datetime(2013, 4, 1)
    lines = []
    for search in range(n_searches):
        when = start + dt.timedelta(hours=float(rng.uniform(0, 96)))
        random = int(search % 5 == 0)
        booked_at = rng.integers(1, per_search + 1) if rng.random() < 0.35 else 0
        for position in range(1, per_search + 1):
            line = dict.fromkeys(columns, "NULL")
            click = int(position == booked_at or rng.random() < 0.05)
            line.update(
                srch_id=search + 1, date_time=f"{when:%Y-%m-%d %H:%M:%S}", site_id=5,
                visitor_location_country_id=219, prop_country_id=219,
                prop_id=int(rng.integers(1, 60)), prop_starrating=int(rng.integers(1, 6)),
                prop_review_score=float(rng.choice([0, 3.5, 4.0, 4.5])), prop_brand_bool=1,
                prop_location_score1=2.5, prop_location_score2=0.05,
                prop_log_historical_price=4.8, position=position,
                price_usd=round(float(rng.uniform(60, 300)), 2), promotion_flag=0,
                srch_destination_id=100 + search % 3, srch_length_of_stay=2,
                srch_booking_window=10, srch_adults_count=2, srch_children_count=0,
                srch_room_count=1, srch_saturday_night_bool=0, random_bool=random,
                click_bool=click, booking_bool=int(position == booked_at),
            )
            lines.append(",".join(str(line[c]) for c in columns))
    path.write_text("\n".join([KAGGLE_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def write_rectour(path, n_searches=120, seed=6):
    """An ExpediaSearchData.csv in the RecTour 2021 layout: one line per search, its three results
    as wide columns, about one booking in ten searches."""
    rng = np.random.default_rng(seed)
    start = dt.datetime(2021, 6, 1)
    lines = []
    for _ in range(n_searches):
        when = start + dt.timedelta(hours=float(rng.uniform(0, 240)))
        checkin = when.date() + dt.timedelta(days=int(rng.integers(1, 30)))
        booked = int(rng.integers(1, 4)) if rng.random() < 0.1 else 0
        row = [f"{when:%Y-%m-%dT%H:%M:00Z}", 1, int(rng.integers(0, 2)),
               int(rng.integers(1, 4)), checkin, checkin + dt.timedelta(days=2), 2, 0, 0, 1]
        for p in (1, 2, 3):
            clicks = int(p == booked or rng.random() < 0.1)
            row += [0, float(rng.choice([3, 4, 5])), int(rng.integers(0, 500)),
                    int(rng.integers(2, 6)), 0, 0, int(rng.integers(1, 6)), clicks,
                    int(p == booked)]
        lines.append(",".join(str(value) for value in row))
    path.write_text("\n".join([RECTOUR_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _stream_text(notebook) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")


@pytest.mark.notebooks
@pytest.mark.parametrize("layout", ["kaggle", "rectour"])
def test_notebook_1_runs_on_expedias_layouts(tmp_path, layout):
    writer = {"kaggle": write_kaggle, "rectour": write_rectour}[layout]
    path = writer(tmp_path / f"{layout}.csv")
    table = load_data("expedia", str(path)).table
    assert 300 <= len(table) <= 400
    out = tmp_path / "out"
    result = run_mlsd("run", NOTEBOOK, "--out", str(out), "-p", "data_source", "expedia",
                      "-p", "data_path", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    r = read_records(out / NOTEBOOK)
    assert r["data_source"] == "expedia" and r["data_rows"] == len(table)
    assert r["grade_booked_share_of_rows"] == pytest.approx(table["booked"].mean())
    assert r["grade_long_click_share_of_rows"] == 0  # Expedia logs no long click
    assert "order_truth_ndcg" not in r and "order_logged_true_ndcg" not in r
    assert 0 < r["order_logged_ndcg"] <= 1
    assert r["design_points_missing"] == 0
    assert NO_TRUTH in _stream_text(out / NOTEBOOK)
    if layout == "kaggle":  # no review counts: the heuristic is the price alone
        assert "sorts by the price alone" in _stream_text(out / NOTEBOOK)

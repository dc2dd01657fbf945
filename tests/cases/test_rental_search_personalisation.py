"""Session personalisation: the similarity feature by hand and free of leakage, the re-score, and
notebook 3's records — at its defaults, and on Expedia files in both layouts, where there are no
trips to personalise from."""

import json

import numpy as np
import pandas as pd
import pytest

from kit_factory import KIT_ROOT, run_mlsd
from mlsd.cases.rental_search import NO_TRUTH, personalisation
from mlsd.cases.rental_search.data import load_data, split
from mlsd.cases.rental_search.embeddings import ListingEmbeddings
from mlsd.cases.rental_search.expedia import KAGGLE_HEADER, RECTOUR_HEADER
from mlsd.records import read_records

NOTEBOOK = "notebooks/04_rental_search/3_architecture.ipynb"


def hand_embeddings():
    """Four listings of market 0: 0 and 1 alike, 2 orthogonal to them, 3 without a vector."""
    model = ListingEmbeddings(dim=2)
    model.vectors_ = np.array([[1.0, 0.0], [2.0, 0.2], [0.0, 3.0], [np.nan, np.nan]])
    model.market_ = np.zeros(4, dtype=np.int64)
    return model


def hand_trip():
    """A trip of three searches (times 0, 1, 2) and another trip's search at time 1.5."""
    return pd.DataFrame({
        "search_id": [0, 0, 1, 1, 1, 9, 2, 2], "time": [0, 0, 1, 1, 1, 1.5, 2, 2],
        "trip_id": [5, 5, 5, 5, 5, 6, 5, 5], "guest_id": pd.array([1] * 8, dtype="Int64"),
        "listing_id": [0, 2, 1, 2, 3, 1, 0, 1], "click": [1, 0, 0, 1, 1, 1, 0, 0]})


def test_the_similarity_is_the_mean_cosine_to_the_listings_clicked_in_earlier_searches():
    similarity = personalisation.session_similarity(hand_trip(), hand_embeddings())
    cos_10 = 2 / np.hypot(2, 0.2)
    # search 0: nothing earlier; search 1: listing 0 clicked before; listing 3 has no vector;
    # search 9: another trip; search 2: listings 0 and 2 clicked (3 has no vector, not counted)
    cos_12 = 0.2 / np.hypot(2, 0.2)
    expected = [np.nan, np.nan, cos_10, 0.0, np.nan, np.nan, 0.5, (cos_10 + cos_12) / 2]
    assert similarity == pytest.approx(expected, nan_ok=True)


def test_a_searchs_own_and_later_clicks_never_reach_its_feature():
    rows = hand_trip()
    before = personalisation.session_similarity(rows, hand_embeddings())
    changed = rows.assign(click=np.where(rows["search_id"].isin([1, 2]), 1 - rows["click"],
                                         rows["click"]))
    after = personalisation.session_similarity(changed, hand_embeddings())
    in_one = (rows["search_id"] == 1).to_numpy()
    assert after[in_one] == pytest.approx(before[in_one], nan_ok=True)
    assert not np.allclose(np.nan_to_num(after[~in_one]), np.nan_to_num(before[~in_one]))


def test_no_leakage_on_the_simulator_flipping_a_searchs_clicks_moves_only_later_searches():
    data = load_data("simulated", seed=4, n_searches=5_000)
    rows = data.table
    model = ListingEmbeddings().fit(split(data).train)
    before = personalisation.session_similarity(rows, model)
    middle = rows["time"].to_numpy() >= rows["time"].median()
    flipped = rows.assign(click=np.where(middle, 1 - rows["click"], rows["click"]))
    after = personalisation.session_similarity(flipped, model)
    assert after[~middle] == pytest.approx(before[~middle], nan_ok=True)
    assert not np.allclose(np.nan_to_num(after[middle]), np.nan_to_num(before[middle]))


def test_personalise_adds_the_weighted_similarity_and_nothing_where_it_is_missing():
    score = np.array([1.0, 3.0, 5.0])
    result = personalisation.personalise(score, [0.5, np.nan, -1.0], weight=2.0)
    spread = score.std()
    assert result == pytest.approx([1 + spread, 3.0, 5 - 2 * spread])
    with pytest.raises(ValueError, match="one value per score"):
        personalisation.personalise(score, [0.1])
    with pytest.raises(ValueError, match="weight"):
        personalisation.personalise(score, [0.1, 0.2, 0.3], weight=-1)


def test_a_ranker_compared_with_itself_changes_nothing_and_sessions_need_trips():
    data = load_data("simulated", seed=2, n_searches=5_000)
    rows = split(data).test
    score = -rows["position"].to_numpy(dtype=float)
    table = personalisation.ndcg_table(rows, {"a": score, "b": score}, "a")
    assert (table[["change", "low", "high"]].to_numpy() == 0).all()
    assert personalisation.has_sessions(rows)
    no_guests = rows.drop(columns="trip_id").assign(guest_id=pd.array([pd.NA] * len(rows),
                                                                       dtype="Int64"))
    assert not personalisation.has_sessions(no_guests)
    with pytest.raises(ValueError, match="no sessions"):
        personalisation.session_similarity(no_guests, ListingEmbeddings())


def test_the_ranking_sample_keeps_whole_searches_with_a_click():
    rows = load_data("simulated", seed=2, n_searches=5_000).table
    sample = personalisation.ranking_sample(rows, 300, seed=1)
    clicks = sample.groupby("search_id")["click"].max()
    assert len(clicks) == 300 and (clicks == 1).all()
    sizes = rows[rows["search_id"].isin(clicks.index)].groupby("search_id").size()
    assert (sample.groupby("search_id").size() == sizes).all()


# --- notebook 3 ---------------------------------------------------------------------------------

def test_notebook_3_records_what_the_truth_implies():
    r = read_records(KIT_ROOT / NOTEBOOK)
    assert r["funnel_p99_ms"] <= 280 < 300 < r["funnel_p99_ms_personalise_all"]
    assert r["retrieval_market_booking_recall"] == 1.0  # the booked listing was free
    assert (r["retrieval_market_no_availability_filter_bookings"]
            < r["retrieval_market_bookings"])
    assert r["retrieval_radius_02_booking_recall"] < r["retrieval_radius_05_booking_recall"] < 1
    assert r["needed_10_booking_recall"] < r["needed_100_booking_recall"] <= 1
    assert r["personalisation_gain"] > 0 and r["outage_ranker_change"] == -r["personalisation_gain"]
    assert r["outage_heuristic_change"] < -0.1
    assert r["skew_sd_0_true_ndcg"] > r["skew_sd_025_true_ndcg"] > r["skew_sd_05_true_ndcg"]


KAGGLE_COLUMNS = KAGGLE_HEADER.split(",")


def write_kaggle_file(path, n_searches=400, days=14, seed=0):
    """train.csv in Kaggle's layout: 10 hotels a search over ``days`` days, clicks falling with
    the position, a booking among the clicks in a third of the searches that clicked."""
    rng = np.random.default_rng(seed)
    lines = [KAGGLE_HEADER]
    for search in range(n_searches):
        when = pd.Timestamp("2013-01-01") + pd.Timedelta(seconds=int(search * days * 86_400
                                                                     / n_searches))
        hotels = rng.choice(150, 10, replace=False)
        click = rng.random(10) < 0.25 / np.arange(1, 11) ** 0.5
        booked = np.flatnonzero(click)[:1] if click.any() and rng.random() < 0.35 else []
        for slot, hotel in enumerate(hotels):
            line = dict.fromkeys(KAGGLE_COLUMNS, "NULL")
            line.update(
                srch_id=search, date_time=when.strftime("%Y-%m-%d %H:%M:%S"), site_id=5,
                visitor_location_country_id=219, prop_country_id=219, prop_id=hotel,
                prop_starrating=1 + hotel % 5, prop_review_score=2.5 + (hotel % 6) / 2,
                prop_brand_bool=hotel % 2, prop_location_score1=2.0, prop_location_score2=0.1,
                prop_log_historical_price=4.8, position=slot + 1,
                price_usd=round(float(60 + hotel + rng.integers(0, 40)), 2), promotion_flag=0,
                srch_destination_id=100 + search % 7, srch_length_of_stay=1 + search % 4,
                srch_booking_window=3, srch_adults_count=2, srch_children_count=0,
                srch_room_count=1, srch_saturday_night_bool=0, random_bool=int(search % 9 == 0),
                click_bool=int(click[slot]), booking_bool=int(slot in booked))
            if slot in booked:
                line["gross_bookings_usd"] = 150.0
            lines.append(",".join(str(line[c]) for c in KAGGLE_COLUMNS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_rectour_file(path, n_searches=900, days=14, seed=1):
    """ExpediaSearchData.csv in the RecTour layout: three listings a search, a click in about a
    third of the slots, a booking in some searches; price buckets present."""
    rng = np.random.default_rng(seed)
    lines = [RECTOUR_HEADER]
    for search in range(n_searches):
        when = pd.Timestamp("2021-06-01") + pd.Timedelta(seconds=int(search * days * 86_400
                                                                     / n_searches))
        checkin = when.normalize() + pd.Timedelta(days=7)
        row = [when.strftime("%Y-%m-%dT%H:%M:%SZ"), 1 + search % 3, search % 2, 100 + search % 9,
               checkin.strftime("%Y-%m-%d"), (checkin + pd.Timedelta(days=2)).strftime("%Y-%m-%d"),
               2, 0, 0, 1]
        booked = rng.integers(0, 3) if rng.random() < 0.2 else -1
        for slot in range(3):
            clicks = int(rng.random() < 0.35 / (slot + 1) ** 0.5) + int(slot == booked)
            row += [int(rng.random() < 0.1), int(rng.integers(1, 6)), int(rng.integers(0, 900)),
                    int(rng.integers(1, 6)), int(rng.random() < 0.5), 0, int(rng.integers(1, 6)),
                    clicks, int(slot == booked)]
        lines.append(",".join(str(value) for value in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stream_text(notebook) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")


@pytest.mark.notebooks
@pytest.mark.parametrize("layout", ["kaggle", "rectour"])
def test_notebook_3_runs_on_expedia_files_skipping_what_needs_trips_or_truth(tmp_path, layout):
    writer = write_kaggle_file if layout == "kaggle" else write_rectour_file
    path = writer(tmp_path / ("train.csv" if layout == "kaggle" else "ExpediaSearchData.csv"))
    data = load_data("expedia", str(path))
    out = tmp_path / "out"
    result = run_mlsd("run", NOTEBOOK, "--out", str(out), "-p", "data_source", "expedia",
                      "-p", "data_path", str(path), "-p", "ranker_searches", "500")
    assert result.returncode == 0, result.stdout + result.stderr
    recorded = read_records(out / NOTEBOOK)
    assert recorded["data_source"] == "expedia" and recorded["data_rows"] == len(data.table)
    assert recorded["funnel_p99_ms"] <= 300
    assert not any(name.startswith(("retrieval_", "personalisation", "outage"))
                   for name in recorded)
    assert ("skew_sd_0_ndcg" in recorded) == (layout == "kaggle")  # RecTour has no prices
    text = _stream_text(out / NOTEBOOK)
    assert NO_TRUTH in text and personalisation.NO_SESSIONS in text

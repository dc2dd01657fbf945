"""Notebook 2 of rental search: its experiments checked against the simulator's truth and
scikit-learn, bad input refused by name, the values the committed notebook records, and the
notebook run on small files in both Expedia layouts written here (no download)."""

import json

import numpy as np
import pandas as pd
import pytest
from kit_factory import KIT_ROOT, run_mlsd
from sklearn.metrics import ndcg_score

from mlsd.cases import rental_search as case
from mlsd.cases.rental_search import learning_to_rank as ltr
from mlsd.cases.rental_search.expedia import KAGGLE_HEADER, RECTOUR_HEADER
from mlsd.experiments import sample_size_per_arm
from mlsd.metrics.ranking import RankedLists
from mlsd.records import read_records

NOTEBOOK = KIT_ROOT / "notebooks" / "04_rental_search" / "2_metrics.ipynb"
SIZES = dict(n_listings=1_000, n_guests=2_000, n_searches=8_000)


@pytest.fixture(scope="module")
def held_out():
    return case.split(case.load_data("simulated", seed=2, **SIZES))


@pytest.fixture(scope="module")
def fitted(held_out):
    return ltr.fit_rankers(held_out.train, n_trees=40, seed=2)


def hand_rows():
    """Two searches of two and three rows, with a truth."""
    return pd.DataFrame({
        "search_id": [0, 0, 1, 1, 1], "market": [0, 0, 1, 1, 1],
        "booked": [0, 1, 0, 0, 0], "booking_request": [0, 1, 0, 0, 0],
        "listing_age_days": [10.0, 400.0, np.nan, 31.0, 500.0],
        "review_count": pd.array([5, 3, pd.NA, 0, pd.NA], dtype="Int64"),
        "true_click": [0.9, 0.6, 0.5, 0.8, 0.7], "true_long_click": [0.7, 0.4, 0.3, 0.6, 0.5],
        "true_request": [0.5, 0.2, 0.1, 0.4, 0.3], "true_accept": [1.0, 0.5, 1.0, 0.5, 0.0],
    })


def test_booking_searches_and_new_listings_by_hand():
    rows = hand_rows()
    assert ltr.booking_searches(rows).tolist() == [True, True, False, False, False]
    # younger than 30 days, or no review; unknown age and count count as established
    assert ltr.new_listings(rows).tolist() == [True, False, False, True, False]


def test_booking_probability_is_one_minus_the_chance_of_no_booking_by_hand():
    rows = hand_rows()
    score = np.array([1.0, 2.0, 3.0, 2.0, 1.0])  # search 0: row 1 first; search 1 in row order
    got = ltr.booking_probability(rows, score, examination_decay=1.0)
    book = rows["true_request"] * rows["true_accept"]
    expected = [1 - (1 - book[1]) * (1 - book[0] / 2),
                1 - (1 - book[2]) * (1 - book[3] / 2) * (1 - book[4] / 3)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_booking_probability_averages_to_the_scorecards_bookings(held_out, fitted):
    test = held_out.test
    for name, score in ltr.ranker_scores(test, fitted).items():
        mean = ltr.booking_probability(test, score, 0.7).mean()
        assert mean == pytest.approx(case.expected_outcomes(test, score, 0.7)["bookings"],
                                     rel=1e-9), name


def test_the_truths_order_is_the_ceiling_and_the_learners_beat_the_baselines(held_out, fitted):
    test = held_out.test
    card = case.scorecard(test, ltr.ranker_scores(test, fitted))
    assert card.loc["truth's order", "true_ndcg"] == pytest.approx(1.0)
    floor = card.loc[["quality heuristic", "logged order"], "true_ndcg"].max()
    assert (card.loc[list(ltr.LEARNERS), "true_ndcg"] > floor + 0.1).all()
    # position bias: on the logged grades the logged order beats the truth's order
    assert card.loc["logged order", "ndcg"] > card.loc["truth's order", "ndcg"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_lambdamart_beats_pointwise_when_trees_are_few(seed):
    """With 10 trees the pointwise model has spent splits on how much a search books; LambdaMART
    spent them all on the order within searches (notebook 2's budget curve)."""
    held = case.split(case.load_data("simulated", seed=seed, n_searches=12_000))
    learners = {"pointwise": case.PointwiseGBDT(n_trees=10, seed=seed).fit(held.train),
                "LambdaMART": case.LambdaMART(n_trees=10, seed=seed).fit(held.train)}
    curve = ltr.budget_curve(held.test, learners, budgets=(10,))["true_ndcg"]
    assert curve.loc[(10, "LambdaMART")] > curve.loc[(10, "pointwise")]


def test_the_budget_curve_reads_one_fit_after_each_number_of_trees(held_out, fitted):
    test = held_out.test
    curve = ltr.budget_curve(test, fitted, budgets=(5, 40))
    assert curve.index.tolist() == [(n, name) for name in ltr.LEARNERS for n in (5, 40)]
    gain, search = case.expected_gain(test), test["search_id"].to_numpy()
    for n in (5, 40):
        full = case.ndcg(gain, fitted["LambdaMART"].predict(test, n_trees=n), search)
        assert curve.loc[(n, "LambdaMART"), "true_ndcg"] == pytest.approx(full, rel=1e-9)
    per_search = RankedLists(gain, fitted["pointwise"].predict(test), search).ndcg_at(10)
    per_search = per_search[~np.isnan(per_search)]
    assert curve.loc[(40, "pointwise"), "standard_error"] == pytest.approx(
        np.std(per_search, ddof=1) / np.sqrt(len(per_search)), rel=1e-6)
    with pytest.raises(ValueError, match="n_trees must be"):
        fitted["pointwise"].predict(test, n_trees=41)


def test_split_gain_shares_sum_to_one_and_pointwise_spends_more_on_nights(fitted):
    shares = ltr.split_gain_shares(fitted)
    assert list(shares.index) == list(case.FEATURES)
    np.testing.assert_allclose(shares.sum(), 1.0)
    assert shares.loc["nights", "pointwise"] > shares.loc["nights", "LambdaMART"]


def test_slice_ndcg_of_a_market_agrees_with_scikit_learn(held_out):
    test = held_out.test.reset_index(drop=True)
    gain = case.expected_gain(test)
    score = case.quality_heuristic(test) + 1e-9 * np.arange(len(test))  # no ties
    slices = ltr.slice_ndcg(test, {"heuristic": score}, k=5)
    market = test["market"].to_numpy()
    assert slices["rows"].iloc[:2].sum() == pytest.approx(1.0)
    for m in np.unique(market)[:3]:
        per_search = []
        for _, rows in test[market == m].groupby("search_id"):
            index = rows.index.to_numpy()
            if len(index) > 1 and gain[index].sum() > 0:
                per_search.append(ndcg_score([gain[index]], [score[index]], k=5))
        assert slices.loc[f"market {m}", "heuristic"] == pytest.approx(np.mean(per_search),
                                                                         rel=1e-9)


def test_top_share_counts_the_first_k_slots():
    rows = hand_rows()
    score = np.array([1.0, 2.0, 3.0, 2.0, 1.0])
    assert ltr.top_share(rows, score, ltr.new_listings(rows), k=1) == 0.0  # rows 1 and 2 lead
    assert ltr.top_share(rows, score, ltr.new_listings(rows), k=2) == 0.5


def test_the_ab_simulation_holds_its_level_and_detects_a_large_lift():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.05, 0.25, 2_000)
    null = ltr.ab_power(p, p, 2_000, n_experiments=400, seed=1)
    assert 0.02 <= null <= 0.09  # about alpha = 0.05
    needed = ltr.searches_needed(p, 1.3 * p)
    assert needed == sample_size_per_arm(p.mean(), 0.3)
    assert 0.72 <= ltr.ab_power(p, 1.3 * p, int(needed), n_experiments=400, seed=1) <= 0.88
    assert ltr.ab_power(p, 1.3 * p, 500, seed=3) == ltr.ab_power(p, 1.3 * p, 500, seed=3)
    assert ltr.searches_needed(p, p) == float("inf")


def test_bad_input_is_refused_by_name(held_out):
    rows = hand_rows()
    with pytest.raises(ValueError, match="p_a and p_b must be 1-d and of one length"):
        ltr.ab_power([0.1, 0.2], [0.1], 10)
    with pytest.raises(ValueError, match="searches_per_arm"):
        ltr.ab_power([0.1], [0.2], 1)
    with pytest.raises(ValueError, match="alpha"):
        ltr.ab_power([0.1], [0.2], 10, alpha=1.0)
    with pytest.raises(ValueError, match="examination_decay"):
        ltr.booking_probability(rows, np.zeros(5), examination_decay=-1)
    with pytest.raises(ValueError, match="needs the simulator's truth"):
        ltr.booking_probability(rows.drop(columns="true_accept"), np.zeros(5), 0.7)
    no_booking = held_out.train.assign(booked=0)
    with pytest.raises(ValueError, match="no search with a booking"):
        ltr.fit_rankers(no_booking)
    with pytest.raises(ValueError, match="k must be"):
        ltr.top_share(rows, np.zeros(5), np.ones(5, bool), k=0)


# --- the committed notebook ---------------------------------------------------------------------

def test_the_notebook_records_what_the_truth_implies():
    r = read_records(NOTEBOOK)
    learners = ("pointwise", "pointwise_on_bookings", "lambdamart")
    assert r["truth_order_true_ndcg"] == pytest.approx(1.0)
    assert all(max(r["quality_heuristic_true_ndcg"], r["logged_order_true_ndcg"])
               < r[f"{name}_true_ndcg"] < 1 for name in learners)
    assert r["logged_order_ndcg"] > r["truth_order_ndcg"] > r["lambdamart_ndcg"]  # position bias
    assert all(r[f"{name}_bookings"] > r["logged_order_bookings"] for name in learners)
    assert r["truth_order_bookings"] > max(r[f"{name}_bookings"] for name in learners)
    assert r["budget_10_lambdamart"] > r["budget_10_pointwise"]
    assert abs(r["budget_200_lambdamart"] - r["budget_200_pointwise"]) < 0.015
    assert r["nights_share_nights_pointwise"] > 1.5 * r["nights_share_nights_lambdamart"]
    assert r["pointwise_on_bookings_true_ndcg"] > r["pointwise_true_ndcg"]
    assert r["new_share_of_test_rows"] < 0.05
    assert 0.7 <= r["ab_power"] <= 0.9
    assert r["ab_searches_needed_pointwise_vs_lambdamart"] > 10 * r["ab_searches_needed"]


# --- on Expedia's logs -------------------------------------------------------------------------

DAYS, SEARCHES, PROPERTIES = 30, 360, 120


def kaggle_file(path, seed=5):
    """A train.csv in Kaggle 2013's layout: 360 searches over 30 days, 12 to 20 properties each in
    position order, clicks and at most one booking per search, 10% random order."""
    rng = np.random.default_rng(seed)
    columns = KAGGLE_HEADER.split(",")
    lines = [KAGGLE_HEADER]
    appeal = rng.normal(0, 1, PROPERTIES)
    for srch in range(SEARCHES):
        day = srch * DAYS // SEARCHES
        shown = rng.permutation(PROPERTIES)[:rng.integers(12, 21)]
        random_bool = int(rng.random() < 0.1)
        if not random_bool:
            shown = shown[np.argsort(-appeal[shown], kind="stable")]
        click = rng.random(len(shown)) < 0.25 / np.arange(1, len(shown) + 1) ** 0.5
        booked = np.flatnonzero(click & (rng.random(len(shown)) < 0.4))[:1]
        for position, prop in enumerate(shown, start=1):
            line = dict.fromkeys(columns, "NULL")
            line.update(
                srch_id=srch + 1, date_time=f"2013-01-{1 + day:02d} 10:00:00", site_id=5,
                visitor_location_country_id=219, prop_country_id=219, prop_id=prop + 1,
                prop_starrating=int(rng.integers(1, 6)),
                prop_review_score=round(float(np.clip(4 + appeal[prop] / 2, 0.5, 5)), 1),
                prop_brand_bool=1, prop_location_score1=2.5, prop_location_score2=0.1,
                prop_log_historical_price=4.8, position=position,
                price_usd=round(float(rng.uniform(60, 300)), 2), promotion_flag=0,
                srch_destination_id=100 + srch % 3, srch_length_of_stay=int(rng.integers(1, 5)),
                srch_booking_window=10, srch_adults_count=2, srch_children_count=0,
                srch_room_count=1, srch_saturday_night_bool=0, random_bool=random_bool,
                click_bool=int(click[position - 1]),
                booking_bool=int(position - 1 in booked),
                gross_bookings_usd=200.0 if position - 1 in booked else "NULL")
            lines.append(",".join(str(line[c]) for c in columns))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rectour_file(path, seed=6):
    """An ExpediaSearchData.csv in the RecTour 2021 layout: 600 searches over 30 days, three
    results each, clicks and bookings."""
    rng = np.random.default_rng(seed)
    lines = [RECTOUR_HEADER]
    for search in range(600):
        day = 1 + search * DAYS // 600
        row = [f"2021-06-{day:02d}T12:00:00Z", 1, 0, 10 + search % 4, f"2021-07-{day:02d}",
               f"2021-07-{day + 1:02d}", 2, 0, 0, 1]
        booked = rng.integers(0, 6)  # positions 0-2 booked, 3-5 none
        for p in range(3):
            clicks = int(rng.random() < 0.3) + int(p == booked)
            row += [0, int(rng.integers(1, 6)), int(rng.integers(0, 500)), int(rng.integers(1, 6)),
                    int(rng.integers(0, 2)), 0, int(rng.integers(1, 6)), clicks, int(p == booked)]
        lines.append(",".join(str(value) for value in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stream_text(notebook) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")


@pytest.mark.notebooks
@pytest.mark.parametrize("layout", ["kaggle", "rectour"])
def test_the_notebook_runs_on_both_expedia_layouts(tmp_path, layout):
    writer = kaggle_file if layout == "kaggle" else rectour_file
    path = writer(tmp_path / ("train.csv" if layout == "kaggle" else "ExpediaSearchData.csv"))
    data = case.load_data("expedia", str(path))
    assert data.world is None
    out = tmp_path / "out"
    result = run_mlsd("run", str(NOTEBOOK.relative_to(KIT_ROOT)), "--out", str(out),
                      "-p", "data_source", "expedia", "-p", "data_path", str(path), cwd=KIT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    executed = out / NOTEBOOK.relative_to(KIT_ROOT)
    r = read_records(executed)
    assert r["data_source"] == "expedia" and r["data_rows"] == len(data.table)
    assert 0 < r["lambdamart_ndcg"] <= 1 and 0 < r["logged_order_booking_mrr"] <= 1
    assert "lambdamart_true_ndcg" not in r and "ab_power" not in r  # no truth
    assert case.NO_TRUTH in stream_text(executed)

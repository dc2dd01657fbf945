"""Rental search's scorecard: its NDCG is scikit-learn's where the two are comparable, its
rejection rate and ranks count what they say, and the bookings and rejections an order earns
match, on the logged order, what the simulator's guests and hosts really did."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import ndcg_score

from mlsd.cases.rental_search import evaluation
from mlsd.cases.rental_search.data import load_data
from mlsd.cases.rental_search.schema import GAINS


@pytest.fixture(scope="module")
def world():
    return load_data("simulated", seed=4, n_listings=1_000, n_guests=2_000,
                     n_searches=8_000).world


def rows_of(outcomes, search=None):
    """Results with the given (click, long_click, booking_request, booked) per row."""
    outcomes = np.asarray(outcomes)
    n = len(outcomes)
    return pd.DataFrame({
        "search_id": np.zeros(n, dtype=int) if search is None else search,
        "click": outcomes[:, 0], "long_click": outcomes[:, 1],
        "booking_request": outcomes[:, 2], "booked": outcomes[:, 3],
    })


def test_offline_gain_counts_a_rejection_as_a_view():
    rows = rows_of([[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]])
    assert evaluation.offline_gain(rows).tolist() == [1.0, 0.0, 0.02, 0.01, 0.0]


def test_ndcg_is_scikit_learns_on_equal_length_searches_with_a_positive_gain():
    rng = np.random.default_rng(0)
    gain = rng.choice([0.0, 0.01, 0.02, 1.0], size=(50, 12))
    gain[:, 0] = 0.01  # every search has a positive gain, as scikit-learn counts R = 0 as 0
    score = rng.normal(size=(50, 12))
    search = np.repeat(np.arange(50), 12)
    ours = evaluation.ndcg(gain.ravel(), score.ravel(), search, k=10)
    assert ours == pytest.approx(ndcg_score(gain, score, k=10))


def test_the_rejection_rate_and_ranks_count_within_each_search():
    rows = rows_of([[1, 1, 1, 0], [0, 0, 0, 0], [1, 1, 1, 0], [0, 0, 0, 0]], search=[0, 0, 1, 1])
    score = np.array([2.0, 1.0, 1.0, 2.0])
    assert evaluation.rank_within_search(rows["search_id"], score).tolist() == [1, 2, 2, 1]
    assert evaluation.top_rejection_rate(rows, score, k=1) == 0.5
    assert evaluation.top_rejection_rate(rows, -score, k=1) == 0.5
    assert evaluation.top_rejection_rate(rows, score, k=2) == 0.5
    with pytest.raises(ValueError, match="k must be"):
        evaluation.top_rejection_rate(rows, score, k=0)


def test_expected_outcomes_follow_the_cascade_row_by_row():
    rows = pd.DataFrame({"search_id": [0, 0, 0, 1], "true_click": 0.5, "true_long_click": 0.4,
                         "true_request": [0.3, 0.2, 0.1, 0.3], "true_accept": [0.5, 1.0, 1.0, 0.2]})
    score = np.array([3.0, 2.0, 1.0, 0.0])
    decay = 1.0
    book = rows["true_request"] * rows["true_accept"]
    e = np.array([1.0, 1 / 2, 1 / 3])
    left = 1 - e * book[:3]
    booked_0 = e[0] * book[0] + left[0] * e[1] * book[1] + left[0] * left[1] * e[2] * book[2]
    rejected_0 = e[0] * (0.3 - book[0]) + left[0] * e[1] * 0 + left[0] * left[1] * e[2] * 0
    expected = evaluation.expected_outcomes(rows, score, decay)
    assert expected["bookings"] == pytest.approx((booked_0 + book[3]) / 2)
    assert expected["rejections"] == pytest.approx((rejected_0 + 0.3 - book[3]) / 2)


def test_on_the_logged_order_the_expected_outcomes_are_what_the_simulated_guests_did(world):
    rows = world.results
    expected = evaluation.expected_outcomes(rows, evaluation.logged_order(rows),
                                            world.parameters["examination_decay"])
    n_searches = rows["search_id"].nunique()
    booked = rows.groupby("search_id")["booked"].sum()
    rejected = ((rows["booking_request"] == 1) & (rows["booked"] == 0)).sum() / n_searches
    sd = booked.std() / np.sqrt(n_searches)
    assert abs(booked.mean() - expected["bookings"]) < 4 * sd
    assert rejected == pytest.approx(expected["rejections"], rel=0.15)


def test_the_truth_order_beats_the_logged_one_on_the_truth_but_not_on_logged_labels(world):
    rows = world.results
    table = evaluation.scorecard(rows, {"logged": evaluation.logged_order(rows),
                                        "truth": evaluation.expected_gain(rows)},
                                 examination_decay=world.parameters["examination_decay"])
    assert table.loc["truth", "true_ndcg"] > table.loc["logged", "true_ndcg"]
    assert table.loc["truth", "bookings"] > table.loc["logged", "bookings"]
    assert table.loc["logged", "ndcg"] > table.loc["truth", "ndcg"]  # position bias


def test_expected_gain_weighs_each_grade_by_its_probability():
    rows = pd.DataFrame({"true_click": [0.5], "true_long_click": [0.3], "true_request": [0.1],
                         "true_accept": [0.6]})
    gains = dict(GAINS, rejected=0.5)
    expected = 0.06 * 1 + 0.04 * 0.5 + 0.2 * 0.02 + 0.2 * 0.01
    assert evaluation.expected_gain(rows, gains)[0] == pytest.approx(expected)
    assert evaluation.expected_gain(rows)[0] == pytest.approx(expected - 0.04 * 0.5)


def test_bad_input_is_named():
    rows = rows_of([[1, 1, 1, 1], [0, 0, 0, 0]])
    with pytest.raises(ValueError, match=r"scores\['a'\] must hold one score per row \(2\)"):
        evaluation.scorecard(rows, {"a": np.zeros(3)})
    with pytest.raises(ValueError, match="real logs have no truth"):
        evaluation.expected_gain(rows)
    assert not evaluation.has_truth_columns(rows)
    assert "true_ndcg" not in evaluation.scorecard(rows, {"a": np.zeros(2)}).columns

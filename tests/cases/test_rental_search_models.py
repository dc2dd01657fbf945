"""The rental-search rankers: their features are computable at serving, the labels and gains reach
LightGBM as the docstring says, fits are the same on one thread and on two, and on the simulator
both learners order the test searches closer to the truth than the quality heuristic."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.rental_search import models
from mlsd.cases.rental_search.data import load_data, split
from mlsd.cases.rental_search.schema import GAINS, GRADES, grades
from mlsd.metrics import ndcg_at_k

SIZES = dict(n_listings=1_000, n_guests=2_000, n_searches=6_000)


@pytest.fixture(scope="module")
def held_out():
    return split(load_data("simulated", seed=3, **SIZES))


def true_gain(rows):
    """Each row's expected gain given that it is examined, from the truth."""
    return (GAINS["click"] * rows["true_click"] + GAINS["booked"] * rows["true_book"]).to_numpy()


def test_features_are_computed_per_search_and_fill_what_is_unknown():
    rows = pd.DataFrame({
        "search_id": [0, 0, 1], "price": [100.0, 400.0, 50.0], "rating": [4.0, np.nan, 5.0],
        "review_count": pd.array([3, pd.NA, 0], dtype="Int64"),
        "listing_age_days": [10.0, np.nan, 1.0], "nights": pd.array([2, 2, pd.NA], dtype="Int64"),
        "guests": pd.array([2, 2, 1], dtype="Int64"),
    })
    features = models.listing_features(rows)
    assert list(features.columns) == list(models.FEATURES)
    np.testing.assert_allclose(features["price_vs_search"],
                               [np.log(100 / 200), np.log(400 / 200), 0])
    assert features["rating"].tolist() == [4.0, 4.0, 5.0]  # the search's mean where unknown
    assert features["no_rating"].tolist() == [0.0, 1.0, 0.0]
    np.testing.assert_allclose(features["log_reviews"], np.log1p([3, 0, 0]))
    assert features["nights"].tolist() == [2.0, 2.0, 0.0]


def test_the_heuristic_scores_rating_times_log_reviews_and_breaks_ties_by_price():
    rows = pd.DataFrame({"rating": [4.0, 4.0, np.nan], "price": [100.0, 90.0, 10.0],
                         "review_count": pd.array([9, 9, pd.NA], dtype="Int64")})
    score = models.quality_heuristic(rows)
    assert score[1] > score[0] > score[2] and score[2] == pytest.approx(-1e-5)


def test_lambdamart_learns_the_grades_as_labels_with_their_gains(held_out):
    ranker = models.LambdaMART(n_trees=5, seed=1).fit(held_out.train)
    params = ranker.model_.get_params()
    assert params["objective"] == "lambdarank"
    by_label = sorted(models.GRADE_LABELS, key=models.GRADE_LABELS.get)
    assert params["label_gain"] == [GAINS[grade] for grade in by_label]
    assert set(models.GRADE_LABELS) == set(GRADES)
    assert set(grades(held_out.train).map(models.GRADE_LABELS)) <= set(range(len(GRADES)))


def test_a_fit_runs_on_one_thread_and_gives_the_trees_of_a_two_thread_fit(held_out):
    for learner in (models.PointwiseGBDT, models.LambdaMART):
        assert learner()._options()["n_jobs"] == 1

        class TwoThreads(learner):
            def _options(self):
                return {**super()._options(), "n_jobs": 2}

        one = learner(n_trees=30, seed=2).fit(held_out.train).predict(held_out.test)
        two = TwoThreads(n_trees=30, seed=2).fit(held_out.train).predict(held_out.test)
        np.testing.assert_array_equal(one, two)


def test_both_learners_order_the_test_searches_closer_to_the_truth_than_the_heuristic(held_out):
    test = held_out.test
    gain, search = true_gain(test), test["search_id"].to_numpy()
    heuristic = ndcg_at_k(gain, models.quality_heuristic(test), search, 10)
    for learner in (models.PointwiseGBDT, models.LambdaMART):
        learned = ndcg_at_k(gain, learner(seed=3).fit(held_out.train).predict(test), search, 10)
        assert learned > heuristic + 0.1, learner.__name__


def test_bad_settings_are_refused_by_name():
    with pytest.raises(ValueError, match="gains must name exactly the grades"):
        models.LambdaMART(gains={"booked": 1.0})
    with pytest.raises(ValueError, match="n_trees"):
        models.PointwiseGBDT(n_trees=0)
    with pytest.raises(ValueError, match="learning_rate"):
        models.LambdaMART(learning_rate=0)
    clicks_over_rejections = dict(GAINS, rejected=1.0)  # above a view: lambdarank's order breaks
    with pytest.raises(ValueError, match="must not decrease from rejected to viewed to click to "
                                         "long_click to booked .*got rejected 1, viewed 0"):
        models.LambdaMART(gains=clicks_over_rejections)
    models.PointwiseGBDT(gains=clicks_over_rejections)  # a regression has no such constraint


def test_staged_scores_are_the_predictions_after_each_budget(held_out):
    for learner in (models.PointwiseGBDT, models.LambdaMART):
        ranker = learner(n_trees=30, seed=4).fit(held_out.train)
        staged = ranker.staged_predict(held_out.test, [5, 12, 30])
        for budget, score in zip([5, 12, 30], staged):
            np.testing.assert_allclose(score, ranker.predict(held_out.test, n_trees=budget),
                                       rtol=0, atol=1e-12)
        with pytest.raises(ValueError, match="budgets must increase"):
            ranker.staged_predict(held_out.test, [12, 5])
        with pytest.raises(ValueError, match="n_trees must be"):
            ranker.predict(held_out.test, n_trees=31)

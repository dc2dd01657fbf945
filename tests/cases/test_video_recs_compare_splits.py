"""Random against temporal split on test sets of the same composition: what the matching keeps
equal, what the composition table counts, and what the comparison and its sentence say."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.contract import Split
from mlsd.cases.video_recs.compare_splits import (
    matched_splits,
    plain_and_matched,
    split_comparison,
    split_comparison_sentence,
    split_composition,
)
from mlsd.cases.video_recs.data import load_data
from mlsd.cases.video_recs.evaluation import ndcg_by_split


@pytest.fixture(scope="module")
def data():
    return load_data("simulated", seed=5, n_users=300, n_videos=600, n_events=15_000)


def test_the_matched_splits_hold_out_the_same_number_of_each_users_events(data):
    matched = matched_splits(data, seed=3)
    temporal, random = matched["temporal"], matched["random"]
    pd.testing.assert_series_equal(temporal.test.groupby("user_id").size(),
                                   random.test.groupby("user_id").size())
    assert len(temporal.train) == len(random.train)
    for part in (temporal, random):
        assert part.train.index.intersection(part.test.index).empty
        assert part.test["user_id"].isin(part.train["user_id"]).all()  # no new user
    pool = pd.concat([temporal.train, temporal.test]).sort_index()
    pd.testing.assert_frame_equal(pd.concat([random.train, random.test]).sort_index(), pool)
    assert temporal.test["video_id"].isin(temporal.train["video_id"]).all()
    assert temporal.train["time"].max() < temporal.test["time"].min()  # the temporal arm is a cut in time
    assert random.train["time"].max() > random.test["time"].min()  # the random arm trains on the future


def test_the_matched_temporal_arm_is_the_temporal_split_minus_new_users_and_unseen_videos(data):
    plain = plain_and_matched(data, seed=3)
    pd.testing.assert_frame_equal(plain["matched temporal"].train.reset_index(drop=True),
                                  plain["temporal"].train.reset_index(drop=True))
    test = plain["temporal"].test
    kept = test[test["user_id"].isin(plain["temporal"].train["user_id"])
                & test["video_id"].isin(plain["temporal"].train["video_id"])]
    assert len(plain["matched temporal"].test) == len(kept)


def test_the_random_arm_follows_its_seed(data):
    first, again, other = (matched_splits(data, seed)["random"].test for seed in (3, 3, 4))
    pd.testing.assert_frame_equal(first, again)
    assert not first.index.equals(other.index)


def test_split_composition_counts_by_hand():
    table = lambda rows: pd.DataFrame(rows, columns=["user_id", "video_id", "time", "engagement"])
    train = table([(0, 0, 0.0, 1.0), (0, 1, 1.0, 1.0), (1, 0, 2.0, 1.0)])
    test = table([(0, 2, 3.0, 1.0), (0, 0, 3.5, 1.0), (1, 1, 4.0, 1.0), (2, 0, 5.0, 1.0)])
    row = split_composition({"x": Split(train, test, "by hand")}).loc["x"]
    assert row.to_dict() == {"train events": 3, "test users": 3, "new users": 1,
                             "test events/user": pytest.approx(4 / 3), "unseen-video share": 0.25}


def test_the_matched_composition_is_equal_and_the_plain_one_is_not(data):
    composition = split_composition(plain_and_matched(data, seed=3))
    matched = composition.loc[["matched temporal", "matched random"]]
    assert (matched.iloc[0] == matched.iloc[1]).all()
    assert matched["new users"].eq(0).all()
    assert composition.loc["temporal", "new users"] > 0 < composition.loc["temporal", "unseen-video share"]
    assert composition.loc["random", "test events/user"] > composition.loc["temporal", "test events/user"]


def test_split_comparison_reports_plain_and_matched_scores_with_the_paired_gap(data):
    comparison = split_comparison(data, k=10, seed=3, n_resamples=200)
    assert comparison.index.tolist() == ["popular", "matrix factorisation"]
    plain = ndcg_by_split(data, k=10, seed=3)
    np.testing.assert_allclose(comparison["plain temporal"], plain["temporal"], rtol=1e-12)
    np.testing.assert_allclose(comparison["plain random"], plain["random"], rtol=1e-12)
    gap = comparison["matched random"] - comparison["matched temporal"]
    np.testing.assert_allclose(comparison["random − temporal"], gap, rtol=1e-9)
    assert ((comparison["low"] <= gap) & (gap <= comparison["high"])).all()
    assert (comparison["users"] > 100).all()
    assert comparison.loc["popular", "low"] > 0  # the random hold-out flatters the popular list


def test_the_sentence_says_raises_lowers_or_not_measurably():
    comparison = pd.DataFrame(
        {"matched temporal": [0.1, 0.2, 0.3], "matched random": [0.2, 0.1, 0.31],
         "random − temporal": [0.1, -0.1, 0.01], "low": [0.05, -0.15, -0.02],
         "high": [0.15, -0.05, 0.04], "users": [900, 900, 900]},
        index=["up", "down", "flat"])
    comparison.attrs["k"] = 5
    sentence = split_comparison_sentence(comparison)
    assert "the random split raises up's NDCG@5: 0.1000 → 0.2000, difference +0.1000 [+0.0500, +0.1500] over 900 users" in sentence
    assert "the random split lowers down's NDCG@5" in sentence
    assert "the random split does not measurably move flat's NDCG@5" in sentence

"""The video scorecard: ranked lists of hits, values from mlsd.metrics, videos without a learned
vector, diversity in a genre space, per-user values and their bootstrap intervals, and the split
comparison."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.video_recs.data import VideoData, load_data
from mlsd.cases.video_recs.evaluation import (
    candidate_set_recall,
    difference_sentence,
    diversity_intervals,
    diversity_space,
    evaluation_lists,
    genre_diversity,
    genre_diversity_by_user,
    history_intervals,
    history_sentences,
    is_measurably_ahead,
    list_diversity_by_user,
    mean_ndcg,
    metric_intervals,
    metrics_table,
    ndcg_by_history,
    ndcg_by_split,
    per_user_metrics,
    recall_curve,
    recommender_metrics,
    split_effect,
)
from mlsd.cases.video_recs.schema import RELEVANCE, relevance_threshold, relevant
from mlsd.metrics.ranking import intra_list_diversity


def _table(rows):
    return pd.DataFrame(rows, columns=["user_id", "video_id", "time", "engagement"])


TRAIN = _table([(0, 0, 0.0, 1.0), (1, 0, 1.0, 1.0), (1, 1, 2.0, 1.0)])
TEST = _table([(0, 2, 3.0, 1.0), (1, 3, 4.0, 0.9)])
RECS = pd.DataFrame({"user_id": [0, 0, 1, 1], "video_id": [2, 1, 2, 3], "score": [2.0, 1.0, 2.0, 1.0], "rank": [1, 2, 1, 2]})


def test_metrics_by_hand():
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    m = recommender_metrics(RECS, TEST, TRAIN, n_videos=4, video_vectors=vectors, k=2)
    # user 0: hit at rank 1 (video 2); user 1: hit at rank 2 (video 3)
    assert m["precision@2"] == 0.5 and m["recall@2"] == 1.0 and m["hit_rate@2"] == 1.0
    assert m["mrr"] == pytest.approx((1 + 0.5) / 2)
    assert m["coverage"] == 3 / 4
    assert m["diversity"] == intra_list_diversity(vectors[RECS["video_id"]], -RECS["rank"].to_numpy(), RECS["user_id"].to_numpy(), 2)


def test_a_video_without_a_vector_is_left_out_of_diversity_not_an_error():
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])  # video 2 was never watched in training
    recs = RECS.assign(video_id=[2, 1, 1, 3])  # user 0 keeps one vector (left out); user 1 compares videos 1 and 3
    m = recommender_metrics(recs, TEST, TRAIN, n_videos=4, video_vectors=vectors, k=2)
    assert m["diversity"] == pytest.approx(1.0)  # 1 - cos(video 1, video 3) = 1
    assert np.isnan(recommender_metrics(RECS, TEST, TRAIN, n_videos=4, video_vectors=vectors, k=2)["diversity"])


def test_candidate_set_recall_ignores_order():
    candidates = pd.DataFrame({"user_id": [0, 0, 1], "video_id": [1, 2, 2]})
    assert candidate_set_recall(candidates, TEST) == 0.5  # user 0 finds video 2, user 1 misses video 3


def test_evaluation_lists_count_relevant_test_events_found_or_not():
    recs = RECS.assign(video_id=[2, 3, 3, 4])
    test = _table([(0, 2, 10.0, 1.0), (0, 4, 11.0, 0.9), (1, 4, 12.0, 0.1), (2, 1, 13.0, 1.0)])
    lists = evaluation_lists(recs, test)
    # user 0 liked 2 and 4 and got 2 at rank 1 -> recall@2 = 1/2;
    # user 1 liked nothing (0.1 < 0.8) -> left out
    assert lists.groups.tolist() == [0]
    assert lists.recall_at(2).tolist() == [0.5]


def test_mean_ndcg_scores_each_users_top_k_against_the_relevant_test_events():
    # one relevant test event each: user 0 finds it at rank 1, user 1 at rank 2
    expected = (1 + 1 / np.log2(3)) / 2
    assert mean_ndcg(RECS, TEST, k=2) == pytest.approx(expected)
    assert mean_ndcg(RECS, TEST, k=1) == pytest.approx(0.5)  # only user 0's first video is a hit
    lukewarm = TEST.assign(engagement=0.5)
    assert mean_ndcg(RECS, lukewarm, k=2, threshold=0.4) == pytest.approx(expected)


def test_a_random_split_flatters_the_popular_list_on_the_simulator():
    data = load_data("simulated", seed=3, n_users=300, n_videos=600, n_events=15_000)
    table = ndcg_by_split(data, k=10, seed=3)
    assert list(table.index) == ["popular", "matrix factorisation"]
    assert list(table.columns) == ["temporal", "random"]
    assert table.loc["popular", "random"] > table.loc["popular", "temporal"]


def test_the_relevance_rules_are_named_thresholds_and_any_counts_every_event():
    assert relevance_threshold("liked") == 0.8 and relevance_threshold("any") == 0.0
    assert set(RELEVANCE) == {"liked", "any"}
    lukewarm = TEST.assign(engagement=[0.1, 0.9])
    assert relevant(lukewarm, relevance_threshold("any")).tolist() == [True, True]
    assert relevant(lukewarm, relevance_threshold("liked")).tolist() == [False, True]
    with pytest.raises(ValueError, match="relevance must be one of 'liked', 'any'; got 'all'"):
        relevance_threshold("all")


def test_every_scorecard_counts_hits_at_the_threshold_it_is_given():
    lukewarm = TEST.assign(engagement=[0.3, 0.9])  # user 0's test watch is not liked
    vectors = np.eye(4)
    liked = metrics_table({"m": RECS}, lukewarm, TRAIN, 4, vectors, k=2)
    anything = metrics_table({"m": RECS}, lukewarm, TRAIN, 4, vectors, k=2, threshold=0.0)
    # liked: only user 1 counts, hit at rank 2; any: user 0 hits at rank 1 as well
    assert liked.loc["m", "ndcg@2"] == pytest.approx(1 / np.log2(3))
    assert anything.loc["m", "ndcg@2"] == pytest.approx((1 + 1 / np.log2(3)) / 2)
    assert recall_curve(RECS, lukewarm, [1], threshold=0.0).tolist() == [0.5]


def test_ndcg_by_history_splits_users_by_whether_they_trained():
    recs = pd.concat([RECS, pd.DataFrame({"user_id": [2, 2], "video_id": [1, 0], "score": [2.0, 1.0],
                                          "rank": [1, 2]})], ignore_index=True)
    test = pd.concat([TEST, _table([(2, 0, 5.0, 1.0)])], ignore_index=True)  # user 2 is new
    table = ndcg_by_history({"m": recs}, test, TRAIN, k=2)
    assert table.loc["m", "new users"] == pytest.approx(1 / np.log2(3))  # user 2's hit at rank 2
    assert table.loc["m", "returning users"] == pytest.approx((1 + 1 / np.log2(3)) / 2)
    assert table.loc["users"].tolist() == [1, 2]


def test_split_effect_says_which_way_each_model_moved():
    table = pd.DataFrame({"temporal": [0.2, 0.1, 0.3], "random": [0.1, 0.3, 0.301]},
                         index=["popular", "mf", "flat"])
    sentence = split_effect(table)
    assert "lowers popular's NDCG from 0.2000 (temporal) to 0.1000 (-50%)" in sentence
    assert "raises mf's NDCG from 0.1000 (temporal) to 0.3000 (+200%)" in sentence
    assert "leaves flat's NDCG" in sentence


# --- diversity in a genre space -------------------------------------------------------------------

def _lists(video_ids_by_user):
    rows = [(user, video, rank) for user, videos in video_ids_by_user.items()
            for rank, video in enumerate(videos, start=1)]
    return pd.DataFrame(rows, columns=["user_id", "video_id", "rank"])


def test_genre_diversity_is_zero_for_identical_videos_and_one_for_disjoint_genres():
    genres = np.array([[0.7, 0.3, 0.0], [0.7, 0.3, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    same, disjoint = _lists({0: [0, 1]}), _lists({0: [2, 3, 4]})
    assert genre_diversity(same, genres) == pytest.approx(0.0, abs=1e-12)
    assert genre_diversity(disjoint, genres) == pytest.approx(1.0)  # the maximum of a non-negative space
    assert genre_diversity_by_user(_lists({0: [2, 3, 4], 1: [0, 1]}), genres).tolist() == pytest.approx([1.0, 0.0])


def test_genre_diversity_is_the_mean_pairwise_cosine_distance_of_the_top_k():
    rng = np.random.default_rng(0)
    genres = rng.dirichlet(np.full(4, 0.3), 30)
    recs = _lists({0: [3, 8, 1, 20], 1: [5, 6, 7], 2: [9]})
    by_hand = []
    for videos in ([3, 8], [5, 6]):  # k = 2
        a, b = genres[videos]
        by_hand.append(1 - a @ b / np.linalg.norm(a) / np.linalg.norm(b))
    per_user = genre_diversity_by_user(recs, genres, k=2)
    assert per_user.loc[[0, 1]].tolist() == pytest.approx(by_hand) and np.isnan(per_user.loc[2])
    full = genre_diversity(recs, genres, k=4)
    expected = intra_list_diversity(genres[recs["video_id"]], -recs["rank"].to_numpy(), recs["user_id"].to_numpy(), 4)
    assert full == pytest.approx(expected)


def test_genre_diversity_leaves_out_videos_without_a_genre_and_checks_its_input():
    genres = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    assert genre_diversity(_lists({0: [0, 1, 2]}), genres) == pytest.approx(1.0)  # video 1 left out
    assert np.isnan(genre_diversity(_lists({0: [0, 1]}), genres))
    with pytest.raises(ValueError, match="non-negative 2-d array"):
        genre_diversity(_lists({0: [0, 1]}), -genres)
    with pytest.raises(ValueError, match="video_id 7 has no row in the vectors"):
        genre_diversity(_lists({0: [0, 7]}), genres)
    with pytest.raises(ValueError, match="k must be"):
        genre_diversity(_lists({0: [0, 1]}), genres, k=0)


def test_list_diversity_takes_signed_vectors_and_genre_diversity_refuses_them():
    factors = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])
    assert list_diversity_by_user(_lists({0: [0, 1], 1: [0, 2]}), factors).tolist() == pytest.approx([2.0, 1.0])
    with pytest.raises(ValueError, match="non-negative"):
        genre_diversity_by_user(_lists({0: [0, 1]}), factors)


def test_the_diversity_column_uses_the_true_genres_when_simulated_and_says_so_otherwise():
    data = load_data("simulated", seed=1, n_users=100, n_videos=150, n_events=3_000)
    factors = np.ones((data.n_videos, 2))
    vectors, line = diversity_space(data, factors)
    assert vectors is not factors and np.array_equal(vectors, data.world.genres) and "true genre" in line
    real = VideoData("movielens", data.table, data.sizes, None, data.n_users, data.n_videos)
    vectors, line = diversity_space(real, factors)
    assert np.array_equal(vectors, factors) and "no genres" in line and "model's own space" in line


# --- per-user metrics and their intervals ---------------------------------------------------------

THREE = {
    "a": RECS,
    "b": RECS.assign(video_id=[1, 2, 3, 2]),  # user 0 hits at rank 2, user 1 at rank 1
}


def test_per_user_metrics_average_to_the_scorecard():
    values = per_user_metrics(RECS, TEST, k=2)
    row = recommender_metrics(RECS, TEST, TRAIN, 4, np.eye(4), k=2)
    assert values.index.tolist() == [0, 1]
    for column in values.columns:
        assert values[column].mean() == pytest.approx(row[column]), column
    assert values["ndcg@2"].tolist() == pytest.approx([1.0, 1 / np.log2(3)])


def test_metric_intervals_hold_means_paired_differences_and_their_users():
    table = metric_intervals(THREE, TEST, k=2, differences=[("b", "a")], n_resamples=200, seed=1)
    assert table.index.tolist() == ["a", "b", "b − a"] and table.attrs["users"] == 2
    assert list(table.columns.get_level_values(1)[:3]) == ["mean", "low", "high"]
    ndcg = table["ndcg@2"]
    assert ndcg.loc["a", "mean"] == pytest.approx((1 + 1 / np.log2(3)) / 2)
    assert ndcg.loc["b − a", "mean"] == pytest.approx(ndcg.loc["b", "mean"] - ndcg.loc["a", "mean"])
    assert (ndcg["low"] <= ndcg["mean"]).all() and (ndcg["mean"] <= ndcg["high"]).all()
    # the two users swap hit positions, so the paired difference is 0 on one user and 0 overall
    assert ndcg.loc["b − a"].tolist() == pytest.approx([0.0, -(1 - 1 / np.log2(3)), 1 - 1 / np.log2(3)])


def test_a_difference_is_measurable_only_when_its_interval_excludes_zero():
    columns = pd.MultiIndex.from_product([["ndcg@10"], ["mean", "low", "high"]])
    table = pd.DataFrame([[0.02, 0.01, 0.03], [-0.02, -0.03, -0.01], [0.01, -0.01, 0.03]],
                         index=["x − y", "y − x", "z − y"], columns=columns)
    assert difference_sentence(table, "x", "y", "ndcg@10") == (
        "x − y on ndcg@10: +0.0200 [+0.0100, +0.0300], x is measurably ahead")
    assert difference_sentence(table, "y", "x", "ndcg@10").endswith("x is measurably ahead")
    assert difference_sentence(table, "z", "y", "ndcg@10").endswith("no measurable difference")
    assert is_measurably_ahead(table, "x", "y", "ndcg@10") and not is_measurably_ahead(table, "z", "y", "ndcg@10")


def test_history_intervals_score_new_and_returning_users_apart():
    recs = pd.concat([RECS, pd.DataFrame({"user_id": [2, 2], "video_id": [1, 0], "score": [2.0, 1.0],
                                          "rank": [1, 2]})], ignore_index=True)
    test = pd.concat([TEST, _table([(2, 0, 5.0, 1.0)])], ignore_index=True)  # user 2 is new
    table = history_intervals({"m": recs, "p": recs}, test, TRAIN, k=2, differences=[("m", "p")],
                              n_resamples=50)
    assert table.attrs["kinds"] == {"new users": "new users (1)", "returning users": "returning users (2)"}
    assert table.loc["m", ("new users (1)", "mean")] == pytest.approx(1 / np.log2(3))
    assert table.loc["m", ("returning users (2)", "mean")] == pytest.approx((1 + 1 / np.log2(3)) / 2)
    assert history_sentences(table, [("m", "p")])[0].startswith("for new users (1), m − p on NDCG: +0.0000")


def test_diversity_intervals_compare_models_on_the_same_users():
    genres = np.eye(4)
    narrow = _lists({0: [0, 0], 1: [1, 1]})
    wide = _lists({0: [0, 1], 1: [2, 3], 2: [0, 1]})
    table = diversity_intervals({"narrow": narrow, "wide": wide}, genres, k=2,
                                differences=[("narrow", "wide")], n_resamples=50)
    assert table.attrs["users"] == 2  # user 2 has no list from the narrow model
    assert table.loc["narrow − wide", ("diversity", "mean")] == pytest.approx(-1.0)
    assert table.loc["narrow − wide", ("diversity", "high")] == pytest.approx(-1.0)

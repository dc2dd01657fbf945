"""The video recommenders: candidate sources on small hand-made histories, and the two-stage
recommender against its own sources on the simulated world's future."""

import numpy as np
import pandas as pd
import pytest
from video_history import HISTORY, interactions

from mlsd.cases.video_recs.data import temporal_split
from mlsd.cases.video_recs.evaluation import mean_ndcg
from mlsd.cases.video_recs.models import (
    FEATURES,
    OBJECTIVES,
    CoVisitationSource,
    MatrixFactorizationSource,
    PopularSource,
    TwoStageRecommender,
    merged_candidates,
    _top_k_order,
    recommend,
    tie_break_keys,
    watch_matrix,
)
from mlsd.cases.video_recs.simulate import simulate_watches


# --- candidate sources -----------------------------------------------------------------------


def test_popular_recommends_the_most_watched_unseen_videos():
    watched = watch_matrix(HISTORY, 4, 5)
    recs = recommend(PopularSource().fit(watched), watched, [3], k=2)
    # counts: video 0: 4 users, 1: 2, 2/3/4: 1 each; user 3 has seen 0 -> 1, then 2 (lowest id of
    # the ties: the popular list is one global order, which breaks ties by id)
    assert recs["video_id"].tolist() == [1, 2]
    assert recs["rank"].tolist() == [1, 2]


def test_co_visitation_follows_shared_audiences():
    watched = watch_matrix(HISTORY, 4, 5)
    recs = recommend(CoVisitationSource().fit(watched), watched, [0], k=1)
    assert recs["video_id"].tolist() == [2]  # watched by user 1, who shares videos 0 and 1 with 0


def test_sources_never_recommend_what_the_user_watched_and_run_out_gracefully():
    watched = watch_matrix(HISTORY, 4, 5)
    for source in (PopularSource(), CoVisitationSource(), MatrixFactorizationSource(n_factors=2)):
        recs = recommend(source.fit(watched), watched, [0, 1, 2, 3], k=5)
        seen = set(zip(HISTORY["user_id"], HISTORY["video_id"]))
        assert not seen & set(zip(recs["user_id"], recs["video_id"]))
        assert recs.groupby("user_id").size().to_dict() == {0: 3, 1: 2, 2: 2, 3: 4}


def test_matrix_factorisation_is_seeded():
    watched = watch_matrix(HISTORY, 4, 5)
    first, second = (
        recommend(MatrixFactorizationSource(2, seed=1).fit(watched), watched, [0, 1, 2, 3], k=2)
        for _ in range(2)
    )
    pd.testing.assert_frame_equal(first, second)


def test_recommend_and_the_sources_reject_bad_sizes():
    watched = watch_matrix(HISTORY, 4, 5)
    with pytest.raises(ValueError, match="k must be an integer >= 1; got 0"):
        recommend(PopularSource().fit(watched), watched, [0], k=0)
    with pytest.raises(ValueError, match="n_factors must be an integer >= 1; got 0"):
        MatrixFactorizationSource(n_factors=0)


# --- the two-stage recommender ----------------------------------------------------------------


@pytest.fixture(scope="module")
def world_split():
    world = simulate_watches(seed=1)
    train, test = temporal_split(world.interactions)
    return world, train, test


def test_the_ranker_orders_candidates_better_than_any_single_source(world_split):
    world, train, test = world_split
    n_users, n_videos = len(world.users), len(world.videos)
    users = np.unique(test["user_id"])
    two_stage = TwoStageRecommender(seed=1).fit(train, n_users, n_videos).recommend(users, 10)
    watched = watch_matrix(train, n_users, n_videos)
    single = {
        source.name: mean_ndcg(recommend(source.fit(watched), watched, users, 10), test)
        for source in (PopularSource(), MatrixFactorizationSource(seed=1))
    }
    assert mean_ndcg(two_stage, test) > max(single.values())
    assert (two_stage.groupby("user_id").size() <= 10).all()


def test_merged_candidates_carry_every_feature_and_no_watched_video(world_split):
    world, train, _ = world_split
    users = np.unique(train["user_id"])[:50]
    pairs = merged_candidates(train, users, len(world.users), len(world.videos), k_per_source=20)
    assert set(FEATURES) <= set(pairs.columns)
    assert not pairs[list(FEATURES)].isna().any().any()
    watched = set(zip(train["user_id"], train["video_id"]))
    assert not watched & set(zip(pairs["user_id"], pairs["video_id"]))
    assert pairs.groupby("user_id").size().between(20, 60).all()  # the union of three lists of 20


def test_label_share_is_validated():
    with pytest.raises(ValueError, match=r"label_share must be a number in \(0, 1\); got 1.0"):
        TwoStageRecommender(label_share=1.0)


def test_the_ranker_learns_the_relevance_it_is_given(world_split):
    world, train, test = world_split
    n_users, n_videos = len(world.users), len(world.videos)
    users = np.unique(test["user_id"])[:200]
    liked = TwoStageRecommender(seed=1, max_iter=30).fit(train, n_users, n_videos)
    any_watch = TwoStageRecommender(seed=1, max_iter=30, threshold=0.0).fit(train, n_users, n_videos)
    # the same candidates and features, different labels: a different model
    assert not liked.recommend(users, 10).equals(any_watch.recommend(users, 10))
    with pytest.raises(ValueError, match=r"threshold must be a number in \[0, 1\]; got 1.5"):
        TwoStageRecommender(threshold=1.5)


# --- ties: a user without history -------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue():
    """200 users, 400 videos; user 199 has no watch at all."""
    rng = np.random.default_rng(3)
    rows = [(u, v, float(t), 1.0) for t, (u, v) in enumerate(
        {(int(u), int(v)) for u, v in zip(rng.integers(0, 199, 4_000), rng.integers(0, 400, 4_000))})]
    return interactions(rows)


@pytest.mark.parametrize("make", [CoVisitationSource, lambda seed: MatrixFactorizationSource(8, seed=seed)])
def test_a_cold_user_gets_a_seeded_random_list_not_the_lowest_ids(catalogue, make):
    watched = watch_matrix(catalogue, 200, 400)
    cold = [199]
    first = recommend(make(seed=4).fit(watched), watched, cold, 50)
    assert (first["score"] == 0).all()  # no history, no signal: every video ties
    assert first["video_id"].tolist() != list(range(50))
    assert first["video_id"].max() > 200  # drawn from the whole catalogue
    again = recommend(make(seed=4).fit(watched), watched, cold, 50)
    pd.testing.assert_frame_equal(first, again)  # deterministic for a seed
    other = recommend(make(seed=5).fit(watched), watched, cold, 50)
    assert set(other["video_id"]) != set(first["video_id"])


def test_cold_users_get_different_lists_and_a_list_does_not_depend_on_its_block(catalogue):
    without = watch_matrix(catalogue[~catalogue["user_id"].isin([10, 11])], 200, 400)
    source = MatrixFactorizationSource(8, seed=2).fit(without)  # users 10 and 11 are cold
    both = recommend(source, without, [10, 11, 12], 20)
    lists = both.groupby("user_id")["video_id"].apply(list)
    assert lists[10] != lists[11]
    alone = recommend(source, without, [11], 20)
    assert alone["video_id"].tolist() == lists[11]


def test_tie_break_keys_are_a_pure_function_of_seed_user_and_video():
    keys = tie_break_keys(7, np.arange(3)[:, None], np.arange(5)[None, :])
    assert keys.shape == (3, 5) and keys.dtype == np.uint64
    assert (tie_break_keys(7, [1, 2], [3, 4]) == keys[[1, 2], [3, 4]]).all()
    assert not (tie_break_keys(8, [1, 2], [3, 4]) == keys[[1, 2], [3, 4]]).any()
    with pytest.raises(ValueError, match="seed must be an integer >= 0; got -1"):
        tie_break_keys(-1, [0], [0])


def test_the_partitioned_top_k_orders_as_a_full_sort_by_score_then_key():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n, m = int(rng.integers(1, 30)), int(rng.integers(1, 80))
        k = int(rng.integers(1, m + 1))
        scores = rng.integers(0, int(rng.integers(1, 6)), size=(n, m)).astype(float)
        scores[rng.random((n, m)) < 0.2] = -np.inf
        scores[rng.random(n) < 0.2] = 0.0
        users = rng.choice(1_000, n, replace=False)
        for seed in (None, 3):
            ties = (np.broadcast_to(np.arange(m), (n, m)) if seed is None
                    else tie_break_keys(seed, users[:, None], np.arange(m)[None, :]))
            expected = np.lexsort((ties, -scores), axis=1)[:, :k]
            assert (_top_k_order(scores, users, k, seed) == expected).all()


# --- the objective ------------------------------------------------------------------------------


def test_the_watch_time_objective_weights_each_watch_by_its_minutes(world_split):
    world, train, _ = world_split
    completion = TwoStageRecommender(seed=1, max_iter=20).fit(train, len(world.users), len(world.videos))
    window = completion.window_
    labels, weights = completion._labels(completion.training_pairs_, window)
    assert weights is None  # the completion label: every pair weighs 1
    watch_time = completion.refit("watch_time")
    labels, weights = watch_time._labels(watch_time.training_pairs_, window)
    watched = pd.MultiIndex.from_frame(watch_time.training_pairs_[["user_id", "video_id"]])
    minutes = window.set_index(["user_id", "video_id"])["watch_seconds"] / 60
    positive = labels == 1
    assert positive.any() and (weights[~positive] == 1).all()
    np.testing.assert_allclose(weights[positive], minutes.loc[watched[positive]].to_numpy())
    assert watch_time.training_pairs_ is completion.training_pairs_  # the candidates are shared


def test_the_watch_time_ranker_recommends_longer_videos(world_split):
    world, train, test = world_split
    users = np.unique(test["user_id"])[:300]
    completion = TwoStageRecommender(seed=1, max_iter=60).fit(train, len(world.users), len(world.videos))
    watch_time = completion.refit("watch_time")
    length = world.videos["length_seconds"].to_numpy()
    short = np.median(length[completion.recommend(users, 10)["video_id"]])
    long = np.median(length[watch_time.recommend(users, 10)["video_id"]])
    assert long > 1.3 * short


def test_the_watch_time_objective_needs_watch_seconds_and_objectives_are_validated():
    train = HISTORY.assign(time=np.arange(len(HISTORY), dtype=float))
    with pytest.raises(ValueError, match="objective 'watch_time' needs a watch_seconds column"):
        TwoStageRecommender(objective="watch_time").fit(train, 4, 5)
    with pytest.raises(ValueError, match="objective must be one of 'completion', 'watch_time'"):
        TwoStageRecommender(objective="clicks")
    with pytest.raises(ValueError, match="refit needs a fitted TwoStageRecommender"):
        TwoStageRecommender().refit("watch_time")


def test_recommend_reuses_its_ranking_for_another_k(world_split):
    world, train, test = world_split
    users = np.unique(test["user_id"])[:100]
    ranker = TwoStageRecommender(seed=1, max_iter=20).fit(train, len(world.users), len(world.videos))
    long = ranker.recommend(users, 50)
    short = ranker.recommend(users, 10)
    pd.testing.assert_frame_equal(short, long[long["rank"] <= 10].reset_index(drop=True))
    assert set(OBJECTIVES) == {"completion", "watch_time"}

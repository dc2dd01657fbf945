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
    CoVisitationSource,
    MatrixFactorizationSource,
    PopularSource,
    TwoStageRecommender,
    merged_candidates,
    recommend,
    watch_matrix,
)
from mlsd.cases.video_recs.simulate import simulate_watches


# --- candidate sources -----------------------------------------------------------------------


def test_popular_recommends_the_most_watched_unseen_videos():
    watched = watch_matrix(HISTORY, 4, 5)
    recs = recommend(PopularSource().fit(watched), watched, [3], k=2)
    # counts: video 0: 4 users, 1: 2, 2/3/4: 1 each; user 3 has seen 0 -> 1, then 2 (lowest id of
    # the ties)
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

"""The two-stage recommender against its own candidate sources, on the simulated world's future."""

import numpy as np
import pytest

from mlsd.cases.video_recs.candidates import MatrixFactorizationSource, PopularSource, evaluation_lists, recommend, watch_matrix
from mlsd.cases.video_recs.ranker import FEATURES, TwoStageRecommender, merged_candidates
from mlsd.cases.video_recs.simulate import simulate_watches
from mlsd.cases.video_recs.split import temporal_split


@pytest.fixture(scope="module")
def world_split():
    world = simulate_watches(seed=1)
    train, test = temporal_split(world.interactions)
    return world, train, test


def _ndcg(recommendations, test):
    return float(np.nanmean(evaluation_lists(recommendations, test).ndcg_at(10)))


def test_the_ranker_orders_candidates_better_than_any_single_source(world_split):
    world, train, test = world_split
    n_users, n_videos = len(world.users), len(world.videos)
    users = np.unique(test["user_id"])
    two_stage = TwoStageRecommender(seed=1).fit(train, n_users, n_videos).recommend(users, 10)
    watched = watch_matrix(train, n_users, n_videos)
    single = {source.name: _ndcg(recommend(source.fit(watched), watched, users, 10), test) for source in (PopularSource(), MatrixFactorizationSource(seed=1))}
    assert _ndcg(two_stage, test) > max(single.values())
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
    with pytest.raises(ValueError, match="label_share must be strictly between 0 and 1"):
        TwoStageRecommender(label_share=1.0)

"""The trending source on hand-made logs, and what it adds to the merged candidates on the simulator."""

import numpy as np
import pytest
from video_history import interactions

from mlsd.cases.video_recs.data import temporal_split
from mlsd.cases.video_recs.models import default_sources, recommend, watch_matrix
from mlsd.cases.video_recs.simulate import simulate_watches
from mlsd.cases.video_recs.trending import (
    TrendingSource,
    fresh_videos,
    recall_intervals,
    set_recall_by_user,
    trending_comparison,
    union_candidates,
)

# days 0-30: video 0 watched steadily (one a day), video 1 only in the last week (fresh), video 2
# often before and rarely in the last week (falling)
LOG = interactions(
    [(u, 0, float(day), 1.0) for u, day in enumerate(range(0, 31))]
    + [(u, 1, 24.5 + u * 0.5, 1.0) for u in range(12)]
    + [(u, 2, 3.0 + u * 0.5, 1.0) for u in range(20)] + [(40, 2, 25.0, 1.0)]
)


def test_the_score_is_recent_watches_against_what_the_earlier_rate_predicts():
    source = TrendingSource(recent_days=7, earlier_days=21, prior=5).fit_log(LOG, 4)
    now = LOG["time"].max()
    recent = [((LOG["video_id"] == v) & (LOG["time"] > now - 7)).sum() for v in range(4)]
    earlier = [((LOG["video_id"] == v) & (LOG["time"] <= now - 7) & (LOG["time"] > now - 28)).sum()
               for v in range(4)]
    expected = (np.array(recent) + 5) / (np.array(earlier) * 7 / 21 + 5)
    np.testing.assert_allclose(source.counts_, expected)
    assert source.counts_.argmax() == 1 and source.counts_[2] < 1 < source.counts_[1]
    assert source.counts_[3] == 1.0  # never watched: neither rising nor falling


def test_trending_is_one_list_for_everyone_without_what_each_user_watched():
    source = TrendingSource().fit_log(LOG, 4)
    watched = watch_matrix(LOG, 41, 4)
    recs = recommend(source, watched, [0, 35], 2)
    assert recs[recs["user_id"] == 35]["video_id"].tolist() == [1, 0]
    assert 0 not in recs[recs["user_id"] == 0]["video_id"].tolist()
    with pytest.raises(TypeError, match="call fit_log"):
        TrendingSource().fit(watched)
    with pytest.raises(ValueError, match="recent_days must be a finite number > 0; got 0"):
        TrendingSource(recent_days=0)


def test_fresh_videos_are_first_watched_in_the_last_days_and_union_keeps_each_pair_once():
    assert fresh_videos(LOG, 7).tolist() == [1]
    a = interactions([(0, 1, 0.0, 1.0), (0, 2, 1.0, 1.0)])
    b = interactions([(0, 2, 0.0, 1.0), (1, 3, 1.0, 1.0)])
    assert union_candidates(a, b)[["user_id", "video_id"]].values.tolist() == [[0, 1], [0, 2], [1, 3]]


def test_set_recall_counts_every_candidate_whatever_its_rank():
    candidates = interactions([(0, 1, 0.0, 1.0), (0, 2, 0.0, 1.0), (1, 5, 0.0, 1.0)])
    test = interactions([(0, 2, 1.0, 0.9), (0, 3, 1.0, 0.9), (1, 5, 1.0, 0.1), (2, 4, 1.0, 1.0)])
    recall = set_recall_by_user(candidates, test)
    assert recall.to_dict() == {0: 0.5}  # user 1 has no relevant test watch, user 2 no candidate
    table = recall_intervals({"a": candidates, "b": candidates.iloc[:1]}, test, differences=[("a", "b")])
    assert table.loc["a − b", "mean"] == pytest.approx(0.5)


@pytest.fixture(scope="module")
def world_split():
    world = simulate_watches(n_users=600, n_videos=1_200, n_events=50_000, seed=3)
    train, test = temporal_split(world.interactions)
    return world, train, test


def test_trending_adds_fresh_videos_at_equal_length(world_split):
    world, train, test = world_split
    users = np.unique(test["user_id"])
    watched = watch_matrix(train, 600, 1_200)
    lists = {s.name: recommend(s.fit(watched), watched, users, 200) for s in default_sources(3).values()}
    trending = recommend(TrendingSource().fit_log(train, 1_200), watched, users, 200)
    table = trending_comparison(lists, trending, test, train, depth=60, seed=3)
    sets = table.loc["all watches"].index
    merged, with_trending, equal = sets[:3]
    sizes = table.loc["all watches", "candidates"]
    assert sizes[equal] >= sizes[with_trending] > sizes[merged]
    assert sizes[equal] - sizes[with_trending] < 3  # equal length, up to one depth step
    difference = table.loc[("fresh videos", sets[3])]
    assert difference["low"] > 0.2  # trending finds fresh videos the other sources miss
    assert table.attrs["equal_depth"] > 60


def test_sets_with_no_relevant_test_watch_to_find_score_nan():
    candidates = interactions([(0, 1, 0.0, 1.0)])
    test = interactions([(0, 2, 1.0, 0.1)])  # watched, but not liked
    table = recall_intervals({"a": candidates, "b": candidates}, test, differences=[("a", "b")])
    assert table[["mean", "low", "high"]].isna().all().all() and table.attrs["users"] == 0

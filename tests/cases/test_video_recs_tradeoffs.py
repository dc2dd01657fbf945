"""Notebook 4's experiments — the feedback loop and the A/B test — against what the simulator's truth
implies."""

import numpy as np
import pytest

from mlsd.cases.video_recs.data import temporal_split
from mlsd.cases.video_recs.models import MatrixFactorizationSource, PopularSource, recommend, watch_matrix
from mlsd.cases.video_recs.simulate import simulate_watches
from mlsd.cases.video_recs.tradeoffs import ab_test_watch_time, feedback_loop, loop_summary


@pytest.fixture(scope="module")
def world():
    return simulate_watches(n_users=400, n_videos=800, n_events=30_000, seed=2)


def test_a_popularity_loop_shows_only_the_head_and_concentrates_its_own_log(world):
    loop = feedback_loop(world, PopularSource, start_day=30, rounds=4)
    assert (loop["top_decile_share"] > 0.99).all()  # a slate is the most-watched videos the user has not seen
    assert loop["log_top_decile_share"].is_monotonic_increasing
    assert loop["catalog_coverage"].max() < 0.15


def test_exploration_widens_what_is_shown(world):
    greedy = feedback_loop(world, PopularSource, start_day=30, rounds=2, epsilon=0.0)
    exploring = feedback_loop(world, PopularSource, start_day=30, rounds=2, epsilon=0.2)
    assert (exploring["catalog_coverage"] > 5 * greedy["catalog_coverage"]).all()
    assert (exploring["log_top_decile_share"] < greedy["log_top_decile_share"]).all()
    pd_equal = feedback_loop(world, PopularSource, start_day=30, rounds=2, epsilon=0.2).equals(exploring)
    assert pd_equal  # same seed, same loop


def test_a_fresh_slot_shows_videos_uploaded_after_launch_that_popularity_never_shows(world):
    greedy = feedback_loop(world, PopularSource, start_day=30, rounds=3)
    fresh = feedback_loop(world, PopularSource, start_day=30, rounds=3, fresh_slots=1)
    assert (greedy["new_video_share"] == 0).all()
    assert fresh["new_video_share"].iloc[-1] > 0
    with pytest.raises(ValueError, match=r"fresh_slots must be an integer in \[0, 10\]; got 11"):
        feedback_loop(world, PopularSource, start_day=30, fresh_slots=11)


def test_an_ab_test_finds_that_taste_beats_popularity_on_watch_time(world):
    train, test = temporal_split(world.interactions)
    users = np.unique(test["user_id"])
    watched = watch_matrix(train, len(world.users), len(world.videos))
    popular = recommend(PopularSource().fit(watched), watched, users, 10)
    personal = recommend(MatrixFactorizationSource(seed=2).fit(watched), watched, users, 10)
    comparison, per_user = ab_test_watch_time(world, popular, personal, seed=2)
    assert comparison.difference > 0 and comparison.ci_low > 0
    assert set(per_user["arm"]) == {"A", "B"} and comparison.n_a + comparison.n_b == len(per_user)


def test_arguments_are_validated(world):
    with pytest.raises(ValueError, match=r"epsilon must be a number in \[0, 1\]; got 1.5"):
        feedback_loop(world, PopularSource, start_day=30, epsilon=1.5)
    with pytest.raises(ValueError, match="rounds must be an integer >= 1; got 0"):
        feedback_loop(world, PopularSource, start_day=30, rounds=0)
    with pytest.raises(ValueError, match="slate_size must be an integer >= 1; got 0"):
        feedback_loop(world, PopularSource, start_day=30, slate_size=0)


def test_exploration_only_shows_videos_already_uploaded():
    late = simulate_watches(n_users=200, n_videos=400, n_events=8_000, new_video_share=0.9, seed=2)
    loop = feedback_loop(late, PopularSource, start_day=10, rounds=2, epsilon=1.0, seed=2)
    online_by_last_day = (late.videos["upload_time"] <= 12).mean()
    assert loop["catalog_coverage"].max() <= online_by_last_day < 0.5


def test_a_slate_never_shows_a_video_before_its_upload():
    late = simulate_watches(n_users=200, n_videos=400, n_events=6_000, new_video_share=0.9,
                            new_user_share=0.5, seed=3)
    # users who joined before the loop but watched nothing yet get a random list from the MF source
    loop = feedback_loop(late, lambda: MatrixFactorizationSource(8, seed=3), start_day=20, rounds=3,
                         seed=3)
    online_by_last_day = (late.videos["upload_time"] <= 23).mean()
    assert loop["catalog_coverage"].max() <= online_by_last_day


def test_the_loop_summary_has_one_row_per_policy(world):
    loops = {"popular": feedback_loop(world, PopularSource, start_day=30, rounds=2),
             "fresh": feedback_loop(world, PopularSource, start_day=30, rounds=2, fresh_slots=1)}
    summary = loop_summary(loops)
    assert list(summary.index) == ["popular", "fresh"]
    assert summary.loc["popular", "new_video_share_last"] == 0
    assert summary.loc["fresh", "new_video_share_last"] > 0
    run = loops["popular"]
    assert summary.loc["popular", "engagement_shown_mean"] == pytest.approx(run["mean_engagement_shown"].mean())

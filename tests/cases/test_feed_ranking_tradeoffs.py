"""Batch against streaming counters, and interleaving against an A/B test, on the simulated feed."""

import numpy as np
import pytest

from mlsd.cases.feed_ranking import tradeoffs as t
from mlsd.cases.feed_ranking.features import daily_post_engagement, post_engagement
from mlsd.cases.feed_ranking.simulate import simulate_feed


@pytest.fixture(scope="module", params=[1, 2])
def world(request):
    return simulate_feed(seed=request.param)


def test_the_batch_counter_never_exceeds_the_streaming_one(world):
    rows = world.impressions
    streaming = post_engagement(rows, rows)["post_engagements"].to_numpy()
    batch = daily_post_engagement(rows, rows)["post_engagements"].to_numpy()
    assert (batch <= streaming).all() and (batch < streaming).any()


def test_young_viral_posts_lose_more_engagements_to_the_batch_counter(world):
    seed = world.parameters["seed"]
    table = t.counter_staleness(world.impressions, world.posts, seed=seed).set_index(["viral", "age"])
    young_viral, young_other = table.loc[(True, "< 6 h")], table.loc[(False, "< 6 h")]
    assert young_viral["missed_engagements_low"] > young_other["missed_engagements_high"]
    assert young_viral["missed_share_low"] > table.loc[(True, ">= 24 h"), "missed_share_high"]
    for kind in (True, False):
        shares = table.loc[kind, "missed_share"].to_numpy()
        assert (np.diff(shares) < 0).all()  # the older the post, the less the batch counter misses
    assert t.counter_staleness(world.impressions, world.posts, seed=seed).equals(table.reset_index())


def test_team_draft_alternates_the_rankers_picks_without_duplicates():
    ranking_a = np.array([[1, 2, 3, 4, 5]])
    ranking_b = np.array([[3, 1, 5, 4, 2]])
    items, team = t.team_draft(ranking_a, ranking_b, np.array([[True, False, True]]))
    # round 1: A picks 1, B picks 3; round 2: B first picks 5, A picks 2; round 3: A picks 4
    assert items.tolist() == [[1, 3, 5, 2, 4]]
    assert team.tolist() == [[True, False, False, True, True]]
    items, team = t.team_draft(ranking_a, ranking_b, np.array([[False, False, False]]))
    assert items.tolist() == [[3, 1, 5, 2, 4]] and team.tolist() == [[False, True, False, True, False]]
    rng = np.random.default_rng(0)
    a = np.argsort(rng.random((200, 10)), axis=1)
    b = np.argsort(rng.random((200, 10)), axis=1)
    items, team = t.team_draft(a, b, rng.random((200, 5)) < 0.5)
    assert (np.sort(items, axis=1) == np.arange(10)).all()  # every item once
    assert (np.abs(np.cumsum(np.where(team, 1, -1), axis=1)) <= 1).all()  # picks alternate by round


def test_interleaving_detects_the_better_ranker_with_fewer_sessions(world):
    rows, seed = world.impressions, world.parameters["seed"]
    noisy = t.noisy_scores(rows["true_click"], 1.0, seed)
    curves = t.sessions_needed(rows, rows["true_click"].to_numpy(), noisy,
                               session_counts=(200,), n_experiments=100, seed=seed)
    power = curves.set_index("method")["power"]
    assert power["interleaving"] > power["A/B test"]
    again = t.sessions_needed(rows, rows["true_click"].to_numpy(), noisy,
                              session_counts=(200,), n_experiments=100, seed=seed)
    assert again.equals(curves)


def test_bad_inputs_raise_clear_errors(world):
    rows = world.impressions
    with pytest.raises(ValueError, match="age_edges_hours"):
        t.counter_staleness(rows, world.posts, age_edges_hours=(24, 6))
    with pytest.raises(ValueError, match="posts lacks"):
        t.counter_staleness(rows, world.posts.drop(columns="viral"))
    with pytest.raises(ValueError, match="same distinct items"):
        t.team_draft(np.array([[1, 2]]), np.array([[1, 3]]), np.array([[True]]))
    with pytest.raises(ValueError, match="a_first"):
        t.team_draft(np.array([[1, 2]]), np.array([[2, 1]]), np.array([[True, False]]))
    with pytest.raises(ValueError, match="session_counts"):
        t.sessions_needed(rows, rows["true_click"], rows["true_click"], session_counts=(1,))
    with pytest.raises(ValueError, match="same length"):
        t.sessions_needed(rows, rows["true_click"][:5], rows["true_click"])
    with pytest.raises(ValueError, match="top"):
        t.trending_capture(rows, top=0)

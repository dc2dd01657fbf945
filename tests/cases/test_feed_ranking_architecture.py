"""The feed's architecture experiments on the simulated feed: candidate sources judged by recall,
the creator re-ranker's cost, and the post counter served by another path than it was trained on."""

import math

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.feed_ranking import candidates as c
from mlsd.cases.feed_ranking import feature_paths as fp
from mlsd.cases.feed_ranking import rerank as r
from mlsd.cases.feed_ranking.data import load_data, split
from mlsd.cases.feed_ranking.evaluation import feed_metrics, value_scores
from mlsd.cases.feed_ranking.models import HeadModels
from mlsd.cases.feed_ranking.schema import SOURCES

SEED = 1


@pytest.fixture(scope="module")
def data():
    loaded = load_data("simulated", seed=SEED)
    return loaded.world, split(loaded)


@pytest.fixture(scope="module")
def heads(data):
    return fp.CounterHeads().fit(data[1].train)


@pytest.fixture(scope="module")
def served_scores(data, heads):
    features = fp.path_features(heads, data[1].test, ("streaming",))["streaming"]
    return value_scores(fp.predict_from_features(heads, features, serve_position=1))


def test_trending_lists_rank_by_engaged_impressions_newest_first_on_ties():
    created = np.array([0.0, 0.01, 0.02, 0.5])  # post 3 does not exist yet at hour 3
    rows = pd.DataFrame({"time": [0.05, 0.06, 0.07, 0.08, 0.09], "post_id": [0, 0, 1, 2, 0],
                         "click": [1, 1, 0, 1, 0], "like": [0, 1, 1, 0, 0],
                         "comment": 0, "share": 0})
    # hour 3 counts hours 0-2 (rows at 1.2-2.2 h): post 0 twice (a click and a like count once)
    lists = c.trending_lists(rows, created, [3, 0], size=4)
    assert lists.tolist() == [[0, 2, 1, -1], [0, -1, -1, -1]]  # at hour 0 only post 0 exists
    assert c.trending_lists(rows, created, [3], size=2).tolist() == [[0, 2]]


def test_the_rebuilt_pools_hold_every_logged_candidate_of_their_source(data):
    world = data[0]
    sessions = c.session_starts(world.impressions).iloc[::50]
    pools = c.candidate_pools(world, sessions)
    logged = world.impressions[world.impressions["session_id"].isin(sessions["session_id"])]
    row = logged["session_id"].map(dict(zip(sessions["session_id"], range(len(sessions)))))
    for source in SOURCES:
        shown = logged[logged["source"] == source]
        assert len(shown) > 100
        assert pools[source][row[shown.index].to_numpy(), shown["post_id"].to_numpy()].all()
        assert not (pools[source] & ~pools["inventory"]).any()


def test_no_single_source_reaches_the_union_of_the_three(data):
    world, parts = data
    table = c.source_recall(world, parts.test, n_sessions=300, seed=SEED)
    assert list(table.index) == list(c.POOLS) and table.attrs["sessions"] == 300
    assert table.loc["union", "recall_of_union_top"] == 1.0
    assert (table.loc[list(SOURCES), "recall"] < table.loc["union", "recall"]).all()
    assert table.loc["union", "recall"] < 0.5  # the sources miss most of the inventory's best
    assert table.loc["trending", "recall"] > table.loc["network", "recall"]
    assert table.loc["union", "pool_size"] <= table.loc[list(SOURCES), "pool_size"].sum()
    assert c.no_single_source_reaches_the_union(table)
    again = c.source_recall(world, parts.test, n_sessions=300, seed=SEED)
    pd.testing.assert_frame_equal(table, again)


def test_the_creator_penalty_places_a_new_creator_before_a_repeat_by_hand():
    sessions = np.array([0, 0, 0, 0, 1, 1])
    creators = np.array([7, 7, 8, 9, 7, 7])
    scores = np.array([1.0, 0.9, 0.5, 0.1, 2.0, 1.0])
    assert r.creator_rerank(sessions, creators, scores, 0.0).tolist() == [1, 2, 3, 4, 1, 2]
    # λ = 0.3: the repeat scores 0.9 - 0.3 = 0.6 > 0.5, it keeps slot 2
    assert r.creator_rerank(sessions, creators, scores, 0.3).tolist() == [1, 2, 3, 4, 1, 2]
    # λ = 0.5: 0.4 < 0.5, creator 8 moves up; then 0.4 > 0.1
    assert r.creator_rerank(sessions, creators, scores, 0.5).tolist() == [1, 3, 2, 4, 1, 2]
    # the cap: every new creator first; a session of one creator keeps its order
    assert r.creator_rerank(sessions, creators, scores, math.inf).tolist() == [1, 4, 2, 3, 1, 2]


def test_a_creator_cap_in_the_top_slots_costs_little_value(data, served_scores):
    world, parts = data
    table = r.creator_diversity_tradeoff(world, parts.test, served_scores, n_resamples=200,
                                         seed=SEED)
    plain = feed_metrics(world, parts.test, served_scores)
    assert table.attrs["value"] == pytest.approx(plain["value"])
    assert table.loc[0.0, "top_creator_share"] == pytest.approx(plain["top_creator_share"])
    assert (np.diff(table["value_lost"]) > 0).all() and (np.diff(table["repeat_share"]) < 0).all()
    assert table.loc[math.inf, "repeat_share"] == 0 and table.loc[math.inf, "distinct_top"] == 3
    assert r.cap_is_cheap_and_diversifies(table)
    assert not r.cap_is_cheap_and_diversifies(table, max_value_lost=0.005)


def test_the_counter_paths_read_the_same_impressions_differently(data, heads):
    rows = data[1].test
    paths = fp.path_features(heads, rows)
    streaming, batch, none = (paths[path][list(fp.COUNTER_COLUMNS)] for path in fp.COUNTER_PATHS)
    assert (batch <= streaming).all().all() and (batch < streaming).any().all()
    assert (none == 0).all().all()
    rates = [column for column in streaming.columns if column not in fp.COUNTER_COLUMNS]
    pd.testing.assert_frame_equal(paths["batch"][rates], paths["streaming"][rates])
    plain = HeadModels()  # the same fitted heads, reading the features as HeadModels does
    plain.__dict__.update(vars(heads))
    direct = fp.predict_from_features(heads, paths["streaming"], serve_position=1)
    pd.testing.assert_frame_equal(direct, plain.predict(rows, serve_position=1))
    pd.testing.assert_frame_equal(heads.predict(rows), plain.predict(rows))
    counter_weights = [36, 37]  # ln(1 + views), ln(1 + engagements): after the 36 rate columns
    without = fp.CounterHeads("none").fit(data[1].train)
    assert all((model.coef_[0, counter_weights] == 0).all() for model in without.models_.values())


def test_serving_the_batch_counter_raises_the_like_heads_entropy(data, heads):
    table = fp.serving_skew(heads, data[1].test, n_resamples=200, seed=SEED)
    assert table.shape == (6, 8) and list(table.columns.names) == ["metric", "served"]
    entropy = table["normalized_entropy"]
    change = entropy["batch"] - entropy["streaming"]
    assert ((entropy["Δ low"] <= change) & (change <= entropy["Δ high"])).all()
    assert 0.5 < table.attrs["stale_share"] < 0.9
    assert fp.skew_raises_entropy(table)
    assert (table.loc[["like", "comment", "share"], ("roc_auc", "batch")]
            < table.loc[["like", "comment", "share"], ("roc_auc", "streaming")]).all()
    assert not fp.skew_raises_entropy(table, heads=("like", "hide"))  # hide: NE falls on seed 1


def test_a_fallback_keeps_most_of_the_feed_when_the_stream_is_down(data, heads, served_scores):
    world, parts = data
    table = fp.streaming_outage(heads, parts.train, parts.test, world, n_resamples=200,
                                seed=SEED)
    full = table.loc["streaming (full path)"]
    assert full["value"] == pytest.approx(feed_metrics(world, parts.test, served_scores)["value"])
    assert full["value_lost"] == 0
    assert table.loc["reverse-chronological", "low"] > 0.3
    assert (table.loc[["batch counter", "model without counter"], "value_lost"] < 0.02).all()
    assert fp.fallback_beats_reverse_chronological(table)


def test_bad_inputs_raise_clear_errors(data):
    world, parts = data
    with pytest.raises(ValueError, match="top"):
        c.source_recall(world, parts.test, top=0)
    with pytest.raises(ValueError, match="penalty"):
        r.creator_rerank([0, 0], [1, 2], [1.0, 0.5], -1.0)
    with pytest.raises(ValueError, match="same length"):
        r.creator_rerank([0, 0], [1], [1.0, 0.5], 0.0)
    with pytest.raises(ValueError, match="counter"):
        fp.CounterHeads(counter="hourly")
    with pytest.raises(ValueError, match="streaming counter"):
        fp.serving_skew(fp.CounterHeads(counter="batch"), parts.test)

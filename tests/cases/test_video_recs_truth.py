"""The ideal recommender against the simulator's own story: its probabilities are the truth's,
its lists are the best any recommender can do in expectation, and they predict the hits they get."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlsd.cases.contract import SIMULATED
from mlsd.cases.video_recs.data import VideoData, load_data, split
from mlsd.cases.video_recs.evaluation import metrics_table
from mlsd.cases.video_recs.models import (
    MatrixFactorizationSource,
    PopularSource,
    recommend,
    watch_matrix,
)
from mlsd.cases.video_recs.schema import relevant
from mlsd.cases.video_recs.simulate import ENGAGEMENT_CONCENTRATION, simulate_watches
from mlsd.cases.video_recs.truth import (
    NO_TRUTH,
    expected_dcg,
    has_truth,
    ideal_recommendations,
    liked_share,
    liked_watch_probability,
    watch_rates,
)


@pytest.fixture(scope="module")
def data():
    return load_data("simulated", seed=4, n_users=300, n_videos=600, n_events=15_000)


@pytest.fixture(scope="module")
def temporal(data):
    held = split(data, "temporal")
    users = np.unique(held.test["user_id"])
    watched = watch_matrix(held.train, data.n_users, data.n_videos)
    lists = {
        "popular": recommend(PopularSource().fit(watched), watched, users, 10),
        "mf": recommend(MatrixFactorizationSource(seed=4).fit(watched), watched, users, 10),
        "ideal": ideal_recommendations(data, "temporal", held.train, users, 10),
    }
    return held, users, lists


def test_the_world_keeps_the_scale_of_its_clocks_and_its_window():
    world = simulate_watches(n_users=50, n_videos=80, n_events=1_000, n_days=30, seed=1)
    assert world.watch_rate > 0 and world.n_days == 30


def test_watch_rates_share_each_users_activity_out_among_the_videos(data):
    world = data.world
    rates = watch_rates(world, [0, 5, 9])
    expected_total = world.watch_rate * world.users["activity"].to_numpy()[[0, 5, 9]]
    np.testing.assert_allclose(rates.sum(axis=1), expected_total, rtol=1e-12)
    weight = world.videos["popularity"].to_numpy() * np.exp(world.true_affinity(5))
    np.testing.assert_allclose(rates[1], expected_total[1] * weight / weight.sum(), rtol=1e-10)


def test_the_liked_share_is_the_beta_tail_of_the_share_watched(data):
    world = data.world
    mean = world.expected_engagement([2])[0]
    tail = stats.beta.sf(0.8, mean * ENGAGEMENT_CONCENTRATION, (1 - mean) * ENGAGEMENT_CONCENTRATION)
    np.testing.assert_allclose(liked_share(world, [2], 0.8)[0], tail, rtol=1e-10)
    assert np.all(liked_share(world, [2], 0.0) == 1.0)  # at threshold 0 every watch counts


def test_the_temporal_probability_is_the_memoryless_clock_times_the_liked_share(data):
    world = data.world
    start, user = 40.0, 3
    probability = liked_watch_probability(world, [user], start)[0]
    open_time = np.maximum(world.users["join_time"][user], world.videos["upload_time"].to_numpy())
    exposure = np.maximum(world.n_days - np.maximum(open_time, start), 0)
    rings = 1 - np.exp(-watch_rates(world, [user])[0] * exposure)
    np.testing.assert_allclose(probability, rings * liked_share(world, [user])[0], rtol=1e-10)
    assert np.all((probability >= 0) & (probability <= 1))


def test_the_random_split_probability_grows_with_the_held_out_share(data):
    small = liked_watch_probability(data.world, [1, 2], None, test_share=0.1)
    large = liked_watch_probability(data.world, [1, 2], None, test_share=0.5)
    assert np.all(large >= small) and np.any(large > small)


def test_the_ideal_never_recommends_a_watched_or_not_yet_uploaded_video(data, temporal):
    held, users, lists = temporal
    ideal = lists["ideal"]
    assert ideal.groupby("user_id").size().eq(10).all() and set(ideal["user_id"]) == set(users)
    watched = pd.MultiIndex.from_frame(held.train[["user_id", "video_id"]])
    assert not pd.MultiIndex.from_frame(ideal[["user_id", "video_id"]]).isin(watched).any()
    cutoff = data.table["time"].quantile(0.8)
    assert (data.world.videos["upload_time"].to_numpy()[ideal["video_id"]] < cutoff).all()
    assert ideal.groupby("user_id")["score"].apply(lambda s: s.is_monotonic_decreasing).all()


def test_the_ideal_list_maximises_every_users_expected_dcg(data, temporal):
    _, users, lists = temporal
    cutoff = float(data.table["time"].quantile(0.8))
    probability = liked_watch_probability(data.world, users, cutoff)
    best = expected_dcg(lists["ideal"], probability, users)
    for name in ("popular", "mf"):
        assert (best >= expected_dcg(lists[name], probability, users) - 1e-12).all(), name
    assert best.mean() > 2 * expected_dcg(lists["mf"], probability, users).mean()


def test_the_ideal_predicts_how_many_hits_it_gets(data, temporal):
    held, _, lists = temporal
    ideal = lists["ideal"]
    liked = held.test[relevant(held.test)]
    hits = pd.MultiIndex.from_frame(ideal[["user_id", "video_id"]]).isin(
        pd.MultiIndex.from_frame(liked[["user_id", "video_id"]])).sum()
    p = ideal["score"].to_numpy()
    assert abs(hits - p.sum()) < 4 * np.sqrt((p * (1 - p)).sum())  # independent Bernoulli hits


def test_the_ideal_beats_every_model_on_the_sample(data, temporal):
    held, _, lists = temporal
    table = metrics_table(lists, held.test, held.train, data.n_videos, data.world.genres)
    for metric in ("precision@10", "recall@10", "ndcg@10", "map@10"):
        assert table[metric].idxmax() == "ideal", metric
    assert table.loc["ideal", "ndcg@10"] > 1.5 * table.loc["mf", "ndcg@10"]


def test_the_ideal_follows_the_random_split_too(data):
    held = split(data, "random", seed=2)
    users = np.unique(held.test["user_id"])
    ideal = ideal_recommendations(data, "random", held.train, users, 5)
    watched = watch_matrix(held.train, data.n_users, data.n_videos)
    popular = recommend(PopularSource().fit(watched), watched, users, 5)
    table = metrics_table({"ideal": ideal, "popular": popular}, held.test, held.train,
                          data.n_videos, data.world.genres, k=5)
    assert table.loc["ideal", "ndcg@5"] > table.loc["popular", "ndcg@5"]


def test_real_data_have_no_truth(data):
    real = VideoData("movielens", data.table, data.sizes, None, data.n_users, data.n_videos)
    assert has_truth(data) and not has_truth(real) and data.source == SIMULATED
    with pytest.raises(ValueError, match=NO_TRUTH):
        ideal_recommendations(real, "temporal", data.table, [0], 10)
    with pytest.raises(ValueError, match="split must be one of"):
        ideal_recommendations(data, "leave-one-out", data.table, [0], 10)

"""Maximal marginal relevance on hand-made genres, and its sweep on the simulator."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.video_recs.data import temporal_split
from mlsd.cases.video_recs.evaluation import genre_diversity_by_user
from mlsd.cases.video_recs.models import TwoStageRecommender
from mlsd.cases.video_recs.rerank import mmr_rerank, mmr_sweep
from mlsd.cases.video_recs.simulate import simulate_watches

# videos 0-2 are genre A, 3 is genre B, 4 half A half B
GENRES = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0.5, 0.5]], dtype=float)
POOL = pd.DataFrame({"user_id": 0, "video_id": [0, 1, 2, 3, 4],
                     "score": [0.9, 0.8, 0.7, 0.5, 0.4], "rank": [1, 2, 3, 4, 5]})


def test_weight_one_keeps_the_rankers_order():
    kept = mmr_rerank(POOL, GENRES, 1.0, k=5)
    assert kept["video_id"].tolist() == [0, 1, 2, 3, 4]
    assert kept["rank"].tolist() == [1, 2, 3, 4, 5]


def test_a_lower_weight_picks_what_differs_from_the_videos_chosen():
    # λ = 0.5: after video 0, video 1 scores 0.5·0.8/0.9 − 0.5·1 < 0, video 3 0.5·0.5/0.9 − 0 > 0
    picked = mmr_rerank(POOL, GENRES, 0.5, k=3)["video_id"].tolist()
    assert picked[:2] == [0, 3]
    relevance = POOL["score"].to_numpy() / 0.9
    sim_to_chosen = np.array([1.0, 1.0, 1.0, 1.0, np.sqrt(0.5)])  # max over {0, 3}, for 1, 2, 4
    value = 0.5 * relevance - 0.5 * sim_to_chosen
    assert picked[2] == [1, 2, 4][int(np.argmax(value[[1, 2, 4]]))]


def test_weight_zero_minimises_the_largest_similarity_to_the_videos_chosen():
    # greedy MMR penalises the *largest* similarity: after 0 and 3, video 4 (0.71 to both) beats
    # video 1 (1 to video 0), though {0, 3, 1} has the larger mean pairwise distance
    assert mmr_rerank(POOL, GENRES, 0.0, k=3)["video_id"].tolist() == [0, 3, 4]
    diversity = [genre_diversity_by_user(mmr_rerank(POOL, GENRES, w, k=3), GENRES, 3).iloc[0]
                 for w in (1.0, 0.5)]
    assert diversity[0] == 0 < diversity[1]
    with pytest.raises(ValueError, match=r"weight must be a number in \[0, 1\]; got 1.5"):
        mmr_rerank(POOL, GENRES, 1.5)


def test_a_user_with_fewer_candidates_than_slots_gets_them_all():
    short = pd.concat([POOL, pd.DataFrame({"user_id": [1], "video_id": [3], "score": [0.2],
                                           "rank": [1]})], ignore_index=True)
    lists = mmr_rerank(short, GENRES, 0.7, k=4)
    assert lists.groupby("user_id").size().to_dict() == {0: 4, 1: 1}


def test_the_sweep_trades_ndcg_for_diversity_on_the_simulator():
    world = simulate_watches(n_users=500, n_videos=1_000, n_events=40_000, seed=4)
    train, test = temporal_split(world.interactions)
    users = np.unique(test["user_id"])
    ranker = TwoStageRecommender(seed=4, max_iter=60).fit(train, 500, 1_000)
    sweep = mmr_sweep(ranker.recommend(users, 50), world.genres, test, weights=(1.0, 0.7, 0.4),
                      seed=4)
    assert (np.diff(sweep["diversity"]) > 0).all() and (np.diff(sweep["ndcg"]) < 0).all()
    assert sweep.loc[1.0, "ndcg_change"] == 0 and sweep.loc[0.4, "diversity_change_low"] > 0
    assert sweep.attrs["users"] > 100

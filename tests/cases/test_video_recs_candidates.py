"""Splits and candidate sources of the video-recommendation case, on small hand-made histories."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.video_recs.candidates import (
    CoVisitationSource,
    MatrixFactorizationSource,
    PopularSource,
    evaluation_lists,
    recommend,
    watch_matrix,
)
from mlsd.cases.video_recs.split import random_split, split_interactions, temporal_split


def _table(rows):
    frame = pd.DataFrame(rows, columns=["user_id", "video_id", "time", "engagement"])
    return frame.sort_values("time", kind="stable", ignore_index=True)


# users 0 and 1 share taste (videos 0, 1, 2); user 2 likes 3 and 4; video 0 is the most watched
HISTORY = _table([
    (0, 0, 0.0, 1.0), (0, 1, 1.0, 1.0), (1, 0, 2.0, 1.0), (1, 1, 3.0, 0.9), (1, 2, 4.0, 1.0),
    (2, 3, 5.0, 1.0), (2, 4, 6.0, 1.0), (2, 0, 7.0, 0.2), (3, 0, 8.0, 1.0),
])


def test_temporal_split_puts_every_test_event_after_every_training_event():
    train, test = temporal_split(HISTORY, test_share=0.3)
    assert train["time"].max() < test["time"].min()
    assert len(train) + len(test) == len(HISTORY)


def test_random_split_holds_out_a_share_of_each_users_events_and_is_seeded():
    rng = np.random.default_rng(0)
    big = _table([(u, v, float(i), 1.0) for i, (u, v) in enumerate(zip(rng.integers(0, 20, 2000), rng.permutation(2000)))])
    train, test = random_split(big, test_share=0.25, seed=3)
    per_user = test.groupby("user_id").size() / big.groupby("user_id").size()
    assert np.allclose(per_user, 0.25, atol=0.02)
    again = random_split(big, test_share=0.25, seed=3)[1]
    assert test.index.equals(again.index)
    assert train["time"].max() > test["time"].min()  # a random split trains on the future


def test_split_by_name_and_bad_names():
    assert len(split_interactions(HISTORY, "temporal")[1]) > 0
    with pytest.raises(ValueError, match="split must be one of"):
        split_interactions(HISTORY, "future")
    with pytest.raises(ValueError, match="test_share must be strictly between 0 and 1"):
        temporal_split(HISTORY, test_share=1.0)


def test_popular_recommends_the_most_watched_unseen_videos():
    watched = watch_matrix(HISTORY, 4, 5)
    recs = recommend(PopularSource().fit(watched), watched, [3], k=2)
    # counts: video 0: 4 users, 1: 2, 2/3/4: 1 each; user 3 has seen 0 -> 1, then 2 (lowest id among ties)
    assert recs["video_id"].tolist() == [1, 2]
    assert recs["rank"].tolist() == [1, 2]


def test_co_visitation_follows_shared_audiences():
    watched = watch_matrix(HISTORY, 4, 5)
    recs = recommend(CoVisitationSource().fit(watched), watched, [0], k=1)
    assert recs["video_id"].tolist() == [2]  # watched by user 1, who shares videos 0 and 1 with user 0


def test_sources_never_recommend_what_the_user_watched_and_run_out_gracefully():
    watched = watch_matrix(HISTORY, 4, 5)
    for source in (PopularSource(), CoVisitationSource(), MatrixFactorizationSource(n_factors=2)):
        recs = recommend(source.fit(watched), watched, [0, 1, 2, 3], k=5)
        seen = set(zip(HISTORY["user_id"], HISTORY["video_id"]))
        assert not seen & set(zip(recs["user_id"], recs["video_id"]))
        assert recs.groupby("user_id").size().to_dict() == {0: 3, 1: 2, 2: 2, 3: 4}


def test_matrix_factorisation_is_seeded():
    watched = watch_matrix(HISTORY, 4, 5)
    first = recommend(MatrixFactorizationSource(2, seed=1).fit(watched), watched, [0, 1, 2, 3], k=2)
    second = recommend(MatrixFactorizationSource(2, seed=1).fit(watched), watched, [0, 1, 2, 3], k=2)
    pd.testing.assert_frame_equal(first, second)


def test_evaluation_lists_count_relevant_test_events_found_or_not():
    recs = pd.DataFrame({"user_id": [0, 0, 1, 1], "video_id": [2, 3, 3, 4], "score": [2.0, 1.0, 2.0, 1.0], "rank": [1, 2, 1, 2]})
    test = _table([(0, 2, 10.0, 1.0), (0, 4, 11.0, 0.9), (1, 4, 12.0, 0.1), (2, 1, 13.0, 1.0)])
    lists = evaluation_lists(recs, test)
    # user 0 liked 2 and 4 and got 2 at rank 1 -> recall@2 = 1/2; user 1 liked nothing (0.1 < 0.8) -> left out
    assert lists.groups.tolist() == [0]
    assert lists.recall_at(2).tolist() == [0.5]


def test_recommend_rejects_bad_k():
    watched = watch_matrix(HISTORY, 4, 5)
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        recommend(PopularSource().fit(watched), watched, [0], k=0)

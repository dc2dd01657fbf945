"""Recommender metrics: values from mlsd.metrics, and videos without a learned vector."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.video_recs.evaluation import candidate_set_recall, recommender_metrics
from mlsd.metrics.ranking import intra_list_diversity


def _table(rows):
    return pd.DataFrame(rows, columns=["user_id", "video_id", "time", "engagement"])


TRAIN = _table([(0, 0, 0.0, 1.0), (1, 0, 1.0, 1.0), (1, 1, 2.0, 1.0)])
TEST = _table([(0, 2, 3.0, 1.0), (1, 3, 4.0, 0.9)])
RECS = pd.DataFrame({"user_id": [0, 0, 1, 1], "video_id": [2, 1, 2, 3], "score": [2.0, 1.0, 2.0, 1.0], "rank": [1, 2, 1, 2]})


def test_metrics_by_hand():
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    m = recommender_metrics(RECS, TEST, TRAIN, n_videos=4, video_vectors=vectors, k=2)
    # user 0: hit at rank 1 (video 2); user 1: hit at rank 2 (video 3)
    assert m["precision@2"] == 0.5 and m["recall@2"] == 1.0 and m["hit_rate@2"] == 1.0
    assert m["mrr"] == pytest.approx((1 + 0.5) / 2)
    assert m["coverage"] == 3 / 4
    assert m["diversity"] == intra_list_diversity(vectors[RECS["video_id"]], -RECS["rank"].to_numpy(), RECS["user_id"].to_numpy(), 2)


def test_a_video_without_a_vector_is_left_out_of_diversity_not_an_error():
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])  # video 2 was never watched in training
    recs = RECS.assign(video_id=[2, 1, 1, 3])  # user 0 keeps one vector (left out); user 1 compares videos 1 and 3
    m = recommender_metrics(recs, TEST, TRAIN, n_videos=4, video_vectors=vectors, k=2)
    assert m["diversity"] == pytest.approx(1.0)  # 1 - cos(video 1, video 3) = 1
    assert np.isnan(recommender_metrics(RECS, TEST, TRAIN, n_videos=4, video_vectors=vectors, k=2)["diversity"])


def test_candidate_set_recall_ignores_order():
    candidates = pd.DataFrame({"user_id": [0, 0, 1], "video_id": [1, 2, 2]})
    assert candidate_set_recall(candidates, TEST) == 0.5  # user 0 finds video 2, user 1 misses video 3

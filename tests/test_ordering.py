"""Orderings by score that do not depend on a score's last bits: rounded, then ties by id; and
the ranks within groups that the ranking metrics count."""

import numpy as np
import pytest

from mlsd.metrics.ranking import RankedLists
from mlsd.ordering import (
    SIGNIFICANT_DIGITS,
    order_by_score,
    rank_within_groups,
    rounded_scores,
    top_k_columns,
)


def test_rounding_keeps_nine_significant_digits_whatever_the_magnitude():
    values = np.array([0.123456789123, 123456.789123, -9.87654321987e-7, 0.0, np.inf, -np.inf])
    rounded = rounded_scores(values)
    assert rounded[:3] == pytest.approx([0.123456789, 123456.789, -9.87654322e-7], rel=1e-15)
    assert rounded[3] == 0 and rounded[4] == np.inf and rounded[5] == -np.inf
    assert SIGNIFICANT_DIGITS == 9


def test_rounding_leaves_nan_alone_and_does_not_touch_its_input():
    values = np.array([np.nan, 0.5 + 1e-12])
    rounded = rounded_scores(values)
    assert np.isnan(rounded[0]) and rounded[1] == 0.5 and values[1] != 0.5


def test_scores_equal_on_paper_are_tied_and_ordered_by_id():
    scores = np.array([0.1 + 0.2, 0.3, 0.7])  # 0.30000000000000004 and 0.3
    assert list(order_by_score(scores, ids=[9, 4, 1])) == [2, 1, 0]
    assert list(order_by_score(scores)) == [2, 0, 1]  # by position when no ids are given


def test_top_k_columns_breaks_ties_by_the_lower_column_and_keeps_real_differences():
    scores = np.array([[0.5, 0.5 + 1e-14, 0.5 + 1e-6, 0.1], [1.0, 2.0, 3.0, 3.0 - 1e-13]])
    assert top_k_columns(scores, 3).tolist() == [[2, 0, 1], [2, 3, 1]]


def test_top_k_lists_survive_last_bit_noise_that_reorders_raw_floats():
    rng = np.random.default_rng(0)
    scores = np.round(rng.random((200, 500)), 3)  # many exact ties, as counts and binary histories give
    noisy = scores * (1 + rng.uniform(-1e-14, 1e-14, scores.shape))
    raw = np.argsort(-scores, axis=1, kind="stable")[:, :10]
    raw_noisy = np.argsort(-noisy, axis=1, kind="stable")[:, :10]
    assert not np.array_equal(raw, raw_noisy)  # the noise does reorder raw floats
    assert np.array_equal(top_k_columns(scores, 10), top_k_columns(noisy, 10))


def test_ranks_within_groups_count_from_1_by_decreasing_score_ties_in_row_order():
    groups = np.array([3, 1, 3, 1, 3, 1])
    scores = np.array([0.2, 5.0, 0.9, 5.0, 0.2, -1.0])
    assert rank_within_groups(groups, scores).tolist() == [2, 1, 1, 2, 3, 3]


def test_ranks_within_groups_are_the_ones_ndcg_counts():
    rng = np.random.default_rng(1)
    groups = rng.integers(0, 40, 600)
    scores = np.round(rng.random(600), 2)  # ties, broken in row order by both
    gains = rng.random(600)
    top = rank_within_groups(groups, scores) <= 3
    dcg = np.zeros(40)
    np.add.at(dcg, groups[top], gains[top] / np.log2(1 + rank_within_groups(groups, scores)[top]))
    lists = RankedLists(gains, scores, groups)
    np.testing.assert_allclose(lists.dcg_at(3), dcg[np.unique(groups)])

"""Tests for mlsd.metrics.grouped_roc_auc: a loop of scikit-learn's AUC per group, and errors."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from mlsd.metrics import grouped_roc_auc, roc_auc

SEEDS = range(12)


def random_groups(seed):
    """Rows of many groups of uneven sizes, scores rounded so that many tie within a group, one
    group with only negatives, one with only positives and one of a single row."""
    rng = np.random.default_rng(seed)
    n_groups = 5 + seed * 7
    sizes = rng.integers(2, 40, n_groups)
    groups = np.repeat(np.arange(n_groups), sizes)
    y_true = (rng.random(len(groups)) < rng.uniform(0.05, 0.6)).astype(int)
    y_true[groups == 0] = 0
    y_true[groups == 1] = 1
    y_score = np.round(rng.normal(0.3 * y_true, 0.5), seed % 3 + 1)
    groups = np.r_[groups, n_groups]
    y_true, y_score = np.r_[y_true, 1], np.r_[y_score, 0.0]
    shuffle = rng.permutation(len(groups))
    return y_true[shuffle], y_score[shuffle], groups[shuffle]


def sklearn_loop(y_true, y_score, groups, weights):
    """The definition, one group at a time: the weighted mean of roc_auc_score per group."""
    values, weight = [], []
    for group in np.unique(groups):
        inside = groups == group
        if len(np.unique(y_true[inside])) == 2:
            values.append(roc_auc_score(y_true[inside], y_score[inside]))
            weight.append(inside.sum() if weights == "impressions" else 1)
    return float(np.average(values, weights=weight)), len(values)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weights", ["impressions", "equal"])
def test_grouped_auc_is_the_weighted_mean_of_sklearn_auc_per_group(seed, weights):
    y_true, y_score, groups = random_groups(seed)
    expected, used = sklearn_loop(y_true, y_score, groups, weights)
    value, n_used = grouped_roc_auc(y_true, y_score, groups, weights, return_used=True)
    assert value == pytest.approx(expected, abs=1e-12)
    assert n_used == used <= len(np.unique(groups)) - 3  # the three one-class groups are out
    assert grouped_roc_auc(y_true, y_score, groups, weights) == value


def test_groups_may_be_strings_and_one_group_is_the_global_auc():
    y_true, y_score, groups = random_groups(3)
    names = np.array([f"member {g}" for g in groups])
    assert grouped_roc_auc(y_true, y_score, names) == grouped_roc_auc(y_true, y_score, groups)
    single = np.zeros(len(groups))
    assert grouped_roc_auc(y_true, y_score, single) == pytest.approx(roc_auc(y_true, y_score), abs=1e-12)


def test_a_score_that_only_separates_members_has_a_global_auc_but_a_gauc_of_one_half():
    # member 1 clicks more and is scored higher on every post; within a member the score is flat
    groups = np.repeat([0, 1], 4)
    y_true = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    y_score = np.repeat([0.1, 0.9], 4)
    assert roc_auc(y_true, y_score) > 0.5
    assert grouped_roc_auc(y_true, y_score, groups) == 0.5


def test_the_weights_matter_when_groups_of_different_sizes_differ_in_auc():
    groups = np.r_[np.zeros(2), np.ones(6)]
    y_true = np.array([1, 0, 1, 0, 1, 0, 1, 0])
    y_score = np.array([0.9, 0.1, 0.1, 0.9, 0.2, 0.8, 0.3, 0.7])  # group 0 perfect, group 1 reversed
    assert grouped_roc_auc(y_true, y_score, groups, "equal") == 0.5
    assert grouped_roc_auc(y_true, y_score, groups, "impressions") == pytest.approx(2 / 8)


@pytest.mark.parametrize("arguments, message", [
    (([1, 0], [0.5, 0.4], [0, 0, 1]), "inputs must have the same length; y_true has 2, y_score has 2, groups has 3"),
    (([1, 0], [[0.5, 0.4]], [0, 0]), "y_score must be 1-dimensional; got an array of shape (1, 2)"),
    (([1, 2], [0.5, 0.4], [0, 0]), "y_true must contain only 0 and 1; y_true[1] = 2.0"),
    (([1, 0, 1], [0.5, 0.4, 0.3], [0, 1, 2]), "no group holds both classes"),
    (([1, 0], [0.5, 0.4], [0, 0], "users"), "weights must be one of 'impressions', 'equal'; got 'users'"),
])
def test_bad_input_names_the_argument_and_what_is_allowed(arguments, message):
    with pytest.raises(ValueError) as caught:
        grouped_roc_auc(*arguments)
    assert message in str(caught.value)


def test_a_million_rows_take_one_sort_not_a_loop_over_members():
    import time

    rng = np.random.default_rng(0)
    groups = rng.integers(0, 200_000, 1_000_000)
    y_true = (rng.random(len(groups)) < 0.1).astype(int)
    y_score = rng.random(len(groups))
    start = time.perf_counter()
    value, used = grouped_roc_auc(y_true, y_score, groups, return_used=True)
    assert time.perf_counter() - start < 5.0
    assert abs(value - 0.5) < 0.01 and used > 50_000

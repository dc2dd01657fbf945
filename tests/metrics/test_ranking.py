"""Tests of mlsd.metrics.ranking: scikit-learn agreement, per-group Python references, worked examples."""

import math

import numpy as np
import pytest
from sklearn.metrics import ndcg_score

from mlsd.metrics.ranking import (
    RankedLists,
    catalog_coverage,
    hit_rate_at_k,
    intra_list_diversity,
    map_at_k,
    mrr,
    ndcg_at_k,
    novelty,
    precision_at_k,
    recall_at_k,
)

SEEDS = range(30)
CUTOFFS = (1, 2, 3, 5, 10, 15)


# ---------------------------------------------------------------- random inputs


def random_lists(seed, *, graded=False, tied_scores=False, n_groups=25):
    """Shuffled rows of lists of 1 to 12 items; about a fifth of the groups have no relevant item."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 13, size=n_groups)
    group_ids = rng.permutation(n_groups) * 7 + 3
    group = np.repeat(group_ids, lengths)
    n_rows = len(group)
    relevance = rng.integers(0, 5, n_rows) if graded else (rng.random(n_rows) < 0.3)
    relevance = relevance.astype(float)
    relevance[np.repeat(rng.random(n_groups) < 0.2, lengths)] = 0.0
    score = np.round(rng.random(n_rows), 1) if tied_scores else rng.permutation(n_rows) / n_rows
    shuffle = rng.permutation(n_rows)
    return relevance[shuffle], score[shuffle], group[shuffle]


def random_n_relevant(seed, y_true, group):
    """Per-row totals: each group's relevant rows plus 0 to 3 relevant items missing from its list."""
    rng = np.random.default_rng(seed + 1000)
    ids = np.unique(group)
    extra = dict(zip(ids.tolist(), rng.integers(0, 4, len(ids)).tolist()))
    hits = {g: int((y_true[group == g] > 0).sum()) for g in ids.tolist()}
    return np.array([hits[g] + extra[g] for g in group.tolist()], dtype=float)


# ---------------------------------------------------------------- per-group Python references


def ranked_by_group(y_true, y_score, group, n_relevant=None):
    """{group id: (relevances in rank order, R)} with a stable sort on -score, one group at a time."""
    result = {}
    for g in sorted(set(group.tolist())):
        rows = [i for i in range(len(group)) if group[i] == g]
        rows.sort(key=lambda i: -y_score[i])
        relevances = [float(y_true[i]) for i in rows]
        total = sum(r > 0 for r in relevances) if n_relevant is None else int(n_relevant[rows[0]])
        result[g] = (relevances, total)
    return result


def ref_precision(ranked, total, k):
    return sum(r > 0 for r in ranked[:k]) / k


def ref_recall(ranked, total, k):
    return math.nan if total == 0 else sum(r > 0 for r in ranked[:k]) / total


def ref_hit_rate(ranked, total, k):
    return math.nan if total == 0 else float(any(r > 0 for r in ranked[:k]))


def ref_reciprocal_rank(ranked, total, k):
    if total == 0:
        return math.nan
    for position, r in enumerate(ranked[:k], start=1):
        if r > 0:
            return 1.0 / position
    return 0.0


def ref_average_precision(ranked, total, k):
    if total == 0:
        return math.nan
    hits, precision_sum = 0, 0.0
    for position, r in enumerate(ranked[:k], start=1):
        if r > 0:
            hits += 1
            precision_sum += hits / position
    return precision_sum / min(k, total)


def ref_dcg(relevances, k, gain):
    gains = [r if gain == "linear" else 2**r - 1 for r in relevances[:k]]
    return sum(g / math.log2(position + 1) for position, g in enumerate(gains, start=1))


def ref_ndcg(ranked, total, k, gain, given_total=False):
    if total == 0:
        return math.nan
    ideal = [1.0] * total if given_total else sorted(ranked, reverse=True)
    return ref_dcg(ranked, k, gain) / ref_dcg(ideal, k, gain)


def per_group(reference, by_group, *args):
    return np.array([reference(ranked, total, *args) for ranked, total in by_group.values()])


METHODS_AND_REFERENCES = [
    ("precision_at", ref_precision),
    ("recall_at", ref_recall),
    ("hit_rate_at", ref_hit_rate),
    ("reciprocal_rank", ref_reciprocal_rank),
    ("average_precision_at", ref_average_precision),
]


# ---------------------------------------------------------------- agreement with scikit-learn


def padded_matrix_lists(seed, *, n_groups=20):
    """Graded relevance 0-4 in lists of one length, scores rounded so that ties occur."""
    rng = np.random.default_rng(seed)
    length = int(rng.integers(2, 12))
    relevance = rng.integers(0, 5, size=(n_groups, length)).astype(float)
    relevance[rng.random(n_groups) < 0.15] = 0.0
    relevance[0, 0] = 4.0
    score = np.round(rng.random((n_groups, length)), 1)
    group = np.repeat(np.arange(n_groups), length)
    shuffle = rng.permutation(relevance.size)
    flat = (relevance.ravel()[shuffle], score.ravel()[shuffle], group[shuffle])
    return relevance, score, flat


def sklearn_mean_from_ours(per_group_ndcg):
    """scikit-learn scores groups with no relevant item as 0; ours leaves them out (NaN)."""
    return np.nansum(per_group_ndcg) / len(per_group_ndcg)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 3, 5, 20])
def test_ndcg_tie_averaged_matches_sklearn(seed, k):
    relevance, score, (y_true, y_score, group) = padded_matrix_lists(seed)
    ours = RankedLists(y_true, y_score, group).ndcg_at(k, gain="linear", ties="average")
    assert sklearn_mean_from_ours(ours) == pytest.approx(ndcg_score(relevance, score, k=k), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 3, 5, 20])
def test_ndcg_exponential_gain_matches_sklearn_on_transformed_relevance(seed, k):
    relevance, score, (y_true, y_score, group) = padded_matrix_lists(seed)
    ours = RankedLists(y_true, y_score, group).ndcg_at(k, gain="exponential", ties="average")
    expected = ndcg_score(2.0**relevance - 1.0, score, k=k)
    assert sklearn_mean_from_ours(ours) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [1, 4, 20])
def test_ndcg_stable_matches_sklearn_without_ties(seed, k):
    relevance, _, (y_true, _, group) = padded_matrix_lists(seed)
    score = np.random.default_rng(seed + 500).permutation(relevance.size).reshape(relevance.shape)
    flat_score = score.ravel()
    flat_relevance = relevance.ravel()
    flat_group = np.repeat(np.arange(relevance.shape[0]), relevance.shape[1])
    lists = RankedLists(flat_relevance, flat_score, flat_group)
    for gain, sklearn_relevance in (("linear", relevance), ("exponential", 2.0**relevance - 1.0)):
        ours = lists.ndcg_at(k, gain=gain, ties="stable")
        expected = ndcg_score(sklearn_relevance, score, k=k, ignore_ties=True)
        assert sklearn_mean_from_ours(ours) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_ndcg_at_k_mean_matches_sklearn_when_every_group_has_a_relevant_item(seed):
    relevance, score, _ = padded_matrix_lists(seed)
    relevance[:, 0] = np.maximum(relevance[:, 0], 1.0)
    group = np.repeat(np.arange(relevance.shape[0]), relevance.shape[1])
    ours = ndcg_at_k(relevance.ravel(), score.ravel(), group, 5, ties="average")
    assert ours == pytest.approx(ndcg_score(relevance, score, k=5), abs=1e-12)


# ---------------------------------------------------------------- agreement with per-group references


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("graded", [False, True])
@pytest.mark.parametrize("tied_scores", [False, True])
def test_binary_style_metrics_match_per_group_reference(seed, graded, tied_scores):
    y_true, y_score, group = random_lists(seed, graded=graded, tied_scores=tied_scores)
    lists = RankedLists(y_true, y_score, group)
    by_group = ranked_by_group(y_true, y_score, group)
    for k in CUTOFFS:
        for method, reference in METHODS_AND_REFERENCES:
            expected = per_group(reference, by_group, k)
            np.testing.assert_allclose(getattr(lists, method)(k), expected, rtol=1e-12, err_msg=method)


@pytest.mark.parametrize("seed", SEEDS)
def test_metrics_with_n_relevant_match_per_group_reference(seed):
    y_true, y_score, group = random_lists(seed)
    n_relevant = random_n_relevant(seed, y_true, group)
    lists = RankedLists(y_true, y_score, group, n_relevant=n_relevant)
    by_group = ranked_by_group(y_true, y_score, group, n_relevant)
    for k in CUTOFFS:
        for method, reference in METHODS_AND_REFERENCES:
            expected = per_group(reference, by_group, k)
            np.testing.assert_allclose(getattr(lists, method)(k), expected, rtol=1e-12, err_msg=method)
        expected_ndcg = per_group(ref_ndcg, by_group, k, "linear", True)
        np.testing.assert_allclose(lists.ndcg_at(k), expected_ndcg, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("gain", ["linear", "exponential"])
def test_dcg_and_ndcg_stable_match_per_group_reference(seed, gain):
    y_true, y_score, group = random_lists(seed, graded=True, tied_scores=True)
    lists = RankedLists(y_true, y_score, group)
    by_group = ranked_by_group(y_true, y_score, group)
    for k in CUTOFFS:
        expected_dcg = [ref_dcg(ranked, k, gain) for ranked, _ in by_group.values()]
        np.testing.assert_allclose(lists.dcg_at(k, gain=gain), expected_dcg, rtol=1e-12)
        expected_ndcg = per_group(ref_ndcg, by_group, k, gain)
        np.testing.assert_allclose(lists.ndcg_at(k, gain=gain), expected_ndcg, rtol=1e-12)


def test_reciprocal_rank_without_cutoff_looks_at_the_whole_list():
    y_true, y_score, group = random_lists(0)
    by_group = ranked_by_group(y_true, y_score, group)
    expected = per_group(ref_reciprocal_rank, by_group, None)
    np.testing.assert_allclose(RankedLists(y_true, y_score, group).reciprocal_rank(), expected)


@pytest.mark.parametrize("seed", range(5))
def test_module_functions_are_means_over_defined_groups(seed):
    y_true, y_score, group = random_lists(seed, graded=True)
    lists = RankedLists(y_true, y_score, group)
    assert precision_at_k(y_true, y_score, group, 3) == pytest.approx(lists.precision_at(3).mean())
    assert recall_at_k(y_true, y_score, group, 3) == pytest.approx(np.nanmean(lists.recall_at(3)))
    assert hit_rate_at_k(y_true, y_score, group, 3) == pytest.approx(np.nanmean(lists.hit_rate_at(3)))
    assert mrr(y_true, y_score, group) == pytest.approx(np.nanmean(lists.reciprocal_rank()))
    assert mrr(y_true, y_score, group, 2) == pytest.approx(np.nanmean(lists.reciprocal_rank(2)))
    assert map_at_k(y_true, y_score, group, 3) == pytest.approx(np.nanmean(lists.average_precision_at(3)))
    expected_ndcg = np.nanmean(lists.ndcg_at(3, gain="exponential", ties="average"))
    ours_ndcg = ndcg_at_k(y_true, y_score, group, 3, gain="exponential", ties="average")
    assert ours_ndcg == pytest.approx(expected_ndcg)


# ---------------------------------------------------------------- input order independence


@pytest.mark.parametrize("seed", range(10))
def test_shuffling_rows_changes_nothing_when_scores_are_tie_free(seed):
    y_true, y_score, group = random_lists(seed, graded=True)
    shuffle = np.random.default_rng(seed + 99).permutation(len(group))
    original = RankedLists(y_true, y_score, group)
    shuffled = RankedLists(y_true[shuffle], y_score[shuffle], group[shuffle])
    np.testing.assert_array_equal(original.groups, shuffled.groups)
    for method in ("precision_at", "recall_at", "hit_rate_at", "reciprocal_rank", "average_precision_at"):
        np.testing.assert_allclose(getattr(original, method)(4), getattr(shuffled, method)(4))
    for ties in ("stable", "average"):
        np.testing.assert_allclose(original.ndcg_at(4, ties=ties), shuffled.ndcg_at(4, ties=ties))


def test_tied_scores_keep_input_order_so_negative_rank_is_an_explicit_ranking():
    # rows given in rank order with equal scores rank exactly like rows scored by -rank
    y_true = [0, 1, 1, 0]
    same_score = RankedLists(y_true, [0, 0, 0, 0], [1, 1, 1, 1])
    minus_rank = RankedLists(y_true, [-1, -2, -3, -4], [1, 1, 1, 1])
    assert same_score.reciprocal_rank()[0] == minus_rank.reciprocal_rank()[0] == 0.5
    assert same_score.ndcg_at(4)[0] == minus_rank.ndcg_at(4)[0]


def exact_order(score, group):
    """Rows by group, then decreasing score, ties in input order: np.lexsort is stable."""
    return np.lexsort((-np.asarray(score, dtype=float), group))


def scores_that_tie(rng, n):
    """Scores with ties, signed zeros, negatives, subnormals and neighbours one ulp apart."""
    near_one = np.nextafter(1.0, rng.choice([0.0, 2.0], n))
    return [
        rng.random(n),
        np.round(rng.normal(size=n), 1),
        np.where(rng.random(n) < 0.5, -0.0, 0.0),
        rng.random(n) * 1e-310,
        np.where(rng.random(n) < 0.5, near_one, 1.0),
        np.full(n, 3.0),
    ]


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint64", "bool", "str"])
@pytest.mark.parametrize("n_rows", [1, 2, 300])
def test_the_sort_by_packed_keys_is_the_exact_stable_order(dtype, n_rows):
    # integer ids are sorted by one 64-bit key of group and score bits; every tie or lost bit must
    # fall back to the exact order, which string and boolean ids always use
    rng = np.random.default_rng(n_rows)
    ids = rng.integers(0, 120, n_rows)
    group = {
        "int8": (ids - 60).astype(np.int8),
        "uint64": ids.astype(np.uint64) + np.uint64(2**63),
        "bool": ids % 2 == 0,
        "str": ids.astype(str),
    }.get(dtype, ids.astype(dtype))
    for score in scores_that_tie(rng, n_rows):
        relevance = (rng.random(n_rows) < 0.4).astype(float)
        lists = RankedLists(relevance, score, group)
        expected = relevance[exact_order(score, group)]
        np.testing.assert_array_equal(lists._relevance, expected)


def test_ids_too_far_apart_to_pack_are_sorted_exactly():
    group = np.array([0, 2**40, 0, 2**40, -(2**40)])
    score = np.array([0.1, 0.2, 0.3, 0.4, 0.0])
    lists = RankedLists([1, 0, 0, 1, 1], score, group)
    np.testing.assert_array_equal(lists._relevance, np.array([1, 0, 1, 1, 0.0]))
    assert lists.reciprocal_rank().tolist() == [1.0, 0.5, 1.0]


# ---------------------------------------------------------------- worked examples

# List "a", ranked by score: relevance [1, 0, 1, 0], so R = 2.
EXAMPLE_TRUE = [0, 1, 0, 1]
EXAMPLE_SCORE = [0.2, 0.9, 0.7, 0.4]  # ranks: 0.9 (1), 0.7 (0), 0.4 (1), 0.2 (0)
EXAMPLE_GROUP = ["a", "a", "a", "a"]


def example(**kwargs):
    return RankedLists(EXAMPLE_TRUE, EXAMPLE_SCORE, EXAMPLE_GROUP, **kwargs)


def test_worked_precision_including_a_list_shorter_than_k():
    # P@3 = 2 hits / 3; P@10 = 2 hits / 10 (divide by k although the list has 4 items)
    assert example().precision_at(3)[0] == pytest.approx(2 / 3)
    assert example().precision_at(10)[0] == pytest.approx(0.2)
    # 3 items, all relevant: P@5 = 3 / 5, not 3 / 3
    assert precision_at_k([1, 1, 1], [3, 2, 1], [7, 7, 7], 5) == pytest.approx(0.6)


def test_worked_recall_and_hit_rate():
    # recall@1 = 1 / 2, recall@3 = 2 / 2; with 4 relevant items in total recall@3 = 2 / 4
    assert example().recall_at(1)[0] == pytest.approx(0.5)
    assert example().recall_at(3)[0] == pytest.approx(1.0)
    assert example(n_relevant=[4, 4, 4, 4]).recall_at(3)[0] == pytest.approx(0.5)
    # hit rate: a relevant item in the top 1 -> 1; ranked relevance [0, 1]: top 1 -> 0, top 2 -> 1
    assert example().hit_rate_at(1)[0] == 1.0
    assert hit_rate_at_k([1, 0], [0.1, 0.9], [5, 5], 1) == 0.0
    assert hit_rate_at_k([1, 0], [0.1, 0.9], [5, 5], 2) == 1.0


def test_worked_map_denominator_is_min_of_k_and_r():
    # AP@3 = (P@1 * 1 + P@3 * 1) / min(3, R=2) = (1 + 2/3) / 2 = 5/6
    assert example().average_precision_at(3)[0] == pytest.approx(5 / 6)
    # AP@1 = P@1 / min(1, 2) = 1: a perfect top 1 scores 1 although R = 2
    assert example().average_precision_at(1)[0] == pytest.approx(1.0)
    # with R = 4 (two relevant items never retrieved): AP@3 = (1 + 2/3) / min(3, 4) = 5/9
    assert example(n_relevant=[4, 4, 4, 4]).average_precision_at(3)[0] == pytest.approx(5 / 9)
    # MAP@3 over "a" (5/6) and "b" (ranked [0, 1]: P@2 = 1/2, / min(3, 1) -> 1/2) = 2/3
    y_true = EXAMPLE_TRUE + [1, 0]
    y_score = EXAMPLE_SCORE + [0.1, 0.6]
    group = EXAMPLE_GROUP + ["b", "b"]
    assert map_at_k(y_true, y_score, group, 3) == pytest.approx((5 / 6 + 1 / 2) / 2)


def test_worked_reciprocal_rank_and_mrr():
    # "a": ranked [0, 0, 1] -> 1/3; "b": ranked [0, 1] -> 1/2; "c": nothing relevant -> NaN, left out
    y_true = [1, 0, 0, 0, 1, 0, 0]
    y_score = [0.1, 0.5, 0.9, 0.8, 0.2, 0.3, 0.4]
    group = ["a", "a", "a", "b", "b", "c", "c"]
    np.testing.assert_allclose(RankedLists(y_true, y_score, group).reciprocal_rank(), [1 / 3, 1 / 2, np.nan])
    assert mrr(y_true, y_score, group) == pytest.approx((1 / 3 + 1 / 2) / 2)
    # within k = 2, "a" finds nothing: (0 + 1/2) / 2
    assert mrr(y_true, y_score, group, 2) == pytest.approx(1 / 4)


def test_worked_ndcg_binary_with_and_without_missing_relevant_items():
    # DCG@3 = 1/log2(2) + 1/log2(4) = 1.5; IDCG@3 (R = 2) = 1 + 1/log2(3) = 1.6309...
    assert example().dcg_at(3)[0] == pytest.approx(1.5)
    assert example().ndcg_at(3)[0] == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    # R = 4: IDCG@3 = 1 + 1/log2(3) + 1/log2(4) = 2.1309...
    expected = 1.5 / (1 + 1 / math.log2(3) + 0.5)
    assert example(n_relevant=[4, 4, 4, 4]).ndcg_at(3)[0] == pytest.approx(expected)


def test_worked_ndcg_graded_linear_and_exponential():
    # ranked relevance [3, 2, 0, 1], ideal [3, 2, 1, 0]
    lists = RankedLists([0, 1, 3, 2], [0.5, 0.1, 0.9, 0.7], [1, 1, 1, 1])
    # linear: DCG = 3 + 2/log2(3) + 1/log2(5) = 4.6925; IDCG = 3 + 2/log2(3) + 1/2 = 4.7619
    linear = (3 + 2 / math.log2(3) + 1 / math.log2(5)) / (3 + 2 / math.log2(3) + 0.5)
    # exponential: gains [7, 3, 0, 1]: DCG = 7 + 3/log2(3) + 1/log2(5); IDCG = 7 + 3/log2(3) + 1/2
    exponential = (7 + 3 / math.log2(3) + 1 / math.log2(5)) / (7 + 3 / math.log2(3) + 0.5)
    assert lists.ndcg_at(4)[0] == pytest.approx(linear)
    assert lists.ndcg_at(4, gain="exponential")[0] == pytest.approx(exponential)
    assert lists.dcg_at(4, gain="exponential")[0] == pytest.approx(7 + 3 / math.log2(3) + 1 / math.log2(5))


def test_worked_tie_averaged_dcg():
    # scikit-learn's docstring example: relevance [10, 0, 0, 1, 5], scores [1, 0, 0, 0, 1].
    # The top block {10, 5} is tied: at k = 1 it contributes its mean gain 7.5 times discount 1;
    # ideal DCG@1 = 10, so NDCG@1 = 0.75. Stable order puts 10 first: NDCG@1 = 1.
    y_true, y_score, group = [10, 0, 0, 1, 5], [1, 0, 0, 0, 1], [0] * 5
    lists = RankedLists(y_true, y_score, group)
    assert lists.dcg_at(1, ties="average")[0] == pytest.approx(7.5)
    assert lists.ndcg_at(1, ties="average")[0] == pytest.approx(0.75)
    assert lists.ndcg_at(1, ties="stable")[0] == pytest.approx(1.0)
    assert ndcg_score([y_true], [y_score], k=1) == pytest.approx(0.75)


def test_groups_without_relevant_items():
    # "a" ranked [1, 0]; "b" has no relevant item: precision 0 counts, the others are NaN and skipped
    y_true, y_score, group = [1, 0, 0, 0], [0.9, 0.1, 0.5, 0.4], ["a", "a", "b", "b"]
    lists = RankedLists(y_true, y_score, group)
    np.testing.assert_allclose(lists.precision_at(2), [0.5, 0.0])
    for per_group_values in (lists.recall_at(2), lists.hit_rate_at(2), lists.reciprocal_rank(),
                             lists.average_precision_at(2), lists.ndcg_at(2)):
        np.testing.assert_allclose(per_group_values, [1.0, np.nan])
    assert precision_at_k(y_true, y_score, group, 2) == pytest.approx(0.25)
    assert recall_at_k(y_true, y_score, group, 2) == pytest.approx(1.0)
    assert ndcg_at_k(y_true, y_score, group, 2) == pytest.approx(1.0)


def test_groups_are_sorted_ids_and_list_lengths_and_n_relevant_are_aligned():
    lists = RankedLists([1, 0, 1, 1, 0], [1, 2, 3, 4, 5], ["z", "b", "z", "b", "m"])
    assert lists.groups.tolist() == ["b", "m", "z"]
    assert lists.list_lengths.tolist() == [2, 1, 2]
    assert lists.n_relevant.tolist() == [1, 0, 2]


# ---------------------------------------------------------------- recommendations


# user 1 ranks A (0.9), B (0.8), C (0.1); user 2 ranks D (0.7), B (0.5)
REC_ITEM = ["A", "B", "C", "B", "D"]
REC_SCORE = [0.9, 0.8, 0.1, 0.5, 0.7]
REC_GROUP = [1, 1, 1, 2, 2]
REC_POPULARITY = [0.5, 0.25, 0.125, 0.25, 1.0]


def test_worked_catalog_coverage():
    # top 2: {A, B} and {D, B} -> 3 distinct of 10; top 1: {A} and {D} -> 2 of 10
    assert catalog_coverage(REC_ITEM, REC_SCORE, REC_GROUP, 2, 10) == pytest.approx(0.3)
    assert catalog_coverage(REC_ITEM, REC_SCORE, REC_GROUP, 1, 10) == pytest.approx(0.2)


def test_worked_novelty():
    # top 2 of user 1: A (-log2 0.5 = 1), B (-log2 0.25 = 2) -> 1.5; user 2: D (0), B (2) -> 1; mean 1.25
    assert novelty(REC_ITEM, REC_SCORE, REC_GROUP, 2, REC_POPULARITY) == pytest.approx(1.25)
    # top 10 of user 1 has 3 items: (1 + 2 + 3) / 3 = 2; user 2: 1; mean 1.5
    assert novelty(REC_ITEM, REC_SCORE, REC_GROUP, 10, REC_POPULARITY) == pytest.approx(1.5)


def test_worked_intra_list_diversity():
    # user 1 ranks (1, 0), (0, 1), (1, 1); user 2 has one item (undefined, left out)
    vectors = [[1, 0], [0, 1], [1, 1], [3, 4]]
    y_score, group = [0.9, 0.8, 0.7, 0.1], [1, 1, 1, 2]
    # top 2: orthogonal -> distance 1
    assert intra_list_diversity(vectors, y_score, group, 2) == pytest.approx(1.0)
    # top 3: distances 1, 1 - 1/sqrt(2), 1 - 1/sqrt(2) -> mean (3 - sqrt(2)) / 3
    assert intra_list_diversity(vectors, y_score, group, 3) == pytest.approx((3 - math.sqrt(2)) / 3)


def random_recommendations(seed, n_users=15, n_items=30, dimensions=4):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 9, size=n_users)
    group = np.repeat(np.arange(n_users), lengths)
    item = np.concatenate([rng.choice(n_items, size=length, replace=False) for length in lengths])
    catalogue_vectors = rng.normal(size=(n_items, dimensions))
    catalogue_popularity = rng.integers(1, 101, size=n_items) / 100
    score = rng.permutation(len(group)) / len(group)
    shuffle = rng.permutation(len(group))
    item, score, group = item[shuffle], score[shuffle], group[shuffle]
    return item, score, group, catalogue_vectors[item], catalogue_popularity[item]


def top_rows_by_group(y_score, group, k):
    tops = []
    for g in sorted(set(group.tolist())):
        rows = sorted((i for i in range(len(group)) if group[i] == g), key=lambda i: -y_score[i])
        tops.append(rows[:k])
    return tops


def cosine_distance(u, v):
    return 1.0 - float(u @ v) / (np.linalg.norm(u) * np.linalg.norm(v))


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("k", [1, 2, 3, 5, 10])
def test_recommendation_metrics_match_per_list_reference(seed, k):
    item, score, group, vectors, popularity = random_recommendations(seed)
    tops = top_rows_by_group(score, group, k)

    distinct = {item[i] for rows in tops for i in rows}
    assert catalog_coverage(item, score, group, k, 40) == pytest.approx(len(distinct) / 40)

    per_list_novelty = [np.mean([-math.log2(popularity[i]) for i in rows]) for rows in tops]
    assert novelty(item, score, group, k, popularity) == pytest.approx(np.mean(per_list_novelty))

    per_list_diversity = [
        np.mean([cosine_distance(vectors[i], vectors[j]) for a, i in enumerate(rows) for j in rows[a + 1:]])
        for rows in tops
        if len(rows) > 1
    ]
    if per_list_diversity:
        assert intra_list_diversity(vectors, score, group, k) == pytest.approx(np.mean(per_list_diversity))
    else:
        with pytest.raises(ValueError, match="no list has 2 items"):
            intra_list_diversity(vectors, score, group, k)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("y_true", "y_score", "group", "message"),
    [
        ([1, 0], [0.5], [1, 1], "same length; y_true has 2, y_score has 1, group has 2"),
        ([1, np.nan], [0.5, 0.4], [1, 1], r"y_true must be finite; y_true\[1\] = nan"),
        ([1, 0], [np.nan, 0.4], [1, 1], r"y_score must be finite; y_score\[0\] = nan"),
        ([1, 0], [0.5, 0.4], [1.0, np.nan], r"group must be finite; group\[1\] = nan"),
        ([], [], [], "y_true is empty"),
        ([1, -1], [0.5, 0.4], [1, 1], r"y_true must be >= 0 \(relevance\); y_true\[1\] = -1.0"),
        ([[1, 0]], [[0.5, 0.4]], [[1, 1]], "y_true must be 1-dimensional"),
    ],
)
def test_invalid_rows_are_rejected(y_true, y_score, group, message):
    with pytest.raises(ValueError, match=message):
        RankedLists(y_true, y_score, group)


@pytest.mark.parametrize("k", [0, -3, 2.5, 3.0, "3", True])
def test_k_must_be_an_integer_of_at_least_one(k):
    lists = example()
    for method in ("precision_at", "recall_at", "hit_rate_at", "reciprocal_rank", "average_precision_at",
                   "dcg_at", "ndcg_at"):
        with pytest.raises(ValueError, match=rf"k must be an integer >= 1; got {k!r}"):
            getattr(lists, method)(k)
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        ndcg_at_k(EXAMPLE_TRUE, EXAMPLE_SCORE, EXAMPLE_GROUP, k)


@pytest.mark.parametrize(
    ("n_relevant", "y_true", "message"),
    [
        ([3, 3, 3], [1, 2, 0], r"y_true must be binary \(0/1\) when n_relevant is given .*; y_true\[1\] = 2"),
        ([1, 1, 1], [1, 1, 0], "n_relevant must be at least the number of relevant rows of its group; "
                               "group 'a' has n_relevant = 1 but 2 rows"),
        ([3, 4, 3], [1, 0, 0], "n_relevant must be equal on all rows of one group; group 'a' has "
                               "n_relevant 3 and 4"),
        ([2.5, 2.5, 2.5], [1, 0, 0], r"n_relevant must hold whole numbers >= 0; n_relevant\[0\] = 2.5"),
        ([-1, -1, -1], [0, 0, 0], r"n_relevant must hold whole numbers >= 0; n_relevant\[0\] = -1.0"),
        ([1, 1], [1, 0, 0], "same length; y_true has 3, n_relevant has 2"),
        ([1, np.nan, 1], [1, 0, 0], r"n_relevant must be finite; n_relevant\[1\] = nan"),
    ],
)
def test_invalid_n_relevant_is_rejected(n_relevant, y_true, message):
    with pytest.raises(ValueError, match=message):
        RankedLists(y_true, [0.3, 0.2, 0.1], ["a", "a", "a"], n_relevant=n_relevant)


def test_unknown_gain_or_ties_is_rejected():
    with pytest.raises(ValueError, match="^gain must be one of 'linear', 'exponential'; got 'log'"):
        example().ndcg_at(3, gain="log")
    with pytest.raises(ValueError, match="^ties must be one of 'stable', 'average'; got 'random'$"):
        example().dcg_at(3, ties="random")


def test_mean_of_a_metric_undefined_for_every_group_raises():
    for metric in (recall_at_k, hit_rate_at_k, map_at_k, ndcg_at_k):
        with pytest.raises(ValueError, match="undefined for every group: no group has a relevant item"):
            metric([0, 0, 0], [0.3, 0.2, 0.1], [1, 1, 2], 2)
    with pytest.raises(ValueError, match="MRR is undefined for every group"):
        mrr([0, 0, 0], [0.3, 0.2, 0.1], [1, 1, 2])
    assert precision_at_k([0, 0, 0], [0.3, 0.2, 0.1], [1, 1, 2], 2) == 0.0


def test_invalid_recommendation_inputs_are_rejected():
    too_small = "catalog_size must be at least the number of distinct items recommended; got catalog_size = 2"
    with pytest.raises(ValueError, match=too_small):
        catalog_coverage(REC_ITEM, REC_SCORE, REC_GROUP, 2, 2)
    with pytest.raises(ValueError, match=r"catalog_size must be an integer >= 1; got 0"):
        catalog_coverage(REC_ITEM, REC_SCORE, REC_GROUP, 2, 0)
    with pytest.raises(ValueError, match="same length; item has 5, y_score has 4"):
        catalog_coverage(REC_ITEM, REC_SCORE[:4], REC_GROUP, 2, 10)
    with pytest.raises(ValueError, match=r"item_popularity must lie in \(0, 1\]; item_popularity\[2\] = 0.0"):
        novelty(REC_ITEM, REC_SCORE, REC_GROUP, 2, [0.5, 0.25, 0.0, 0.25, 1.0])
    inconsistent = "item_popularity must be equal on all rows of one item; item 'B' has item_popularity 0.25"
    with pytest.raises(ValueError, match=inconsistent):
        novelty(REC_ITEM, REC_SCORE, REC_GROUP, 2, [0.5, 0.25, 0.125, 0.5, 1.0])
    with pytest.raises(ValueError, match=r"item_vectors must be a non-empty 2-D array .* got shape \(3,\)"):
        intra_list_diversity([1.0, 2.0, 3.0], [0.3, 0.2, 0.1], [1, 1, 1], 2)
    with pytest.raises(ValueError, match=r"item_vectors rows must be non-zero .* item_vectors\[1\] is all 0"):
        intra_list_diversity([[1, 0], [0, 0], [1, 1]], [0.3, 0.2, 0.1], [1, 1, 1], 2)
    with pytest.raises(ValueError, match=r"item_vectors must be finite; item_vectors\[2\]"):
        intra_list_diversity([[1, 0], [0, 1], [1, np.inf]], [0.3, 0.2, 0.1], [1, 1, 1], 2)
    with pytest.raises(ValueError, match="same length; item_vectors has 3, y_score has 2"):
        intra_list_diversity([[1, 0], [0, 1], [1, 1]], [0.3, 0.2], [1, 1, 1], 2)

"""Benchmark: per-group ranking metrics of ``mlsd.metrics.ranking`` against a pandas reference.

At scale 1: 1,000,000 seeded rows in 100,000 groups of 10 (users of a recommender, rows shuffled,
binary relevance with about 20% relevant rows, so some groups have no relevant item).

Ours builds ``RankedLists`` (one lexsort, then cumulative sums over groups) and computes one metric
per group. The reference is what a practitioner typically writes: sort the frame by group and
descending score, then ``groupby("group")["relevant"].apply(per_group_function)`` with a small
Python function per metric. Both are timed end to end (sorting included), on all groups, and their
per-group answers are compared with ``np.allclose`` (NaN where a group has no relevant item).
That reference sorts the whole frame once, which is already the fast way to use pandas; one more row
times the most literal version, where each group sorts its own rows inside ``apply``, for NDCG@10.

The floor: any per-group ranking metric needs the rows in (group, score) order, so each row also
states ours as a multiple of one ``np.lexsort((-score, group))`` of the same rows -- the sort alone.
``RankedLists`` sorts integer ids by one packed 64-bit key (see ``mlsd.metrics.ranking``), which is
why it can go below 1x of it.

Run ``python benchmarks/bench_ranking.py [scale]``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from mlsd.metrics.ranking import RankedLists
from common import main

K = 10
ROWS_PER_GROUP = 10
GROUPS_AT_SCALE_1 = 100_000
RELEVANT_SHARE = 0.2


def make_rows(scale: float, seed: int = 0) -> pd.DataFrame:
    """Shuffled rows (group, relevant, score): ``ROWS_PER_GROUP`` rows for each group."""
    n_groups = max(2, round(GROUPS_AT_SCALE_1 * scale))
    rng = np.random.default_rng(seed)
    group = rng.permutation(np.repeat(np.arange(n_groups), ROWS_PER_GROUP))
    relevant = (rng.random(len(group)) < RELEVANT_SHARE).astype(np.int64)
    return pd.DataFrame({"group": group, "relevant": relevant, "score": rng.random(len(group))})


def reference_precision(ranked: pd.Series) -> float:
    return ranked.head(K).sum() / K


def reference_recall(ranked: pd.Series) -> float:
    total = ranked.sum()
    return ranked.head(K).sum() / total if total else np.nan


def reference_average_precision(ranked: pd.Series) -> float:
    total = ranked.sum()
    if not total:
        return np.nan
    top = ranked.head(K).to_numpy()
    precision_at_rank = np.cumsum(top) / np.arange(1, len(top) + 1)
    return (precision_at_rank * top).sum() / min(K, total)


def reference_ndcg(ranked: pd.Series) -> float:
    relevance = ranked.to_numpy()
    if not relevance.any():
        return np.nan
    ideal = np.sort(relevance)[::-1]
    discount = 1 / np.log2(np.arange(2, min(K, len(relevance)) + 2))
    return (relevance[:K] * discount).sum() / (ideal[:K] * discount).sum()


def reference_reciprocal_rank(ranked: pd.Series) -> float:
    hits = np.flatnonzero(ranked.to_numpy())
    return 1 / (hits[0] + 1) if len(hits) else np.nan


METRICS = [
    ("precision@10", lambda lists: lists.precision_at(K), reference_precision),
    ("recall@10", lambda lists: lists.recall_at(K), reference_recall),
    ("MAP@10", lambda lists: lists.average_precision_at(K), reference_average_precision),
    ("NDCG@10", lambda lists: lists.ndcg_at(K), reference_ndcg),
    ("MRR", lambda lists: lists.reciprocal_rank(), reference_reciprocal_rank),
]


def build_lists(rows: pd.DataFrame) -> RankedLists:
    return RankedLists(rows["relevant"].to_numpy(), rows["score"].to_numpy(), rows["group"].to_numpy())


def reference_per_group(rows: pd.DataFrame, per_group_function) -> pd.Series:
    ranked = rows.sort_values(["group", "score"], ascending=[True, False], kind="stable")
    return ranked.groupby("group")["relevant"].apply(per_group_function)


def reference_sorting_each_group(rows: pd.DataFrame, per_group_function) -> pd.Series:
    """The literal version: every group sorts its own rows by score, then the metric runs."""
    by_group = rows.groupby("group")[["score", "relevant"]]
    return by_group.apply(lambda g: per_group_function(g.sort_values("score", ascending=False, kind="stable")["relevant"]))


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def best_time(function, repeats: int = 3) -> float:
    return min(timed(function)[1] for _ in range(repeats))


def all_five_metrics(rows: pd.DataFrame) -> list[np.ndarray]:
    lists = build_lists(rows)
    return [ours_metric(lists) for _, ours_metric, _ in METRICS]


def run(scale: float = 1.0) -> list[dict]:
    """One row per metric, then one for all five metrics on a single ``RankedLists``."""
    rows = make_rows(scale)
    size = f"{len(rows):,} rows, {rows['group'].nunique():,} groups"
    score, group = rows["score"].to_numpy(), rows["group"].to_numpy()
    lexsort_s = best_time(lambda: np.lexsort((-score, group)))
    results = []
    for (name, ours_metric, reference_metric), ours in zip(METRICS, all_five_metrics(rows)):
        ours_s = best_time(lambda: ours_metric(build_lists(rows)))
        expected, reference_s = timed(reference_per_group, rows, reference_metric)
        reference_s = min(reference_s, best_time(lambda: reference_per_group(rows, reference_metric), 1))
        results.append(
            {
                "benchmark": f"ranking {name} per group",
                "ours_s": ours_s,
                "reference_s": reference_s,
                "ratio": reference_s / ours_s,
                "same_answers": bool(np.allclose(ours, expected.to_numpy(), equal_nan=True)),
                "detail": (
                    f"{size}; ours = RankedLists + {name} (best of 3) = {ours_s / lexsort_s:.2f}x one "
                    f"np.lexsort of the rows ({lexsort_s * 1000:.0f} ms); reference = pandas sort + "
                    f"groupby.apply on all groups (best of 2)"
                ),
            }
        )
    ours_s = best_time(lambda: all_five_metrics(rows))
    build_s = best_time(lambda: build_lists(rows))
    reference_s = sum(row["reference_s"] for row in results)
    results.append(
        {
            "benchmark": "ranking all five metrics per group",
            "ours_s": ours_s,
            "reference_s": reference_s,
            "ratio": reference_s / ours_s,
            "same_answers": all(row["same_answers"] for row in results),
            "detail": (
                f"{size}; ours = one RankedLists ({build_s:.3f} s of it) + the five metrics (best of 3); "
                f"reference = sum of the five groupby.apply runs above"
            ),
        }
    )
    ndcg_row = next(row for row in results if row["benchmark"] == "ranking NDCG@10 per group")
    expected, reference_s = timed(reference_sorting_each_group, rows, reference_ndcg)
    results.append(
        {
            "benchmark": "ranking NDCG@10, per-group sort",
            "ours_s": ndcg_row["ours_s"],
            "reference_s": reference_s,
            "ratio": reference_s / ndcg_row["ours_s"],
            "same_answers": bool(np.allclose(build_lists(rows).ndcg_at(K), expected.to_numpy(), equal_nan=True)),
            "detail": f"{size}; reference = groupby.apply sorting each group's rows itself (one run)",
        }
    )
    return results


if __name__ == "__main__":
    main(run)

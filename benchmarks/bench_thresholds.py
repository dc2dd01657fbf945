"""Benchmark: ThresholdCurve against recomputing every threshold with scikit-learn.

A threshold explorer asks for the counts, precision and recall at a new threshold on every slider
move. ``ThresholdCurve`` sorts once and answers each threshold with a binary search; the
reference recomputes ``precision_score`` and ``recall_score`` over all scores. At scale 1 there
are 1,000,000 seeded scores (about 2% positives) and 1,000 thresholds; scikit-learn is timed on
an evenly spaced sample of them, where the answers are also compared.

Run ``python benchmarks/bench_thresholds.py [scale]`` to print the rows.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn import metrics as skm

from mlsd.metrics.thresholds import ThresholdCurve
from common import main, row, seeded_scores

N_SCORES = 1_000_000
N_THRESHOLDS = 1_000
N_REFERENCE_THRESHOLDS = 20
MIN_THRESHOLDS = 8
MIN_REFERENCE_THRESHOLDS = 5
POSITIVE_RATE = 0.02
REPEATS = 3


def run(scale: float = 1.0) -> list[dict]:
    """Time building the curve and answering thresholds; one dict per measurement."""
    y_true, y_score = seeded_scores(max(int(N_SCORES * scale), 100), POSITIVE_RATE)
    thresholds = np.linspace(0.0, 1.0, max(int(N_THRESHOLDS * scale), MIN_THRESHOLDS))
    n_sampled = max(int(N_REFERENCE_THRESHOLDS * scale), MIN_REFERENCE_THRESHOLDS)
    sampled = _evenly_spaced(thresholds, n_sampled)
    detail = f"{len(thresholds):,} thresholds on {len(y_score):,} scores"

    curve = ThresholdCurve(y_true, y_score)
    reference_s, reference_answers = _sklearn_per_threshold(y_true, y_score, sampled)
    agrees_on_sample = _agrees_with_sklearn(curve, sampled, reference_answers, y_true, y_score)
    scalar_s = _best_time(lambda: _answer_one_by_one(curve, thresholds), REPEATS) / len(thresholds)
    vector_s = _best_time(lambda: _answer_all_at_once(curve, thresholds), REPEATS) / len(thresholds)
    return [
        _buildrow(y_true, y_score),
        row(
            "thresholds lookup, one per call",
            scalar_s,
            reference_s,
            agrees_on_sample,
            f"counts + precision + recall; {detail}; sklearn precision_score"
            f" + recall_score on {len(sampled)} of them",
        ),
        row(
            "thresholds lookup, array call",
            vector_s,
            reference_s,
            agrees_on_sample and _array_answers_match(curve, thresholds),
            f"all thresholds in one call, time per threshold; {detail}; sklearn on"
            f" {len(sampled)} of them",
        ),
    ]


def _evenly_spaced(values: np.ndarray, count: int) -> np.ndarray:
    return values[np.linspace(0, len(values) - 1, min(count, len(values))).round().astype(int)]


def _best_time(function, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _buildrow(y_true: np.ndarray, y_score: np.ndarray) -> dict:
    ours_s = _best_time(lambda: ThresholdCurve(y_true, y_score), REPEATS)
    reference_s = _best_time(lambda: skm.precision_recall_curve(y_true, y_score), REPEATS)
    ours = ThresholdCurve(y_true, y_score).pr_curve()
    theirs = skm.precision_recall_curve(y_true, y_score)
    same = all(np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True))
    return row(
        "thresholds build curve",
        ours_s,
        reference_s,
        same,
        f"{len(y_score):,} scores; vs sklearn precision_recall_curve, same arrays",
    )


def _answer_one_by_one(curve: ThresholdCurve, thresholds: np.ndarray) -> None:
    for threshold in thresholds:
        curve.counts(threshold)
        curve.precision(threshold)
        curve.recall(threshold)


def _answer_all_at_once(curve: ThresholdCurve, thresholds: np.ndarray) -> None:
    curve.counts(thresholds)
    curve.precision(thresholds)
    curve.recall(thresholds)


def _sklearn_per_threshold(y_true, y_score, thresholds) -> tuple[float, list[tuple[float, float]]]:
    """Seconds per threshold for sklearn's precision_score + recall_score, and their answers."""
    answers = []
    start = time.perf_counter()
    for threshold in thresholds:
        y_pred = (y_score >= threshold).astype(int)
        answers.append(
            (
                skm.precision_score(y_true, y_pred, zero_division=0),
                skm.recall_score(y_true, y_pred, zero_division=0),
            )
        )
    return (time.perf_counter() - start) / len(thresholds), answers


def _agrees_with_sklearn(curve, thresholds, sklearn_answers, y_true, y_score) -> bool:
    """Precision and recall equal sklearn's, and counts equal its confusion_matrix."""
    for threshold, (sklearn_precision, sklearn_recall) in zip(thresholds, sklearn_answers):
        tn, fp, fn, tp = skm.confusion_matrix(
            y_true, (y_score >= threshold).astype(int), labels=[0, 1]
        ).ravel()
        if curve.counts(threshold) != (tp, fp, tn, fn):
            return False
        ours = (curve.precision(threshold), curve.recall(threshold))
        if ours != (sklearn_precision, sklearn_recall):
            return False
    return True


def _array_answers_match(curve: ThresholdCurve, thresholds: np.ndarray) -> bool:
    """The array call gives the same numbers as one call per threshold."""
    precision_values = curve.precision(thresholds)
    recall_values = curve.recall(thresholds)
    true_positives = curve.counts(thresholds).tp
    return all(
        (precision_values[i], recall_values[i], true_positives[i])
        == (curve.precision(t), curve.recall(t), curve.counts(t).tp)
        for i, t in enumerate(thresholds)
    )


if __name__ == "__main__":
    main(run)

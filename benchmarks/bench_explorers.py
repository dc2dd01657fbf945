"""Benchmark: one move of an explorer's control against recomputing its numbers from scratch.

At scale 1 there are 1,000,000 seeded scores (about 2% positives). Rows:

- ``explorer threshold move, state``: set the threshold of a ``ThresholdExplorerState`` and read
  its snapshot (binary searches in the sorted scores). A frame at 60 Hz is 16.7 ms.
- ``explorer threshold move, full view``: ``slider.value = t`` on a ``ThresholdExplorer``, which
  also rewrites the readout and renders the figure to PNG.
- The reference for both recomputes confusion counts, precision, recall, F1 and expected cost at
  the new threshold with the functions of ``mlsd.metrics``, each over all scores.
- ``explorer calibration build``: building a ``CalibrationExplorer``, which corrects every rate's
  predictions and computes raw and corrected calibration ratio, ECE, log loss, normalized entropy,
  reliability tables and the diagram, once. The reference does the numbers of every rate with
  ``mlsd.metrics``; the ratio is near 1, since that is the same work.
- ``explorer calibration move, view``: ``slider.value = rate`` on the built explorer: the numbers and
  the diagram are already there, so only the readout is rewritten. The reference recomputes that
  rate's numbers.

The calibration data: true click rates with log-odds ~ N(-4, 1), clicks drawn from them, and the
predictions of perfectly calibrated models trained with negatives kept at each rate.

Run ``python benchmarks/bench_explorers.py [scale]`` to print the rows.
"""

from __future__ import annotations

import time

import numpy as np

from mlsd.explore import (
    CalibrationExplorer,
    ThresholdExplorer,
    ThresholdExplorerState,
)
from mlsd.metrics.calibration import (
    calibration_ratio,
    expected_calibration_error,
    reliability_table,
    undo_downsampling,
)
from mlsd.metrics.classification import (
    confusion_counts,
    expected_cost,
    f1,
    log_loss,
    normalized_entropy,
    precision,
    recall,
)
from common import main, row, seeded_scores

N_SCORES = 1_000_000
MIN_SCORES = 500
N_MOVES = 20
POSITIVE_RATE = 0.02
COST_FP, COST_FN = 1.0, 20.0
RATES = (0.025, 0.1, 0.5, 1.0)
REPEATS = 3


def run(scale: float = 1.0) -> list[dict]:
    """Time explorer moves against recomputing from scratch; one dict per measurement."""
    n = max(int(N_SCORES * scale), MIN_SCORES)
    y_true, y_score = seeded_scores(n, POSITIVE_RATE)
    thresholds = np.linspace(0.02, 0.6, N_MOVES)
    reference_s, reference = _time_per_item(
        lambda t: _threshold_numbers(y_true, y_score, t), thresholds
    )
    clicks, predictions = _click_predictions(n)
    calibration_reference_s, calibration_reference = _time_per_item(
        lambda rate: _calibration_numbers(clicks, predictions[rate], rate), RATES
    )
    detail = f"{n:,} scores"
    return [
        _threshold_staterow(y_true, y_score, thresholds, reference, reference_s, detail),
        _threshold_viewrow(y_true, y_score, thresholds, reference, reference_s, detail),
        *_calibration_rows(
            clicks, predictions, calibration_reference, calibration_reference_s, detail
        ),
    ]


def _click_predictions(n: int) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Clicks drawn from known rates, and what models trained at each downsampling rate predict."""
    rng = np.random.default_rng(1)
    p = 1.0 / (1.0 + np.exp(-rng.normal(-4.0, 1.0, size=n)))
    clicks = (rng.random(n) < p).astype(int)
    clicks[:2] = [1, 0]
    return clicks, {rate: p / (p + (1 - p) * rate) for rate in RATES}


def _threshold_numbers(y_true, y_score, threshold) -> tuple:
    """Counts, precision, recall, F1 and expected cost, each recomputed over all scores."""
    return (
        tuple(confusion_counts(y_true, y_score, threshold)),
        precision(y_true, y_score, threshold),
        recall(y_true, y_score, threshold),
        f1(y_true, y_score, threshold),
        expected_cost(y_true, y_score, threshold, COST_FP, COST_FN),
    )


def _snapshot_numbers(snapshot) -> tuple:
    s = snapshot
    return ((s.tp, s.fp, s.tn, s.fn), s.precision, s.recall, s.f1, s.expected_cost)


def _calibration_numbers(clicks, raw, rate) -> tuple:
    """Raw and corrected calibration and loss, each recomputed with mlsd.metrics."""
    corrected = undo_downsampling(raw, rate)
    return tuple(
        (
            calibration_ratio(clicks, prob),
            expected_calibration_error(clicks, prob, 10, "quantile"),
            log_loss(clicks, prob),
            normalized_entropy(clicks, prob),
            reliability_table(clicks, prob, 10, "quantile").observed_rate.tolist(),
        )
        for prob in (raw, corrected)
    )


def _quality_numbers(snapshot) -> tuple:
    return tuple(
        (
            q.calibration_ratio,
            q.ece,
            q.log_loss,
            q.normalized_entropy,
            q.reliability.observed_rate.tolist(),
        )
        for q in (snapshot.raw, snapshot.corrected)
    )


def _threshold_staterow(y_true, y_score, thresholds, reference, reference_s, detail) -> dict:
    state = ThresholdExplorerState(y_true, y_score, cost_fp=COST_FP, cost_fn=COST_FN)
    state.snapshot()

    def move(threshold):
        state.threshold = threshold
        return _snapshot_numbers(state.snapshot())

    ours_s, answers = _best_time_per_item(move, thresholds)
    return row(
        "explorer threshold move, state",
        ours_s,
        reference_s,
        answers == reference,
        f"set threshold + snapshot; {detail}; vs mlsd.metrics counts, precision, recall, F1, cost",
    )


def _threshold_viewrow(y_true, y_score, thresholds, reference, reference_s, detail) -> dict:
    view = ThresholdExplorer(y_true, y_score, cost_fp=COST_FP, cost_fn=COST_FN)

    def move(threshold):
        view.slider.value = threshold
        snapshot = view.state.snapshot()
        shown = f"precision {snapshot.precision:.4f}" in view.readout.value
        return _snapshot_numbers(snapshot), shown and bytes(view.image.value[:4]) == b"\x89PNG"

    ours_s, answers = _best_time_per_item(move, thresholds)
    same = [numbers for numbers, _ in answers] == reference and all(ok for _, ok in answers)
    return row(
        "explorer threshold move, full view",
        ours_s,
        reference_s,
        same,
        f"slider.value = t: state + readout + PNG; {detail}; same reference",
    )


def _calibration_rows(clicks, predictions, reference, reference_s, detail) -> list[dict]:
    start = time.perf_counter()
    view = CalibrationExplorer(clicks, predictions)
    build_s = time.perf_counter() - start

    def move(rate):
        view.slider.value = rate
        return _quality_numbers(view.state.snapshot())

    move_s, move_answers = _best_time_per_item(move, RATES)
    built_answers = [_quality_numbers(view.state.snapshot_at(rate)) for rate in RATES]
    what = f"{len(RATES)} rates on {detail}; vs mlsd.metrics raw + corrected"
    return [
        row(
            "explorer calibration build",
            build_s,
            reference_s * len(RATES),
            built_answers == reference,
            f"once, all rates: numbers + diagrams; {what}",
        ),
        row(
            "explorer calibration move, view",
            move_s,
            reference_s,
            move_answers == reference,
            f"slider.value = rate on the built explorer: readout + kept diagram; {what}",
        ),
    ]


def _time_per_item(function, items) -> tuple[float, list]:
    """Mean seconds per call of ``function`` over ``items``, and its answers."""
    answers, seconds = [], []
    for item in items:
        start = time.perf_counter()
        answers.append(function(item))
        seconds.append(time.perf_counter() - start)
    return float(np.mean(seconds)), answers


def _best_time_per_item(function, items) -> tuple[float, list]:
    """The fastest of ``REPEATS`` passes over ``items``, per item, and the last pass's answers."""
    best, answers = np.inf, []
    for _ in range(REPEATS):
        start = time.perf_counter()
        answers = [function(item) for item in items]
        best = min(best, time.perf_counter() - start)
    return best / len(items), answers


if __name__ == "__main__":
    main(run)

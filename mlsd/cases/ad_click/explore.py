"""The ad-click explorers for the gallery, on a small simulated marketplace.

Both tabs use the marketplace with ``n_impressions`` impressions and the hashed logistic regression
trained on the days before :data:`FIRST_TEST_DAY`, once for each share of non-clicks kept
(:data:`KEEP_RATES`), scored on the later days (:func:`~.tradeoffs.downsampled_predictions`).

- **Threshold**: the model trained on every non-click, starting at its cost-minimising threshold
  for a false positive costing :data:`COST_FP` and a missed click :data:`COST_FN`
  (:class:`mlsd.explore.ThresholdExplorer`).
- **Calibration**: every keep rate, raw and corrected (:class:`mlsd.explore.CalibrationExplorer`).

The simulator, the model and the explorers are imported inside the functions that use them: with
the gallery's cache filled, ``mlsd explore`` reads the predictions from it without importing
scikit-learn or SciPy's statistics.
"""

from __future__ import annotations

import numpy as np

import mlsd.explore as explorers
from mlsd.cases.contract import SIMULATED, ExplorerTab
from mlsd.explore.cache import cached_inputs
from mlsd.validation import check_int

FIRST_TEST_DAY = 10
KEEP_RATES = (1.0, 0.3, 0.1, 0.03)
COST_FP, COST_FN = 1.0, 40.0


def gallery_tabs(seed: int = 7, n_impressions: int = 60_000) -> list[ExplorerTab]:
    """The threshold and calibration tabs (see the module docstring)."""
    seed = check_int("seed", seed, 0)
    y_eval, raw_by_rate = click_predictions(seed, n_impressions)
    scores = raw_by_rate[1.0]

    def threshold_explorer():
        cheapest = cheapest_threshold(y_eval, scores)
        return explorers.ThresholdExplorer(y_eval, scores, threshold=cheapest, cost_fp=COST_FP,
                                 cost_fn=COST_FN)

    return [
        ExplorerTab(
            "Threshold",
            "Ad click prediction: show an ad only when its predicted click rate reaches the "
            "threshold. Move the slider (or click it and use the arrow keys) and watch precision, "
            "recall and the expected cost; change what each mistake costs and find the cheapest "
            "threshold.",
            threshold_explorer,
            _threshold_start,
        ),
        ExplorerTab(
            "Calibration",
            "Training on all clicks but only some of the non-clicks makes every predicted rate too "
            "high. Pick how many non-clicks were kept and compare the predictions before and after "
            "the correction q = p / (p + (1 − p) / w).",
            lambda: explorers.CalibrationExplorer(y_eval, raw_by_rate),
        ),
    ]


def _threshold_start(explorer) -> dict[str, float]:
    start = explorer.state.snapshot()
    return {"threshold_start": start.threshold, "threshold_precision": start.precision,
            "threshold_recall": start.recall}


@cached_inputs
def click_predictions(seed: int, n_impressions: int) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Clicks of the test days and the raw predictions of the model trained at each of
    :data:`KEEP_RATES`."""
    from mlsd.cases.ad_click.data import load_data
    from mlsd.cases.ad_click.tradeoffs import downsampled_predictions

    market = load_data(SIMULATED, seed=seed, n_impressions=n_impressions).world
    return downsampled_predictions(market, FIRST_TEST_DAY, rates=KEEP_RATES, seed=seed)


def cheapest_threshold(y_true, y_score) -> float:
    """The threshold with the lowest expected cost at :data:`COST_FP` and :data:`COST_FN`."""
    state = explorers.ThresholdExplorerState(y_true, y_score, cost_fp=COST_FP, cost_fn=COST_FN)
    return state.best().threshold

"""The metrics the kit teaches: pure numpy functions, each documenting its formula and convention.

- classification: confusion counts at a threshold, precision, recall, F-beta, specificity, ROC AUC,
  grouped ROC AUC (GAUC), average precision and PR AUC, log loss, normalized entropy, expected cost
- calibration: calibration ratio, reliability table, expected calibration error, undoing negative
  downsampling
- thresholds: :class:`ThresholdCurve`, every thresholded metric at any threshold from one sort
- ranking: many ranked lists at once (flat arrays with a group id): precision@k, recall@k, hit
  rate@k, MRR, MAP@k, NDCG@k, catalog coverage, novelty, intra-list diversity
- regression: MAE, RMSE, MAPE, pinball loss, share within a tolerance, late rate

Shared conventions: labels are 0/1, a higher score means "more likely positive", and an example is
flagged when ``score >= threshold``. Bad input raises ``ValueError`` naming the argument, the value
and what is allowed, checked by :mod:`mlsd.validation` — the one module of the kit that this
package imports (``mlsd.metrics`` imports only ``mlsd.validation``).
"""

from mlsd.metrics.calibration import (
    ReliabilityTable,
    calibration_ratio,
    expected_calibration_error,
    reliability_table,
    undo_downsampling,
)
from mlsd.metrics.classification import (
    ConfusionCounts,
    average_precision,
    confusion_counts,
    expected_cost,
    f1,
    fbeta,
    grouped_roc_auc,
    log_loss,
    normalized_entropy,
    pr_auc,
    precision,
    recall,
    roc_auc,
    specificity,
)
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
from mlsd.metrics.regression import late_rate, mae, mape, pinball_loss, rmse, within_tolerance
from mlsd.metrics.thresholds import BestThreshold, ThresholdCurve

__all__ = [
    "BestThreshold", "ConfusionCounts", "RankedLists", "ReliabilityTable", "ThresholdCurve",
    "average_precision", "calibration_ratio", "catalog_coverage", "confusion_counts",
    "expected_calibration_error", "expected_cost", "f1", "fbeta", "grouped_roc_auc",
    "hit_rate_at_k",
    "intra_list_diversity", "late_rate", "log_loss", "mae", "map_at_k", "mape", "mrr", "ndcg_at_k",
    "normalized_entropy", "novelty", "pinball_loss", "pr_auc", "precision", "precision_at_k",
    "recall", "recall_at_k", "reliability_table", "rmse", "roc_auc", "specificity",
    "undo_downsampling", "within_tolerance",
]

"""Ad click prediction: ads are ranked by bid × pCTR, so the probability itself must be right.

Click models — a smoothed-CTR baseline, hashed logistic regression with crosses, gradient-boosted
trees on historical counters — on a simulated marketplace whose click probabilities are known, and
on a real Criteo click log the learner brings (``data_source="criteo"``, ``datasets/criteo.md``).
The notebooks (``notebooks/03_ad_click/``) and the exercise use this façade only::

    from mlsd.cases import ad_click as case
    data = case.load_data("simulated", seed=7)
    data = case.load_data("criteo", "datasets/real/criteo/dac_sample.txt")

The package, one job per module:

- :mod:`.schema` — the impressions table every simulated source is mapped onto, the label rule
  (:func:`~.schema.clicks_within`: clicked within a window), and the second table kind, the
  feature-hashed log (:func:`~.schema.check_hashed_log`)
- :mod:`.simulate` — the generative story: a marketplace with known click probabilities, drift,
  delayed clicks and an optional traffic shift
- :mod:`.data` — the sources, :func:`~.data.load_data`, the split by day (simulated) and the
  ordered 80/10/10 split (Criteo)
- :mod:`.criteo` — the Criteo click logs (Kaggle 2014): their layouts, the reader, the summary
- :mod:`.criteo_models` — models for Criteo rows: the training click rate, hashed logistic
  regression with binned integers and crosses, gradient-boosted trees on frequency-coded categories
- :mod:`.criteo_synthetic` — files in Criteo's exact layouts with a planted signal and its truth
- :mod:`.published` — published results on Criteo's files, with their sources
- :mod:`.lessons` — the notebooks' experiments for whichever source the data came from
- :mod:`.features` — hashed categoricals with crosses; as-of-day historical click rates
- :mod:`.point_in_time` — what a counter or a training job could know when it ran: arrived
  clicks only, and the size of the leak when eventual labels are used instead
- :mod:`.intervals` — paired intervals that resample ads, for the experiments' comparisons
- :mod:`.models` — smoothed-CTR baseline, hashed logistic regression, gradient-boosted trees
- :mod:`.stacking` — GBDT + LR (trees' leaves feed a logistic regression); the options
- :mod:`.auction` — the second-price auction that consumes pCTR, and what miscalibration does to it
- :mod:`.evaluation` — the scorecard: probability quality, accuracy's blind spot, slices
- :mod:`.ablation` — what the crosses and the hash buckets of logistic regression buy
- :mod:`.position` — position bias: the click rate by slot, and what a position-blind model learns
- :mod:`.online_test` — an A/B test of two models through the auction, clicks drawn from the truth
- :mod:`.serving` — the request's stages and latency budget; the train/serve skew
- :mod:`.tradeoffs` — the experiments: freshness, retraining cadence, label window, negative
  downsampling (and what it buys at equal compute), exploration for new ads
- :mod:`.design` — the filled design review
- :mod:`.exercise` — the exercise's tasks, their solutions and the wrong answers they reject
- :mod:`.explore` — the case's explorers for the gallery
"""

from __future__ import annotations

from mlsd.cases.contract import CaseInfo
from mlsd.cases.ad_click.data import SOURCES
from mlsd.lazy import lazy_exports

_HOMES = {
    "every_ablation_hurts": ".ablation",
    **dict.fromkeys(("mean_true_ctr_by_ad", "miscalibration_effect"), ".auction"),
    "describe_criteo": ".criteo",
    **dict.fromkeys((
        "CriteoClickRate", "CriteoGBDT", "CriteoLogisticRegression",
    ), ".criteo_models"),
    "write_synthetic_criteo": ".criteo_synthetic",
    **dict.fromkeys(("CRITEO_MEANINGFUL_ROWS", "load_data", "split"), ".data"),
    **dict.fromkeys(("clarifying_questions", "design_doc", "scale_assumptions"), ".design"),
    **dict.fromkeys((
        "NEVER_CLICK", "accuracy_at_half", "accuracy_gap", "slice_scorecards",
    ), ".evaluation"),
    "build_exercise": ".exercise:build",
    **dict.fromkeys((
        "ab_test", "beside_published", "clicks", "downsampled_predictions_for",
        "downsampling_tradeoff_for", "feature_ablation", "held_out_predictions",
        "logistic_regression", "position_bias", "print_source_notes", "simulated_world",
        "slice_claims", "slice_table", "threshold_on_validation", "truth_claims",
    ), ".lessons"),
    **dict.fromkeys((
        "GBDTLogisticRegression", "compare_models", "model_options",
    ), ".stacking"),
    **dict.fromkeys((
        "HashedLogisticRegression", "HistoricalGBDT", "SmoothedCTRBaseline",
    ), ".models"),
    **dict.fromkeys(("labels_known_at", "late_click_share", "leak_table"), ".point_in_time"),
    **dict.fromkeys(("PUBLISHED", "published_sources", "published_table"), ".published"),
    "clicks_within": ".schema",
    **dict.fromkeys((
        "LATENCY_BUDGET_MS", "counter_drift", "funnel_stages", "request_latency",
        "tail_by_correlation", "train_serve_skew",
    ), ".serving"),
    "simulate_market": ".simulate",
    **dict.fromkeys((
        "downsampled_predictions", "downsampling_tradeoff", "exploration_simulation",
        "freshness_decay", "history_at_equal_compute", "label_window_tradeoff",
        "retraining_cadence",
    ), ".tradeoffs"),
    "DesignDoc": "mlsd.design",
    **dict.fromkeys(("difference_sentence", "scorecards", "truth_is_best"), "mlsd.evaluation"),
    **dict.fromkeys((
        "CalibrationExplorer", "CalibrationExplorerState", "ThresholdExplorer",
        "ThresholdExplorerState",
    ), "mlsd.explore"),
    **dict.fromkeys(("ThresholdCurve", "normalized_entropy", "undo_downsampling"), "mlsd.metrics"),
    **dict.fromkeys(("drift_report", "first_alert"), "mlsd.monitoring"),
    "size": "mlsd.sizing",
}
"""Where each name of the façade lives (:mod:`mlsd.lazy`): it is imported when first used, so that
importing one module of the case (the gallery imports its ``explore``) does not import them all."""

CASE = CaseInfo(number=3, name="ad_click", title="Ad click prediction", sources=SOURCES)

__all__ = [
    # the case
    "CASE",
    "CRITEO_MEANINGFUL_ROWS",
    "LATENCY_BUDGET_MS",
    "NEVER_CLICK",
    "PUBLISHED",
    "SOURCES",
    "CriteoClickRate",
    "CriteoGBDT",
    "CriteoLogisticRegression",
    "HashedLogisticRegression",
    "HistoricalGBDT",
    "GBDTLogisticRegression",
    "compare_models",
    "model_options",
    "SmoothedCTRBaseline",
    "ab_test",
    "accuracy_at_half",
    "accuracy_gap",
    "beside_published",
    "build_exercise",
    "clicks",
    "clicks_within",
    "counter_drift",
    "describe_criteo",
    "clarifying_questions",
    "design_doc",
    "scale_assumptions",
    "size",
    "downsampled_predictions",
    "downsampled_predictions_for",
    "downsampling_tradeoff",
    "downsampling_tradeoff_for",
    "every_ablation_hurts",
    "exercise",
    "feature_ablation",
    "exploration_simulation",
    "freshness_decay",
    "funnel_stages",
    "held_out_predictions",
    "history_at_equal_compute",
    "label_window_tradeoff",
    "labels_known_at",
    "late_click_share",
    "leak_table",
    "load_data",
    "logistic_regression",
    "mean_true_ctr_by_ad",
    "miscalibration_effect",
    "position_bias",
    "print_source_notes",
    "published_sources",
    "published_table",
    "request_latency",
    "retraining_cadence",
    "simulate_market",
    "simulated_world",
    "slice_scorecards",
    "slice_claims",
    "slice_table",
    "threshold_on_validation",
    "truth_claims",
    "split",
    "tail_by_correlation",
    "train_serve_skew",
    "write_synthetic_criteo",
    # the kit's pieces its notebooks and exercise use
    "CalibrationExplorer",
    "CalibrationExplorerState",
    "DesignDoc",
    "ThresholdCurve",
    "ThresholdExplorer",
    "ThresholdExplorerState",
    "drift_report",
    "first_alert",
    "normalized_entropy",
    "difference_sentence",
    "scorecards",
    "truth_is_best",
    "undo_downsampling",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _HOMES, modules=("exercise",))

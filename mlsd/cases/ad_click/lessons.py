"""The notebooks' experiments for whichever source their data came from, so that no cell branches.

Each function takes the :class:`~mlsd.cases.contract.CaseData` of :func:`~.data.load_data` and
does the same experiment on either source — with :mod:`.models` on simulated impressions, with
:mod:`.criteo_models` on a Criteo log — or, where only the simulator can answer (the truth, days
and click delays, devices and ads), says so in one printed line and uses a simulated market.

- :func:`print_source_notes` — what a Criteo run must be read with: its split, its click rate
  (not a production rate), its size, the missing truth.
- :func:`held_out_predictions` — the baseline, logistic regression, trees (and the truth) on the
  test rows.
- :func:`downsampled_predictions_for`, :func:`downsampling_tradeoff_for` — negative downsampling
  and its correction, on the source's own training rows.
- :func:`truth_claims` — the truth as the ceiling, and ECE's noise floor (simulator only).
- :func:`threshold_on_validation` — a threshold chosen on a validation period, reported on test.
- :func:`slice_table`, :func:`slice_claims` — the scorecard by slice, with intervals and the truth.
- :func:`feature_ablation` — logistic regression without its crosses, and with fewer buckets.
- :func:`position_bias` — click rate by slot, and what a position-blind model learns (simulator only).
- :func:`ab_test` — an online test of two models through the auction (simulator only).
- :func:`beside_published` — the run's numbers next to :data:`~.published.PUBLISHED`.
- :func:`simulated_world`, :func:`logistic_regression`, :func:`clicks` — the pieces cells need.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.ablation import ABLATIONS, REFERENCE, ablation_table
from mlsd.cases.ad_click.criteo import CATEGORICAL_FEATURES
from mlsd.cases.ad_click.criteo_models import CriteoClickRate, CriteoGBDT, CriteoLogisticRegression
from mlsd.cases.ad_click.data import CRITEO, CRITEO_MEANINGFUL_ROWS, FIRST_TEST_DAY, load_data, split
from mlsd.cases.ad_click.evaluation import (
    TRUTH_COLUMN,
    slice_scorecards,
    sliced_scorecard,
    worst_slice_looks_worse_than_it_is,
)
from mlsd.cases.ad_click.models import HashedLogisticRegression, HistoricalGBDT, SmoothedCTRBaseline
from mlsd.cases.ad_click.online_test import candidate_rows, online_test
from mlsd.cases.ad_click.point_in_time import labels_at_training
from mlsd.cases.ad_click.position import blind_model_is_off_by_slot, clicks_fall_with_slot, slot_table
from mlsd.cases.ad_click.published import published_sources, published_table
from mlsd.cases.ad_click.schema import clicks_within
from mlsd.cases.ad_click.tradeoffs import downsampled_predictions, downsampling_table, downsampling_tradeoff
from mlsd.cases.contract import SIMULATED, CaseData, Split
from mlsd.claims import claim
from mlsd.records import record
from mlsd.demo import bayes_threshold, cost_difference, decision_table
from mlsd.evaluation import ece_noise_floor, truth_is_best
from mlsd.metrics import ThresholdCurve
from mlsd.uncertainty import Interval
from mlsd.validation import check_distinct_numbers, check_int

RECORD_NAMES = {
    "baseline": "baseline",
    "logistic regression": "lr",
    "gradient-boosted trees": "gbdt",
    "truth": "truth",
}
"""The short name each model's records get."""
SIMULATOR_SECTIONS = "retraining cadence, label window, cold start and drift monitoring"


@dataclass(frozen=True)
class HeldOutPredictions:
    """Test labels (eventual clicks), each model's predicted probabilities on the test rows, and
    the short record name of each model (:data:`RECORD_NAMES`, for those present)."""

    y_test: np.ndarray
    predictions: dict[str, np.ndarray]
    models: dict = field(default_factory=dict, repr=False, compare=False)
    """The fitted models by name (every model but the truth), for scoring other rows."""

    @property
    def record_names(self) -> dict[str, str]:
        return {name: RECORD_NAMES[name] for name in self.predictions}


def print_source_notes(data: CaseData, held_out: Split) -> None:
    """Print, for a Criteo run, one line each: the split, the click rate and why it is not a
    production rate, a warning below :data:`~.data.CRITEO_MEANINGFUL_ROWS` lines, and that there
    is no truth. Prints nothing for the simulator, whose notebook prose says all of it."""
    if data.source != CRITEO:
        return
    rows = data.sizes["rows"]
    print(f"Criteo log, {rows:,} lines; split {held_out.rule}.")
    print(
        f"Click rate of the file: {clicks(data, data.table).mean():.1%}. Criteo kept far fewer "
        "non-clicks than clicks, so it is not a production click rate: the probabilities below "
        "are for the file's world (datasets/criteo.md)."
    )
    if rows < CRITEO_MEANINGFUL_ROWS:
        print(
            f"Only {rows:,} lines: below {CRITEO_MEANINGFUL_ROWS:,} the models' differences are "
            "smaller than their noise (benchmarks/bench_criteo_size.py) — not meaningful results."
        )
    print(
        "No truth row: only the simulator knows the true click probabilities; the label is "
        "Criteo's click, so label_window_hours does not apply."
    )


def held_out_predictions(
    data: CaseData, held_out: Split, label_window_hours: float, seed: int
) -> HeldOutPredictions:
    """The models of the source, trained on ``held_out.train``, predicting ``held_out.test``.

    Simulated: training labels are the clicks within ``label_window_hours`` that had arrived by
    the first test day (:func:`training_labels`); :class:`~.models.SmoothedCTRBaseline`,
    :class:`~.models.HashedLogisticRegression` and :class:`~.models.HistoricalGBDT` (its counters
    updated with the test days' labels as they arrive), and the truth ``true_ctr``. Criteo: the
    log's labels; :class:`~.criteo_models.CriteoClickRate`,
    :class:`~.criteo_models.CriteoLogisticRegression` and :class:`~.criteo_models.CriteoGBDT`
    (its trees' count chosen on the validation lines). Every model with ``seed``.
    """
    train, test = held_out.train, held_out.test
    y_test = clicks(data, test)
    if data.source == CRITEO:
        labels, validation = clicks(data, train), held_out.validation
        gbdt = CriteoGBDT(seed=seed).fit(train, labels, validation, clicks(data, validation))
        models = {
            "baseline": CriteoClickRate().fit(train, labels),
            "logistic regression": CriteoLogisticRegression(seed=seed).fit(train, labels),
            "gradient-boosted trees": gbdt,
        }
        predictions = {name: model.predict(test) for name, model in models.items()}
        return HeldOutPredictions(y_test, predictions, models)
    train_labels = training_labels(data, train, label_window_hours)
    lr = HashedLogisticRegression(seed=seed).fit(train, train_labels)
    gbdt = HistoricalGBDT(seed=seed).fit(train, train_labels)
    gbdt.update_counters(test, clicks_within(test, label_window_hours))
    models = {"baseline": SmoothedCTRBaseline().fit(train, train_labels), "logistic regression": lr,
              "gradient-boosted trees": gbdt}
    predictions = {name: model.predict(test) for name, model in models.items()}
    predictions["truth"] = test["true_ctr"].to_numpy()
    return HeldOutPredictions(y_test, predictions, models)


def downsampled_predictions_for(
    data: CaseData, held_out: Split, rates: tuple[float, ...], seed: int
) -> tuple[np.ndarray, dict[float, np.ndarray]]:
    """Test labels and the raw predictions of the source's logistic regression trained at each
    keep rate ``w`` of the non-clicks (every click kept; the non-clicks drawn with ``seed``).

    Simulated: :func:`~.tradeoffs.downsampled_predictions` on the split's days. Criteo: the same
    on the ordered split with :class:`~.criteo_models.CriteoLogisticRegression` — a *further*
    downsampling of a log whose non-clicks Criteo already thinned, so ``w`` is relative to the
    file and :func:`mlsd.metrics.undo_downsampling` with ``w`` brings the predictions back to the
    file's click rate, not to a production one.
    """
    if data.source != CRITEO:
        return downsampled_predictions(data.world, int(held_out.test["day"].min()), rates, seed)
    rates = check_distinct_numbers("rates", rates, 0, 1, low_open=True)
    seed = check_int("seed", seed, 0)
    train, test = held_out.train, held_out.test
    labels = clicks(data, train)
    raw = {
        rate: CriteoLogisticRegression(negative_rate=rate, seed=seed).fit(train, labels).predict(test)
        for rate in rates
    }
    return clicks(data, test), raw


def downsampling_tradeoff_for(data: CaseData, rates: tuple[float, ...], seed: int) -> pd.DataFrame:
    """The table of :func:`~.tradeoffs.downsampling_tradeoff` for the source: simulated with the
    test from day :data:`~.data.FIRST_TEST_DAY`; Criteo on its ordered split, with
    :func:`downsampled_predictions_for`."""
    if data.source != CRITEO:
        return downsampling_tradeoff(data.world, FIRST_TEST_DAY, rates, seed)
    held_out = split(data)
    y_test, raw = downsampled_predictions_for(data, held_out, rates, seed)
    return downsampling_table(y_test, raw, clicks(data, held_out.train), seed)


def truth_claims(data: CaseData, table: pd.DataFrame, held_out: Split, seed: int = 0) -> None:
    """The claims the truth row of the scorecard ``table`` supports, or (Criteo) one printed line
    saying why there are none: that the truth is best on the columns where it is in expectation
    (:data:`mlsd.evaluation.CEILING_COLUMNS`: log loss, normalized entropy, ROC AUC), and that the
    truth's own ECE is below twice ECE's noise floor (:func:`mlsd.evaluation.ece_noise_floor` on the
    test rows' ``true_ctr``, with ``seed``; printed beside the truth's and the models' ECE)."""
    if "truth" not in table.index:
        print("No truth row on a real log: the ceiling and ECE's noise floor need data_source simulated.")
        return
    claim("truth_is_the_ceiling", "the truth has the lowest log loss and normalized entropy and the "
          "highest ROC AUC of the four rows", truth_is_best(table), needs_default_sizes=True)
    floor = ece_noise_floor(held_out.test["true_ctr"].to_numpy(), seed=seed)
    models = table["ece"].drop(index="truth")
    print(f"ECE's noise floor (a calibrated predictor's ECE from label noise alone, mean of 20 draws "
          f"of the clicks): {floor:.4f}; the truth's ECE {table.loc['truth', 'ece']:.4f}; the models' "
          + ", ".join(f"{name} {value:.4f}" for name, value in models.items()))
    claim("ece_has_a_noise_floor", "the truth's ECE is below twice ECE's noise floor: an ECE of this "
          "size is what a perfectly calibrated predictor shows on this many clicks",
          bool(table.loc["truth", "ece"] < 2 * floor), needs_default_sizes=True)


@dataclass(frozen=True)
class ThresholdChoice:
    """A threshold chosen on validation rows and reported on the test rows.

    ``table`` has one row per rule — the Bayes threshold, the one chosen on validation, the one
    chosen on the test rows themselves (in-sample) — with ``threshold``, ``flagged``,
    ``precision``, ``recall`` and ``mean_cost`` on the test rows (:func:`mlsd.demo.decision_table`);
    ``flattery`` is the cost of the validated rule minus the in-sample one, ``vs_bayes`` that of
    the validated rule minus the Bayes rule, each with its paired bootstrap interval over the test
    rows; ``validation_rule`` says which rows validated.
    """

    table: pd.DataFrame
    flattery: Interval
    vs_bayes: Interval
    validation_rule: str


def threshold_on_validation(
    data: CaseData, held_out: Split, label_window_hours: float, cost_fp: float, cost_fn: float, seed: int
) -> ThresholdChoice:
    """Choose logistic regression's cost-minimising threshold on a validation period before the
    test, report its cost on the test rows beside the Bayes threshold ``cost_fp / (cost_fp +
    cost_fn)`` and the threshold the test rows would choose for themselves.

    Simulated: the last training day is held out — the model is fitted on the days before it
    (labels within ``label_window_hours`` that had arrived by the validation day), the threshold
    chosen on that day's rows (their labels as known at the start of the first test day, when
    choosing), the cost reported on the test days' eventual clicks. Criteo: the model is fitted on the training lines, the threshold chosen on the
    validation lines. Intervals are resampled with ``seed``.
    """
    train, test = held_out.train, held_out.test
    if data.source == CRITEO:
        fit_rows, validation = train, held_out.validation
        fit_labels, validation_labels = clicks(data, fit_rows), clicks(data, validation)
        rule = f"the {len(validation):,} validation lines"
    else:
        validation_day = int(test["day"].min()) - 1
        fit_rows, validation = train[train["day"] < validation_day], train[train["day"] == validation_day]
        fit_labels = training_labels(data, fit_rows, label_window_hours)
        validation_labels = training_labels(data, validation, label_window_hours)
        rule = f"day {validation_day}, held out of training (the model is fitted on the days before it)"
    model = logistic_regression(data, seed=seed).fit(fit_rows, fit_labels)
    scores, y_test = model.predict(test), clicks(data, test)
    chosen = ThresholdCurve(validation_labels, model.predict(validation)).best_threshold(cost_fp, cost_fn)
    in_sample = ThresholdCurve(y_test, scores).best_threshold(cost_fp, cost_fn)
    rules = {
        "Bayes threshold": (scores, bayes_threshold(cost_fp, cost_fn)),
        "chosen on validation": (scores, chosen.threshold),
        "chosen on the test rows (in-sample)": (scores, in_sample.threshold),
    }
    table = decision_table(y_test, rules, cost_fp, cost_fn)
    validated = rules["chosen on validation"]
    flattery = cost_difference(y_test, rules["chosen on the test rows (in-sample)"], validated,
                               cost_fp, cost_fn, seed=seed)
    vs_bayes = cost_difference(y_test, rules["Bayes threshold"], validated, cost_fp, cost_fn, seed=seed)
    return ThresholdChoice(table, flattery, vs_bayes, rule)


def feature_ablation(
    data: CaseData, held_out: Split, label_window_hours: float, reference: np.ndarray, seed: int
) -> pd.DataFrame:
    """Logistic regression refitted on the training rows without one of its design choices
    (:data:`~.ablation.ABLATIONS`: no crosses; 2^10 instead of 2^18 buckets), scored on the test
    rows against ``reference`` (the full model's test predictions): :func:`~.ablation.ablation_table`,
    its intervals resampling ads (simulated) or rows (Criteo, which has no ad id)."""
    train, test = held_out.train, held_out.test
    labels = training_labels(data, train, label_window_hours)
    predictions = {REFERENCE: reference}
    for name, options in ABLATIONS.items():
        predictions[name] = logistic_regression(data, seed=seed, **options).fit(train, labels).predict(test)
    groups = None if data.source == CRITEO else test["ad_id"].to_numpy()
    return ablation_table(clicks(data, test), predictions, groups=groups, seed=seed)


def position_bias(
    data: CaseData, held_out: Split, label_window_hours: float, aware: np.ndarray, seed: int
) -> pd.DataFrame | None:
    """The click rate by slot against the truth, and what a position-blind model learns
    (:func:`~.position.slot_table`), with its two claims; ``aware`` is the test predictions of the
    logistic regression that has the slot among its features, the blind one is the same model
    fitted and served with every slot set to 1 (so the slot, and the device × slot cross, carry
    nothing); records ``blind_vs_truth_top_slot`` and ``blind_vs_truth_bottom_slot``. Criteo's
    features are anonymous, with no position: one printed line, and None."""
    if data.source == CRITEO:
        print("Criteo's features are anonymous and name no position: the position-bias section "
              "needs data_source simulated.")
        return None
    train, test = held_out.train, held_out.test
    labels = training_labels(data, train, label_window_hours)
    blind = HashedLogisticRegression(seed=seed).fit(train.assign(slot=1), labels).predict(test.assign(slot=1))
    table = slot_table(test, clicks(data, test), blind, aware)
    record("blind_vs_truth_top_slot", table["blind_vs_truth"].iloc[0])
    record("blind_vs_truth_bottom_slot", table["blind_vs_truth"].iloc[-1])
    claim("clicks_fall_with_slot", "the observed click rate falls from each slot to the next lower "
          "one", clicks_fall_with_slot(table), needs_default_sizes=True)
    claim("position_blind_model_is_off_by_slot", "the position-blind model under-predicts the top "
          "slot and over-predicts the bottom one, each by more than the model with the slot is off "
          "in any slot", blind_model_is_off_by_slot(table), needs_default_sizes=True)
    return table


AB_ARMS = ("baseline", "logistic regression")
"""The models of :func:`ab_test`'s arms A (the one in production) and B (the candidate)."""


def ab_test(data: CaseData, held_out: Split, scored: HeldOutPredictions, seed: int) -> pd.DataFrame | None:
    """The online test of :mod:`.online_test` on the test days' requests, arm A the baseline and
    arm B logistic regression (:data:`AB_ARMS`, the fitted models of ``scored``), with ``seed``:
    its table (:meth:`~.online_test.OnlineTest.table`, rounded to 5 decimals), the records
    ``ab_clicks_change`` and ``ab_revenue_change`` (B over A, relative) and two claims — B's
    clicks per request are measurably higher, yet its revenue per request is not. Criteo has no
    truth to draw the click of an ad it never showed: one printed line, and None."""
    if data.source == CRITEO:
        print("An online test draws the clicks of ads the log never showed from their true click "
              "probabilities: only the simulator has them (data_source simulated).")
        return None
    market, requests = data.world, held_out.test
    rows = candidate_rows(market, requests, seed=seed)
    true_ctr = market.true_ctr_of(rows)
    model_a, model_b = AB_ARMS
    result = online_test(market, requests, scored.models[model_a].predict(rows),
                         scored.models[model_b].predict(rows), true_ctr, rows["bid"].to_numpy(),
                         model_a=model_a, model_b=model_b, seed=seed)
    clicks_lift, revenue_lift = result.clicks.relative_difference, result.revenue.relative_difference
    print(f"{len(requests):,} requests, {result.clicks.n_a:,} in arm A and {result.clicks.n_b:,} in "
          f"arm B: clicks {clicks_lift:+.1%}, revenue {revenue_lift:+.1%} (B over A)")
    claim("ab_test_measures_the_click_gain", f"{model_b} raises clicks per request measurably over "
          f"the {model_a} (the interval lies above 0)", bool(result.clicks.ci_low > 0),
          needs_default_sizes=True)
    claim("clicks_are_not_revenue", "yet its revenue per request is not measurably higher (the "
          "interval's lower end is below 0)", bool(result.revenue.ci_low < 0), needs_default_sizes=True)
    record("ab_clicks_change", clicks_lift)
    record("ab_revenue_change", revenue_lift)
    return result.table().round(5)


def training_labels(data: CaseData, rows: pd.DataFrame, label_window_hours: float) -> np.ndarray:
    """The labels a model trains on. Simulated: clicks within ``label_window_hours`` that had
    arrived when it is trained, at the start of the day after ``rows``
    (:func:`~.point_in_time.labels_at_training`). Criteo: the log's labels."""
    if data.source == CRITEO:
        return clicks(data, rows)
    return labels_at_training(rows, label_window_hours)


def slice_table(data: CaseData, held_out: Split, y_test, y_prob, seed: int = 0) -> pd.DataFrame:
    """One model's scorecard on the test rows by slice, indexed by (slice, value), with the
    columns of :data:`~.evaluation.SLICE_COLUMNS`, the bootstrap interval of each slice's
    calibration ratio (``ratio_low``, ``ratio_high``, resampled with ``seed``) and, on simulated
    rows, ``ratio_vs_truth`` (:func:`~.evaluation.sliced_scorecard`); slices with fewer than 5
    clicks are left out.

    Simulated: by device and by ad age (:func:`~.evaluation.slice_scorecards`). Criteo has
    neither, nor a truth; its counterpart of a new ad is a row whose categorical values training
    never saw: sliced by how many of its ``C1`` … ``C26`` (non-empty) values are absent from the
    training rows — ``0``, ``1``, ``2+``.
    """
    test = held_out.test
    if data.source != CRITEO:
        return pd.concat(slice_scorecards(test, y_test, y_prob, seed=seed), names=["slice", "value"])
    unseen = np.zeros(len(test), dtype=np.int64)
    for name in CATEGORICAL_FEATURES:
        values = test[name]
        unseen += (values.notna() & ~values.isin(held_out.train[name].dropna().unique())).to_numpy()
    groups = np.where(unseen >= 2, "2+", unseen.astype(str))
    table = sliced_scorecard(y_test, y_prob, groups, seed=seed)
    return pd.concat({"C values unseen in training": table}, names=["slice", "value"])


def slice_claims(data: CaseData, table: pd.DataFrame) -> None:
    """The claim the slice table supports: on simulated rows, that the slice furthest from
    calibrated by clicks is less far against the truth
    (:func:`~.evaluation.worst_slice_looks_worse_than_it_is`); on Criteo, which has no truth, one
    printed line saying why it is not checked."""
    if TRUTH_COLUMN not in table:
        print("Only the simulator knows each slice's true click rate: the ratio against the truth, "
              "and the claim on it, need data_source simulated.")
        return
    claim("worst_slice_is_partly_chance", "the slice whose calibration ratio looks furthest from 1 "
          "is less far from 1 against the truth", worst_slice_looks_worse_than_it_is(table),
          needs_default_sizes=True)


def beside_published(data: CaseData, held_out: Split, table: pd.DataFrame) -> pd.DataFrame | None:
    """For a Criteo run, print each published result's protocol and source
    (:func:`~.published.published_sources`) and return this run's logistic regression and trees
    (``roc_auc``, ``log_loss`` of the scorecard ``table``) above
    :func:`~.published.published_table`; for the simulator, one printed line and None (the
    published numbers are on Criteo's files)."""
    if data.source != CRITEO:
        print("Published Criteo results are shown when the notebook runs with data_source criteo.")
        return None
    for line in published_sources():
        print(line)
    this_file = f"this file ({data.sizes['rows']:,} lines), ordered 80/10/10"
    ours = {
        f"{model} (this run)": {
            "data": this_file,
            "roc_auc": table.loc[model, "roc_auc"],
            "log_loss": table.loc[model, "log_loss"],
        }
        for model in ("logistic regression", "gradient-boosted trees")
    }
    return pd.concat([pd.DataFrame.from_dict(ours, orient="index"), published_table()]).round(4)


def simulated_world(data: CaseData, *, seed: int, **sizes):
    """The simulator's market for the sections only it can run: ``data.world`` when simulated;
    for Criteo one printed line, then a market simulated with ``seed`` and ``sizes`` (keywords of
    :func:`~.data.load_data`)."""
    if data.source != CRITEO:
        return data.world
    print(
        f"{SIMULATOR_SECTIONS.capitalize()} need the simulator's days, click delays and ads: those "
        f"sections run on a simulated market (seed {seed}); the downsampling section runs on criteo."
    )
    return load_data(SIMULATED, seed=seed, **sizes).world


def logistic_regression(data: CaseData, **options):
    """An unfitted logistic regression for the source's rows: :class:`~.models.HashedLogisticRegression`
    or :class:`~.criteo_models.CriteoLogisticRegression`, with ``options`` (``negative_rate``, ``seed``)."""
    model = CriteoLogisticRegression if data.source == CRITEO else HashedLogisticRegression
    return model(**options)


def clicks(data: CaseData, rows: pd.DataFrame) -> np.ndarray:
    """The eventual clicks of ``rows`` of the source's table: ``click``, or Criteo's ``label``."""
    return rows["label" if data.source == CRITEO else "click"].to_numpy()

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
- :func:`slice_table` — the scorecard by slice.
- :func:`beside_published` — the run's numbers next to :data:`~.published.PUBLISHED`.
- :func:`simulated_world`, :func:`logistic_regression`, :func:`clicks` — the pieces cells need.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.criteo import CATEGORICAL_FEATURES
from mlsd.cases.ad_click.criteo_models import CriteoClickRate, CriteoGBDT, CriteoLogisticRegression
from mlsd.cases.ad_click.data import CRITEO, CRITEO_MEANINGFUL_ROWS, FIRST_TEST_DAY, load_data, split
from mlsd.cases.ad_click.evaluation import slice_scorecards
from mlsd.cases.ad_click.models import HashedLogisticRegression, HistoricalGBDT, SmoothedCTRBaseline
from mlsd.cases.ad_click.published import published_sources, published_table
from mlsd.cases.ad_click.schema import clicks_within
from mlsd.cases.ad_click.tradeoffs import downsampled_predictions, downsampling_table, downsampling_tradeoff
from mlsd.cases.contract import SIMULATED, CaseData, Split
from mlsd.evaluation import scorecards_by
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

    Simulated: training labels are clicks within ``label_window_hours``
    (:func:`~.schema.clicks_within`); :class:`~.models.SmoothedCTRBaseline`,
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
        predictions = {
            "baseline": CriteoClickRate().fit(train, labels).predict(test),
            "logistic regression": CriteoLogisticRegression(seed=seed).fit(train, labels).predict(test),
            "gradient-boosted trees": gbdt.predict(test),
        }
        return HeldOutPredictions(y_test, predictions)
    train_labels = clicks_within(train, label_window_hours)
    lr = HashedLogisticRegression(seed=seed).fit(train, train_labels)
    gbdt = HistoricalGBDT(seed=seed).fit(train, train_labels)
    gbdt.update_counters(test, clicks_within(test, label_window_hours))
    predictions = {
        "baseline": SmoothedCTRBaseline().fit(train, train_labels).predict(test),
        "logistic regression": lr.predict(test),
        "gradient-boosted trees": gbdt.predict(test),
        "truth": test["true_ctr"].to_numpy(),
    }
    return HeldOutPredictions(y_test, predictions)


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


def slice_table(data: CaseData, held_out: Split, y_test, y_prob) -> pd.DataFrame:
    """One model's scorecard on the test rows by slice, indexed by (slice, value), with the
    columns of :data:`~.evaluation.SLICE_COLUMNS`; slices with fewer than 5 clicks are left out.

    Simulated: by device and by ad age (:func:`~.evaluation.slice_scorecards`). Criteo has
    neither; its counterpart of a new ad is a row whose categorical values training never saw:
    sliced by how many of its ``C1`` … ``C26`` (non-empty) values are absent from the training
    rows — ``0``, ``1``, ``2+``.
    """
    test = held_out.test
    if data.source != CRITEO:
        return pd.concat(slice_scorecards(test, y_test, y_prob), names=["slice", "value"])
    unseen = np.zeros(len(test), dtype=np.int64)
    for name in CATEGORICAL_FEATURES:
        values = test[name]
        unseen += (values.notna() & ~values.isin(held_out.train[name].dropna().unique())).to_numpy()
    groups = np.where(unseen >= 2, "2+", unseen.astype(str))
    table = scorecards_by(y_test, y_prob, groups)[["n", "positives", "normalized_entropy", "calibration_ratio"]]
    return pd.concat({"C values unseen in training": table}, names=["slice", "value"])


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

"""Calibration explorer: negative downsampling, the miscalibration it causes and its correction.

Click-through-rate models are often trained on data where every click is kept but each non-click
only with probability ``w`` (He et al. 2014, §6). Such a model predicts the click rate of the
downsampled data, too high by an odds factor ``1 / w``; ``q = p / (p + (1 − p) / w)`` maps its
predictions back. :class:`CalibrationExplorerState` evaluates, on the same full-rate labels, the
raw and corrected predictions of models trained at several rates; :class:`CalibrationExplorer`
lets you slide between the rates and watch the reliability diagram.

References
----------
He, X. et al. (2014). Practical lessons from predicting clicks on ads at Facebook. ADKDD.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
import pandas as pd

from mlsd.explore._figures import reliability_diagram_png
from mlsd.metrics.calibration import (
    STRATEGIES,
    ReliabilityTable,
    calibration_ratio,
    expected_calibration_error,
    reliability_table,
    undo_downsampling,
)
from mlsd.metrics.classification import log_loss, normalized_entropy
from mlsd.validation import check_choice, check_int, check_number


@dataclass(frozen=True)
class PredictionQuality:
    """How well one set of predicted probabilities is calibrated, and how good it is overall.

    Attributes
    ----------
    mean_prediction : float
        Mean predicted probability (to compare with the observed positive rate).
    calibration_ratio : float
        Mean prediction over observed positive rate; 1 is calibrated on average.
    ece : float
        Expected calibration error over the explorer's bins.
    log_loss : float
        Mean negative log-likelihood, in nats.
    normalized_entropy : float
        Log loss over the log loss of always predicting the observed rate; below 1 is better.
    reliability : ReliabilityTable
        Mean prediction and observed rate per bin (not compared by ``==``).
    """

    mean_prediction: float
    calibration_ratio: float
    ece: float
    log_loss: float
    normalized_entropy: float
    reliability: ReliabilityTable = field(compare=False, repr=False)


@dataclass(frozen=True)
class CalibrationSnapshot:
    """The raw and corrected predictions of the model trained at one downsampling rate.

    Attributes
    ----------
    rate : float
        ``w``, the share of negatives the model's training data kept.
    observed_rate : float
        Share of positives among the evaluation labels.
    raw : PredictionQuality
        The model's predictions as they come.
    corrected : PredictionQuality
        ``undo_downsampling(raw, rate)``; equal to ``raw`` at rate 1.
    """

    rate: float
    observed_rate: float
    raw: PredictionQuality
    corrected: PredictionQuality


class CalibrationExplorerState:
    """The calibration explorer without widgets: choose a rate, read a :meth:`snapshot`.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Evaluation labels at the full (not downsampled) rate, each 0 or 1, both present.
    predictions_by_rate : mapping of float to array-like of shape (n,)
        For each downsampling rate ``w`` in (0, 1], the probabilities predicted for ``y_true`` by
        a model trained with negatives kept at rate ``w``. The caller trains the models; the
        explorer only evaluates them.
    rate : float, optional
        Starting rate, one of the keys; by default the smallest, where the correction matters most.
    n_bins : int, default=10
        Number of bins of the reliability tables and the ECE.
    strategy : {"quantile", "uniform"}, default="quantile"
        Binning, as in :func:`mlsd.metrics.calibration.reliability_table`. Quantile bins suit
        click rates of a few percent: uniform bins over [0, 1] would put nearly every corrected
        prediction in the first bin. Since the correction preserves the order of predictions, raw
        and corrected quantile bins hold the same examples (up to ties), so a bin keeps its
        observed rate and only its mean prediction moves.

    Notes
    -----
    A snapshot is computed with :mod:`mlsd.metrics` the first time its rate is chosen and kept,
    so returning to a rate is free.
    """

    def __init__(self, y_true, predictions_by_rate, *, rate=None, n_bins=10, strategy="quantile"):
        self.y_true = _labels(y_true)
        self.predictions_by_rate = _predictions(predictions_by_rate, len(self.y_true))
        self.n_bins = check_int("n_bins", n_bins, 1)
        self.strategy = check_choice("strategy", strategy, STRATEGIES)
        self._snapshots: dict[float, CalibrationSnapshot] = {}
        self.rate = self.rates[0] if rate is None else rate

    @property
    def rates(self) -> tuple[float, ...]:
        """The downsampling rates, increasing."""
        return tuple(self.predictions_by_rate)

    @property
    def rate(self) -> float:
        """The rate shown; one of :attr:`rates`."""
        return self._rate

    @rate.setter
    def rate(self, value) -> None:
        self._rate = _one_of_rates(value, self.rates)

    def corrected(self, rate: float | None = None) -> np.ndarray:
        """Corrected predictions of the model trained at ``rate`` (default: the current rate)."""
        rate = self._rate if rate is None else _one_of_rates(rate, self.rates)
        return undo_downsampling(self.predictions_by_rate[rate], rate)

    def snapshot(self) -> CalibrationSnapshot:
        """Raw and corrected calibration and loss at the current rate."""
        return self.snapshot_at(self._rate)

    def summary(self) -> pd.DataFrame:
        """One row per rate: raw and corrected calibration ratio, ECE and normalized entropy."""
        rows = []
        for rate in self.rates:
            snapshot = self.snapshot_at(rate)
            rows.append(
                {
                    "rate": rate,
                    "calibration_ratio_raw": snapshot.raw.calibration_ratio,
                    "calibration_ratio_corrected": snapshot.corrected.calibration_ratio,
                    "ece_raw": snapshot.raw.ece,
                    "ece_corrected": snapshot.corrected.ece,
                    "normalized_entropy_raw": snapshot.raw.normalized_entropy,
                    "normalized_entropy_corrected": snapshot.corrected.normalized_entropy,
                }
            )
        return pd.DataFrame(rows).set_index("rate")

    def snapshot_at(self, rate: float) -> CalibrationSnapshot:
        """The snapshot at any of the rates, computed once and kept."""
        rate = _one_of_rates(rate, self.rates)
        if rate not in self._snapshots:
            self._snapshots[rate] = self._evaluate(rate)
        return self._snapshots[rate]

    def _evaluate(self, rate: float) -> CalibrationSnapshot:
        raw = self.predictions_by_rate[rate]
        return CalibrationSnapshot(
            rate=rate,
            observed_rate=float(self.y_true.mean()),
            raw=self._quality(raw),
            corrected=self._quality(undo_downsampling(raw, rate)),
        )

    def _quality(self, prob: np.ndarray) -> PredictionQuality:
        y_true, n_bins, strategy = self.y_true, self.n_bins, self.strategy
        return PredictionQuality(
            mean_prediction=float(prob.mean()),
            calibration_ratio=calibration_ratio(y_true, prob),
            ece=expected_calibration_error(y_true, prob, n_bins, strategy),
            log_loss=log_loss(y_true, prob),
            normalized_entropy=normalized_entropy(y_true, prob),
            reliability=_read_only(reliability_table(y_true, prob, n_bins, strategy)),
        )


class CalibrationExplorer:
    """Interactive calibration explorer: a slider over the downsampling rates, a table, a diagram.

    Parameters
    ----------
    y_true, predictions_by_rate, rate, n_bins, strategy
        As in :class:`CalibrationExplorerState`.

    Attributes
    ----------
    state : CalibrationExplorerState
        The numbers behind the view; the slider only sets its rate.
    slider, readout, image
        The widgets; ``widget`` holds them all. A notebook cell ending with the explorer shows it.

    Notes
    -----
    The reliability diagram has log-scaled axes; see
    :func:`mlsd.explore._figures.reliability_diagram_png` for why. The rates are few, so every
    rate's numbers and diagram are computed when the explorer is built; moving the slider then
    only swaps kept results, within a frame even on millions of predictions.
    """

    def __init__(self, y_true, predictions_by_rate, *, rate=None, n_bins=10, strategy="quantile"):
        self.state = CalibrationExplorerState(
            y_true, predictions_by_rate, rate=rate, n_bins=n_bins, strategy=strategy
        )
        self.slider = widgets.SelectionSlider(
            options=[(_rate_label(rate), rate) for rate in self.state.rates],
            value=self.state.rate,
            description="Negative downsampling in training",
            tooltip="Share of non-clicks the model's training data kept (all clicks are kept)",
            continuous_update=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="760px"),
        )
        self.readout = widgets.HTML(layout=widgets.Layout(width="440px"))
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="520px"))
        self._png_by_rate = {rate: self._diagram(self.state.snapshot_at(rate)) for rate in self.state.rates}
        self.widget = widgets.VBox(
            [
                widgets.HTML(_INTRO),
                self.slider,
                widgets.HBox(
                    [self.readout, self.image],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
                ),
            ]
        )
        self.slider.observe(self._on_rate, names="value")
        self._show()

    def _on_rate(self, change) -> None:
        self.state.rate = change["new"]
        self._show()

    def _show(self) -> None:
        snapshot = self.state.snapshot()
        self.readout.value = _readout_html(snapshot, self.state.n_bins, self.state.strategy)
        self.image.value = self._png_by_rate[snapshot.rate]

    @staticmethod
    def _diagram(snapshot: CalibrationSnapshot) -> bytes:
        return reliability_diagram_png(
            snapshot.raw.reliability, snapshot.corrected.reliability, f"Training data: {_rate_label(snapshot.rate)}"
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _rate_label(rate: float) -> str:
    """How the explorer names a downsampling rate, e.g. ``"keep 10% of negatives"``."""
    if rate == 1:
        return "keep all negatives (no downsampling)"
    return f"keep {rate * 100:.3g}% of negatives"


_INTRO = (
    "<div style='font-size: 13px'>A model trained on data that keeps only a share <i>w</i> of the "
    "negatives (and every positive) over-predicts. The correction "
    "<i>q</i> = <i>p</i> / (<i>p</i> + (1 − <i>p</i>) / <i>w</i>) maps its prediction <i>p</i> "
    "back to the full data.</div>"
)


def _readout_html(snapshot: CalibrationSnapshot, n_bins: int, strategy: str) -> str:
    raw, corrected = snapshot.raw, snapshot.corrected
    rows = [
        ("mean predicted click rate", "{:.4%}", raw.mean_prediction, corrected.mean_prediction),
        (
            "calibration ratio (1 = calibrated)",
            "{:.3f}",
            raw.calibration_ratio,
            corrected.calibration_ratio,
        ),
        (f"ECE ({n_bins} {strategy} bins)", "{:.4f}", raw.ece, corrected.ece),
        ("log loss", "{:.4f}", raw.log_loss, corrected.log_loss),
        (
            "normalized entropy (< 1 beats the base rate)",
            "{:.4f}",
            raw.normalized_entropy,
            corrected.normalized_entropy,
        ),
    ]
    body = "".join(
        f"<tr><th style='text-align: left; padding: 2px 8px'>{html.escape(name)}</th>"
        f"<td style='text-align: right; padding: 2px 8px'>{form.format(raw_value)}</td>"
        f"<td style='text-align: right; padding: 2px 8px'>{form.format(corrected_value)}</td></tr>"
        for name, form, raw_value, corrected_value in rows
    )
    return (
        "<div style='font-size: 13px'>"
        f"<b>Training data: {_rate_label(snapshot.rate)}</b><br>"
        f"observed click rate {snapshot.observed_rate:.4%}"
        "<table style='margin-top: 6px; border-collapse: collapse'>"
        "<tr><th></th><th style='padding: 2px 8px'>raw</th>"
        "<th style='padding: 2px 8px'>corrected</th></tr>"
        f"{body}</table></div>"
    )


def _read_only(table: ReliabilityTable) -> ReliabilityTable:
    """The table with its arrays made read-only, since snapshots are kept and shared."""
    for array in table:
        array.setflags(write=False)
    return table


def _labels(y_true) -> np.ndarray:
    try:
        labels = np.asarray(y_true, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"y_true must be an array of 0 and 1; got {y_true!r:.60}") from None
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(
            f"y_true must be a non-empty 1-dimensional array; got shape {labels.shape}"
        )
    if not np.isin(labels, (0.0, 1.0)).all():
        where = int(np.flatnonzero(~np.isin(labels, (0.0, 1.0)))[0])
        raise ValueError(f"y_true must contain only 0 and 1; y_true[{where}] = {labels[where]}")
    if labels.min() == labels.max():
        raise ValueError(
            f"y_true must contain both classes (0 and 1) to measure calibration; "
            f"it holds only {labels[0]:g}"
        )
    return labels


def _predictions(predictions_by_rate, n: int) -> dict[float, np.ndarray]:
    """The predictions as float arrays keyed by float rate, in increasing order of rate."""
    if not isinstance(predictions_by_rate, Mapping) or not predictions_by_rate:
        raise ValueError(
            "predictions_by_rate must be a non-empty mapping from rate in (0, 1] to predictions; "
            f"got {type(predictions_by_rate).__name__} {predictions_by_rate!r:.60}"
        )
    arrays = {}
    for key, prediction in predictions_by_rate.items():
        rate = check_number("each downsampling rate", key, 0, 1, low_open=True)
        if rate in arrays:
            raise ValueError(f"predictions_by_rate has the rate {rate:g} twice")
        arrays[rate] = _probabilities(prediction, f"predictions_by_rate[{key!r}]", n)
    return dict(sorted(arrays.items()))


def _probabilities(values, name: str, n: int) -> np.ndarray:
    try:
        prob = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of probabilities; got {values!r:.60}") from None
    if prob.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), the shape of y_true; got {prob.shape}")
    outside = ~((prob >= 0) & (prob <= 1))
    if outside.any():
        where = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"{name} must hold probabilities in [0, 1]; {name}[{where}] = {prob[where]}"
        )
    return prob


def _one_of_rates(value, rates: tuple[float, ...]) -> float:
    for rate in rates:
        if value == rate:
            return rate
    listed = ", ".join(f"{rate:g}" for rate in rates)
    raise ValueError(f"rate must be one of the rates given ({listed}); got {value!r}")

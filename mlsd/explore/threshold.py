"""Threshold explorer: choose the score at or above which to act, and see what the choice costs.

Many decisions threshold a model's score: bid on an impression when the predicted click rate is
high enough, filter an impression when its quality score is too low. :class:`ThresholdExplorerState`
answers, for any threshold and any costs of the two mistakes, the confusion matrix, precision,
recall, F1, the false-positive rate and the expected cost per example, together with the
threshold that minimises that cost. :class:`ThresholdExplorer` puts a slider, two cost inputs and
a figure on top of it.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np

from mlsd.explore._figures import ThresholdFigure
from mlsd.metrics.thresholds import BestThreshold, ThresholdCurve
from mlsd.validation import number_property

GRID_POINTS_EACH = 256
SLIDER_STEPS_AT_LEAST = 1_000
COST_INPUT_MAX = 1e9


class ThresholdRange(NamedTuple):
    """Thresholds worth exploring: ``low`` flags every example, ``high`` flags none.

    ``step`` is a power of ten giving between 1,000 and 10,000 steps from ``low`` to ``high``: finer
    than a mouse can drag, and coarse enough that one arrow-key press on the slider moves the
    threshold by one unit of the last digit shown (the slider shows as many decimals as ``step``);
    ``low`` and ``high`` are multiples of it (rounded outwards) around the lowest and highest score.
    When every score equals ``s``, the range is a window of width ``max(|s|, 1)`` centred on ``s``.
    """

    low: float
    high: float
    step: float


@dataclass(frozen=True)
class ThresholdSnapshot:
    """What the explorer shows for one threshold and one pair of mistake costs.

    Attributes
    ----------
    threshold : float
        Examples scoring ``>= threshold`` are flagged (acted on).
    tp, fp, tn, fn : int
        Confusion counts at ``threshold``.
    precision, recall, f1, fpr : float
        As :mod:`mlsd.metrics.classification` computes them (0 where undefined).
    expected_cost : float
        Mean cost per example, ``(cost_fp · fp + cost_fn · fn) / n``.
    flagged_share : float
        Share of examples flagged, ``(tp + fp) / n``.
    best_threshold : float
        The threshold minimising the expected cost at these costs; ``+inf`` when flagging
        nothing is cheapest.
    best_cost : float
        The expected cost at ``best_threshold``.
    """

    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int
    precision: float
    recall: float
    f1: float
    fpr: float
    expected_cost: float
    flagged_share: float
    best_threshold: float
    best_cost: float


@dataclass(frozen=True, eq=False)
class CurvesOnGrid:
    """Precision, recall and expected cost on a grid of thresholds (what the figure draws).

    Precision is NaN where nothing is flagged, so its line ends instead of dropping to 0.
    """

    thresholds: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    expected_cost: np.ndarray


class ThresholdExplorerState:
    """The threshold explorer without widgets: set the inputs, read a :meth:`snapshot`.

    Parameters
    ----------
    y_true : array-like of shape (n,)
        Labels, each 0 or 1.
    y_score : array-like of shape (n,)
        Scores; higher means more likely positive. An example is flagged when
        ``score >= threshold``.
    threshold : float, optional
        Starting threshold, any finite number. By default 0.5 when every score lies in [0, 1]
        (the usual default of a classifier's ``predict``), otherwise the middle of the score range.
    cost_fp : float, default=1.0
        Cost of flagging a negative (a false positive), finite and >= 0.
    cost_fn : float, default=1.0
        Cost of missing a positive (a false negative), finite and >= 0.

    Notes
    -----
    One :class:`~mlsd.metrics.thresholds.ThresholdCurve` is built at construction (O(n log n)).
    Moving the threshold costs O(log n); the cost-minimising threshold (O(n)) and the cost curve
    on the plotting grid are computed once per pair of costs and cached. Every number in a
    snapshot is exactly what the functions of :mod:`mlsd.metrics` return on the raw data.
    """

    def __init__(self, y_true, y_score, *, threshold=None, cost_fp=1.0, cost_fn=1.0):
        self.curve = ThresholdCurve(y_true, y_score)
        scores = self.curve.distinct_scores
        self.threshold_range = _threshold_range(float(scores[0]), float(scores[-1]))
        self._grid = _plot_grid(scores, self.threshold_range)
        self._precision_on_grid = self.curve.precision(self._grid, zero_division=np.nan)
        self._recall_on_grid = self.curve.recall(self._grid)
        self._by_costs: dict[tuple[float, float], tuple[BestThreshold, np.ndarray]] = {}
        self.cost_fp = cost_fp
        self.cost_fn = cost_fn
        self.threshold = _default_threshold(scores) if threshold is None else threshold

    threshold = number_property(
        "threshold", "Examples scoring at or above it are flagged; any finite number.")

    cost_fp = number_property(
        "cost_fp", "Cost of a false positive (flagging a negative); finite and >= 0.", 0)

    cost_fn = number_property(
        "cost_fn", "Cost of a false negative (missing a positive); finite and >= 0.", 0)

    def best(self) -> BestThreshold:
        """The cost-minimising threshold and its cost at the current costs (cached per costs)."""
        return self._for_costs()[0]

    def curves(self) -> CurvesOnGrid:
        """Precision, recall and expected cost on at most 512 thresholds spanning the range.

        The grid joins 256 evenly spaced thresholds with 256 distinct scores evenly spaced in
        rank, so the curves are resolved both across the range and where the scores crowd.
        """
        return CurvesOnGrid(
            thresholds=self._grid,
            precision=self._precision_on_grid,
            recall=self._recall_on_grid,
            expected_cost=self._for_costs()[1],
        )

    def snapshot(self) -> ThresholdSnapshot:
        """Every number the explorer shows at the current threshold and costs."""
        threshold, curve = self._threshold, self.curve
        counts = curve.counts(threshold)
        best = self.best()
        return ThresholdSnapshot(
            threshold=threshold,
            tp=counts.tp,
            fp=counts.fp,
            tn=counts.tn,
            fn=counts.fn,
            precision=curve.precision(threshold),
            recall=curve.recall(threshold),
            f1=curve.fbeta(threshold, beta=1.0),
            fpr=curve.fpr(threshold),
            expected_cost=curve.expected_cost(threshold, self._cost_fp, self._cost_fn),
            flagged_share=(counts.tp + counts.fp) / curve.n,
            best_threshold=best.threshold,
            best_cost=best.cost,
        )

    def _for_costs(self) -> tuple[BestThreshold, np.ndarray]:
        """Best threshold and cost curve on the grid for the current costs, computed once each."""
        costs = (self._cost_fp, self._cost_fn)
        if costs not in self._by_costs:
            self._by_costs[costs] = (
                self.curve.best_threshold(*costs),
                self.curve.expected_cost(self._grid, *costs),
            )
        return self._by_costs[costs]


class ThresholdExplorer:
    """Interactive threshold explorer: a slider, the costs of both mistakes, a readout and a figure.

    Parameters
    ----------
    y_true, y_score, threshold, cost_fp, cost_fn
        As in :class:`ThresholdExplorerState`.
    title : str, optional
        Heading shown above the controls.

    Attributes
    ----------
    state : ThresholdExplorerState
        The numbers behind the view; the widgets only set its inputs.
    slider, cost_fp_input, cost_fn_input, best_button, readout, image
        The widgets; ``widget`` holds them all. A notebook cell ending with the explorer shows it.
    """

    def __init__(self, y_true, y_score, *, threshold=None, cost_fp=1.0, cost_fn=1.0, title=""):
        self.state = ThresholdExplorerState(
            y_true, y_score, threshold=threshold, cost_fp=cost_fp, cost_fn=cost_fn
        )
        self.slider = self._threshold_slider()
        self.cost_fp_input = _cost_input(
            self.state.cost_fp,
            "Cost of a false positive",
            "What flagging a negative costs, e.g. a bid or impression wasted on a non-click",
        )
        self.cost_fn_input = _cost_input(
            self.state.cost_fn,
            "Cost of a false negative",
            "What missing a positive costs, e.g. the value of a click never shown",
        )
        self.best_button = widgets.Button(
            description="Go to the cost-minimising threshold",
            tooltip="Move the slider to the threshold with the lowest expected cost at these costs",
            layout=widgets.Layout(width="280px"),
        )
        self.readout = widgets.HTML(layout=widgets.Layout(width="340px"))
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="680px"))
        self._figure = ThresholdFigure((self.slider.min, self.slider.max))
        self.widget = self._layout(title)
        self._connect()
        self._show(costs_changed=True)

    def _threshold_slider(self) -> widgets.FloatSlider:
        bounds, threshold = self.state.threshold_range, self.state.threshold
        return widgets.FloatSlider(
            value=threshold,
            min=min(bounds.low, threshold),
            max=max(bounds.high, threshold),
            step=bounds.step,
            readout_format=f".{_decimals(bounds.step)}f",
            continuous_update=False,
            description="Threshold",
            tooltip="Flag (act on) every example whose score is at or above this value; "
            "far left flags everything, far right flags nothing",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="640px"),
        )

    def _layout(self, title: str) -> widgets.VBox:
        rows = [
            widgets.HBox([self.slider, self.best_button]),
            widgets.HBox([self.cost_fp_input, self.cost_fn_input]),
            widgets.HBox(
                [self.readout, self.image],
                layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
            ),
        ]
        if title:
            rows.insert(0, widgets.HTML(f"<h3>{html.escape(title)}</h3>"))
        return widgets.VBox(rows)

    def _connect(self) -> None:
        self.slider.observe(self._on_threshold, names="value")
        self.cost_fp_input.observe(self._on_cost_fp, names="value")
        self.cost_fn_input.observe(self._on_cost_fn, names="value")
        self.best_button.on_click(self._go_to_best)

    def _on_threshold(self, change) -> None:
        self.state.threshold = change["new"]
        self._show(costs_changed=False)

    def _on_cost_fp(self, change) -> None:
        self.state.cost_fp = change["new"]
        self._show(costs_changed=True)

    def _on_cost_fn(self, change) -> None:
        self.state.cost_fn = change["new"]
        self._show(costs_changed=True)

    def _go_to_best(self, _button) -> None:
        self.slider.value = min(self.state.best().threshold, self.slider.max)

    def _show(self, costs_changed: bool) -> None:
        snapshot = self.state.snapshot()
        if costs_changed:
            curves = self.state.curves()
            self._figure.draw_curves(
                curves.thresholds,
                curves.precision,
                curves.recall,
                curves.expected_cost,
                snapshot.best_threshold,
            )
        self.readout.value = _readout_html(snapshot, self.state.cost_fp, self.state.cost_fn)
        anything_flagged = snapshot.tp + snapshot.fp > 0
        self.image.value = self._figure.png(
            snapshot.threshold,
            snapshot.precision if anything_flagged else math.nan,
            snapshot.recall,
            snapshot.expected_cost,
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _readout_html(snapshot: ThresholdSnapshot, cost_fp: float, cost_fn: float) -> str:
    """The readout: the confusion matrix, the rates, and the cost against the best achievable."""
    s = snapshot
    n = s.tp + s.fp + s.tn + s.fn
    return f"""
<div style="font-size: 13px; line-height: 1.35">
<b>Threshold {s.threshold:.4f}</b>: flags {s.flagged_share:.2%} of examples
({s.tp + s.fp:,} of {n:,})
<table style="margin: 6px 0; border-collapse: collapse">
<tr><th></th><th style="padding: 2px 8px">flagged</th>
<th style="padding: 2px 8px">not flagged</th></tr>
<tr><th style="text-align: left">actually positive</th>
<td style="padding: 2px 8px; text-align: right">TP {s.tp:,}</td>
<td style="padding: 2px 8px; text-align: right">FN {s.fn:,}</td></tr>
<tr><th style="text-align: left">actually negative</th>
<td style="padding: 2px 8px; text-align: right">FP {s.fp:,}</td>
<td style="padding: 2px 8px; text-align: right">TN {s.tn:,}</td></tr>
</table>
precision {s.precision:.4f} · recall {s.recall:.4f} · F1 {s.f1:.4f} · FPR {s.fpr:.4f}<br>
<b>expected cost per example {s.expected_cost:.4g}</b>
= ({cost_fp:g} × FP + {cost_fn:g} × FN) / n<br>
cost-minimising threshold {_threshold_text(s.best_threshold)}:
cost {s.best_cost:.4g} per example;
this threshold costs {s.expected_cost - s.best_cost:.4g} more
</div>"""


def _decimals(step: float) -> int:
    return max(0, -round(math.log10(step)))


def _threshold_text(threshold: float) -> str:
    return "+inf (flag nothing)" if math.isinf(threshold) else f"{threshold:.4f}"


def _cost_input(value: float, description: str, tooltip: str) -> widgets.BoundedFloatText:
    return widgets.BoundedFloatText(
        value=value,
        min=0.0,
        max=max(COST_INPUT_MAX, value),
        step=0.1,
        description=description,
        tooltip=tooltip,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="300px"),
    )


def _threshold_range(lowest: float, highest: float) -> ThresholdRange:
    if lowest == highest:
        half_width = max(abs(highest), 1.0) / 2
        lowest, highest = lowest - half_width, highest + half_width
    exponent = math.floor(math.log10((highest - lowest) / SLIDER_STEPS_AT_LEAST))
    step = 10.0**exponent
    digits = max(-exponent, 0)
    low = min(round(math.floor(lowest / step) * step, digits), lowest)
    high = round((math.floor(highest / step) + 1) * step, digits)
    return ThresholdRange(low=low, high=max(high, math.nextafter(highest, math.inf)), step=step)


def _plot_grid(distinct_scores: np.ndarray, bounds: ThresholdRange) -> np.ndarray:
    evenly_in_value = np.linspace(bounds.low, bounds.high, GRID_POINTS_EACH)
    ranks = np.linspace(0, len(distinct_scores) - 1, min(GRID_POINTS_EACH, len(distinct_scores)))
    return np.union1d(evenly_in_value, distinct_scores[ranks.round().astype(int)])


def _default_threshold(distinct_scores: np.ndarray) -> float:
    lowest, highest = float(distinct_scores[0]), float(distinct_scores[-1])
    if lowest >= 0.0 and highest <= 1.0:
        return 0.5
    return (lowest + highest) / 2

"""Figures of the explorers, rendered to PNG bytes without pyplot or a kernel.

Each figure is a ``matplotlib.figure.Figure`` on its own Agg canvas, so nothing touches pyplot's
global state and the bytes can be checked in tests. The threshold figure is drawn in two layers:
the curves, which change only with the costs, are rendered once into a saved background, and a
slider move redraws only the current-threshold marks on top of it (a few milliseconds instead of a
full matplotlib draw).
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.ticker import FuncFormatter, NullLocator

DPI = 100
PNG_COMPRESSION = 1
CURRENT_COLOUR = "black"
BEST_COLOUR = "tab:green"
RAW_COLOUR = "tab:orange"
CORRECTED_COLOUR = "tab:blue"


def new_figure(width_px: int, height_px: int) -> Figure:
    """An empty figure of the given size in pixels, with constrained layout, on an Agg canvas."""
    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def canvas_png(figure: Figure) -> bytes:
    """The figure's canvas as it was last drawn, encoded as PNG (fast, light compression)."""
    buffer = io.BytesIO()
    pixels = np.asarray(figure.canvas.buffer_rgba())
    imsave(buffer, pixels, format="png", pil_kwargs={"compress_level": PNG_COMPRESSION})
    return buffer.getvalue()


class ThresholdFigure:
    """Precision and recall (left) and expected cost per example (right) against the threshold.

    Parameters
    ----------
    x_limits : tuple of float
        The threshold axis range: its left end flags everything, its right end flags nothing and
        stands for a best threshold of ``+inf``.
    width_px, height_px : int
        Size of the rendered image.

    Notes
    -----
    :meth:`draw_curves` renders the background layer (curves and the cost-minimising threshold,
    which depend on the costs); :meth:`png` draws the current-threshold marks over it.
    """

    def __init__(self, x_limits: tuple[float, float], width_px: int = 680, height_px: int = 320):
        self.figure = new_figure(width_px, height_px)
        self._x_limits = x_limits
        self._pr_axes, self._cost_axes = self.figure.subplots(1, 2)
        self._precision_line, self._recall_line = self._pr_axes.plot([], [], [], [])
        (self._cost_line,) = self._cost_axes.plot([], [], color="tab:red")
        self._best_marks = [self._mark(axes, "--", BEST_COLOUR, False) for axes in self._axes]
        self._current_marks = [self._mark(axes, "-", CURRENT_COLOUR, True) for axes in self._axes]
        (self._current_pr_points,) = self._pr_axes.plot(
            [], [], "o", color=CURRENT_COLOUR, animated=True
        )
        (self._current_cost_point,) = self._cost_axes.plot(
            [], [], "o", color=CURRENT_COLOUR, animated=True
        )
        self._label_axes()
        self._background = None

    @property
    def _axes(self):
        return (self._pr_axes, self._cost_axes)

    def _mark(self, axes, style: str, colour: str, animated: bool):
        return axes.axvline(self._x_limits[0], ls=style, lw=1.2, color=colour, animated=animated)

    def _label_axes(self) -> None:
        self._precision_line.set_label("precision")
        self._recall_line.set_label("recall")
        self._best_marks[0].set_label("cost-minimising threshold")
        self._current_marks[0].set_label("current threshold")
        for axes in self._axes:
            axes.set_xlim(self._x_limits)
            axes.set_xlabel("threshold (flag when score ≥ threshold)", fontsize="small")
            axes.tick_params(labelsize="small")
        self._pr_axes.set_ylim(0, 1.02)
        self._pr_axes.set_title("Precision and recall", fontsize="medium")
        self._cost_axes.set_title("Expected cost per example", fontsize="medium")
        self.figure.legend(loc="outside lower center", ncols=4, fontsize="small", frameon=False)

    def draw_curves(self, thresholds, precision, recall, cost, best_threshold: float) -> None:
        """Render the background: the curves on a threshold grid and the best threshold's marks."""
        self._precision_line.set_data(thresholds, precision)
        self._recall_line.set_data(thresholds, recall)
        self._cost_line.set_data(thresholds, cost)
        self._cost_axes.set_ylim(0, _cost_axis_top(cost))
        best_x = min(best_threshold, self._x_limits[1])
        for mark in self._best_marks:
            mark.set_xdata([best_x, best_x])
        self.figure.canvas.draw()
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def png(self, threshold: float, precision: float, recall: float, cost: float) -> bytes:
        """The background with the current threshold marked, as PNG bytes (NaN: no dot)."""
        if self._background is None:
            raise RuntimeError("draw_curves must be called before png")
        self.figure.canvas.restore_region(self._background)
        for mark in self._current_marks:
            mark.set_xdata([threshold, threshold])
        self._current_pr_points.set_data([threshold, threshold], [precision, recall])
        self._current_cost_point.set_data([threshold], [cost])
        moving = [*self._current_marks, self._current_pr_points, self._current_cost_point]
        for artist in moving:
            artist.axes.draw_artist(artist)
        return canvas_png(self.figure)


def _cost_axis_top(cost: np.ndarray) -> float:
    """Room up to 1.5 times the cheaper trivial policy (flag everything, or flag nothing).

    Only thresholds that cost less than both trivial policies make the model worth using, so
    that region gets the height; where the curve rises above the top it leaves the panel.
    """
    cheaper_trivial = min(cost[0], cost[-1])
    top = 1.5 * cheaper_trivial if cheaper_trivial > 0 else np.max(cost)
    return max(float(top), 1e-12)


def reliability_diagram_png(
    raw, corrected, title: str, width_px: int = 520, height_px: int = 440
) -> bytes:
    """Observed positive rate against mean prediction per bin, raw and corrected, on log-log axes.

    Parameters
    ----------
    raw, corrected : ReliabilityTable
        The bins of the raw and of the corrected predictions.
    title : str
        Axes title.
    width_px, height_px : int
        Size of the rendered image.

    Notes
    -----
    Both axes are logarithmic with equal limits, so the diagonal is the line of perfect
    calibration. At click rates of a few percent the predictions span two or more orders of
    magnitude: on linear axes every bin piles into the bottom-left corner, while on log axes a
    model that is off by a constant factor sits at a constant distance from the diagonal. Negative
    downsampling multiplies the odds by ``1 / w``, so its raw bins run parallel to the diagonal,
    shifted right, and the correction moves them onto it. Bins without a single positive have an
    observed rate of 0, which a log axis cannot show; they are left out. Ticks mark whole decades
    only, labelled in percent: minor log ticks and ``10^k`` labels would double the drawing time.
    """
    figure = new_figure(width_px, height_px)
    axes = figure.subplots()
    low, high = _log_limits(raw, corrected)
    axes.plot([low, high], [low, high], ls=":", color="grey", label="perfectly calibrated")
    for table, colour, label in (
        (raw, RAW_COLOUR, "raw"),
        (corrected, CORRECTED_COLOUR, "corrected"),
    ):
        observed = np.where(table.observed_rate > 0, table.observed_rate, np.nan)
        axes.plot(table.mean_predicted, observed, "o-", color=colour, label=label)
    axes.set(xscale="log", yscale="log", xlim=(low, high), ylim=(low, high), aspect="equal")
    for axis in (axes.xaxis, axes.yaxis):
        axis.set_minor_locator(NullLocator())
        axis.set_major_formatter(FuncFormatter(_percent))
    axes.set_xlabel("mean predicted click rate in the bin")
    axes.set_ylabel("observed click rate in the bin")
    axes.set_title(title, fontsize="medium")
    axes.legend(loc="upper left", fontsize="small")
    figure.canvas.draw()
    return canvas_png(figure)


def _percent(value: float, _position) -> str:
    return f"{value * 100:g}%"


def _log_limits(*tables) -> tuple[float, float]:
    """Equal axis limits at whole decades (at most 1) around every positive value of the tables."""
    values = np.concatenate([np.r_[table.mean_predicted, table.observed_rate] for table in tables])
    positive = values[values > 0]
    low = 10.0 ** math.floor(math.log10(positive.min()))
    high = min(10.0 ** math.ceil(math.log10(positive.max())), 1.0)
    return low, max(high, low * 10)

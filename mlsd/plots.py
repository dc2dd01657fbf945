"""Figures the notebooks share. Each function draws on the given matplotlib Axes and returns it.

:func:`lines` is the plain one: a few quantities against one x, axes labelled, a reference dotted.
"""

from __future__ import annotations

import numpy as np

from mlsd.metrics.calibration import reliability_table
from mlsd.metrics.thresholds import ThresholdCurve


REFERENCE_COLOUR = "grey"


def lines(
    ax, x, series, *, xlabel: str, ylabel: str, title: str, reference=None, points=None,
    legend=True, **settings
):
    """One line with markers per entry of ``series`` against ``x``, the axes labelled and titled.

    ``series`` maps a label to the y values (a dict, or a DataFrame's columns); ``reference`` maps
    a label to what the lines are compared with, drawn grey and dotted: a horizontal line for a
    single number, a curve for one value per x (the truth, a ceiling). ``points`` maps a label to
    one ``(x, y)`` drawn as a black square: a result that exists at one x only (a merged candidate
    set at its own length). ``settings`` go to ``ax.set`` (``xscale="log"``, ``ylim=...``);
    ``legend=False`` leaves the legend out.
    """
    for label, y in series.items():
        ax.plot(x, y, "o-", label=label)
    for label, (point_x, point_y) in (points or {}).items():
        ax.plot([point_x], [point_y], "s", color="black", label=label)
    for label, value in (reference or {}).items():
        if np.ndim(value) == 0:
            ax.axhline(value, color=REFERENCE_COLOUR, ls=":", label=label)
        else:
            ax.plot(x, value, ":", color=REFERENCE_COLOUR, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title, **settings)
    if legend:
        ax.legend(fontsize="small")
    return ax


def cost_by_threshold(ax, curve: ThresholdCurve, cost_fp: float, cost_fn: float, marks: dict[str, float], grid: int = 501):
    """Mean cost per item against the threshold on [0, 1], with vertical lines at ``marks``."""
    thresholds = np.linspace(0, 1, grid)
    ax.plot(thresholds, curve.expected_cost(thresholds, cost_fp, cost_fn), color="black", lw=1.5)
    for (label, threshold), colour in zip(marks.items(), ("tab:red", "tab:blue", "tab:green")):
        ax.axvline(threshold, color=colour, ls="--", lw=1, label=f"{label} ({threshold:.3f})")
    ax.set(xlabel="threshold (flag when score ≥ threshold)", ylabel="mean cost per item", title="Cost of acting on the scores")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def precision_recall(ax, curves: dict[str, ThresholdCurve], threshold: float | None = None):
    """Precision–recall curves, one per scorer; a dot where each stands at ``threshold``."""
    for name, curve in curves.items():
        precision, recall, _ = curve.pr_curve()
        line, = ax.plot(recall, precision, label=f"{name} (AP {curve.average_precision():.3f})", drawstyle="steps-post")
        if threshold is not None:
            ax.plot(curve.recall(threshold), curve.precision(threshold), "o", color=line.get_color())
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02), title="Precision and recall")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def reliability(ax, y_true, predictions: dict[str, np.ndarray], n_bins: int = 10):
    """Reliability diagram on log axes: observed rate against mean prediction in quantile bins.

    Log axes suit click rates of a few percent: a model off by a constant factor sits at a constant
    distance from the diagonal. Bins without a positive cannot be drawn on a log axis and are left out.
    """
    low = 1.0
    for name, prob in predictions.items():
        table = reliability_table(y_true, prob, n_bins=n_bins, strategy="quantile")
        drawn = table.observed_rate > 0
        ax.plot(table.mean_predicted[drawn], table.observed_rate[drawn], "o-", label=name)
        low = min(low, table.mean_predicted.min(), table.observed_rate[drawn].min(initial=1.0))
    ax.plot([low / 2, 1], [low / 2, 1], ":", color="grey", label="perfectly calibrated")
    ax.set(xscale="log", yscale="log", xlabel="mean predicted probability in the bin", ylabel="observed rate in the bin", title="Reliability")
    ax.legend(fontsize="small")
    return ax

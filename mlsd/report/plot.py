"""Plots of a recorded result against a parameter, one line per value of a second parameter (hue).

Conventions:

- Only finished runs (status ``ok``) with a value for x, y and hue are plotted; failed and pending
  runs appear in the table only.
- Runs that share (hue, x) — they differ in another parameter, e.g. a swept seed — make one point:
  their mean, with a band from their minimum to their maximum; the caption says so.
- A numeric (not bool) x is drawn on a linear axis, or a log axis when every value is positive and
  they span more than two decades (max / min > 100), ticked at the values themselves when there
  are at most 12 of them. Any other x is categorical, its categories in
  the sweep grid's order (then order of first appearance). Hue values follow the same order, numeric
  ones ascending.
- Each plot is a 6.4 × 4 inch figure saved at 150 dpi (960 × 600 pixels), as ``<y>_vs_<x>.png``.
  Figures are :class:`matplotlib.figure.Figure` objects drawn with Agg, never pyplot, so drawing many
  leaks no global state.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from mlsd.params import ParameterError
from mlsd.report.load import RunTable, format_value

MAX_DEFAULT_PLOTS = 12
FIGURE_INCHES = (6.4, 4.0)
DPI = 150
LOG_SPAN = 100
MAX_LOG_TICKS = 12


@dataclass(frozen=True)
class PlotPlan:
    """What to plot: ``ys`` against ``x`` per ``hue``; ``notes`` tell the reader what was left out."""

    x: str | None
    hue: str | None
    ys: tuple[str, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plot:
    """One saved plot: its file name in the report folder, what it shows, and its caption."""

    file: str
    y: str
    alt: str
    caption: str


def plan_plots(runs: RunTable, x: str | None = None, ys: list[str] | None = None, hue: str | None = None) -> PlotPlan:
    """Check the requested axes against ``runs`` and fill in the defaults.

    Defaults: for a sweep, x is the first grid parameter with more than one value (other than
    ``hue``) and hue the next one; for a run folder nothing is plotted without ``x``. ``ys``
    defaults to every numeric recorded result (the first :data:`MAX_DEFAULT_PLOTS`). When no run
    has finished, a default plan plots nothing and says so; an explicit ``x`` or ``ys`` is an error.

    Raises
    ------
    ParameterError
        ``x`` or ``hue`` not a parameter, ``ys`` not numeric results, or nothing finished to plot.
    """
    ys = list(ys or [])
    allowed = ", ".join(runs.parameters) or "(none found)"
    for flag, name in (("--x", x), ("--hue", hue)):
        if name is not None and name not in runs.parameters:
            raise ParameterError(f"{flag} {name}: not a parameter of these runs; parameters: {allowed}")
    if hue is not None and hue == x:
        raise ParameterError(f"--hue {hue}: already the x axis; choose another parameter for the lines")
    swept = [name for name, values in runs.grid.items() if len(values) > 1 and name in runs.parameters]
    explicit = x is not None or bool(ys)
    if x is None and runs.kind == "sweep":
        x = next((name for name in swept if name != hue), None)
    if x is None:
        if ys or hue is not None:
            raise ParameterError(f"--y and --hue need --x PARAMETER; parameters: {allowed}")
        why = "no grid parameter takes more than one value" if runs.kind == "sweep" else "no x axis was asked for"
        return PlotPlan(None, None, (), (f"No plot: {why}. Ask for one with --x PARAMETER (one of: {allowed}), optionally --y RESULT and --hue PARAMETER.",))
    if hue is None and runs.kind == "sweep":
        hue = next((name for name in swept if name != x), None)
    finished = runs.finished()
    plottable = [name for name in runs.numeric_results() if (finished[x].notna() & finished[name].notna()).any()]
    if finished.empty or (not plottable and not ys):
        counts = ", ".join(f"{n} {status}" for status, n in runs.counts().items())
        message = f"no finished run to plot ({counts})" if finished.empty else f"no finished run recorded a number to plot against {x}"
        if explicit:
            raise ParameterError(message)
        return PlotPlan(None, None, (), (f"No plot yet: {message}.",))
    for name in ys:
        if name not in plottable:
            raise ParameterError(f"--y {name}: not a numeric result recorded by a finished run; numeric results: {', '.join(plottable) or '(none)'}")
    notes = ()
    if not ys:
        ys = plottable[:MAX_DEFAULT_PLOTS]
        if len(plottable) > MAX_DEFAULT_PLOTS:
            notes = (f"Showing the first {MAX_DEFAULT_PLOTS} of {len(plottable)} numeric results; choose others with --y RESULT (repeatable).",)
    return PlotPlan(x, hue, tuple(ys), notes)


def aggregate(runs: RunTable, x: str, y: str, hue: str | None = None) -> pd.DataFrame:
    """Mean, min, max and number of finished runs of ``y`` per (hue, x), in drawing order.

    Columns: ``hue`` (when given), ``x``, ``mean``, ``min``, ``max``, ``runs``.
    """
    keys = [hue, x] if hue else [x]
    rows = runs.finished().dropna(subset=[*keys, y])
    table = rows.groupby(keys, sort=False)[y].agg(["mean", "min", "max", "count"]).reset_index()
    table = table.rename(columns={"count": "runs"})
    ranks = pd.DataFrame({key: table[key].map(_positions(runs, key, table[key])) for key in keys})
    return table.loc[ranks.sort_values(keys, kind="stable").index].reset_index(drop=True)


def log_axis(values: pd.Series) -> bool:
    """True for numbers, all positive, whose largest is more than 100 times the smallest."""
    return is_numeric_x(values) and bool((values > 0).all() and values.max() > LOG_SPAN * values.min())


def is_numeric_x(values: pd.Series) -> bool:
    """Numbers (not bools) go on a continuous axis; anything else is a category."""
    return is_numeric_dtype(values) and not is_bool_dtype(values)


def draw(runs: RunTable, x: str, y: str, hue: str | None = None) -> tuple[Figure, str]:
    """The figure of ``y`` against ``x`` (one line per hue value) and its caption."""
    data = aggregate(runs, x, y, hue)
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    numeric = is_numeric_x(data[x])
    levels = list(_positions(runs, x, data[x]))
    place = (lambda values: values) if numeric else (lambda values: values.map(levels.index))
    groups = data.groupby(hue, sort=False) if hue else [(None, data)]
    for value, group in groups:
        line, = ax.plot(place(group[x]), group["mean"], marker="o", lw=1.8, label=format_value(value))
        if (group["runs"] > 1).any():
            ax.fill_between(place(group[x]), group["min"], group["max"], color=line.get_color(), alpha=0.2, lw=0)
    logarithmic = numeric and log_axis(data[x])
    if logarithmic:
        ax.set_xscale("log")
        if len(levels) <= MAX_LOG_TICKS:
            ax.set_xticks(levels, [format_value(value) for value in levels])
            ax.xaxis.set_minor_formatter(NullFormatter())
    if not numeric:
        labels = [format_value(level) for level in levels]
        ax.set_xticks(range(len(levels)), labels, rotation=20 if sum(map(len, labels)) > 60 else 0)
    ax.set_xlabel(x, fontsize=11)
    ax.set_ylabel(y, fontsize=11)
    ax.set_title(f"{y} vs {x}", fontsize=12)
    ax.grid(alpha=0.3)
    if hue:
        ax.legend(title=hue, fontsize="small", title_fontsize="small")
    return figure, _caption(runs, data, x, y, hue, logarithmic)


def draw_plots(runs: RunTable, plan: PlotPlan, folder: Path, progress: Callable[[str], None] = lambda line: None) -> list[Plot]:
    """Draw every plot of ``plan`` and save each as a PNG in ``folder``."""
    plots = []
    for number, y in enumerate(plan.ys, start=1):
        progress(f"drawing plot {number}/{len(plan.ys)}")
        figure, caption = draw(runs, plan.x, y, plan.hue)
        file = re.sub(r"[^\w@.\-]", "_", f"{y}_vs_{plan.x}") + ".png"
        figure.savefig(folder / file, dpi=DPI, format="png")
        by_hue = f", one line per value of {plan.hue}" if plan.hue else ""
        plots.append(Plot(file, y, f"Line chart of {y} against {plan.x}{by_hue}", caption))
    return plots


def _positions(runs: RunTable, column: str, values: pd.Series) -> dict:
    """Each distinct value's rank: ascending for numbers, else grid order then first appearance."""
    distinct = list(dict.fromkeys(values))
    if is_numeric_x(values):
        return {value: rank for rank, value in enumerate(sorted(distinct))}
    grid = [str(value) for value in runs.grid.get(column, [])]
    ranked = sorted(distinct, key=lambda value: grid.index(str(value)) if str(value) in grid else len(grid))
    return {value: rank for rank, value in enumerate(ranked)}


def _caption(runs: RunTable, data: pd.DataFrame, x: str, y: str, hue: str | None, logarithmic: bool) -> str:
    plotted = int(data["runs"].sum())
    parts = [f"{y} against {x}" + (f", one line per value of {hue}" if hue else "") + f"; {plotted} finished run{'s' * (plotted != 1)}."]
    excluded = len(runs.table) - len(runs.finished())
    if excluded:
        parts.append(f"{excluded} failed or unfinished run{'s' * (excluded != 1)} left out.")
    most = int(data["runs"].max())
    if most > 1:
        rows = runs.finished().dropna(subset=[key for key in (x, y, hue) if key])
        others = [name for name in runs.parameters if name not in (x, hue) and rows[name].nunique(dropna=False) > 1]
        differ = f" that differ in {', '.join(others)}" if others else ""
        count = f"{most}" if (data["runs"] == most).all() else f"up to {most}"
        parts.append(f"Each point is the mean of {count} runs{differ}; the band spans their minimum to maximum.")
    if logarithmic:
        parts.append(f"{x} on a log scale.")
    return " ".join(parts)

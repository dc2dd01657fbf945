"""Promise explorer: add a buffer to a predicted duration, and see what the promise costs.

A delivery (or any service) promises a time at checkout: a base quote (a model's prediction)
plus a buffer in minutes. A longer promise is late less often but converts fewer customers.
:class:`PromiseExplorerState` answers, for any base quote, buffer and costs, the late rate, the
mean quote, the conversion and the expected cost per checkout, together with the buffer that
minimises that cost; :class:`PromiseExplorer` puts a choice of base, a buffer slider, three cost
inputs and a figure on top of it.

Conventions, per checkout ``i`` shown the quote ``q_i = base_i + b`` (minutes), with ``p_i`` the
chance the customer orders, ``late_i = [actual_i > q_i]`` and ``m_i = max(actual_i - q_i, 0)``::

    cost(b) = lost_order · mean(1 − p) + late_fixed · mean(p · late) + late_per_minute · mean(p · m)

An order not placed costs ``lost_order``; a placed order delivered late costs ``late_fixed`` plus
``late_per_minute`` per minute late. The cost is linear in the three costs, so the explorer takes
the three means (the **shares**) for every base and buffer once, as a table of *curves* the case
computes from its orders; a move of any control then only indexes or recombines that table,
whatever the number of orders.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import NamedTuple

import ipywidgets as widgets
import numpy as np
import pandas as pd

from mlsd.explore._figures import BEST_COLOUR, CURRENT_COLOUR, canvas_png, new_figure
from mlsd.validation import check_choice, check_number, number_property

CURVE_COLUMNS = (
    "base", "buffer", "late_rate", "mean_quote", "conversion", "lost_share", "late_share",
    "minutes_late_share",
)
"""The columns of the curves table, one row per base quote and buffer:

- ``base`` — the name of the base quote (e.g. ``"point GBDT"``);
- ``buffer`` — minutes added to the base quote (negative: a shorter promise);
- ``late_rate`` — ``mean(late)``; ``mean_quote`` — ``mean(q)``; ``conversion`` — ``mean(p)``;
- ``lost_share`` — ``mean(1 − p)``; ``late_share`` — ``mean(p · late)``;
  ``minutes_late_share`` — ``mean(p · m)`` (minutes)."""
SHARE_COLUMNS = ("late_rate", "conversion", "lost_share", "late_share")
"""Columns that are shares of checkouts, each in [0, 1]."""
BASE_COLOURS = ("tab:blue", "tab:orange", "tab:purple", "tab:brown", "tab:pink", "tab:olive",
                "tab:cyan", "tab:gray")
"""Line colours of the bases, in order (not the green of the cheapest buffer)."""
COST_INPUT_MAX = 1e6
SHARE_TOLERANCE = 1e-9
"""How far ``lost_share`` may be from ``1 − conversion`` (rounding of two means)."""
DEFAULT_COSTS = {"lost_order": 5.0, "late_fixed": 3.0, "late_per_minute": 0.25}
"""Default costs: an order's contribution margin, a credit per late order, a cost per minute."""


class CheapestPromise(NamedTuple):
    """The cost-minimising buffer of one base quote at given costs, and what it shows there."""

    base: str
    buffer: float
    expected_cost: float
    late_rate: float
    mean_quote: float
    conversion: float


@dataclass(frozen=True)
class PromiseSnapshot:
    """What the explorer shows for one base quote, one buffer and one set of costs.

    Attributes
    ----------
    base : str
        The base quote the buffer is added to.
    buffer : float
        Minutes added to every base quote.
    late_rate, mean_quote, conversion : float
        Share of orders delivered after the quote, mean quote (minutes), mean chance of ordering.
    lost_cost, late_cost, minutes_late_cost : float
        The three terms of the expected cost: ``lost_order · lost_share``, ``late_fixed ·
        late_share`` and ``late_per_minute · minutes_late_share``.
    expected_cost : float
        Their sum, the expected cost per checkout.
    best_buffer : float
        The buffer of least expected cost for this base at these costs (ties: the smallest).
    best_cost, best_late_rate, best_mean_quote, best_conversion : float
        What the base shows at ``best_buffer``.
    """

    base: str
    buffer: float
    late_rate: float
    mean_quote: float
    conversion: float
    lost_cost: float
    late_cost: float
    minutes_late_cost: float
    expected_cost: float
    best_buffer: float
    best_cost: float
    best_late_rate: float
    best_mean_quote: float
    best_conversion: float


class PromiseExplorerState:
    """The promise explorer without widgets: set the inputs, read a :meth:`snapshot`.

    Parameters
    ----------
    curves : pandas.DataFrame
        The columns :data:`CURVE_COLUMNS`, one row per base quote and buffer. Every base has
        the same buffers, each base's rows in strictly increasing order of buffer; every value
        is finite, the :data:`SHARE_COLUMNS` in [0, 1], ``minutes_late_share`` >= 0 and
        ``lost_share`` equal to ``1 − conversion``. The bases keep their order of first
        appearance.
    base : str, optional
        Starting base quote, one of the ``base`` values; by default the first.
    buffer : float, optional
        Starting buffer in minutes; by default the buffer of the grid nearest 0.
    lost_order, late_fixed, late_per_minute : float
        The costs, each finite and >= 0: of an order not placed, of a late order, and of each
        minute late (defaults :data:`DEFAULT_COSTS`).

    Notes
    -----
    **Buffers snap to the grid**: a buffer set between the grid's first and last buffers
    becomes the nearest buffer of the grid (halfway between two: the smaller); a buffer outside
    them is a ValueError. The expected cost of every base and buffer is one product of the
    shares with the three costs, computed once per set of costs and kept.
    """

    def __init__(self, curves, *, base=None, buffer=None, lost_order=DEFAULT_COSTS["lost_order"],
                 late_fixed=DEFAULT_COSTS["late_fixed"],
                 late_per_minute=DEFAULT_COSTS["late_per_minute"]):
        self.bases, self.buffers, self._values = _read_curves(curves)
        self._cost_by_costs: dict[tuple[float, float, float], np.ndarray] = {}
        self.lost_order = lost_order
        self.late_fixed = late_fixed
        self.late_per_minute = late_per_minute
        self.base = self.bases[0] if base is None else base
        nearest_zero = float(np.clip(0.0, self.buffers[0], self.buffers[-1]))
        self.buffer = nearest_zero if buffer is None else buffer

    @property
    def base(self) -> str:
        """The base quote the buffer is added to; one of :attr:`bases`."""
        return self._base

    @base.setter
    def base(self, value) -> None:
        self._base = check_choice("base", value, self.bases)

    @property
    def buffer(self) -> float:
        """Minutes added to the base quote: always a buffer of :attr:`buffers` (see Notes)."""
        return float(self.buffers[self._buffer_index])

    @buffer.setter
    def buffer(self, value) -> None:
        self._buffer_index = _snap(value, self.buffers)

    lost_order = number_property(
        "lost_order", "Cost of a checkout that does not become an order; finite and >= 0.", 0)

    late_fixed = number_property(
        "late_fixed", "Cost of each late order, whatever its delay; finite and >= 0.", 0)

    late_per_minute = number_property(
        "late_per_minute", "Cost of each minute an order arrives after its quote; finite and >= 0.", 0)

    def curve(self, column: str, base: str | None = None) -> np.ndarray:
        """One column of the curves (or ``"expected_cost"``) along :attr:`buffers` for ``base``
        (default: the current base); read-only."""
        column = check_choice("column", column, (*CURVE_COLUMNS[2:], "expected_cost"))
        row = self._base_index(base)
        if column == "expected_cost":
            return self._costs()[row]
        return self._values[column][row]

    def cheapest(self, base: str | None = None) -> CheapestPromise:
        """The buffer of least expected cost for ``base`` (default: the current base) at the
        current costs; of equally cheap buffers, the smallest."""
        row = self._base_index(base)
        at = int(np.argmin(self._costs()[row]))
        return CheapestPromise(
            base=self.bases[row],
            buffer=float(self.buffers[at]),
            expected_cost=float(self._costs()[row, at]),
            late_rate=float(self._values["late_rate"][row, at]),
            mean_quote=float(self._values["mean_quote"][row, at]),
            conversion=float(self._values["conversion"][row, at]),
        )

    def cheapest_by_base(self) -> pd.DataFrame:
        """:meth:`cheapest` of every base at the current costs, indexed by base."""
        frame = pd.DataFrame([self.cheapest(base) for base in self.bases])
        return frame.set_index("base")

    def snapshot(self) -> PromiseSnapshot:
        """Every number the explorer shows at the current base, buffer and costs."""
        row, at, values = self._base_index(None), self._buffer_index, self._values
        best = self.cheapest()
        return PromiseSnapshot(
            base=self._base,
            buffer=self.buffer,
            late_rate=float(values["late_rate"][row, at]),
            mean_quote=float(values["mean_quote"][row, at]),
            conversion=float(values["conversion"][row, at]),
            lost_cost=float(self._lost_order * values["lost_share"][row, at]),
            late_cost=float(self._late_fixed * values["late_share"][row, at]),
            minutes_late_cost=float(self._late_per_minute * values["minutes_late_share"][row, at]),
            expected_cost=float(self._costs()[row, at]),
            best_buffer=best.buffer,
            best_cost=best.expected_cost,
            best_late_rate=best.late_rate,
            best_mean_quote=best.mean_quote,
            best_conversion=best.conversion,
        )

    def _base_index(self, base: str | None) -> int:
        if base is None:
            return self.bases.index(self._base)
        return self.bases.index(check_choice("base", base, self.bases))

    def _costs(self) -> np.ndarray:
        """Expected cost per checkout of every base (rows) and buffer (columns), kept per costs:
        ``lost_order · lost_share + late_fixed · late_share + late_per_minute ·
        minutes_late_share``."""
        costs = (self._lost_order, self._late_fixed, self._late_per_minute)
        if costs not in self._cost_by_costs:
            values = self._values
            cost = (costs[0] * values["lost_share"] + costs[1] * values["late_share"]
                    + costs[2] * values["minutes_late_share"])
            cost.setflags(write=False)
            self._cost_by_costs[costs] = cost
        return self._cost_by_costs[costs]


class PromiseFigure:
    """Expected cost per checkout (left) and late rate (right) against the buffer, every base.

    The current base's lines are drawn thick, the others thin. :meth:`draw_curves` renders the
    background (the lines and the cheapest buffer, which depend on the costs and the base);
    :meth:`png` draws the current-buffer marks over it.
    """

    def __init__(self, buffers: np.ndarray, bases: tuple[str, ...], width_px: int = 700,
                 height_px: int = 320):
        self.figure = new_figure(width_px, height_px)
        self._cost_axes, self._late_axes = self.figure.subplots(1, 2)
        self._buffers = buffers
        self._lines = {
            name: [axes.plot([], [], color=BASE_COLOURS[i % len(BASE_COLOURS)])[0]
                   for axes in self._axes]
            for i, name in enumerate(bases)
        }
        self._best_marks = [axes.axvline(buffers[0], ls="--", lw=1.2, color=BEST_COLOUR)
                            for axes in self._axes]
        self._best_points = [axes.plot([], [], "o", color=BEST_COLOUR)[0] for axes in self._axes]
        self._current_marks = [axes.axvline(buffers[0], lw=1.2, color=CURRENT_COLOUR,
                                            animated=True) for axes in self._axes]
        self._current_points = [axes.plot([], [], "o", color=CURRENT_COLOUR, animated=True)[0]
                                for axes in self._axes]
        self._label_axes()
        self._background = None

    @property
    def _axes(self):
        return (self._cost_axes, self._late_axes)

    def _label_axes(self) -> None:
        for name, (cost_line, _) in self._lines.items():
            cost_line.set_label(name)
        self._best_marks[0].set_label("cheapest buffer")
        self._current_marks[0].set_label("current buffer")
        for axes in self._axes:
            axes.set_xlim(self._buffers[0], self._buffers[-1])
            axes.set_xlabel("buffer added to the base quote (minutes)", fontsize="small")
            axes.tick_params(labelsize="small")
        self._late_axes.set_ylim(0, 1)
        self._cost_axes.set_title("Expected cost per checkout", fontsize="medium")
        self._late_axes.set_title("Late rate", fontsize="medium")
        self.figure.legend(loc="outside lower center", ncols=4, fontsize="small", frameon=False)

    def draw_curves(self, state: PromiseExplorerState) -> None:
        """Render the background: every base's lines, the current base's thick, and its
        cheapest buffer."""
        for name, (cost_line, late_line) in self._lines.items():
            width = 2.4 if name == state.base else 1.0
            cost_line.set_data(self._buffers, state.curve("expected_cost", name))
            late_line.set_data(self._buffers, state.curve("late_rate", name))
            for line in (cost_line, late_line):
                line.set_linewidth(width)
                line.set_alpha(1.0 if name == state.base else 0.45)
        self._cost_axes.set_ylim(*_cost_limits(state))
        best = state.cheapest()
        for mark, point, y in zip(self._best_marks, self._best_points,
                                  (best.expected_cost, best.late_rate)):
            mark.set_xdata([best.buffer, best.buffer])
            point.set_data([best.buffer], [y])
        self.figure.canvas.draw()
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def png(self, snapshot: PromiseSnapshot) -> bytes:
        """The background with the current buffer marked, as PNG bytes."""
        if self._background is None:
            raise RuntimeError("draw_curves must be called before png")
        self.figure.canvas.restore_region(self._background)
        buffer = snapshot.buffer
        for mark, point, y in zip(self._current_marks, self._current_points,
                                  (snapshot.expected_cost, snapshot.late_rate)):
            mark.set_xdata([buffer, buffer])
            point.set_data([buffer], [y])
            mark.axes.draw_artist(mark)
            point.axes.draw_artist(point)
        return canvas_png(self.figure)


def _cost_limits(state: PromiseExplorerState) -> tuple[float, float]:
    """The cost axis: from just below the least cost of any base up to twice the current base's
    least cost (or its highest, if lower), so the region around the cheapest buffers gets the
    height; a curve rising above the top leaves the panel."""
    best = state.cheapest().expected_cost
    lowest = min(state.cheapest(base).expected_cost for base in state.bases)
    top = min(float(np.max(state.curve("expected_cost"))), 2 * best)
    margin = max(top - lowest, 1e-9) * 0.05
    return lowest - margin, top + margin


class PromiseExplorer:
    """Interactive promise explorer: a base quote, a buffer slider, three costs, a readout and a
    figure.

    Parameters
    ----------
    curves, base, buffer, lost_order, late_fixed, late_per_minute
        As in :class:`PromiseExplorerState`.
    title : str, optional
        Heading shown above the controls.

    Attributes
    ----------
    state : PromiseExplorerState
        The numbers behind the view; the widgets only set its inputs.
    base_dropdown, buffer_slider, lost_order_input, late_fixed_input, late_per_minute_input,
    best_button, readout, image
        The widgets; ``widget`` holds them all. A notebook cell ending with the explorer shows it.
    """

    def __init__(self, curves, *, base=None, buffer=None, lost_order=DEFAULT_COSTS["lost_order"],
                 late_fixed=DEFAULT_COSTS["late_fixed"],
                 late_per_minute=DEFAULT_COSTS["late_per_minute"], title=""):
        self.state = PromiseExplorerState(
            curves, base=base, buffer=buffer, lost_order=lost_order, late_fixed=late_fixed,
            late_per_minute=late_per_minute,
        )
        state = self.state
        self.base_dropdown = widgets.Dropdown(
            options=list(state.bases), value=state.base, description="Base quote",
            tooltip="The prediction the buffer is added to",
            style={"description_width": "initial"}, layout=widgets.Layout(width="340px"),
        )
        self.buffer_slider = widgets.SelectionSlider(
            options=[(f"{b:+g} min", float(b)) for b in state.buffers], value=state.buffer,
            description="Buffer", continuous_update=False,
            tooltip="Minutes added to every base quote; negative promises sooner",
            style={"description_width": "initial"}, layout=widgets.Layout(width="560px"),
        )
        self.lost_order_input = _cost_input(
            state.lost_order, "Cost of a lost order",
            "What a checkout that does not become an order costs: its contribution margin")
        self.late_fixed_input = _cost_input(
            state.late_fixed, "Cost of a late order",
            "What each order delivered after its quote costs, e.g. a credit")
        self.late_per_minute_input = _cost_input(
            state.late_per_minute, "Cost per minute late",
            "What each minute after the quote costs, e.g. complaints and churn")
        self.best_button = widgets.Button(
            description="Go to the cheapest buffer",
            tooltip="Move the slider to the buffer of least expected cost for this base",
            layout=widgets.Layout(width="240px"),
        )
        self.readout = widgets.HTML(layout=widgets.Layout(width="380px"))
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="700px"))
        self._figure = PromiseFigure(state.buffers, state.bases)
        self.widget = self._layout(title)
        self._connect()
        self._show(curves_changed=True)

    def _layout(self, title: str) -> widgets.VBox:
        rows = [
            widgets.HBox([self.base_dropdown, self.best_button]),
            self.buffer_slider,
            widgets.HBox([self.lost_order_input, self.late_fixed_input,
                          self.late_per_minute_input],
                         layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox(
                [self.readout, self.image],
                layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
            ),
        ]
        if title:
            rows.insert(0, widgets.HTML(f"<h3>{html.escape(title)}</h3>"))
        return widgets.VBox(rows)

    def _connect(self) -> None:
        self.base_dropdown.observe(self._on_base, names="value")
        self.buffer_slider.observe(self._on_buffer, names="value")
        for control, name in ((self.lost_order_input, "lost_order"),
                              (self.late_fixed_input, "late_fixed"),
                              (self.late_per_minute_input, "late_per_minute")):
            control.observe(lambda change, name=name: self._on_cost(name, change["new"]),
                            names="value")
        self.best_button.on_click(self._go_to_best)

    def _on_base(self, change) -> None:
        self.state.base = change["new"]
        self._show(curves_changed=True)

    def _on_buffer(self, change) -> None:
        self.state.buffer = change["new"]
        self._show(curves_changed=False)

    def _on_cost(self, name: str, value: float) -> None:
        setattr(self.state, name, value)
        self._show(curves_changed=True)

    def _go_to_best(self, _button) -> None:
        self.buffer_slider.value = self.state.cheapest().buffer

    def _show(self, curves_changed: bool) -> None:
        if curves_changed:
            self._figure.draw_curves(self.state)
        snapshot = self.state.snapshot()
        self.readout.value = _readout_html(snapshot, self.state)
        self.image.value = self._figure.png(snapshot)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _readout_html(snapshot: PromiseSnapshot, state: PromiseExplorerState) -> str:
    """The readout: the promise's numbers, its cost in three terms, and each base's cheapest."""
    s = snapshot
    rows = "".join(
        f"<tr><td style='padding: 1px 6px'>{html.escape(best.base)}</td>"
        f"<td style='padding: 1px 6px; text-align: right'>{best.buffer:+g}</td>"
        f"<td style='padding: 1px 6px; text-align: right'>{best.late_rate:.1%}</td>"
        f"<td style='padding: 1px 6px; text-align: right'>{best.expected_cost:.4f}</td></tr>"
        for best in (state.cheapest(base) for base in state.bases)
    )
    return f"""
<div style="font-size: 13px; line-height: 1.35">
<b>{html.escape(s.base)} {s.buffer:+g} min</b><br>
late rate {s.late_rate:.2%} · mean quote {s.mean_quote:.2f} min · conversion {s.conversion:.2%}<br>
<b>expected cost per checkout {s.expected_cost:.4f}</b>
= lost orders {s.lost_cost:.4f} + late orders {s.late_cost:.4f}
+ minutes late {s.minutes_late_cost:.4f}<br>
cheapest buffer {s.best_buffer:+g} min: cost {s.best_cost:.4f}, late rate {s.best_late_rate:.2%},
conversion {s.best_conversion:.2%}; this buffer costs {s.expected_cost - s.best_cost:.4f} more
<table style="margin-top: 6px; border-collapse: collapse">
<tr><th style="padding: 1px 6px">base</th><th style="padding: 1px 6px">cheapest buffer</th>
<th style="padding: 1px 6px">late rate</th><th style="padding: 1px 6px">cost</th></tr>
{rows}</table>
</div>"""


def _cost_input(value: float, description: str, tooltip: str) -> widgets.BoundedFloatText:
    return widgets.BoundedFloatText(
        value=value, min=0.0, max=max(COST_INPUT_MAX, value), step=0.05,
        description=description, tooltip=tooltip, style={"description_width": "initial"},
        layout=widgets.Layout(width="240px"),
    )


def _snap(value, buffers: np.ndarray) -> int:
    """Index of the grid buffer nearest ``value`` (halfway: the smaller); ValueError outside."""
    low, high = float(buffers[0]), float(buffers[-1])
    buffer = check_number("buffer", value, low, high)
    right = int(np.searchsorted(buffers, buffer, side="left"))
    if right == 0 or buffers[right] == buffer:
        return right
    return right - 1 if buffer - buffers[right - 1] <= buffers[right] - buffer else right


def _read_curves(curves) -> tuple[tuple[str, ...], np.ndarray, dict[str, np.ndarray]]:
    """``(bases, buffers, values)``: the bases in order, their common buffer grid (read-only),
    and each value column as a read-only bases × buffers array; ValueError on a bad table."""
    if not isinstance(curves, pd.DataFrame):
        raise ValueError(f"curves must be a pandas DataFrame with the columns {CURVE_COLUMNS}; "
                         f"got {type(curves).__name__}")
    missing = [column for column in CURVE_COLUMNS if column not in curves.columns]
    if missing or curves.empty:
        raise ValueError(f"curves must be a non-empty table with the columns {CURVE_COLUMNS}; "
                         f"missing {missing}, {len(curves)} rows")
    bases = tuple(pd.unique(curves["base"]))
    if not all(isinstance(base, str) and base for base in bases):
        raise ValueError(f"curves: every base must be a non-empty name; got {list(bases)!r:.80}")
    grids = [curves.loc[curves["base"] == base, "buffer"].to_numpy(dtype=float) for base in bases]
    buffers = grids[0]
    if not np.isfinite(buffers).all() or (np.diff(buffers) <= 0).any():
        raise ValueError(f"curves: the buffers of {bases[0]!r} must be finite and strictly "
                         f"increasing; got {buffers.tolist()!r:.80}")
    for base, grid in zip(bases[1:], grids[1:]):
        if not np.array_equal(grid, buffers):
            raise ValueError(f"curves: every base must have the buffers of {bases[0]!r}; "
                             f"{base!r} has {grid.tolist()!r:.80}")
    values = {column: _value_column(curves, bases, column) for column in CURVE_COLUMNS[2:]}
    gap = np.abs(values["lost_share"] - (1 - values["conversion"]))
    if (gap > SHARE_TOLERANCE).any():
        raise ValueError(f"curves: lost_share must equal 1 - conversion; off by up to "
                         f"{gap.max():.3g}")
    buffers.setflags(write=False)
    return bases, buffers, values


def _value_column(curves: pd.DataFrame, bases: tuple[str, ...], column: str) -> np.ndarray:
    try:
        matrix = np.vstack([curves.loc[curves["base"] == base, column].to_numpy(dtype=float)
                            for base in bases])
    except (TypeError, ValueError):
        raise ValueError(f"curves: {column} must be numeric") from None
    if column == "mean_quote":
        inside, allowed = np.isfinite(matrix), "finite"
    elif column in SHARE_COLUMNS:
        inside, allowed = (matrix >= 0) & (matrix <= 1), "in [0, 1]"
    else:
        inside, allowed = np.isfinite(matrix) & (matrix >= 0), "finite and >= 0"
    if not inside.all():
        row, at = np.argwhere(~inside)[0]
        raise ValueError(f"curves: {column} must be {allowed}; got {matrix[row, at]} for "
                         f"{bases[row]!r}")
    matrix.setflags(write=False)
    return matrix

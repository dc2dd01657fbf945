"""Latency-budget explorer: how many items each stage of a serving funnel can afford.

A recommender or search system answers a request through a funnel of stages: candidate
generation pulls thousands of items cheaply, ranking scores hundreds with a heavier model,
re-ranking reorders tens. A stage's time grows with the items it handles, and the whole request
must fit a deadline. :class:`FunnelBudgetState` turns items and per-item costs into latencies with
:mod:`mlsd.serving` and reports each stage's p50 and p99, the request's p99, the share of requests
within the budget and the stage that takes most of the time. :class:`FunnelBudgetExplorer` puts a
slider per stage and one for the budget on top of it; each case's ``serving.funnel_stages()``
gives its funnel to start from.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial

import ipywidgets as widgets
import numpy as np
import pandas as pd

from mlsd.explore._figures import canvas_png, new_figure
from mlsd.serving import Stage, latency_budget, simulate_latency
from mlsd.validation import check_int, check_number

MIN_REQUESTS = 100
RESERVED_NAMES = ("total", "sum of stage p99s")
ITEMS_GRID_MANTISSAS = (1, 1.5, 2, 3, 5, 7)
ITEMS_SLIDER_REACH = 10
BUDGET_SLIDER_MIN_MS = 10.0
BUDGET_SLIDER_MAX_MS = 1_000.0
STAGE_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:olive")
LEGEND_COLUMNS = 3
P99_COLOUR = "black"
BUDGET_COLOUR = "tab:red"
ROUND_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
"""The round numbers (times a power of ten) the funnel figure's axis ends at."""
SAVED_BACKGROUNDS = 16
"""How many axis ends' backgrounds the funnel figure keeps (about 0.7 MB each)."""
OVER_BUDGET_HTML_COLOUR = "#c0392b"


@dataclass(frozen=True)
class FunnelStage:
    """One stage of a serving funnel: the items it handles and what each one costs.

    Attributes
    ----------
    name : str
        The stage's name, unique within a funnel.
    items : int
        Items the stage handles per request, >= 1.
    cost_us_per_item : float
        Time per item in microseconds, >= 0.
    fixed_ms : float, default=0.0
        Time per request that does not depend on the items (network, lookups), >= 0.
    sigma : float, default=0.5
        Spread of the stage's log-latency, >= 0, as in :class:`mlsd.serving.Stage`.

    Notes
    -----
    The stage's median latency is ``fixed_ms + items × cost_us_per_item / 1000`` ms, and its
    latency is log-normal around that median: ``median × exp(sigma · Z)``.
    """

    name: str
    items: int
    cost_us_per_item: float
    fixed_ms: float = 0.0
    sigma: float = 0.5

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a stage's name must be a non-empty string; got {self.name!r}")
        check_int(f"stage {self.name}: items", self.items, 1)
        for field in ("cost_us_per_item", "fixed_ms", "sigma"):
            check_number(f"stage {self.name}: {field}", getattr(self, field), 0)
        if self.median_ms <= 0:
            raise ValueError(
                f"stage {self.name}: fixed_ms or cost_us_per_item must be > 0, "
                "or the stage takes no time"
            )

    @property
    def median_ms(self) -> float:
        """Median latency in ms: ``fixed_ms + items × cost_us_per_item / 1000``."""
        return self.fixed_ms + self.items * self.cost_us_per_item / 1000

    def stage(self) -> Stage:
        """The :class:`mlsd.serving.Stage` with this median and spread."""
        return Stage(self.name, self.median_ms, self.sigma)


@dataclass(frozen=True)
class StageLatency:
    """What one stage takes, at its current number of items.

    Attributes
    ----------
    name : str
        The stage's name.
    items : int
        Items the stage handles per request.
    median_ms : float
        The median its items and costs imply (the simulated ``p50_ms`` is close to it).
    p50_ms, p99_ms : float
        Simulated median and 99th percentile of the stage's latency.
    share_of_mean : float
        The stage's share of the mean request latency: where the time goes.
    """

    name: str
    items: int
    median_ms: float
    p50_ms: float
    p99_ms: float
    share_of_mean: float


@dataclass(frozen=True)
class FunnelSnapshot:
    """Every number the explorer shows for one setting of items and budget.

    Attributes
    ----------
    budget_ms : float
        The deadline a request must meet.
    stages : tuple of StageLatency
        One per stage, in funnel order.
    request_p50_ms, request_p99_ms : float
        Median and 99th percentile of the whole request (the stages' latencies summed per request).
    sum_of_stage_p99s_ms : float
        What budgeting every stage at its own p99 would claim; more than ``request_p99_ms``.
    within_budget : float
        Share of requests whose total latency is at most ``budget_ms``.
    headroom_ms : float
        ``budget_ms − request_p99_ms``; negative when the p99 request misses the deadline.
    dominant_stage : str
        The stage with the largest share of the mean latency.
    """

    budget_ms: float
    stages: tuple[StageLatency, ...]
    request_p50_ms: float
    request_p99_ms: float
    sum_of_stage_p99s_ms: float
    within_budget: float
    headroom_ms: float
    dominant_stage: str


class FunnelBudgetState:
    """The latency-budget explorer without widgets: set items and budget, read a :meth:`snapshot`.

    Parameters
    ----------
    stages : list of FunnelStage
        The funnel, in the order a request goes through it; names unique.
    budget_ms : float, default=200.0
        The deadline of a request in ms, finite and > 0.
    n_requests : int, default=20_000
        Simulated requests, >= 100.
    seed : int, default=0
        Seed of the simulation, >= 0.

    Notes
    -----
    A stage's latency is ``median × exp(sigma · Z)``, and items change only the median. The
    factors ``exp(sigma · Z)`` are drawn once, by :func:`mlsd.serving.simulate_latency` with
    every median at 1 ms, so a change of items only rescales one column: the same requests are
    replayed, the numbers move smoothly and never jump with a fresh draw, and more items never
    make any request faster. The latencies are exactly those ``simulate_latency`` draws for the
    current medians with the same seed, and the percentiles those of
    :func:`mlsd.serving.latency_budget`.
    """

    def __init__(self, stages, budget_ms=200.0, n_requests=20_000, seed=0):
        self._stages = _funnel(stages)
        self._unit_latency = simulate_latency(
            [Stage(stage.name, 1.0, stage.sigma) for stage in self._stages],
            check_int("n_requests", n_requests, MIN_REQUESTS),
            check_int("seed", seed, 0),
        ).to_numpy()
        self.budget_ms = budget_ms

    @property
    def stages(self) -> tuple[FunnelStage, ...]:
        """The funnel with the current items."""
        return tuple(self._stages)

    @property
    def names(self) -> tuple[str, ...]:
        """The stages' names, in funnel order."""
        return tuple(stage.name for stage in self._stages)

    @property
    def budget_ms(self) -> float:
        """The deadline in ms; finite and > 0."""
        return self._budget_ms

    @budget_ms.setter
    def budget_ms(self, value) -> None:
        self._budget_ms = check_number("budget_ms", value, 0, low_open=True)

    def items(self, name: str) -> int:
        """Items the stage ``name`` handles per request."""
        return self._stages[self._position(name)].items

    def set_items(self, name: str, items) -> None:
        """Set the items the stage ``name`` handles per request (an integer >= 1)."""
        position = self._position(name)
        self._stages[position] = dataclasses.replace(self._stages[position], items=items)

    def samples(self) -> pd.DataFrame:
        """Each simulated request's latency per stage in ms, one column per stage."""
        medians = np.array([stage.median_ms for stage in self._stages])
        return pd.DataFrame(medians * self._unit_latency, columns=list(self.names))

    def snapshot(self) -> FunnelSnapshot:
        """Every number the explorer shows at the current items and budget."""
        table = latency_budget(self.samples(), self._budget_ms)
        stage_rows = table.loc[list(self.names)]
        total = table.loc["total"]
        return FunnelSnapshot(
            budget_ms=self._budget_ms,
            stages=tuple(
                StageLatency(
                    name=stage.name,
                    items=stage.items,
                    median_ms=stage.median_ms,
                    p50_ms=float(stage_rows.at[stage.name, "p50_ms"]),
                    p99_ms=float(stage_rows.at[stage.name, "p99_ms"]),
                    share_of_mean=float(stage_rows.at[stage.name, "share_of_mean"]),
                )
                for stage in self._stages
            ),
            request_p50_ms=float(total["p50_ms"]),
            request_p99_ms=float(total["p99_ms"]),
            sum_of_stage_p99s_ms=float(table.at["sum of stage p99s", "p99_ms"]),
            within_budget=float(total["within_budget"]),
            headroom_ms=self._budget_ms - float(total["p99_ms"]),
            dominant_stage=str(stage_rows["share_of_mean"].idxmax()),
        )

    def _position(self, name) -> int:
        if name not in self.names:
            raise ValueError(f"stage must be one of {self.names}; got {name!r}")
        return self.names.index(name)


class FunnelFigure:
    """One horizontal bar of the stages' medians stacked, with the request p99 and the budget.

    Parameters
    ----------
    names : sequence of str
        The stages, in funnel order; each gets a colour and a legend entry.
    width_px, height_px : int
        Size of the rendered image.

    Notes
    -----
    The figure is drawn in two layers. Everything but the bars, their labels and the two lines
    -- title, legend, frame, ticks and their labels -- depends on the snapshot only through the
    axis' right end, :func:`axis_right`, a round number: each right end's drawing of it is saved
    (the last :data:`SAVED_BACKGROUNDS` of them), and a new snapshot restores it and draws the
    bars, labels and lines alone over it. The first draw lays the figure out (constrained layout)
    and the layout is then kept, since laying the same elements out again would double the
    drawing time. The numbers of the request p99 and the budget are in the readout beside the
    figure.
    """

    def __init__(self, names, width_px: int = 700, height_px: int = 250):
        self.figure = new_figure(width_px, height_px)
        self._axes = axes = self.figure.subplots()
        self._bars = [
            axes.barh(0, 0.0, height=0.5, color=colour)[0] for colour in _colours(len(names))
        ]
        self._bar_labels = [
            axes.text(0.0, 0.0, "", ha="center", va="center", fontsize="small", color="white")
            for _ in names
        ]
        self._p99_line = axes.axvline(0.0, color=P99_COLOUR, lw=2)
        self._budget_line = axes.axvline(0.0, color=BUDGET_COLOUR, lw=2, ls="--")
        axes.set(ylim=(-0.6, 0.6), yticks=[])
        axes.set_xlabel("milliseconds", fontsize="small")
        axes.tick_params(labelsize="small")
        self.figure.suptitle(
            "Median (p50) time of each stage, one after another, against the request's p99",
            fontsize="medium",
        )
        handles = [*self._bars, self._p99_line, self._budget_line]
        self.figure.legend(
            handles,
            [*names, "request p99", "budget"],
            loc="outside lower center",
            ncols=min(len(handles), LEGEND_COLUMNS),
            fontsize="small",
            frameon=False,
        )
        moving = [*self._bars, *self._bar_labels, self._p99_line, self._budget_line]
        self._moving = sorted(moving, key=lambda artist: artist.get_zorder())  # as axes draw
        self._laid_out = False
        self._backgrounds: OrderedDict[float, object] = OrderedDict()

    def png(self, snapshot: FunnelSnapshot) -> bytes:
        """The figure for ``snapshot``, as PNG bytes."""
        right = axis_right(
            max(snapshot.budget_ms, snapshot.request_p99_ms, sum(s.p50_ms for s in snapshot.stages))
        )
        left = 0.0
        for stage, bar, label in zip(snapshot.stages, self._bars, self._bar_labels, strict=True):
            bar.set_x(left)
            bar.set_width(stage.p50_ms)
            label.set_position((left + stage.p50_ms / 2, 0.0))
            label.set_text(f"{stage.p50_ms:.0f} ms" if stage.p50_ms > 0.08 * right else "")
            left += stage.p50_ms
        self._p99_line.set_xdata([snapshot.request_p99_ms] * 2)
        self._budget_line.set_xdata([snapshot.budget_ms] * 2)
        self._axes.set_xlim(0.0, right)
        self.figure.canvas.restore_region(self._background(right))
        for artist in self._moving:
            self._axes.draw_artist(artist)
        return canvas_png(self.figure)

    def _background(self, right: float):
        """The figure drawn without the bars, labels and lines, its axis ending at ``right``
        (the axes' x limits, set by the caller)."""
        if right in self._backgrounds:
            self._backgrounds.move_to_end(right)
            return self._backgrounds[right]
        canvas = self.figure.canvas
        if not self._laid_out:
            canvas.draw()
            self.figure.set_layout_engine("none")
            self._laid_out = True
        for artist in self._moving:
            artist.set_visible(False)
        canvas.draw()
        for artist in self._moving:
            artist.set_visible(True)
        self._backgrounds[right] = canvas.copy_from_bbox(self.figure.bbox)
        if len(self._backgrounds) > SAVED_BACKGROUNDS:
            self._backgrounds.popitem(last=False)
        return self._backgrounds[right]


def axis_right(longest_ms: float) -> float:
    """The axis' right end for a figure whose longest bar or line is ``longest_ms``: the
    smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that leaves 15% of room
    beyond it, so that the axis moves in round steps rather than with every move."""
    room = 1.15 * max(longest_ms, 1e-9)
    power = 10.0 ** math.floor(math.log10(room))
    return next(float(f"{step * power:.12g}") for step in ROUND_STEPS
                if step * power >= room * (1 - 1e-12))


class FunnelBudgetExplorer:
    """Interactive latency-budget explorer: items per stage and the budget, a table and a bar.

    Parameters
    ----------
    stages, budget_ms, n_requests, seed
        As in :class:`FunnelBudgetState`.
    title : str, optional
        Heading shown above the controls.

    Attributes
    ----------
    state : FunnelBudgetState
        The numbers behind the view; the sliders only set its inputs.
    items_sliders : dict of str to SelectionSlider
        One per stage, keyed by name: items per request on a log-like grid of whole numbers
        (1, 2, 3, 5, 7, 10, 15, ...) from 1 to ten times the starting number.
    budget_slider, readout, image
        The budget, the table and the figure; ``widget`` holds them all. A notebook cell ending
        with the explorer shows it.
    """

    def __init__(self, stages, budget_ms=200.0, *, n_requests=20_000, seed=0, title=""):
        self.state = FunnelBudgetState(stages, budget_ms, n_requests, seed)
        self.items_sliders = {stage.name: _items_slider(stage) for stage in self.state.stages}
        self.budget_slider = widgets.FloatSlider(
            value=self.state.budget_ms,
            min=min(BUDGET_SLIDER_MIN_MS, self.state.budget_ms),
            max=max(BUDGET_SLIDER_MAX_MS, 2 * self.state.budget_ms),
            step=5.0,
            readout_format=".0f",
            continuous_update=False,
            description="Latency budget (ms)",
            tooltip="The deadline a request must meet, e.g. what the page can wait for the feed",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="560px"),
        )
        self.readout = widgets.HTML(layout=widgets.Layout(width="540px"))
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="700px"))
        self._figure = FunnelFigure(self.state.names)
        self.widget = self._layout(title)
        self._connect()
        self._show()

    def _layout(self, title: str) -> widgets.VBox:
        rows = [
            *self.items_sliders.values(),
            self.budget_slider,
            widgets.HBox(
                [self.readout, self.image],
                layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
            ),
        ]
        if title:
            rows.insert(0, widgets.HTML(f"<h3>{html.escape(title)}</h3>"))
        return widgets.VBox(rows)

    def _connect(self) -> None:
        for name, slider in self.items_sliders.items():
            slider.observe(partial(self._on_items, name), names="value")
        self.budget_slider.observe(self._on_budget, names="value")

    def _on_items(self, name: str, change) -> None:
        self.state.set_items(name, change["new"])
        self._show()

    def _on_budget(self, change) -> None:
        self.state.budget_ms = change["new"]
        self._show()

    def _show(self) -> None:
        snapshot = self.state.snapshot()
        self.readout.value = _readout_html(snapshot, self.state.stages)
        self.image.value = self._figure.png(snapshot)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _readout_html(snapshot: FunnelSnapshot, stages: tuple[FunnelStage, ...]) -> str:
    """Per-stage table, the request's percentiles, and the verdict against the budget."""
    rows = "".join(
        f"<tr><th style='text-align: left; {_HEAD}'>{html.escape(stage.name)}</th>"
        f"<td style='{_CELL}'>{stage.items:,}</td>"
        f"<td style='{_CELL}'>{stage.cost_us_per_item:g} µs</td>"
        f"<td style='{_CELL}'>{stage.fixed_ms:g} ms</td>"
        f"<td style='{_CELL}'>{latency.p50_ms:.1f}</td>"
        f"<td style='{_CELL}'>{latency.p99_ms:.1f}</td>"
        f"<td style='{_CELL}'>{latency.share_of_mean:.0%}</td></tr>"
        for stage, latency in zip(stages, snapshot.stages, strict=True)
    )
    s = snapshot
    return (
        "<div style='font-size: 13px; line-height: 1.35'>"
        "<table style='border-collapse: collapse'>"
        f"<tr><th style='{_HEAD}'>stage</th><th style='{_HEAD}'>items</th>"
        f"<th style='{_HEAD}'>per item</th><th style='{_HEAD}'>fixed</th>"
        f"<th style='{_HEAD}'>p50 ms</th><th style='{_HEAD}'>p99 ms</th>"
        f"<th style='{_HEAD}'>share of time</th></tr>{rows}"
        f"<tr style='border-top: 1px solid #999'><th style='text-align: left; {_HEAD}'>"
        "whole request</th><td></td><td></td><td></td>"
        f"<td style='{_CELL}'><b>{s.request_p50_ms:.1f}</b></td>"
        f"<td style='{_CELL}'><b>{s.request_p99_ms:.1f}</b></td><td></td></tr>"
        f"<tr><th style='text-align: left; {_HEAD}'>sum of stage p99s</th>"
        f"<td></td><td></td><td></td><td></td>"
        f"<td style='{_CELL}'>{s.sum_of_stage_p99s_ms:.1f}</td><td></td></tr>"
        "</table>"
        f"{_verdict_html(s)}<br>"
        f"Most of the time goes to <b>{html.escape(s.dominant_stage)}</b>. The request's p99 is "
        "below the sum of the stages' p99s: slow stages rarely hit the same request."
        "</div>"
    )


def _verdict_html(snapshot: FunnelSnapshot) -> str:
    s = snapshot
    met = f"<b>{s.within_budget:.2%}</b> of requests finish within the {s.budget_ms:g} ms budget"
    if s.headroom_ms >= 0:
        return f"{met}; the p99 request has <b>{s.headroom_ms:.1f} ms</b> to spare."
    return (
        f"{met}; <b style='color: {OVER_BUDGET_HTML_COLOUR}'>the p99 request is "
        f"{-s.headroom_ms:.1f} ms over budget</b>."
    )


_CELL = "padding: 2px 8px; text-align: right"
_HEAD = "padding: 2px 8px"


def _items_slider(stage: FunnelStage) -> widgets.SelectionSlider:
    return widgets.SelectionSlider(
        options=[(f"{items:,}", items) for items in _items_grid(stage.items)],
        value=stage.items,
        description=f"{stage.name}: items",
        tooltip=f"Items {stage.name} handles per request, at {stage.cost_us_per_item:g} µs each "
        f"on top of {stage.fixed_ms:g} ms",
        continuous_update=False,
        style={"description_width": "200px"},
        layout=widgets.Layout(width="560px"),
    )


def _items_grid(start: int) -> list[int]:
    """Whole numbers from 1 to ten times ``start``, six per decade, with ``start`` among them."""
    top = ITEMS_SLIDER_REACH * start
    grid = {start, top}
    for exponent in range(len(str(top))):
        grid.update(
            value
            for mantissa in ITEMS_GRID_MANTISSAS
            if (value := round(mantissa * 10**exponent)) <= top
        )
    return sorted(grid)


def _colours(n: int) -> list[str]:
    return [STAGE_COLOURS[index % len(STAGE_COLOURS)] for index in range(n)]


def _funnel(stages) -> list[FunnelStage]:
    """The stages as a new list, checked: FunnelStages with unique names that are not table rows."""
    is_list = isinstance(stages, (list, tuple)) and len(stages) > 0
    if not is_list or not all(isinstance(stage, FunnelStage) for stage in stages):
        raise ValueError(f"stages must be a non-empty list of FunnelStage; got {stages!r:.80}")
    names = [stage.name for stage in stages]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"stage names must be unique; {repeated[0]!r} appears more than once")
    reserved = [name for name in names if name in RESERVED_NAMES]
    if reserved:
        raise ValueError(
            f"a stage cannot be named {reserved[0]!r}: latency_budget names a row of its table so"
        )
    return list(stages)


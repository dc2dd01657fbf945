"""Value-model explorer: weigh a feed's heads, see what the feed the weights order earns.

A feed ranker predicts one probability per action ("head": click, long dwell, like, comment,
share, hide) and orders each session's posts by the value model ``score = Σ_h w_h p_h``; the
weights are a product decision. :class:`ValueModelExplorerState` re-orders every session by the
score of any weights and measures, on the truth, what that feed earns per session::

    expected actions of head h = Σ_rows e(slot) · t_h

with ``e(k)`` the probability that slot ``k`` is examined and ``t_h`` the true probability of the
action given examination (position-free): the formula of the feed case's ``feed_metrics``. It
also measures how concentrated the feed is on large creators, and traces the trade-off frontier
of one weight (viral actions against hides as the hide weight grows). :class:`ValueModelExplorer`
puts one slider on each weight.

The re-ordering (``slots`` below) is that of the feed case's ``slots_by_score``: each session's
rows by decreasing score, ties in row order. It is written here on a padded sessions × slots
matrix, since :mod:`mlsd.explore` imports no case and a weight change must re-order every session
within a frame.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import pandas as pd

from mlsd.explore._figures import CURRENT_COLOUR, canvas_png, new_figure
from mlsd.validation import as_1d, check_choice, check_int, check_number, same_length

OUTCOMES: dict[str, tuple[str, ...]] = {
    "clicks": ("click",),
    "long_dwells": ("long_dwell",),
    "viral_actions": ("like", "comment", "share"),
    "hides": ("hide",),
}
"""Each outcome the explorer reads out and the heads whose expected actions it adds."""
TOP_SLOTS = 3
"""The slots counted as the top of the feed (the first screen of a phone)."""
LARGEST_CREATORS = 0.1
"""The share of creators, largest by size, whose share of the top slots measures concentration."""
SMALLEST_CREATORS = 0.5
"""The share of creators, smallest by size, whose share of the top slots measures their reach."""
SNAPSHOT_NUMBERS = (*OUTCOMES, "top_creator_share", "small_creator_share", "creator_gini")
"""The numbers of a snapshot, in the order of the frontier's columns and the readout."""
FRONTIER_POINTS = 21
"""Weights on the frontier's grid in the view."""


@dataclass(frozen=True)
class ValueModelSnapshot:
    """What the feed ordered by one set of weights earns, per session on average.

    Attributes
    ----------
    weights : dict of str to float
        The weight of every head (0 for a head not weighed).
    expected : dict of str to float
        Each head's expected actions per session, ``Σ_rows e(slot) · t_h / sessions``.
    clicks, long_dwells, viral_actions, hides : float
        The outcomes of :data:`OUTCOMES`: sums of ``expected`` over their heads.
    top_creator_share : float
        Share of the top :data:`TOP_SLOTS` slots held by the largest :data:`LARGEST_CREATORS`
        of creators by size.
    small_creator_share : float
        Share of the same slots held by the smallest :data:`SMALLEST_CREATORS` of creators.
    creator_gini : float
        Gini coefficient of the expected views (``Σ e(slot)``) over the creators shown.
    """

    weights: dict
    expected: dict
    clicks: float
    long_dwells: float
    viral_actions: float
    hides: float
    top_creator_share: float
    small_creator_share: float
    creator_gini: float


class ValueModelExplorerState:
    """The value-model explorer without widgets: set weights, read a :meth:`snapshot`.

    Parameters
    ----------
    predictions : DataFrame or mapping of str to array-like of shape (n,)
        One predicted probability column per head; the heads the weights can weigh.
    truth : DataFrame or mapping of str to array-like of shape (n,)
        The true probability of each action given examination (position-free), one column per
        head of :data:`OUTCOMES`: what the re-ordered feed is measured with.
    sessions : array-like of shape (n,)
        The session of each row; a session's rows are re-ordered among themselves.
    examination : array-like
        ``examination[k - 1]`` = ``e(k)``, the probability that slot ``k`` is examined, in [0, 1],
        for every slot up to the longest session (``k ** -decay`` for a decay of examination).
    creators : array-like of shape (n,)
        The creator of each row.
    creator_size : pandas Series or mapping, optional
        The size (e.g. followers) of every creator, by creator id, including creators not shown;
        by default each creator's rows. Ties in size are broken by creator id.
    weights : mapping of str to float, optional
        Starting weights; a head left out weighs 0; by default 1 for every head.
    top_slots : int, default=:data:`TOP_SLOTS`
        The top of the feed for the creator shares.

    Notes
    -----
    Everything that does not depend on the weights is arranged once as sessions × slots matrices
    (padded where a session is shorter than the longest): the predictions, the truth, the creators.
    A snapshot is then one weighted sum, one sort along the slots and a few sums.
    """

    def __init__(self, predictions, truth, sessions, examination, creators, *, creator_size=None,
                 weights=None, top_slots=TOP_SLOTS):
        probabilities = _columns(predictions, "predictions")
        self.heads = tuple(probabilities)
        n = len(next(iter(probabilities.values())))
        measured = _columns(truth, "truth", required=_outcome_heads(), n=n)
        sessions = np.asarray(sessions)
        creators = np.asarray(creators)
        same_length(predictions=np.empty(n), sessions=sessions, creators=creators)
        self.top_slots = check_int("top_slots", top_slots, 1)
        self._layout = _SessionLayout(sessions)
        self._examination = _examination(examination, self._layout.width)
        self._predictions = np.stack([self._layout.matrix(probabilities[h]) for h in self.heads])
        self._truth_heads = tuple(measured)
        self._truth = np.stack([self._layout.matrix(measured[h]) for h in self._truth_heads])
        self._prepare_creators(creators, creator_size)
        self.weights = {head: 1.0 for head in self.heads} if weights is None else weights

    @property
    def weights(self) -> dict[str, float]:
        """The weight of every head (a copy: set it whole, or one head with :meth:`set_weight`)."""
        return dict(self._weights)

    @weights.setter
    def weights(self, value) -> None:
        self._weights = self.checked_weights(value)

    def set_weight(self, head: str, value) -> None:
        """Set one head's weight, keeping the others."""
        self.weights = {**self._weights, head: value}

    def checked_weights(self, weights) -> dict[str, float]:
        """``weights`` as a finite float for every head (0 for one left out); an unknown head or
        a weight that is not a finite number raises ValueError naming the head and the value."""
        if not isinstance(weights, Mapping):
            raise ValueError(f"weights must be a mapping of head to weight; got {weights!r:.60}")
        unknown = [head for head in weights if head not in self.heads]
        if unknown:
            raise ValueError(f"weights name the head {unknown[0]!r} (weight {weights[unknown[0]]!r}); "
                             f"the heads are {', '.join(map(repr, self.heads))}")
        return {head: check_number(f"weights[{head!r}]", weights.get(head, 0.0))
                for head in self.heads}

    def snapshot(self, weights=None) -> ValueModelSnapshot:
        """What the feed ordered by ``weights`` (default: the current weights) earns."""
        weights = self._weights if weights is None else self.checked_weights(weights)
        numbers = self._evaluate(np.array([[weights[head] for head in self.heads]]))
        expected = {head: float(numbers[head][0]) for head in self._truth_heads}
        return ValueModelSnapshot(weights=dict(weights), expected=expected,
                                  **{name: float(numbers[name][0]) for name in SNAPSHOT_NUMBERS})

    def frontier(self, head: str, values) -> pd.DataFrame:
        """One row per value of ``head``'s weight, the other weights as they are: the snapshot's
        outcomes and creator numbers (the columns of :data:`SNAPSHOT_NUMBERS`), indexed by the
        weight."""
        head = check_choice("the frontier's head", head, self.heads)
        grid = as_1d(values, f"the frontier's weights of {head!r}")
        weights = np.tile([self._weights[h] for h in self.heads], (len(grid), 1))
        weights[:, self.heads.index(head)] = grid
        numbers = self._evaluate(weights)
        return pd.DataFrame({name: numbers[name] for name in SNAPSHOT_NUMBERS},
                            index=pd.Index(grid, name=f"weight of {head}"))

    def _evaluate(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """Every number of a snapshot for each row of ``weights`` (sets × heads), as arrays.

        ``order[g, s]`` lists session ``s``'s positions by decreasing score under weights ``g``
        (stable: ties in row order; padding, scored ``−inf``, last), so position ``order[g, s, k]``
        takes slot ``k + 1``; ``examined[g, s, order[g, s, k]] = e(k + 1)``, and a head's expected
        actions are ``Σ_(s, position) examined · t_h``. Padding has truth 0 and no creator."""
        n_sets, (n_sessions, width) = len(weights), self._predictions.shape[1:]
        score = np.einsum("gh,hsk->gsk", weights, self._predictions)
        score[:, ~self._layout.valid] = -np.inf
        order = np.argsort(-score, axis=2, kind="stable")
        rows = np.arange(n_sets * n_sessions).reshape(n_sets, n_sessions, 1) * width
        examined = np.empty(n_sets * n_sessions * width)
        examined[(order + rows).ravel()] = np.tile(self._examination, n_sets * n_sessions)
        examined = examined.reshape(n_sets, -1)
        totals = np.einsum("hn,gn->hg", self._truth.reshape(len(self._truth), -1), examined) / n_sessions
        numbers = dict(zip(self._truth_heads, totals))
        for name, heads in OUTCOMES.items():
            numbers[name] = sum(numbers[head] for head in heads)
        return {**numbers, **self._creator_numbers(order, examined)}

    def _prepare_creators(self, creators: np.ndarray, creator_size) -> None:
        """The creator codes, largest and smallest flags as matrices, the top slots' row count."""
        codes, shown = pd.factorize(creators, sort=True)
        size = _creator_sizes(creator_size, creators, shown)
        ranked = size.sort_index().sort_values(kind="stable", ascending=False).index.to_numpy()
        n = len(ranked)
        largest = ranked[:max(1, round(LARGEST_CREATORS * n))]
        smallest = ranked[n - max(1, round(SMALLEST_CREATORS * n)):]
        self._n_creators = len(shown)
        self._codes = self._layout.matrix(codes, fill=len(shown)).ravel()
        self._largest = self._layout.matrix(np.isin(creators, largest), fill=False)
        self._smallest = self._layout.matrix(np.isin(creators, smallest), fill=False)
        self._n_top = int(np.minimum(self._layout.lengths, self.top_slots).sum())

    def _creator_numbers(self, order: np.ndarray, examined: np.ndarray) -> dict[str, np.ndarray]:
        """The creator shares of the top slots and the Gini of the creators' expected views
        ``Σ examined`` for each set of weights (``order``: sets × sessions × slots)."""
        top = order[:, :, :self.top_slots]
        shares = {name: np.take_along_axis(flags[None], top, axis=2).sum(axis=(1, 2)) / self._n_top
                  for name, flags in (("top_creator_share", self._largest),
                                      ("small_creator_share", self._smallest))}
        n_sets, bins = len(order), self._n_creators + 1
        flat = (self._codes[None] + bins * np.arange(n_sets)[:, None]).ravel()
        views = np.bincount(flat, weights=examined.ravel(), minlength=bins * n_sets)
        return {**shares, "creator_gini": _gini(views.reshape(n_sets, bins)[:, :-1])}


class _SessionLayout:
    """Rows arranged as a sessions × slots matrix: row ``i`` of the table goes to
    ``(session of i, its rank among its session's rows in table order)``; shorter sessions are
    padded. ``matrix(values)`` lays out any per-row array this way."""

    def __init__(self, sessions: np.ndarray):
        if sessions.ndim != 1 or sessions.size == 0:
            raise ValueError(f"sessions must be a non-empty 1-dimensional array; got shape {sessions.shape}")
        codes, _ = pd.factorize(sessions)
        self.lengths = np.bincount(codes)
        self.n_sessions = len(self.lengths)
        self.width = int(self.lengths.max())
        order = np.argsort(codes, kind="stable")
        starts = np.r_[0, np.cumsum(self.lengths)[:-1]]
        self._rows = codes[order]
        self._slots = np.arange(len(order)) - np.repeat(starts, self.lengths)
        self._order = order
        self.valid = self.matrix(np.ones(len(codes), dtype=bool), fill=False)

    def matrix(self, values, fill=0.0) -> np.ndarray:
        values = np.asarray(values)
        out = np.full((self.n_sessions, self.width), fill, dtype=values.dtype)
        out[self._rows, self._slots] = values[self._order]
        return out


def _outcome_heads() -> tuple[str, ...]:
    return tuple(head for heads in OUTCOMES.values() for head in heads)


def _columns(table, name: str, *, required=None, n=None) -> dict[str, np.ndarray]:
    """The probability columns of ``table`` by head; with ``required``, exactly those heads."""
    if not isinstance(table, (pd.DataFrame, Mapping)) or len(table.keys()) == 0:
        raise ValueError(f"{name} must be a DataFrame or a mapping with one column per head; "
                         f"got {type(table).__name__}")
    if required is not None:
        missing = [head for head in required if head not in table]
        if missing:
            raise ValueError(f"{name} lacks the heads {missing}; it needs {list(required)}")
    heads = list(table.keys()) if required is None else list(required)
    columns = {}
    for head in heads:
        values = as_1d(table[head], f"{name}[{head!r}]")
        bad = (values < 0) | (values > 1)
        if bad.any():
            where = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name}[{head!r}] must hold probabilities in [0, 1]; "
                             f"row {where} is {values[where]}")
        if n is not None and len(values) != n:
            raise ValueError(f"{name}[{head!r}] has {len(values)} rows; the predictions have {n}")
        columns[str(head)] = values
    same_length(**columns)
    return columns


def _examination(examination, width: int) -> np.ndarray:
    """``e(1..width)``: the first ``width`` examination probabilities."""
    e = as_1d(examination, "examination")
    if len(e) < width:
        raise ValueError(f"examination must give a probability for every slot up to the longest "
                         f"session, {width}; got {len(e)}")
    if ((e < 0) | (e > 1)).any():
        raise ValueError(f"examination must hold probabilities in [0, 1]; got {e.min()} to {e.max()}")
    return e[:width]


def _creator_sizes(creator_size, creators: np.ndarray, shown) -> pd.Series:
    if creator_size is None:
        return pd.Series(creators).value_counts().astype(float)
    size = pd.Series(creator_size, dtype=float)
    missing = pd.Index(shown).difference(size.index)
    if len(missing):
        raise ValueError(f"creator_size lacks the creators {list(missing[:5])} that rows show")
    return size


def _gini(values: np.ndarray) -> np.ndarray:
    """Gini coefficient ``Σ_i (2i − n − 1) x_(i) / (n Σ x)`` of each row's sorted values ``x_(i)``."""
    x = np.sort(values, axis=1)
    n = x.shape[1]
    return (x @ (2 * np.arange(1, n + 1) - n - 1)) / (n * x.sum(axis=1))



class ValueModelExplorer:
    """Interactive value-model explorer: a slider per head's weight, a readout, the frontier.

    Parameters
    ----------
    predictions, truth, sessions, examination, creators, creator_size, weights, top_slots
        As in :class:`ValueModelExplorerState`.
    frontier_head : str, default="hide"
        The head whose weight the frontier moves over its slider's range (:data:`FRONTIER_POINTS`
        weights), the other weights as the sliders set them.
    max_weight : float, default=20
        Each slider spans ``[0, max_weight]``, or ``[-max_weight, 0]`` for a head whose starting
        weight is negative (a hide costs value), widened to hold the starting weight.

    Attributes
    ----------
    state : ValueModelExplorerState
        The numbers behind the view; the sliders only set its weights.
    sliders : dict of str to FloatSlider
        One per head.
    readout, image
        The widgets; ``widget`` holds them all. A notebook cell ending with the explorer shows it.

    Notes
    -----
    Moving the frontier head's slider moves only the current point along the frontier; moving
    another slider also recomputes the frontier (:data:`FRONTIER_POINTS` orders of every session
    at once). Both are drawn over a saved background (:class:`FrontierFigure`).
    """

    def __init__(self, predictions, truth, sessions, examination, creators, *, creator_size=None,
                 weights=None, top_slots=TOP_SLOTS, frontier_head="hide", max_weight=20.0):
        self.state = ValueModelExplorerState(predictions, truth, sessions, examination, creators,
                                             creator_size=creator_size, weights=weights,
                                             top_slots=top_slots)
        self.frontier_head = check_choice("frontier_head", frontier_head, self.state.heads)
        max_weight = check_number("max_weight", max_weight, 0, low_open=True)
        self.sliders = {head: _weight_slider(head, value, max_weight)
                        for head, value in self.state.weights.items()}
        self.readout = widgets.HTML(layout=widgets.Layout(width="380px"))
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="560px"))
        self._figure = FrontierFigure(frontier_head)
        self.widget = widgets.VBox([
            widgets.HTML(_INTRO),
            widgets.VBox(list(self.sliders.values())),
            widgets.HBox([self.readout, self.image],
                         layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start")),
        ])
        for head, slider in self.sliders.items():
            slider.observe(lambda change, head=head: self._on_weight(head, change), names="value")
        self._show(frontier_changed=True)

    def frontier(self) -> pd.DataFrame:
        """The frontier drawn: :meth:`ValueModelExplorerState.frontier` over the frontier head's
        slider range."""
        slider = self.sliders[self.frontier_head]
        return self.state.frontier(self.frontier_head, np.linspace(slider.min, slider.max, FRONTIER_POINTS))

    def _on_weight(self, head: str, change) -> None:
        self.state.set_weight(head, change["new"])
        self._show(frontier_changed=head != self.frontier_head)

    def _show(self, frontier_changed: bool) -> None:
        snapshot = self.state.snapshot()
        if frontier_changed:
            self._figure.set_frontier(self.frontier())
        self.readout.value = _readout_html(snapshot, self.state.top_slots)
        self.image.value = self._figure.png(snapshot.hides, snapshot.viral_actions)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class FrontierFigure:
    """Viral actions against hides per session along the frontier of one head's weight, with the
    current weights' point.

    The axes are drawn into a saved background; the frontier and the point are drawn over it on
    every :meth:`png`. The background is redrawn (new limits) only when the frontier leaves the
    limits or fills less than a quarter of either axis, so most weight changes cost a blit, not a
    full matplotlib draw."""

    def __init__(self, head: str, width_px: int = 560, height_px: int = 400):
        self.figure = new_figure(width_px, height_px)
        self._axes = self.figure.subplots()
        (self._line,) = self._axes.plot([], [], ".-", color="tab:blue", animated=True,
                                        label=f"frontier: the {head} weight moved")
        (self._current,) = self._axes.plot([], [], "o", ms=9, color=CURRENT_COLOUR, animated=True,
                                           label="current weights")
        self._ends = [self._axes.annotate("", (0, 0), fontsize="small", textcoords="offset points",
                                          xytext=(6, -12), animated=True) for _ in range(2)]
        self._head = head
        self._axes.set_xlabel("expected hides per session")
        self._axes.set_ylabel("expected viral actions per session\n(like + comment + share)")
        self._axes.set_title(f"Trade-off as the {head} weight moves", fontsize="medium")
        self._axes.legend(loc="lower right", fontsize="small")
        self._background = None

    def set_frontier(self, frontier: pd.DataFrame) -> None:
        """The frontier to draw (columns ``hides`` and ``viral_actions``, indexed by the weight)."""
        hides, viral = frontier["hides"].to_numpy(), frontier["viral_actions"].to_numpy()
        self._line.set_data(hides, viral)
        for label, at in zip(self._ends, (0, -1)):
            label.xy = (hides[at], viral[at])
            label.set_text(f"{self._head} = {frontier.index[at]:g}")
        if self._background is None or not _fits(self._axes, hides, viral):
            self._axes.set_xlim(_padded(hides))
            self._axes.set_ylim(_padded(viral))
            self.figure.canvas.draw()
            self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def png(self, hides: float, viral_actions: float) -> bytes:
        """The background with the frontier and the current point, as PNG bytes."""
        if self._background is None:
            raise RuntimeError("set_frontier must be called before png")
        self.figure.canvas.restore_region(self._background)
        self._current.set_data([hides], [viral_actions])
        for artist in (self._line, *self._ends, self._current):
            self._axes.draw_artist(artist)
        return canvas_png(self.figure)


def _padded(values: np.ndarray) -> tuple[float, float]:
    """Limits around ``values`` with 30% of their span (or of their size) on each side, room for
    the frontier to move before the background must be redrawn."""
    low, high = float(np.min(values)), float(np.max(values))
    pad = 0.3 * (high - low) or 0.3 * abs(high) or 0.01
    return low - pad, high + pad


def _fits(axes, hides: np.ndarray, viral: np.ndarray) -> bool:
    """Whether both ranges lie within the axes' limits and fill at least a quarter of them."""
    for (low, high), values in ((axes.get_xlim(), hides), (axes.get_ylim(), viral)):
        span = np.max(values) - np.min(values)
        if np.min(values) < low or np.max(values) > high or span < (high - low) / 4:
            return False
    return True


def _weight_slider(head: str, value: float, max_weight: float) -> widgets.FloatSlider:
    low, high = (-max_weight, 0.0) if value < 0 else (0.0, max_weight)
    return widgets.FloatSlider(
        value=value, min=min(low, value), max=max(high, value), step=0.5,
        readout_format=".1f", continuous_update=False, description=f"weight of {head}",
        tooltip=f"The value, in the score's units, of one expected {head}",
        style={"description_width": "initial"}, layout=widgets.Layout(width="480px"),
    )


_INTRO = (
    "<div style='font-size: 13px'>The feed orders each session by <i>score</i> = Σ<sub>h</sub> "
    "<i>w</i><sub>h</sub> <i>p</i><sub>h</sub>. Each outcome is measured on the truth: "
    "Σ<sub>rows</sub> <i>e</i>(slot) · <i>t</i><sub>h</sub> per session, with <i>e</i> the "
    "chance a slot is examined.</div>"
)
_LABELS = {
    "clicks": ("expected clicks", "{:.4f}"),
    "long_dwells": ("expected long dwells", "{:.4f}"),
    "viral_actions": ("expected viral actions (like + comment + share)", "{:.4f}"),
    "hides": ("expected hides", "{:.4f}"),
    "top_creator_share": (f"top slots held by the largest {LARGEST_CREATORS:.0%} of creators", "{:.1%}"),
    "small_creator_share": (f"top slots held by the smallest {SMALLEST_CREATORS:.0%}", "{:.1%}"),
    "creator_gini": ("Gini of creators' expected views", "{:.3f}"),
}


def _readout_html(snapshot: ValueModelSnapshot, top_slots: int) -> str:
    """The readout: the weights, then every number of the snapshot (outcomes per session)."""
    weights = ", ".join(f"{html.escape(head)} {weight:g}" for head, weight in snapshot.weights.items())
    rows = "".join(
        f"<tr><th style='text-align: left; padding: 2px 8px'>{html.escape(label)}</th>"
        f"<td style='text-align: right; padding: 2px 8px'>{form.format(getattr(snapshot, name))}</td></tr>"
        for name, (label, form) in _LABELS.items()
    )
    return (
        "<div style='font-size: 13px'>"
        f"<b>Weights</b>: {weights}<br>per session; the top is the first {top_slots} slots"
        f"<table style='margin-top: 6px; border-collapse: collapse'>{rows}</table></div>"
    )

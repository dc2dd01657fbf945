"""Ranking-gains explorer: the label's gains and the position discount decide which ranker wins.

An offline ranking metric is a product decision twice over: the **gain** of each grade of outcome
(a booking, a request the host rejected, a long click, a click) and the **discount** of each
position. :class:`RankingGainsState` holds several rankers' scores for the same logged rows and,
for any gains, discount and cut-off ``k``, computes each ranker's mean offline NDCG@k over the
searches and names the winner, beside a fixed true measure of each ranker (what the business
earns, e.g. bookings per search, computed by the case). Under-weight the bookings and the offline
metric may prefer a ranker the truth does not. :class:`RankingGainsExplorer` puts a slider on each
gain, a choice of discount, a decay and k on top of it.

Conventions, for a search whose rows have gains ``g`` and 1-based ranks ``r`` under a ranker
(decreasing score, ties in row order):

- ``DCG@k = Σ_{r <= k} g · d(r)``, with the discount ``d(r) = 1 / log2(1 + r)`` (``"log2"``,
  NDCG's) or ``d(r) = r ** -decay`` (``"power"``: steeper than log2 for a decay above about 1,
  flatter below; decay 0 weighs every position of the top k alike);
- ``IDCG@k``, the best order's DCG@k, places the search's **positive** gains first, in
  decreasing order; ``W@k``, the worst order's, places its **negative** gains first, most
  negative first (``W@k = 0`` when no gain is negative);
- ``NDCG@k = (DCG@k − W@k) / (IDCG@k − W@k)``, in ``[0, 1]``, averaged over the searches where
  the two differ (a search whose every gain is 0 says nothing, and is left out).

**Negative gains are counted, not clipped**: a rejected request in the top k lowers the DCG
towards the worst order's. Normalising by the best order alone, ``DCG / IDCG``, is unbounded
below once a gain is negative — a search with one click (gain 0.01) and a rejection on top
(−0.4) scores −40 and outweighs a hundred others — so the scale runs from the worst order to
the best, after the min–max normalisation Gienapp, Fröbe, Hagen & Potthast (CIKM 2020)
propose for negative judgments. With every gain >= 0,
``W@k = 0`` and this is the kit's :func:`mlsd.metrics.ranking.ndcg_at_k` exactly (under the
``"log2"`` discount). A case that clips negative gains to 0 (as rental search's scorecard does)
measures a rejection as a view.

Computation: each ranker's ranks are found once. For a discount and ``k``, each ranker's
searches × grades matrix ``M[s, c] = Σ d(r)`` over search ``s``'s rows of grade ``c`` in the top
``k`` is one ``bincount``; the DCG of every search under any gains is then ``M @ gains``, and the
two references come from the grades' counts per search and the cumulative discounts — no
Python loop over searches, so a slider move costs a few matrix products.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
import pandas as pd

from mlsd.explore._figures import BEST_COLOUR, CURRENT_COLOUR, canvas_png, new_figure
from mlsd.ordering import rank_within_groups
from mlsd.validation import as_1d, check_choice, check_int, check_number, same_length

DISCOUNTS = ("log2", "power")
"""The position discounts: ``1 / log2(1 + r)`` and ``r ** -decay``."""
DISCOUNT_LABELS = {"log2": "1 / log2(1 + rank) — NDCG's", "power": "rank ** −decay"}
SWEEP_POINTS = 41
"""Gains on the figure's grid of the swept grade."""


@dataclass(frozen=True)
class RankingGainsSnapshot:
    """What the explorer shows for one set of gains, discount and k.

    Attributes
    ----------
    gains : dict of str to float
        The gain of every grade.
    discount : str
        One of :data:`DISCOUNTS`.
    decay : float
        The decay of the ``"power"`` discount (kept, unused, under ``"log2"``).
    k : int
        The cut-off.
    offline : dict of str to float
        Each ranker's mean NDCG@k over the searches counted, in the rankers' order.
    offline_winner : str
        The ranker with the highest offline NDCG@k (the first such in the rankers' order).
    truth : dict of str to float
        Each ranker's true measure (fixed; empty when none was given).
    true_winner : str or None
        The ranker with the highest true measure; None without a truth.
    agree : bool or None
        Whether the two winners are the same ranker; None without a truth.
    searches_counted : int
        Searches with a positive gain: those in the means.
    n_searches : int
        Every search.
    """

    gains: dict
    discount: str
    decay: float
    k: int
    offline: dict
    offline_winner: str
    truth: dict
    true_winner: str | None
    agree: bool | None
    searches_counted: int
    n_searches: int


class RankingGainsState:
    """The ranking-gains explorer without widgets: set gains, discount and k, read a
    :meth:`snapshot`.

    Parameters
    ----------
    grades : array-like of shape (n,)
        Each row's grade, a key of ``gains`` (e.g. ``"booked"``, ``"click"``, ``"viewed"``).
    scores_by_ranker : mapping of str to array-like of shape (n,)
        Each ranker's score for every row; higher ranks first, ties keep the rows' order.
    searches : array-like of shape (n,)
        The search (query) of each row; a search's rows are ranked among themselves.
    gains : mapping of str to float
        The starting gain of every grade (finite numbers, negative allowed); its keys are the
        grades, in the order the view shows them.
    truth : mapping of str to float, optional
        A true measure of each ranker (higher is better), e.g. the bookings per search the
        ranker's order would earn; it names every ranker.
    truth_label : str, default="true measure"
        What the truth measures, as the readout names it.
    discount : str, default="log2"
        One of :data:`DISCOUNTS`.
    decay : float, default=1.0
        The ``"power"`` discount's exponent, in ``[0, 5]``.
    k : int, default=10
        The cut-off, from 1 to the longest search.

    Notes
    -----
    The module docstring gives the formulas. The discount matrices of the current discount and
    ``k`` are computed on the first snapshot after a change and kept.
    """

    def __init__(self, grades, scores_by_ranker, searches, *, gains, truth=None,
                 truth_label="true measure", discount="log2", decay=1.0, k=10):
        if not isinstance(gains, Mapping) or not gains:
            raise ValueError("gains must be a non-empty mapping of grade to gain; "
                             f"got {gains!r:.60}")
        self.grades = tuple(str(grade) for grade in gains)
        self._codes = _grade_codes(grades, self.grades)
        searches = np.asarray(searches)
        if not isinstance(scores_by_ranker, Mapping) or not scores_by_ranker:
            raise ValueError("scores_by_ranker must be a non-empty mapping of ranker to scores")
        scores = {str(name): as_1d(values, f"scores_by_ranker[{name!r}]")
                  for name, values in scores_by_ranker.items()}
        same_length(grades=self._codes, searches=searches, **scores)
        self.rankers = tuple(scores)
        self._search, _ = pd.factorize(searches)
        self.n_searches = int(self._search.max()) + 1
        lengths = np.bincount(self._search)
        self.longest = int(lengths.max())
        self._ranks = {name: rank_within_groups(self._search, score)
                       for name, score in scores.items()}
        self._counts = np.bincount(self._search * len(self.grades) + self._codes,
                                   minlength=self.n_searches * len(self.grades)
                                   ).reshape(self.n_searches, len(self.grades))
        self.truth = _truth(truth, self.rankers)
        self.truth_label = str(truth_label)
        self._gains = self.checked_gains(gains)
        self._discount, self._decay, self._k = "log2", 1.0, 1
        self.discount, self.decay, self.k = discount, decay, k
        self._cache = None

    @property
    def gains(self) -> dict[str, float]:
        """The gain of every grade (a copy: set it whole, or one grade with :meth:`set_gain`)."""
        return dict(self._gains)

    @gains.setter
    def gains(self, value) -> None:
        self._gains = self.checked_gains(value)

    def set_gain(self, grade: str, value) -> None:
        """Set one grade's gain, keeping the others."""
        check_choice("grade", grade, self.grades)
        self.gains = {**self._gains, grade: value}

    def checked_gains(self, gains) -> dict[str, float]:
        """``gains`` as a finite float for exactly the grades; else ValueError naming the grade."""
        if not isinstance(gains, Mapping):
            raise ValueError(f"gains must be a mapping of grade to gain; got {gains!r:.60}")
        if set(gains) != set(self.grades):
            raise ValueError(f"gains must name exactly the grades {list(self.grades)}; "
                             f"got {list(gains)}")
        return {grade: check_number(f"gains[{grade!r}]", gains[grade]) for grade in self.grades}

    @property
    def discount(self) -> str:
        """One of :data:`DISCOUNTS`."""
        return self._discount

    @discount.setter
    def discount(self, value) -> None:
        self._discount = check_choice("discount", value, DISCOUNTS)
        self._cache = None

    @property
    def decay(self) -> float:
        """The exponent of the ``"power"`` discount, in ``[0, 5]``."""
        return self._decay

    @decay.setter
    def decay(self, value) -> None:
        self._decay = check_number("decay", value, 0, 5)
        self._cache = None

    @property
    def k(self) -> int:
        """The cut-off, from 1 to the longest search."""
        return self._k

    @k.setter
    def k(self, value) -> None:
        self._k = check_int("k", value, 1, self.longest)
        self._cache = None

    def discounts(self) -> np.ndarray:
        """``d(r)`` for ``r = 1 … longest``, 0 beyond ``k``."""
        rank = np.arange(1, self.longest + 1, dtype=float)
        d = 1 / np.log2(1 + rank) if self._discount == "log2" else rank ** -self._decay
        return np.where(rank <= self._k, d, 0.0)

    def ndcg(self, gains=None) -> dict[str, float]:
        """Each ranker's mean NDCG@k under ``gains`` (default: the current gains)."""
        table = self._ndcg_table(self._gain_matrix([gains]))
        return {name: float(table[0, i]) for i, name in enumerate(self.rankers)}

    def snapshot(self) -> RankingGainsSnapshot:
        """The current gains, discount and k: each ranker's offline NDCG@k, the winners."""
        offline = self.ndcg()
        offline_winner = _best(offline)
        true_winner = _best(self.truth) if self.truth else None
        best, worst = self._bounds(self._gain_matrix([None]))
        counted = int((best[0] > worst[0]).sum())
        return RankingGainsSnapshot(
            gains=self.gains, discount=self._discount, decay=self._decay, k=self._k,
            offline=offline, offline_winner=offline_winner, truth=dict(self.truth),
            true_winner=true_winner,
            agree=None if true_winner is None else offline_winner == true_winner,
            searches_counted=counted, n_searches=self.n_searches)

    def sweep(self, grade: str, values) -> pd.DataFrame:
        """One row per value of ``grade``'s gain, the other gains as they are: each ranker's
        offline NDCG@k (a column per ranker) and ``winner``, indexed by the gain."""
        grade = check_choice("the swept grade", grade, self.grades)
        grid = as_1d(values, f"the gains of {grade!r}")
        table = self._ndcg_table(self._gain_matrix([{**self._gains, grade: g} for g in grid]))
        frame = pd.DataFrame(table, columns=list(self.rankers),
                             index=pd.Index(grid, name=f"gain of {grade}"))
        frame["winner"] = [_best(dict(zip(self.rankers, row))) for row in table]
        return frame

    def _gain_matrix(self, gain_sets) -> np.ndarray:
        """Sets × grades: each set of gains (None: the current) in the grades' order."""
        rows = [self._gains if g is None else self.checked_gains(g) for g in gain_sets]
        return np.array([[row[grade] for grade in self.grades] for row in rows])

    def _ndcg_table(self, gains: np.ndarray) -> np.ndarray:
        """Sets × rankers: mean NDCG@k over the searches whose best and worst differ."""
        best, worst = self._bounds(gains)
        span = best - worst
        counted = span > 0
        safe = np.where(counted, span, 1.0)
        table = np.empty((len(gains), len(self.rankers)))
        for i, name in enumerate(self.rankers):
            ratio = ((self._matrices()[name] @ gains.T).T - worst) / safe
            n = counted.sum(axis=1)
            table[:, i] = np.where(n > 0, (ratio * counted).sum(axis=1) / np.maximum(n, 1), np.nan)
        return table

    def _bounds(self, gains: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sets × searches: the best and the worst references, ``IDCG@k`` and ``W@k``."""
        return self._placed(gains, best=True), self._placed(gains, best=False)

    def _placed(self, gains: np.ndarray, best: bool) -> np.ndarray:
        """Sets × searches: the DCG@k of each search's positive gains in decreasing order
        (``best``), or of its negative gains in increasing order.

        With those grades sorted (ties in the grades' order) and ``C_j`` the search's rows of the
        first ``j`` of them, grade ``j`` fills the ranks ``C_{j-1} + 1 … C_j``: the DCG is
        ``Σ_j g_j (D(C_j) − D(C_{j-1}))`` with ``D`` the cumulative discounts (0 beyond k)."""
        cumulative = np.r_[0.0, np.cumsum(self.discounts())]
        placed = np.zeros((len(gains), self.n_searches))
        for s, row in enumerate(gains):
            order = np.argsort(-row if best else row, kind="stable")
            order = order[row[order] > 0] if best else order[row[order] < 0]
            filled = np.cumsum(self._counts[:, order], axis=1)
            before = np.hstack([np.zeros((self.n_searches, 1), dtype=np.int64), filled[:, :-1]])
            placed[s] = ((cumulative[filled] - cumulative[before]) * row[order]).sum(axis=1)
        return placed

    def _matrices(self) -> dict[str, np.ndarray]:
        """Each ranker's searches × grades sums of the discounts of its top-k rows (kept until
        the discount, decay or k change)."""
        if self._cache is None:
            d = self.discounts()
            bins = self.n_searches * len(self.grades)
            key = self._search * len(self.grades) + self._codes
            self._cache = {
                name: np.bincount(key, weights=d[rank - 1], minlength=bins)
                .reshape(self.n_searches, len(self.grades))
                for name, rank in self._ranks.items()
            }
        return self._cache


def _grade_codes(grades, names: tuple[str, ...]) -> np.ndarray:
    values = np.asarray(grades).astype(str)
    if values.ndim != 1 or values.size == 0:
        raise ValueError("grades must be a non-empty 1-dimensional array; "
                         f"got shape {values.shape}")
    lookup = {name: code for code, name in enumerate(names)}
    unknown = sorted(set(map(str, np.unique(values))) - set(lookup))
    if unknown:
        raise ValueError(f"grades hold {unknown[0]!r}, which gains does not name; "
                         f"the grades are {list(names)}")
    return pd.Series(values).map(lookup).to_numpy(dtype=np.int64)


def _truth(truth, rankers: tuple[str, ...]) -> dict[str, float]:
    if truth is None:
        return {}
    if not isinstance(truth, (Mapping, pd.Series)):
        raise ValueError(f"truth must map every ranker to a number; got {type(truth).__name__}")
    missing = [name for name in rankers if name not in truth]
    if missing:
        raise ValueError(f"truth lacks the rankers {missing}; it must name {list(rankers)}")
    return {name: check_number(f"truth[{name!r}]", truth[name]) for name in rankers}


def _best(values: Mapping[str, float]) -> str:
    """The name of the largest value (the first of equals; NaN never wins)."""
    finite = {name: value for name, value in values.items() if not math.isnan(value)}
    return max(finite, key=finite.get) if finite else next(iter(values))


class RankingGainsExplorer:
    """Interactive ranking-gains explorer: a slider per gain, the discount, its decay and k; the
    readout of each ranker's offline NDCG@k beside its true measure, winners marked; a figure of
    each ranker's NDCG@k as one grade's gain moves.

    Parameters
    ----------
    grades, scores_by_ranker, searches, gains, truth, truth_label, discount, decay, k
        As in :class:`RankingGainsState`.
    fixed : sequence of str, default=()
        Grades whose gain has no slider (e.g. ``"viewed"``, the zero of the scale).
    sweep_grade : str, optional
        The grade whose gain the figure moves; by default the first grade with a slider.
    gain_range : tuple of float, default=(-2, 5)
        Each gain slider's range, widened to hold its starting gain; steps of 0.01.

    Attributes
    ----------
    state : RankingGainsState
        The numbers behind the view; the controls only set its inputs.
    sliders : dict of str to FloatSlider
        One per grade not fixed, described ``gain of <grade>``.
    discount_buttons, decay_slider, k_slider
        The discount's choice (``ToggleButtons``), the power discount's decay (disabled under
        log2) and the cut-off.
    readout, image
        The readout (``widgets.HTML``: a table with a row per ranker and the winners' verdict)
        and the figure; ``widget`` holds everything.
    """

    def __init__(self, grades, scores_by_ranker, searches, *, gains, truth=None,
                 truth_label="true measure", discount="log2", decay=1.0, k=10, fixed=(),
                 sweep_grade=None, gain_range=(-2.0, 5.0)):
        self.state = RankingGainsState(grades, scores_by_ranker, searches, gains=gains,
                                       truth=truth, truth_label=truth_label, discount=discount,
                                       decay=decay, k=k)
        fixed = tuple(check_choice("fixed grade", grade, self.state.grades) for grade in fixed)
        moved = [grade for grade in self.state.grades if grade not in fixed]
        if not moved:
            raise ValueError("fixed must leave at least one grade with a slider")
        self.sweep_grade = moved[0] if sweep_grade is None else check_choice(
            "sweep_grade", sweep_grade, moved)
        low, high = (check_number("gain_range low", gain_range[0]),
                     check_number("gain_range high", gain_range[1]))
        if low >= high:
            raise ValueError(f"gain_range must be (low, high) with low < high; got {gain_range!r}")
        self.sliders = {grade: _gain_slider(grade, self.state.gains[grade], low, high)
                        for grade in moved}
        self.discount_buttons = widgets.ToggleButtons(
            options=[(DISCOUNT_LABELS[name], name) for name in DISCOUNTS],
            value=self.state.discount, description="discount",
            style={"description_width": "initial"})
        self.decay_slider = widgets.FloatSlider(
            value=self.state.decay, min=0.0, max=3.0, step=0.1, readout_format=".1f",
            continuous_update=False, description="decay", disabled=self.state.discount == "log2",
            layout=widgets.Layout(width="360px"))
        self.k_slider = widgets.IntSlider(
            value=self.state.k, min=1, max=self.state.longest, continuous_update=False,
            description="k", layout=widgets.Layout(width="360px"))
        self.readout = widgets.HTML(layout=widgets.Layout(width="420px"))
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="460px"))
        self._figure = SweepFigure(self.state.rankers, self.sweep_grade)
        self.widget = widgets.VBox([
            widgets.HTML(_INTRO),
            widgets.VBox(list(self.sliders.values())),
            self.discount_buttons,
            widgets.HBox([self.decay_slider, self.k_slider]),
            widgets.HBox([self.readout, self.image],
                         layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start")),
        ])
        self._connect()
        self._show()

    def _connect(self) -> None:
        for grade, slider in self.sliders.items():
            slider.observe(lambda change, grade=grade: self._on_gain(grade, change), names="value")
        self.discount_buttons.observe(self._on_discount, names="value")
        self.decay_slider.observe(lambda change: self._set("decay", change["new"]), names="value")
        self.k_slider.observe(lambda change: self._set("k", change["new"]), names="value")

    def _on_gain(self, grade: str, change) -> None:
        self.state.set_gain(grade, change["new"])
        self._show()

    def _on_discount(self, change) -> None:
        self.decay_slider.disabled = change["new"] == "log2"
        self._set("discount", change["new"])

    def _set(self, name: str, value) -> None:
        setattr(self.state, name, value)
        self._show()

    def _show(self) -> None:
        snapshot = self.state.snapshot()
        self.readout.value = _readout_html(snapshot, self.state.truth_label)
        if self._figure.stale(snapshot):
            slider = self.sliders[self.sweep_grade]
            grid = np.linspace(slider.min, slider.max, SWEEP_POINTS)
            self._figure.draw_curves(self.state.sweep(self.sweep_grade, grid), snapshot)
        self.image.value = self._figure.png(snapshot)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _gain_slider(grade: str, value: float, low: float, high: float) -> widgets.FloatSlider:
    label = grade.replace("_", " ")
    return widgets.FloatSlider(
        value=value, min=min(low, value), max=max(high, value), step=0.01,
        readout_format=".2f", continuous_update=False, description=f"gain of {label}",
        tooltip=f"What one {label} in the top k is worth to the offline metric",
        style={"description_width": "initial"}, layout=widgets.Layout(width="480px"),
    )


_INTRO = (
    "<div style='font-size: 13px'>Offline NDCG@k of each ranker on the logged outcomes: "
    "DCG = Σ<sub>rank ≤ k</sub> <i>gain</i>(grade) · <i>d</i>(rank), over the DCG of the "
    "search's positive gains in the best order. Negative gains count (a rejection on top "
    "costs). The true measure does not move: it is what each ranker earns.</div>"
)
_WINNER = "background: #d8f0dc; font-weight: bold"


def _readout_html(snapshot: RankingGainsSnapshot, truth_label: str) -> str:
    """The readout: the gains, a row per ranker with its offline NDCG@k and true measure (each
    winner highlighted), and whether the offline metric picks the true winner."""
    gains = ", ".join(f"{html.escape(grade)} {gain:g}" for grade, gain in snapshot.gains.items())
    discount = ("1/log2(1+rank)" if snapshot.discount == "log2"
                else f"rank ** -{snapshot.decay:g}")
    header = (f"<tr><th style='text-align: left; padding: 2px 8px'>ranker</th>"
              f"<th style='padding: 2px 8px'>offline NDCG@{snapshot.k}</th>")
    if snapshot.truth:
        header += f"<th style='padding: 2px 8px'>{html.escape(truth_label)}</th>"
    rows = ""
    for name, value in snapshot.offline.items():
        offline_style = _WINNER if name == snapshot.offline_winner else ""
        rows += (f"<tr><th style='text-align: left; padding: 2px 8px'>{html.escape(name)}</th>"
                 f"<td style='text-align: right; padding: 2px 8px; {offline_style}'>"
                 f"{value:.4f}</td>")
        if snapshot.truth:
            true_style = _WINNER if name == snapshot.true_winner else ""
            rows += (f"<td style='text-align: right; padding: 2px 8px; {true_style}'>"
                     f"{snapshot.truth[name]:.4f}</td>")
        rows += "</tr>"
    verdict = f"offline winner: <b>{html.escape(snapshot.offline_winner)}</b>"
    if snapshot.truth:
        verdict += (f"; true winner: <b>{html.escape(snapshot.true_winner)}</b> — "
                    + ("they agree" if snapshot.agree else "<b>they disagree</b>"))
    return (
        "<div style='font-size: 13px'>"
        f"<b>Gains</b>: {gains}<br><b>Discount</b>: {discount}, k = {snapshot.k}; "
        f"{snapshot.searches_counted:,} of {snapshot.n_searches:,} searches have a positive gain"
        f"<table style='margin-top: 6px; border-collapse: collapse'>{header}</tr>{rows}</table>"
        f"<p>{verdict}</p></div>"
    )


class SweepFigure:
    """Each ranker's offline NDCG@k against one grade's gain, the current gain marked (dashed).

    Parameters
    ----------
    rankers : sequence of str
        The rankers, one line each, in this order.
    grade : str
        The swept grade.
    width_px, height_px : int
        Size of the rendered image.

    Notes
    -----
    Drawn in two layers. The curves depend on the other grades' gains, the discount, its decay and
    k, and the offline winner's line is drawn thick — but not on the swept gain itself, so
    :meth:`draw_curves` renders them into a saved background only when one of those changed
    (:meth:`stale`), and :meth:`png` draws the dashed mark over it.
    """

    def __init__(self, rankers, grade: str, width_px: int = 460, height_px: int = 320):
        self.figure = new_figure(width_px, height_px)
        self._axes = axes = self.figure.subplots()
        self._grade = grade
        self._lines = {name: axes.plot([], [], label=name)[0] for name in rankers}
        self._mark = axes.axvline(0.0, color=CURRENT_COLOUR, lw=1, ls="--", animated=True)
        self._true_winner = axes.plot([], [], color=BEST_COLOUR, lw=0)[0]
        axes.set_xlabel(f"gain of {grade.replace('_', ' ')} (dashed: current)")
        self._background = None
        self._drawn_for = None

    def stale(self, snapshot: RankingGainsSnapshot) -> bool:
        """Whether the curves drawn are not those of ``snapshot``'s settings."""
        return self._drawn_for != self._curves_key(snapshot)

    def draw_curves(self, sweep: pd.DataFrame, snapshot: RankingGainsSnapshot) -> None:
        """Render the background: each ranker's column of ``sweep`` (indexed by the swept
        gain), the offline winner's thick, and the true winner named in the legend."""
        axes = self._axes
        for name, line in self._lines.items():
            line.set_data(sweep.index, sweep[name])
            line.set_linewidth(2.5 if name == snapshot.offline_winner else 1.2)
        handles = list(self._lines.values())
        if snapshot.true_winner is not None:
            self._true_winner.set_label(f"true winner: {snapshot.true_winner}")
            handles.append(self._true_winner)
        axes.relim()
        axes.autoscale_view()
        axes.set_ylabel(f"offline NDCG@{snapshot.k}")
        axes.legend(handles=handles, fontsize="small", loc="best")
        self.figure.set_layout_engine("constrained")
        self.figure.canvas.draw()
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        self._drawn_for = self._curves_key(snapshot)

    def png(self, snapshot: RankingGainsSnapshot) -> bytes:
        """The background with the current gain marked, as PNG bytes."""
        if self.stale(snapshot):
            raise RuntimeError("draw_curves must be called with this snapshot's curves first")
        self.figure.canvas.restore_region(self._background)
        gain = snapshot.gains[self._grade]
        self._mark.set_xdata([gain, gain])
        self._axes.draw_artist(self._mark)
        return canvas_png(self.figure)

    def _curves_key(self, snapshot: RankingGainsSnapshot) -> tuple:
        others = tuple((grade, gain) for grade, gain in snapshot.gains.items()
                       if grade != self._grade)
        return (others, snapshot.discount, snapshot.decay, snapshot.k, snapshot.offline_winner,
                snapshot.true_winner)

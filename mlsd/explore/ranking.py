"""Ranking-metric explorer: pick k and a metric, see each user's list and compare recommenders.

A recommender is judged on the top of each user's list, and the ranking metrics weigh that top
differently: precision and recall count hits, hit rate asks for one, MRR looks only at the first,
MAP and NDCG reward hits that come early. :class:`RankingExplorerState` holds several
recommenders' scores for the same (user, item) rows and answers, for any cut-off ``k`` and metric,
the mean over users and one user's value and top-k list per recommender. :class:`HandMadeList`
is a short list of relevant and irrelevant slots to edit by hand, with all six metrics of it.
:class:`RankingExplorer` puts dropdowns, a slider and toggle buttons on top of both.

Every number comes from :mod:`mlsd.metrics.ranking`, with its conventions (precision divides by
k, MAP@k by ``min(k, R)``, NDCG uses linear gain, tied scores keep their input order, users with
no relevant item are left out of every mean but precision's).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

import ipywidgets as widgets
import numpy as np

from mlsd.metrics.ranking import RankedLists
from mlsd.ordering import order_by_score
from mlsd.validation import check_choice, check_int, is_integer

METRICS = ("precision", "recall", "hit_rate", "mrr", "map", "ndcg")
METRIC_LABELS = {
    "precision": "precision@k",
    "recall": "recall@k",
    "hit_rate": "hit rate@k",
    "mrr": "MRR@k",
    "map": "MAP@k",
    "ndcg": "NDCG@k",
}
METRIC_MEANINGS = {
    "precision": "share of the top k that is relevant: hits / k",
    "recall": "share of the user's relevant items that made the top k",
    "hit_rate": "1 when the top k holds at least one relevant item, else 0",
    "mrr": "1 / rank of the first relevant item (0 when none is in the top k)",
    "map": "precision at each hit's rank, summed, over min(k, relevant items)",
    "ndcg": "hits weighted 1 / log2(rank + 1), over the best order's score",
}
_PER_USER = {
    "precision": RankedLists.precision_at,
    "recall": RankedLists.recall_at,
    "hit_rate": RankedLists.hit_rate_at,
    "mrr": RankedLists.reciprocal_rank,
    "map": RankedLists.average_precision_at,
    "ndcg": RankedLists.ndcg_at,
}
DEFAULT_HAND_MADE = (1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
HIT_BACKGROUND = "#d8f0dc"


@dataclass(frozen=True)
class RankedItem:
    """One row of a user's top-k list.

    Attributes
    ----------
    rank : int
        Position in the list, 1 for the top.
    row : int
        Index of the row in the flat input arrays.
    item : object
        The item's id (the row index when no ids were given).
    relevance : float
        The row's ``y_true``.
    is_hit : bool
        Whether the item is relevant (``relevance > 0``).
    score : float
        The recommender's score.
    """

    rank: int
    row: int
    item: object
    relevance: float
    is_hit: bool
    score: float


@dataclass(frozen=True)
class RecommenderResult:
    """One recommender at the chosen metric, k and user.

    Attributes
    ----------
    name : str
        The recommender's name, a key of ``scores_by_recommender``.
    mean : float
        The metric@k averaged over users, as the module-level function of
        :mod:`mlsd.metrics.ranking` returns it.
    user_value : float
        The chosen user's metric@k; NaN when the user has no relevant item (except precision).
    user_hits : int
        Relevant items in the chosen user's top k.
    top_k : tuple of RankedItem
        The chosen user's top k, best first (shorter when the list is).
    """

    name: str
    mean: float
    user_value: float
    user_hits: int
    top_k: tuple[RankedItem, ...]


@dataclass(frozen=True)
class RankingSnapshot:
    """What the explorer shows for one metric, k and user.

    Attributes
    ----------
    metric : str
        One of :data:`METRICS`.
    k : int
        The cut-off.
    user : object
        The chosen user (group id).
    user_n_relevant : int
        R, the chosen user's number of relevant items.
    n_users : int
        Number of users.
    users_counted : int
        Users in the mean: all for precision, those with a relevant item for the other metrics.
    recommenders : tuple of RecommenderResult
        One per recommender, in the order given.
    """

    metric: str
    k: int
    user: object
    user_n_relevant: int
    n_users: int
    users_counted: int
    recommenders: tuple[RecommenderResult, ...]


class RankingExplorerState:
    """The ranking explorer without widgets: set metric, k and user, read a :meth:`snapshot`.

    Parameters
    ----------
    y_true : array-like of shape (n_rows,)
        Relevance of each (user, item) row: binary (0/1) or graded (>= 0).
    scores_by_recommender : mapping of str to array-like of shape (n_rows,)
        Each recommender's score for every row; higher ranks first, tied scores keep the rows'
        order.
    group : array-like of shape (n_rows,)
        The user (or query) each row belongs to; numbers or strings.
    k : int, default=10
        Cut-off, >= 1.
    metric : str, default="ndcg"
        One of ``"precision"``, ``"recall"``, ``"hit_rate"``, ``"mrr"``, ``"map"``, ``"ndcg"``.
    user : optional
        The user whose lists are shown, one of the group ids; by default the first user (in
        sorted order) with a relevant item.
    n_relevant : array-like of shape (n_rows,), optional
        Relevant items of the row's user in total, counting those no recommender ranked; as in
        :class:`~mlsd.metrics.ranking.RankedLists`.
    item : array-like of shape (n_rows,), optional
        The id of each row's item, shown in the lists; by default the row's index.

    Attributes
    ----------
    lists : dict of str to RankedLists
        Each recommender's lists, built once.
    users : tuple
        The user ids, sorted, as plain Python values; per-user arrays are aligned with it.
    n_relevant : ndarray of int
        R, the number of relevant items of each user.
    longest_list : int
        The most rows any user has.

    Notes
    -----
    One :class:`~mlsd.metrics.ranking.RankedLists` per recommender is built at construction
    (O(n log n)). A change of metric or k computes the per-user values of every recommender
    (O(n)) and keeps them, so a change of user only finds and sorts that user's rows. Means and
    per-user values are exactly those of :mod:`mlsd.metrics.ranking`.
    """

    def __init__(
        self,
        y_true,
        scores_by_recommender,
        group,
        *,
        k=10,
        metric="ndcg",
        user=None,
        n_relevant=None,
        item=None,
    ):
        self.scores_by_recommender = _scores(scores_by_recommender)
        self.lists = {
            name: _ranked_lists(name, y_true, scores, group, n_relevant)
            for name, scores in self.scores_by_recommender.items()
        }
        first = next(iter(self.lists.values()))
        if not (first.n_relevant > 0).any():
            raise ValueError(
                "y_true has no relevant item (y_true > 0) for any user; every metric but "
                "precision would be undefined"
            )
        self.y_true = np.asarray(y_true, dtype=float)
        self.group = np.asarray(group)
        self.item = _items(item, len(self.y_true))
        self.users = tuple(first.groups.tolist())
        self.n_relevant = first.n_relevant
        self.longest_list = int(first.list_lengths.max())
        self._user_index = {user: index for index, user in enumerate(self.users)}
        self._per_user: tuple[tuple[str, int], dict[str, np.ndarray]] | None = None
        self.k = k
        self.metric = metric
        self.user = self._first_user_with_a_hit() if user is None else user

    @property
    def recommenders(self) -> tuple[str, ...]:
        """The recommenders' names, in the order given."""
        return tuple(self.lists)

    @property
    def k(self) -> int:
        """The cut-off: how many items of each list count; an integer >= 1."""
        return self._k

    @k.setter
    def k(self, value) -> None:
        self._k = check_int("k", value, 1)

    @property
    def metric(self) -> str:
        """The metric shown; one of :data:`METRICS`."""
        return self._metric

    @metric.setter
    def metric(self, value) -> None:
        self._metric = check_choice("metric", value, METRICS)

    @property
    def user(self):
        """The user whose lists are shown; one of :attr:`users`."""
        return self._user

    @user.setter
    def user(self, value) -> None:
        if not _is_key_of(value, self._user_index):
            raise ValueError(
                f"user must be one of the {len(self.users)} users (group ids); got {value!r}"
            )
        self._user = self.users[self._user_index[value]]

    def user_n_relevant(self, user) -> int:
        """R, the number of relevant items of ``user``."""
        return int(self.n_relevant[self._user_index[user]])

    def per_user(self) -> dict[str, np.ndarray]:
        """Each recommender's metric@k per user, aligned with :attr:`users`.

        Computed when the metric or k changes, and kept while only the user changes.
        """
        key = (self._metric, self._k)
        if self._per_user is None or self._per_user[0] != key:
            compute = _PER_USER[self._metric]
            values = {name: compute(lists, self._k) for name, lists in self.lists.items()}
            self._per_user = (key, values)
        return self._per_user[1]

    def snapshot(self) -> RankingSnapshot:
        """Every number the explorer shows at the current metric, k and user."""
        per_user = self.per_user()
        index = self._user_index[self._user]
        user_rows = np.flatnonzero(self.group == self._user)
        counted = ~np.isnan(next(iter(per_user.values())))
        results = []
        for name, values in per_user.items():
            top_k = self._top_k(user_rows, self.scores_by_recommender[name])
            results.append(
                RecommenderResult(
                    name=name,
                    mean=float(values[~np.isnan(values)].mean()),
                    user_value=float(values[index]),
                    user_hits=sum(entry.is_hit for entry in top_k),
                    top_k=top_k,
                )
            )
        return RankingSnapshot(
            metric=self._metric,
            k=self._k,
            user=self._user,
            user_n_relevant=int(self.n_relevant[index]),
            n_users=len(self.users),
            users_counted=int(counted.sum()),
            recommenders=tuple(results),
        )

    def _top_k(self, user_rows: np.ndarray, scores: np.ndarray) -> tuple[RankedItem, ...]:
        """The user's rows by score (compared as :func:`mlsd.ordering.order_by_score` does), ties in row order."""
        ranked = user_rows[order_by_score(scores[user_rows])][: self._k]
        return tuple(
            RankedItem(
                rank=rank,
                row=int(row),
                item=self.item[row : row + 1].tolist()[0],
                relevance=float(self.y_true[row]),
                is_hit=bool(self.y_true[row] > 0),
                score=float(scores[row]),
            )
            for rank, row in enumerate(ranked, start=1)
        )

    def _first_user_with_a_hit(self):
        return self.users[int(np.flatnonzero(self.n_relevant > 0)[0])]


class HandMadeList:
    """A short ranked list to edit by hand, and all six metrics of it.

    Parameters
    ----------
    relevance : sequence of 0 and 1, default=(1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        Whether the item at each position (rank 1 first) is relevant.
    n_relevant : int, optional
        R, the user's relevant items in total, counting those outside the list; at least the
        hits in the list. By default the hits in the list (nothing relevant outside it).

    Notes
    -----
    Positions run from 1 (the top) to :attr:`n_slots`. :meth:`toggle` and :meth:`move` change
    only the list: the number of relevant items outside it stays, so turning a slot relevant adds
    one to ``n_relevant``. :meth:`metrics` computes every metric with
    :class:`~mlsd.metrics.ranking.RankedLists` on the list as one group ranked in slot order.
    """

    def __init__(self, relevance=DEFAULT_HAND_MADE, *, n_relevant=None):
        self._relevance = _binary_slots(relevance)
        self._outside = 0
        if n_relevant is not None:
            self.n_relevant = n_relevant

    @property
    def relevance(self) -> tuple[int, ...]:
        """The list, 1 where the item at that position is relevant."""
        return tuple(self._relevance)

    @property
    def n_slots(self) -> int:
        """Length of the list."""
        return len(self._relevance)

    @property
    def hits(self) -> int:
        """Relevant items in the list."""
        return sum(self._relevance)

    @property
    def relevant_outside(self) -> int:
        """Relevant items the list does not hold; an integer >= 0."""
        return self._outside

    @relevant_outside.setter
    def relevant_outside(self, value) -> None:
        self._outside = check_int("relevant_outside", value, 0)

    @property
    def n_relevant(self) -> int:
        """R: relevant items in the list plus those outside it."""
        return self.hits + self._outside

    @n_relevant.setter
    def n_relevant(self, value) -> None:
        if not is_integer(value) or value < self.hits:
            raise ValueError(
                f"n_relevant must be an integer >= {self.hits} (the hits in the list); "
                f"got {value!r}"
            )
        self._outside = int(value) - self.hits

    def toggle(self, position) -> None:
        """Make the item at ``position`` (1 = top) relevant if it was not, irrelevant if it was."""
        index = self._index(position, "position")
        self._relevance[index] = 1 - self._relevance[index]

    def move(self, from_position, to_position) -> None:
        """Take the item at ``from_position`` out and insert it at ``to_position``.

        The items between shift by one place, as when dragging an item within a list.
        """
        source = self._index(from_position, "from_position")
        target = self._index(to_position, "to_position")
        self._relevance.insert(target, self._relevance.pop(source))

    def metrics(self, k) -> dict[str, float]:
        """Every metric of :data:`METRICS` at cut-off ``k`` for this one list.

        Values are NaN where the metric is undefined: every metric but precision when R = 0.
        """
        k = check_int("k", k, 1)
        n = self.n_slots
        lists = RankedLists(
            self._relevance, -np.arange(n), np.zeros(n), n_relevant=np.full(n, self.n_relevant)
        )
        return {metric: float(_PER_USER[metric](lists, k)[0]) for metric in METRICS}

    def _index(self, position, name: str) -> int:
        return check_int(name, position, 1, self.n_slots) - 1


class RankingExplorer:
    """Interactive ranking explorer: metric, k and user; mean per recommender; the user's lists.

    A second panel holds a hand-made list: one toggle button per position (pressed = relevant),
    a move control, and all six metrics of that list with how much the last edit changed them.

    Parameters
    ----------
    y_true, scores_by_recommender, group, k, metric, user, n_relevant, item
        As in :class:`RankingExplorerState`.
    hand_made : sequence of 0 and 1, default=(1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        The hand-made list to start from.
    title : str, optional
        Heading shown above the controls.

    Attributes
    ----------
    state : RankingExplorerState
        The numbers behind the main panel; the widgets only set its inputs.
    hand_made : HandMadeList
        The list behind the second panel.
    metric_dropdown, k_slider, user_dropdown, means, lists
        The main panel's controls, the table of means and the users' lists side by side.
    slot_buttons, hand_k_slider, outside_input, move_from, move_to, move_button, hand_metrics
        The hand-made panel. ``widget`` holds everything; a notebook cell ending with the
        explorer shows it.
    """

    def __init__(
        self,
        y_true,
        scores_by_recommender,
        group,
        *,
        k=10,
        metric="ndcg",
        user=None,
        n_relevant=None,
        item=None,
        hand_made=DEFAULT_HAND_MADE,
        title="",
    ):
        self.state = RankingExplorerState(
            y_true,
            scores_by_recommender,
            group,
            k=k,
            metric=metric,
            user=user,
            n_relevant=n_relevant,
            item=item,
        )
        self.hand_made = HandMadeList(hand_made)
        self._build_main_controls()
        self._build_hand_made_controls()
        self._metrics_before_last_edit: dict[str, float] | None = None
        self.widget = self._layout(title)
        self._connect()
        self._show()
        self._show_hand_made()

    def _build_main_controls(self) -> None:
        state = self.state
        self.metric_dropdown = widgets.Dropdown(
            options=[(METRIC_LABELS[metric], metric) for metric in METRICS],
            value=state.metric,
            description="Metric",
            tooltip="Which ranking metric the table and the lists report",
            layout=widgets.Layout(width="220px"),
        )
        self.k_slider = widgets.IntSlider(
            value=state.k,
            min=1,
            max=max(state.longest_list, state.k),
            continuous_update=False,
            description="k (top items counted)",
            tooltip="Only the first k items of each list count, as on a screen showing k items",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="460px"),
        )
        self.user_dropdown = widgets.Dropdown(
            options=[
                (f"{user} ({state.user_n_relevant(user)} relevant)", user) for user in state.users
            ],
            value=state.user,
            description="User",
            tooltip="Whose lists are shown below; in brackets, the user's number of relevant items",
            layout=widgets.Layout(width="320px"),
        )
        self.means = widgets.HTML()
        self.lists = widgets.HTML()

    def _build_hand_made_controls(self) -> None:
        n_slots = self.hand_made.n_slots
        self.slot_buttons = [
            widgets.ToggleButton(
                description=str(position),
                tooltip=f"Position {position}: pressed = relevant",
                layout=widgets.Layout(width="52px"),
            )
            for position in range(1, n_slots + 1)
        ]
        self.hand_k_slider = widgets.IntSlider(
            value=n_slots,
            min=1,
            max=n_slots,
            continuous_update=False,
            description="k for this list",
            tooltip="Cut-off for the metrics of the hand-made list",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="360px"),
        )
        self.outside_input = widgets.BoundedIntText(
            value=self.hand_made.relevant_outside,
            min=0,
            max=1_000,
            description="Relevant items outside the list",
            tooltip="Relevant items the list missed: they lower recall, MAP and NDCG",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="300px"),
        )
        self.move_from = _position_input("Move the item at position", 1, n_slots, "250px")
        self.move_to = _position_input("to position", min(2, n_slots), n_slots, "150px")
        self.move_button = widgets.Button(
            description="Move",
            tooltip="Take the item out and insert it at the new position; the others shift",
            layout=widgets.Layout(width="80px"),
        )
        self.hand_metrics = widgets.HTML()

    def _layout(self, title: str) -> widgets.VBox:
        rows = [
            widgets.HBox([self.metric_dropdown, self.k_slider, self.user_dropdown]),
            self.means,
            self.lists,
            widgets.HTML(_HAND_MADE_INTRO),
            widgets.HBox(self.slot_buttons, layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([self.move_from, self.move_to, self.move_button]),
            widgets.HBox([self.hand_k_slider, self.outside_input]),
            self.hand_metrics,
        ]
        if title:
            rows.insert(0, widgets.HTML(f"<h3>{html.escape(title)}</h3>"))
        return widgets.VBox(rows, layout=widgets.Layout(max_width="1260px"))

    def _connect(self) -> None:
        self.metric_dropdown.observe(self._on_metric, names="value")
        self.k_slider.observe(self._on_k, names="value")
        self.user_dropdown.observe(self._on_user, names="value")
        for position, button in enumerate(self.slot_buttons, start=1):
            button.observe(partial(self._on_slot, position), names="value")
        self.hand_k_slider.observe(self._on_hand_k, names="value")
        self.outside_input.observe(self._on_outside, names="value")
        self.move_button.on_click(self._on_move)

    def _on_metric(self, change) -> None:
        self.state.metric = change["new"]
        self._show()

    def _on_k(self, change) -> None:
        self.state.k = change["new"]
        self._show()

    def _on_user(self, change) -> None:
        self.state.user = change["new"]
        self._show()

    def _on_slot(self, position: int, change) -> None:
        if bool(change["new"]) != bool(self.hand_made.relevance[position - 1]):
            self._remember_metrics()
            self.hand_made.toggle(position)
            self._show_hand_made()

    def _on_move(self, _button) -> None:
        self._remember_metrics()
        self.hand_made.move(self.move_from.value, self.move_to.value)
        self._show_hand_made()

    def _on_outside(self, change) -> None:
        self._remember_metrics()
        self.hand_made.relevant_outside = change["new"]
        self._show_hand_made()

    def _on_hand_k(self, _change) -> None:
        self._metrics_before_last_edit = None
        self._show_hand_made()

    def _remember_metrics(self) -> None:
        """Keep the metrics before an edit, to show next to the new ones."""
        self._metrics_before_last_edit = self.hand_made.metrics(self.hand_k_slider.value)

    def _show(self) -> None:
        snapshot = self.state.snapshot()
        self.means.value = _means_html(snapshot)
        self.lists.value = _lists_html(snapshot)

    def _show_hand_made(self) -> None:
        for button, relevant in zip(self.slot_buttons, self.hand_made.relevance, strict=True):
            button.value = bool(relevant)
            button.button_style = "success" if relevant else ""
            button.icon = "check" if relevant else ""
        k = self.hand_k_slider.value
        self.hand_metrics.value = _hand_made_html(
            self.hand_made, k, self.hand_made.metrics(k), self._metrics_before_last_edit
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


_HAND_MADE_INTRO = (
    "<div style='font-size: 13px; margin-top: 14px'><b>A list of your own.</b> Each button is a "
    "position of one user's list, 1 at the top; pressed means the item there is relevant. Toggle "
    "or move items and watch how each metric reacts: moving the only hit from position 1 to 2 "
    "halves MRR, while NDCG loses less.</div>"
)
_CELL = "padding: 2px 8px; text-align: right"
_HEAD = "padding: 2px 8px"


def _means_html(snapshot: RankingSnapshot) -> str:
    """Table of each recommender's mean and this user's value of the metric, best mean in bold."""
    label = _metric_label(snapshot.metric, snapshot.k)
    best = max(result.mean for result in snapshot.recommenders)
    rows = "".join(
        f"<tr><th style='text-align: left; {_HEAD}'>{html.escape(result.name)}</th>"
        f"<td style='{_CELL}'>{_bold_if(result.mean == best, f'{result.mean:.4f}')}</td>"
        f"<td style='{_CELL}'>{_value_text(result.user_value)}</td></tr>"
        for result in snapshot.recommenders
    )
    return (
        "<div style='font-size: 13px'>"
        f"<b>{label}</b>: {html.escape(METRIC_MEANINGS[snapshot.metric])}"
        "<table style='margin: 6px 0; border-collapse: collapse'>"
        f"<tr><th style='{_HEAD}'>recommender</th>"
        f"<th style='{_HEAD}'>mean over users</th>"
        f"<th style='{_HEAD}'>this user</th></tr>"
        f"{rows}</table>"
        f"{_counted_text(snapshot)}</div>"
    )


def _counted_text(snapshot: RankingSnapshot) -> str:
    if snapshot.users_counted == snapshot.n_users:
        return f"mean over all {snapshot.n_users:,} users"
    return (
        f"mean over the {snapshot.users_counted:,} of {snapshot.n_users:,} users with at least "
        "one relevant item (the metric is undefined for the others)"
    )


def _lists_html(snapshot: RankingSnapshot) -> str:
    """Each recommender's top k for the chosen user, side by side, relevant items highlighted."""
    columns = "".join(_one_list_html(snapshot, result) for result in snapshot.recommenders)
    return (
        "<div style='font-size: 13px'>"
        f"User: <b>{html.escape(str(snapshot.user))}</b>, with {snapshot.user_n_relevant} "
        f"relevant item{'s' if snapshot.user_n_relevant != 1 else ''}. "
        f"Each recommender's top {snapshot.k}; relevant items are marked ✓"
        f"<div style='display: flex; flex-wrap: wrap; gap: 24px; margin-top: 6px'>{columns}</div>"
        "</div>"
    )


def _one_list_html(snapshot: RankingSnapshot, result: RecommenderResult) -> str:
    rows = "".join(_list_row_html(entry) for entry in result.top_k)
    label = _metric_label(snapshot.metric, snapshot.k)
    return (
        "<div style='min-width: 280px'>"
        f"<b>{html.escape(result.name)}</b>: {result.user_hits} of "
        f"{snapshot.user_n_relevant} relevant items in the top {snapshot.k}<br>"
        f"{label} = {_value_text(result.user_value)}"
        "<div style='max-height: 360px; overflow-y: auto; margin-top: 4px'>"
        "<table style='border-collapse: collapse'>"
        f"<tr><th style='{_HEAD}'>rank</th><th style='{_HEAD}'>item</th>"
        f"<th style='{_HEAD}'>score</th><th style='{_HEAD}'>relevant</th></tr>"
        f"{rows}</table></div></div>"
    )


def _list_row_html(entry: RankedItem) -> str:
    background = f" style='background: {HIT_BACKGROUND}'" if entry.is_hit else ""
    mark = _hit_mark(entry)
    return (
        f"<tr{background}><td style='{_CELL}'>{entry.rank}</td>"
        f"<td style='{_CELL}'>{html.escape(str(entry.item))}</td>"
        f"<td style='{_CELL}'>{entry.score:.4g}</td>"
        f"<td style='padding: 2px 8px; text-align: center'>{mark}</td></tr>"
    )


def _hit_mark(entry: RankedItem) -> str:
    if not entry.is_hit:
        return ""
    return "✓" if entry.relevance == 1 else f"✓ ({entry.relevance:g})"


def _hand_made_html(
    hand_made: HandMadeList, k: int, now: dict[str, float], before: dict[str, float] | None
) -> str:
    """All six metrics of the hand-made list, with their values before the last edit if any."""
    before_heads = (
        f"<th style='{_HEAD}'>before the last edit</th><th style='{_HEAD}'>change</th>"
        if before
        else ""
    )
    rows = "".join(
        f"<tr><th style='text-align: left; {_HEAD}'>{_metric_label(metric, k)}</th>"
        f"<td style='{_CELL}'>{_value_text(now[metric])}</td>"
        f"{_before_cells(now[metric], before[metric]) if before else ''}"
        f"<td style='padding: 2px 8px; color: #555'>{html.escape(METRIC_MEANINGS[metric])}</td>"
        "</tr>"
        for metric in METRICS
    )
    return (
        "<div style='font-size: 13px'>"
        f"{hand_made.hits} relevant in the list + {hand_made.relevant_outside} outside it = "
        f"R = {hand_made.n_relevant}"
        "<table style='margin: 6px 0; border-collapse: collapse'>"
        f"<tr><th style='{_HEAD}'>metric</th><th style='{_HEAD}'>now</th>{before_heads}"
        f"<th style='{_HEAD}'>meaning</th></tr>"
        f"{rows}</table></div>"
    )


def _before_cells(now: float, before: float) -> str:
    change = "" if math.isnan(now) or math.isnan(before) else f"{now - before:+.4f}"
    return f"<td style='{_CELL}'>{_value_text(before)}</td><td style='{_CELL}'>{change}</td>"


def _metric_label(metric: str, k: int) -> str:
    return METRIC_LABELS[metric].replace("@k", f"@{k}")


def _value_text(value: float) -> str:
    return "undefined (no relevant item)" if math.isnan(value) else f"{value:.4f}"


def _bold_if(condition: bool, text: str) -> str:
    return f"<b>{text}</b>" if condition else text


def _position_input(
    description: str, value: int, n_slots: int, width: str
) -> widgets.BoundedIntText:
    return widgets.BoundedIntText(
        value=value,
        min=1,
        max=n_slots,
        description=description,
        tooltip=f"A position from 1 (top) to {n_slots}",
        style={"description_width": "initial"},
        layout=widgets.Layout(width=width),
    )


def _scores(scores_by_recommender) -> dict[str, np.ndarray]:
    is_named_mapping = isinstance(scores_by_recommender, Mapping) and all(
        isinstance(name, str) for name in scores_by_recommender
    )
    if not is_named_mapping or not scores_by_recommender:
        raise ValueError(
            "scores_by_recommender must be a non-empty mapping from each recommender's name (a "
            f"string) to its scores; got {type(scores_by_recommender).__name__} "
            f"{scores_by_recommender!r:.60}"
        )
    return {name: np.asarray(scores) for name, scores in scores_by_recommender.items()}


def _ranked_lists(name: str, y_true, scores, group, n_relevant) -> RankedLists:
    try:
        return RankedLists(y_true, scores, group, n_relevant=n_relevant)
    except ValueError as error:
        raise ValueError(f"recommender {name!r}: {error}") from None


def _items(item, n_rows: int) -> np.ndarray:
    if item is None:
        return np.arange(n_rows)
    ids = np.asarray(item)
    if ids.shape != (n_rows,):
        raise ValueError(f"item must have shape ({n_rows},), the shape of y_true; got {ids.shape}")
    return ids


def _binary_slots(relevance) -> list[int]:
    slots = list(relevance)
    if not slots or any(not is_integer(value) or value not in (0, 1) for value in slots):
        raise ValueError(f"relevance must be a non-empty sequence of 0 and 1; got {relevance!r}")
    return [int(value) for value in slots]


def _is_key_of(value, mapping: dict) -> bool:
    try:
        return value in mapping
    except TypeError:
        return False

"""Rental search's explorer for the gallery, on a small simulated marketplace.

- **Ranking gains** (:class:`mlsd.explore.RankingGainsExplorer`): ``n_searches`` simulated
  searches (:func:`~.data.load_data`, every other size at its default), split by day
  (:func:`~.data.split`: days 0–20 train, 21–27 test). Five rankers order each test search: the
  logged order (:func:`~.evaluation.logged_order`), the quality heuristic, pointwise GBDT and
  LambdaMART on the case's graded gains, and a LambdaMART trained on clicks alone
  (:data:`CLICK_GAINS`), each with :data:`TREES` trees. The sliders set the gains of the offline
  NDCG@k on the logged grades (:func:`~.schema.grades`); the fixed truth is the bookings per
  search each order would earn (:func:`~.evaluation.expected_outcomes`, the simulator's
  examination).

What the tab shows on seeds 1–5 and 7 (8,000 searches): the logged order wins the offline metric
under every gains tried — booked 1 or 5 or 0, rejections −2 to +1, clicks only, Expedia's
5/1 —
while it earns the fewest bookings but the quality heuristic's (about 0.11 per search against
0.14–0.16 for the learned rankers): it is scored on its own clicks, which examination put on its
top. Among the learned rankers LambdaMART wins both offline and on the truth at the case's gains;
the learned rankers see the same features and no host's acceptance, so the gains barely reorder
them: what the gains change is the scale of each ranker's NDCG, not the lesson of position bias.

The whole tab took 1.7 s on seed 7 with the machine idle (the simulation about 0.6 s, three fits
of 40 trees); on a machine shared by other jobs it takes many times longer.

The simulator, the rankers and the explorer are imported inside the functions that use them: with
the gallery's cache filled, ``mlsd explore`` reads the scores from it without importing LightGBM.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import mlsd.explore as explorers
from mlsd.cases.contract import SIMULATED, ExplorerTab
from mlsd.cases.rental_search.evaluation import K, expected_outcomes, logged_order
from mlsd.cases.rental_search.schema import GAINS, grades
from mlsd.explore.cache import cached_inputs
from mlsd.validation import check_int

MIN_SEARCHES = 2_000
"""The smallest world the tab accepts: its test week then holds a few hundred searches."""
TREES = 40
"""Trees of each learned ranker in the tab (the case's default is 200)."""
CLICK_GAINS = {"booked": 1.0, "rejected": 0.0, "long_click": 1.0, "click": 1.0, "viewed": 0.0}
"""The click-trained ranker's gains: every opened listing alike, a booking as a click. A rejected
request counts 0, as a view: :class:`~.models.LambdaMART` needs gains that do not decrease along
its labels, whose lowest is the rejection."""
TRUTH_LABEL = "true bookings per search"


def gallery_tabs(seed: int = 7, n_searches: int = 8_000) -> list[ExplorerTab]:
    """The ranking-gains tab (see the module docstring); its start numbers are each ranker's
    offline NDCG@10 at the case's gains and its true bookings per search, named
    ``gains_<ranker>_ndcg@10`` and ``gains_<ranker>_bookings``."""
    seed = check_int("seed", seed, 0)
    n_searches = check_int("n_searches", n_searches, MIN_SEARCHES)
    inputs = gallery_inputs(seed, n_searches)
    return [
        ExplorerTab(
            "Ranking gains",
            "Rental search: five rankers of the same test searches, scored by offline NDCG on the "
            "logged outcomes with the gains you set, beside the bookings each would truly earn. "
            "Move the gain of a booking or of a rejection and watch which ranker the offline "
            "metric prefers; then try a flatter discount.",
            lambda: explorers.RankingGainsExplorer(**inputs, fixed=("viewed",)),
            _gains_start,
        )
    ]


def _gains_start(explorer) -> dict[str, float]:
    start = explorer.state.snapshot()
    numbers = {f"gains_{_key(name)}_ndcg@{K}": value for name, value in start.offline.items()}
    numbers.update({f"gains_{_key(name)}_bookings": value for name, value in start.truth.items()})
    return numbers


@cached_inputs
def gallery_inputs(seed: int, n_searches: int) -> dict:
    """The explorer's inputs (:func:`explorer_inputs`) for the test days of a world of
    ``n_searches`` searches, with the module docstring's five rankers."""
    from mlsd.cases.rental_search.data import load_data, split
    from mlsd.cases.rental_search.models import LambdaMART, PointwiseGBDT, quality_heuristic

    data = load_data(SIMULATED, seed=seed, n_searches=n_searches)
    held_out = split(data)
    train, test = held_out.train, held_out.test
    scores = {
        "logged order": logged_order(test),
        "quality heuristic": quality_heuristic(test),
        "pointwise GBDT": PointwiseGBDT(n_trees=TREES, seed=seed).fit(train).predict(test),
        "LambdaMART": LambdaMART(n_trees=TREES, seed=seed).fit(train).predict(test),
        "LambdaMART on clicks": LambdaMART(gains=CLICK_GAINS, n_trees=TREES, seed=seed)
        .fit(train).predict(test),
    }
    return explorer_inputs(test, scores, data.world.parameters["examination_decay"])


def explorer_inputs(rows: pd.DataFrame, scores: dict[str, np.ndarray],
                    examination_decay: float | None = None) -> dict:
    """The keyword arguments of :class:`mlsd.explore.RankingGainsExplorer` for ``rows`` ranked by
    ``scores`` (ranker → a score per row): the grades, the searches, the case's gains, ``k`` at
    :data:`~.evaluation.K` or the longest search's length if shorter (RecTour's searches show
    three) and, given the simulator's ``examination_decay``, each ranker's true bookings per
    search."""
    longest = int(rows.groupby("search_id").size().max())
    inputs = {"grades": grades(rows).to_numpy(), "scores_by_ranker": scores,
              "searches": rows["search_id"].to_numpy(), "gains": dict(GAINS),
              "k": min(K, longest)}
    if examination_decay is not None:
        inputs["truth"] = {name: expected_outcomes(rows, score, examination_decay)["bookings"]
                           for name, score in scores.items()}
        inputs["truth_label"] = TRUTH_LABEL
    return inputs


def ranking_gains_explorer(rows: pd.DataFrame, scores: dict[str, np.ndarray],
                           examination_decay: float | None = None):
    """The :class:`mlsd.explore.RankingGainsExplorer` on a notebook's own ``rows`` and rankers' ``scores``
    (:func:`explorer_inputs`); without ``examination_decay`` (real logs) it shows no truth."""
    return explorers.RankingGainsExplorer(**explorer_inputs(rows, scores, examination_decay),
                                          fixed=("viewed",))


def _key(name: str) -> str:
    return name.lower().replace(" ", "_")

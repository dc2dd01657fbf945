"""Interactive explorers for notebooks: move a control, see what a design choice changes.

Every explorer comes in two parts:

- a **state** object (``...State``) with no widgets: set its inputs as attributes, read a frozen
  ``snapshot()`` of every number shown. It holds all the logic, is validated (bad input raises
  ``ValueError`` naming the argument, the value and what is allowed) and is tested like any
  other code; its numbers are exactly those of :mod:`mlsd.metrics`.
- a thin **view** built on ipywidgets: each control's ``observe(..., names="value")`` sets the
  state, then the view re-renders a readout (``widgets.HTML``) and a figure rendered to PNG bytes
  (a matplotlib ``Figure`` on an Agg canvas, never pyplot) in a ``widgets.Image``. The view's
  ``widget`` attribute is the whole layout, and a notebook cell ending with the view displays it.

Explorers:

- :class:`ThresholdExplorer` / :class:`ThresholdExplorerState` — pick the score threshold at
  which to act, with the costs of both mistakes, and find the cost-minimising one.
- :class:`CalibrationExplorer` / :class:`CalibrationExplorerState` — negative downsampling:
  how it miscalibrates a click model, and how ``q = p / (p + (1 − p) / w)`` corrects it.
- :class:`RankingExplorer` / :class:`RankingExplorerState` — pick a ranking metric and k, compare
  recommenders' means and one user's lists with the hits marked; :class:`HandMadeList` is a short
  list to edit by hand, to see how each metric reacts to moving one hit.
- :class:`RankingGainsExplorer` / :class:`RankingGainsState` — set the gain of each grade of
  outcome and the position discount of an offline NDCG, see which ranker it prefers beside what
  each truly earns.
- :class:`FunnelBudgetExplorer` / :class:`FunnelBudgetState` — the items each stage of a serving
  funnel (:class:`FunnelStage`) handles, times its cost per item, against a latency budget (each
  case's ``serving.funnel_stages()`` gives its funnel).
- :class:`ABPlanner` / :class:`ABPlannerState` — plan an A/B test (users per arm, days), measure its
  power by simulation, and see what checking it every day does to the false-positive rate.
- :class:`ValueModelExplorer` / :class:`ValueModelExplorerState` — weigh a feed's heads (click, long
  dwell, like, comment, share, hide) and see the expected clicks, long dwells, viral actions, hides
  and creator concentration of the feed those weights rank, with the frontier of one weight.
- :class:`PromiseExplorer` / :class:`PromiseExplorerState` — add a buffer to a base quote (a
  predicted duration), see the late rate, mean quote, conversion and expected cost per checkout,
  and find the cost-minimising promise.

The explorers know nothing of the case studies: each case feeds them its data.
:mod:`mlsd.cases.gallery` builds every explorer on small seeded data as the tabs of one page
(``notebooks/explorers.ipynb``), and :mod:`mlsd.explore.app` serves that page with Voilà
(``mlsd explore``).

The classes are loaded when first used (``from mlsd.explore import ThresholdExplorer`` works as
usual), not when the package is.
"""

from __future__ import annotations

from mlsd.lazy import lazy_exports

_HOMES = {
    "ABPlanner": ".ab_planner", "ABPlannerState": ".ab_planner",
    "CalibrationExplorer": ".calibration", "CalibrationExplorerState": ".calibration",
    "FunnelBudgetExplorer": ".latency", "FunnelBudgetState": ".latency", "FunnelStage": ".latency",
    "PromiseExplorer": ".promise", "PromiseExplorerState": ".promise",
    "HandMadeList": ".ranking", "RankingExplorer": ".ranking", "RankingExplorerState": ".ranking",
    "RankingGainsExplorer": ".ranking_gains", "RankingGainsState": ".ranking_gains",
    "ThresholdExplorer": ".threshold", "ThresholdExplorerState": ".threshold",
    "ValueModelExplorer": ".value_model", "ValueModelExplorerState": ".value_model",
}
"""Each explorer class and the submodule that defines it. They are imported on first use
(:mod:`mlsd.lazy`), so that ``mlsd explore`` (which needs :mod:`mlsd.explore.app` only) starts
without widgets or SciPy."""

__getattr__, __dir__ = lazy_exports(__name__, globals(), _HOMES)


__all__ = [
    "ABPlanner",
    "ABPlannerState",
    "CalibrationExplorer",
    "CalibrationExplorerState",
    "FunnelBudgetExplorer",
    "FunnelBudgetState",
    "FunnelStage",
    "HandMadeList",
    "PromiseExplorer",
    "PromiseExplorerState",
    "RankingExplorer",
    "RankingExplorerState",
    "RankingGainsExplorer",
    "RankingGainsState",
    "ThresholdExplorer",
    "ThresholdExplorerState",
    "ValueModelExplorer",
    "ValueModelExplorerState",
]

"""Every explorer of the kit on one page, each on small simulated data, for ``mlsd explore``.

:func:`gallery_tabs` collects each case's tabs (``explore.gallery_tabs`` of every case of
:data:`mlsd.cases.CASES`, in curriculum order), then the A/B-test planner, which belongs to no case.
The same seed and sizes give the same data and the same numbers, so a test can rebuild what a page
shows. :func:`gallery` lays the tabs out, each headed by its line on what to try, and builds each explorer
when its tab is first shown. ``notebooks/explorers.ipynb`` calls both, and Voilà serves that
notebook without its code.
"""

from __future__ import annotations

import html
import importlib
import inspect

import ipywidgets as widgets

import mlsd.explore as explorers
from mlsd.cases import CASES
from mlsd.cases.contract import ExplorerTab
from mlsd.validation import check_int


def gallery_tabs(seed: int = 7, **sizes: int) -> list[ExplorerTab]:
    """Every case's explorer tabs, then the A/B-test planner's.

    ``sizes`` are the size keywords of the cases' ``gallery_tabs`` (``n_events``,
    ``n_impressions``, …); each case gets those it takes, and a size no case takes is an error.
    """
    seed = check_int("seed", seed, 0)
    makers = [importlib.import_module(f"{case.package}.explore").gallery_tabs for case in CASES]
    taken = [set(inspect.signature(make).parameters) - {"seed"} for make in makers]
    unknown = sorted(set(sizes).difference(*taken))
    if unknown:
        known = sorted(set().union(*taken))
        raise ValueError(f"gallery size {unknown[0]!r} is not one of the cases' sizes {known}")
    tabs = []
    for make, names in zip(makers, taken):
        tabs += make(seed, **{name: value for name, value in sizes.items() if name in names})
    return [*tabs, ab_planner_tab(seed)]


def ab_planner_tab(seed: int) -> ExplorerTab:
    """The A/B-test planner at its defaults, its simulations seeded with ``seed``."""
    return ExplorerTab(
        "A/B test planner",
        "Plan an experiment: how many users per arm and how many days it needs, how often it "
        "really detects the effect, and what checking the result every day does to the "
        "false-positive rate.",
        lambda: explorers.ABPlanner(seed=seed),
        _planner_start,
    )


def _planner_start(planner) -> dict[str, int | float]:
    plan = planner.state.snapshot()
    return {
        "ab_users_per_arm": plan.users_per_arm,
        "ab_days": plan.days,
        "ab_measured_power": plan.measured_power,
        "ab_peeking_false_positive_rate": plan.peeking_false_positive_rate,
    }


PREPARING = "<p><i>Preparing this explorer…</i></p>"
"""What a tab shows until its explorer is built."""


def gallery(tabs: list[ExplorerTab]) -> widgets.Tab:
    """The tabs as one ``widgets.Tab``, each page its line on what to try above its explorer.

    Only the first tab's explorer is built now; each other one is built when its tab is first
    selected (until then its page says it is being prepared), so the page appears after one
    explorer's drawing, not all of them. A tab that cannot be built says why on its page.
    """
    pages = [
        widgets.VBox(
            [
                widgets.HTML(f"<p style='max-width: 900px'>{html.escape(tab.what_to_try)}</p>"),
                widgets.HTML(PREPARING),
            ]
        )
        for tab in tabs
    ]

    shown: set[int] = set()

    def show(index: int | None) -> None:
        if index is None or index in shown:
            return
        introduction = pages[index].children[0]
        try:
            explorer = tabs[index].explorer
        except Exception as error:
            pages[index].children = [introduction, widgets.HTML(
                f"<p>This explorer could not be built: {html.escape(str(error))}</p>")]
            raise
        pages[index].children = [introduction, explorer.widget]
        shown.add(index)

    view = widgets.Tab(children=pages, titles=[tab.title for tab in tabs])
    show(view.selected_index)
    view.observe(lambda change: show(change["new"]), names="selected_index")
    return view

"""Every explorer of the kit on one page, each on small simulated data, for ``mlsd explore``.

:func:`gallery_tabs` collects each case's tabs (``explore.gallery_tabs`` of every case of
:data:`mlsd.cases.CASES`, in curriculum order), then the A/B-test planner, which belongs to no case.
The same seed and sizes give the same data and the same numbers, so a test can rebuild what a page
shows. :func:`gallery` lays the tabs out, each headed by its line on what to try.
``notebooks/explorers.ipynb`` calls both, and Voilà serves that notebook without its code.
"""

from __future__ import annotations

import html
import importlib
import inspect

import ipywidgets as widgets

from mlsd.cases import CASES
from mlsd.cases.contract import ExplorerTab
from mlsd.explore import ABPlanner
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
    planner = ABPlanner(seed=seed)
    plan = planner.state.snapshot()
    return ExplorerTab(
        "A/B test planner",
        "Plan an experiment: how many users per arm and how many days it needs, how often it "
        "really detects the effect, and what checking the result every day does to the "
        "false-positive rate.",
        planner,
        {
            "ab_users_per_arm": plan.users_per_arm,
            "ab_days": plan.days,
            "ab_measured_power": plan.measured_power,
            "ab_peeking_false_positive_rate": plan.peeking_false_positive_rate,
        },
    )


def gallery(tabs: list[ExplorerTab]) -> widgets.Tab:
    """The tabs as one ``widgets.Tab``, each page its line on what to try above its explorer."""
    pages = [
        widgets.VBox(
            [
                widgets.HTML(f"<p style='max-width: 900px'>{html.escape(tab.what_to_try)}</p>"),
                tab.explorer.widget,
            ]
        )
        for tab in tabs
    ]
    return widgets.Tab(children=pages, titles=[tab.title for tab in tabs])

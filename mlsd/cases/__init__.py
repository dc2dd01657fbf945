"""The case studies: one package each, all of one shape, registered in :data:`CASES`.

A notebook of a case imports the case's façade and calls everything through it::

    import mlsd
    from mlsd.cases import ad_click as case

    params = mlsd.check_parameters()
    data = case.load_data("simulated", seed=seed, n_impressions=n_impressions)
    data.record()
    held_out = case.split(data)

The contract
------------
Every case package ``mlsd/cases/<name>/`` holds these modules, each with one job
(:data:`~mlsd.cases.contract.REQUIRED_MODULES` lists them with the names they must define, and
``tests/cases/test_contract.py`` checks every case of :data:`CASES` against it):

``__init__``
    The façade. Its docstring describes the case and lists every module of the package; it
    re-exports, in an explicit ``__all__``, everything the case's notebooks and exercise use (the
    case's own functions and the kit's pieces they call), and defines ``CASE``, the case's
    :class:`~mlsd.cases.contract.CaseInfo`. ``_HOMES`` says where each name lives, and the name's
    module is imported when the name is first read (:func:`mlsd.lazy.lazy_exports`), so that
    importing one module of the case does not import them all; no exported name may be a
    module's name too (importing the module would hide it).
``schema``
    The one table every source is mapped onto: ``COLUMNS`` (with a ``time`` column, in days),
    ``check_table(frame, source=...)`` (returns the frame, or raises one ValueError naming the
    source), ``SIZE_COLUMNS`` (``{"users": ..., "items": ...}``: the id columns a table's sizes
    count) and the label rule, the function named by ``LABEL_RULE``. A real source whose columns
    cannot be mapped onto that table without inventing them (ad click's Criteo logs: anonymous
    features, no ids) keeps a second table kind, which the schema documents and checks; its
    sizes count no ids.
``simulate``
    The generative story, in the module docstring, and the simulator that draws a world with its
    truth, whose table passes ``check_table``.
one loader module per real dataset
    Named as its source (``movielens``): reads the file offline and maps it onto the schema, with
    errors naming the file and the line.
``data``
    ``SOURCES`` (``"simulated"`` first); ``load_data(data_source, data_path="", *, seed, ...)``,
    whose other keywords are the simulator's, returning a
    :class:`~mlsd.cases.contract.CaseData` (a case may subclass it with fields of its own); an
    unknown source raises ValueError naming the allowed ones. ``split(data, ...)`` returns a
    :class:`~mlsd.cases.contract.Split`; by default every training row comes before every test
    row in time.
``models``
    The baselines and the models.
``evaluation``
    The case's scorecard, built on :mod:`mlsd.evaluation` and :mod:`mlsd.metrics`.
``serving``
    The serving funnel, ``funnel_stages()`` (a list of :class:`mlsd.explore.FunnelStage`), and its
    budget ``LATENCY_BUDGET_MS``.
``tradeoffs``
    Notebook 4's experiments; an experiment of notebook 2 or 3 lives here or in the module whose
    job it is, as that module's docstring says.
``design``
    ``design_doc()``: the filled :class:`mlsd.design.DesignDoc`, with nothing missing;
    ``scale_assumptions()`` (:class:`mlsd.sizing.Assumptions`), ``clarifying_questions()`` and
    ``interview_prompts()`` (:class:`mlsd.practice.Prompt`: the case's open prompt and its
    variants, which :mod:`mlsd.cases.practice` collects).
``explore``
    ``gallery_tabs(seed, **sizes)``: the case's explorers for the gallery, a list of
    :class:`~mlsd.cases.contract.ExplorerTab`; it makes their data at once (a bad size fails
    there) and leaves building each explorer to the tab, when the gallery first shows it. The
    data come through :func:`mlsd.explore.cache.cached_inputs`; the module imports the case's
    simulator and models inside the functions that use them and reads each explorer class from
    :mod:`mlsd.explore` (which imports it on first use) when the tab is built, so that
    ``mlsd explore``, reading the data from its cache, imports none of them.
``exercise``
    The exercise's tasks, ``TASKS`` (a tuple of :class:`mlsd.exercise_tasks.Task`, each with its
    solution and the plausible wrong answers its check rejects), and ``build(**parameters)``: the
    :class:`mlsd.exercise_tasks.Exercise` on the context the exercise notebook works on, from the
    notebook's parameters (the façade re-exports it as ``build_exercise``).

A case may add modules with one job each (ad click's ``features`` and ``auction``), listed in its
façade's docstring. Outside the package a case has its four staged notebooks in
``notebooks/NN_name/`` (:data:`~mlsd.cases.contract.STAGES`), an exercise
``exercises/NN_name.ipynb``, a data card ``datasets/<name>.md`` and one data card per real source,
``datasets/<source>.md``.

Dependencies point one way: the runner and the command line may use the cases; a case uses the
kit's shared modules (metrics, design, explore, serving, monitoring, experiments, validation,
ordering, records) and never another case; nothing in :mod:`mlsd.explore` imports a case.
:mod:`mlsd.cases.gallery` sits above the cases and builds the explorer gallery from :data:`CASES`.
"""

from __future__ import annotations

import importlib
from functools import cache

from mlsd.cases.contract import CaseInfo
from mlsd.validation import is_integer

PACKAGES = ("video_recs", "feed_ranking", "ad_click", "rental_search", "delivery_eta")
"""Every case study's package under ``mlsd.cases``, in curriculum order."""

__all__ = ["CASES", "PACKAGES", "get_case"]


@cache
def _all_cases() -> tuple[CaseInfo, ...]:
    return tuple(importlib.import_module(f"mlsd.cases.{name}").CASE for name in PACKAGES)


def __getattr__(name: str):
    """``CASES``, every case's :class:`~mlsd.cases.contract.CaseInfo` in curriculum order, is
    made when first used (PEP 562): it imports every case, and a notebook that imports its own
    case (``from mlsd.cases import delivery_eta as case``) should not wait for the four others."""
    if name == "CASES":
        return _all_cases()
    raise AttributeError(f"module 'mlsd.cases' has no attribute {name!r}")


def get_case(name_or_number) -> CaseInfo:
    """The case named ``name_or_number``: its name (``"ad_click"``), its folder
    (``"03_ad_click"``), its two-digit number (``"03"``) or its number (``3``)."""
    for case in _all_cases():
        if is_integer(name_or_number):
            if name_or_number == case.number:
                return case
        elif name_or_number in (case.name, case.folder, f"{case.number:02d}"):
            return case
    allowed = ", ".join(case.folder for case in _all_cases())
    raise ValueError(
        f"case must be one of {allowed} (by name, folder or number); got {name_or_number!r}"
    )

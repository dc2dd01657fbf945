"""The types every case study shares: its registry entry, its loaded data, its split, its explorers.

The contract itself — which modules a case package holds and what each exposes — is stated in
:mod:`mlsd.cases`; :data:`REQUIRED_MODULES` is its checkable part, read by the contract test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from mlsd.claims import note_data
from mlsd.records import record
from mlsd.validation import check_int

SIMULATED = "simulated"
"""The source every case has: its simulator, the only source that knows the truth."""

STAGES = ("1_problem_framing", "2_metrics", "3_architecture", "4_tradeoffs")
"""The four staged notebooks of a case, in the order a learner reads them."""

REQUIRED_MODULES: dict[str, tuple[str, ...]] = {
    "__init__": ("CASE", "__all__"),
    "schema": ("COLUMNS", "SIZE_COLUMNS", "LABEL_RULE", "check_table"),
    "simulate": (),
    "data": ("SOURCES", "load_data", "split"),
    "models": (),
    "evaluation": (),
    "serving": ("LATENCY_BUDGET_MS", "funnel_stages"),
    "tradeoffs": (),
    "design": ("design_doc", "scale_assumptions", "clarifying_questions", "interview_prompts"),
    "explore": ("gallery_tabs",),
    "exercise": ("TASKS", "build"),
}
"""Each module of a case package with the names it must define; :mod:`mlsd.cases` says its job."""


@dataclass(frozen=True)
class CaseInfo:
    """A case study's entry in :data:`mlsd.cases.CASES`.

    Attributes
    ----------
    number : int
        Its place in the curriculum, 1 … 99; the folders are named ``NN_name``.
    name : str
        The package name under ``mlsd/cases/`` and the short name ``mlsd run`` accepts.
    title : str
        What the case is called in prose, e.g. "Video recommendations".
    sources : tuple of str
        The case's ``data.SOURCES``: ``"simulated"`` first, then one name per real dataset.
    """

    number: int
    name: str
    title: str
    sources: tuple[str, ...]

    @property
    def folder(self) -> str:
        """``NN_name``, the name of the case's notebook folder and exercise."""
        return f"{self.number:02d}_{self.name}"

    @property
    def notebooks(self) -> Path:
        """The folder of the four staged notebooks, relative to the kit's root."""
        return Path("notebooks") / self.folder

    @property
    def exercise(self) -> Path:
        """The exercise notebook, relative to the kit's root."""
        return Path("exercises") / f"{self.folder}.ipynb"

    @property
    def package(self) -> str:
        """The import name of the case's façade, e.g. ``mlsd.cases.video_recs``."""
        return f"mlsd.cases.{self.name}"


@dataclass(frozen=True)
class CaseData:
    """What ``data.load_data`` returns: the table in the case's schema and what was really loaded.

    Attributes
    ----------
    source : str
        One of the case's ``SOURCES``.
    table : pandas.DataFrame
        The one table of the case, passing its ``schema.check_table``.
    sizes : dict of str to int or float
        Measured on ``table`` (see :func:`table_sizes`): ``rows``, the distinct values of each of
        the schema's ``SIZE_COLUMNS`` (``users``, ``items``) and ``days``, the time span. A table
        without user or item ids (ad click's feature-hashed logs) has only ``rows`` and ``days``.
    world : object or None
        The simulator's world, with its truth, when ``source`` is ``"simulated"``; else None.
    """

    source: str
    table: pd.DataFrame
    sizes: dict[str, int | float]
    world: object | None

    def record(self) -> None:
        """Record ``data_source`` and ``data_<size>`` for every size, so a run says what it used,
        and tell the notebook's claims whether the data are real (:func:`mlsd.claims.note_data`)."""
        note_data(real=self.source != SIMULATED)
        record("data_source", self.source)
        for name, value in self.sizes.items():
            record(f"data_{name}", value)


@dataclass(frozen=True)
class Split:
    """Training and test rows of a case's table, and the rule that separated them, in one line."""

    train: pd.DataFrame
    test: pd.DataFrame
    rule: str


def _no_numbers(explorer) -> dict[str, int | float]:
    return {}


@dataclass(frozen=True, eq=False)
class ExplorerTab:
    """One tab of the explorer gallery, as a case's ``explore.gallery_tabs`` returns it.

    A case's ``gallery_tabs`` makes (or reads from the gallery's cache) the data its explorers
    need, so that a bad size fails at once, and leaves the drawing of each explorer to ``build``:
    the gallery builds a tab when it is first shown, so its first page waits for one explorer,
    not for all of them.

    Attributes
    ----------
    title : str
        The tab's title.
    what_to_try : str
        One line above the explorer: what it shows and which control to move.
    build : callable
        ``build()`` makes the explorer view; :attr:`explorer` calls it once.
    starting_numbers : callable
        ``starting_numbers(explorer)``: the numbers the explorer shows before any control moves,
        by record name (none by default); :attr:`start` holds them.
    """

    title: str
    what_to_try: str
    build: Callable[[], object]
    starting_numbers: Callable[[object], dict[str, int | float]] = _no_numbers

    @cached_property
    def explorer(self):
        """The explorer view, built on first use: its ``widget`` is what the tab shows, its
        ``state`` holds the numbers."""
        return self.build()

    @cached_property
    def start(self) -> dict[str, int | float]:
        """The numbers the explorer shows before any control moves, by record name."""
        return self.starting_numbers(self.explorer)

    @property
    def built(self) -> bool:
        """Whether :attr:`explorer` has been built."""
        return "explorer" in self.__dict__

    def record(self) -> None:
        """Record every starting number under its name."""
        for name, value in self.start.items():
            record(name, value)


def table_sizes(table: pd.DataFrame, size_columns: dict[str, str]) -> dict[str, int | float]:
    """``rows``; for each ``size: column`` of ``size_columns`` the column's distinct values;
    ``days``, the last minus the first ``time`` (0.0 for an empty table)."""
    sizes: dict[str, int | float] = {"rows": len(table)}
    sizes.update({size: int(table[column].nunique()) for size, column in size_columns.items()})
    time = table["time"].to_numpy(dtype=float)
    sizes["days"] = float(np.max(time) - np.min(time)) if len(time) else 0.0
    return sizes


def check_columns_and_codes(table: pd.DataFrame, columns, codes, source: str) -> None:
    """The two checks every schema starts with: ``table`` has each of ``columns`` (else one
    ValueError listing the missing ones and the schema), and each of ``codes`` holds integer codes
    >= 0 (a nullable ``Int64`` column's ``<NA>`` is skipped); messages name ``source``."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise ValueError(f"{source}: missing columns {missing}; the schema is {list(columns)}")
    for column in codes:
        values = table[column]
        if not pd.api.types.is_integer_dtype(values) or (len(values) and values.min() < 0):
            raise ValueError(f"{source}: {column} must hold integer codes >= 0")


def has_truth(data: CaseData) -> bool:
    """Whether ``data`` carries the simulator's truth (its world): only the simulated source."""
    return data.world is not None


def split_by_day(table: pd.DataFrame, test_days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of the days before ``last day - test_days + 1`` train, the rest test (in time order).

    ``table`` has a whole-day column ``day``; ``test_days`` is an integer in ``[1, last day −
    first day]``, so that both sides hold rows."""
    days = table["day"]
    first_day, last_day = int(days.min()), int(days.max())
    if last_day == first_day:
        raise ValueError(f"the table spans one day ({first_day}); a split by day needs at least 2")
    test_days = check_int("test_days", test_days, 1, last_day - first_day)
    first_test_day = last_day - test_days + 1
    return table[days < first_test_day], table[days >= first_test_day]


def split_last_days(table: pd.DataFrame, test_days: int) -> Split:
    """:func:`split_by_day` as a :class:`Split`, its rule naming the days on each side."""
    train, test = split_by_day(table, test_days)
    first, last = int(test["day"].min()), int(test["day"].max())
    rule = (f"by day: days {int(train['day'].min())}–{first - 1} train, the last {test_days} "
            f"(days {first}–{last}) test")
    return Split(train, test, rule)

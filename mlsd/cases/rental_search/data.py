"""The data of a rental-search notebook — the simulated marketplace — and how it is split in time.

Notebooks call :func:`load_data` with their ``data_source`` and ``data_path`` parameters:

- ``"simulated"``: the search results of :mod:`.simulate`, with their truth (the world);
- ``"expedia"``: a file of Expedia's hotel-search logs at ``data_path`` — the Kaggle 2013
  ``train.csv`` or the RecTour 2021 sample (:mod:`.expedia` detects which) — without a world.

A ranker is trained on the past and serves the future, so :func:`split` is by day and never
shuffles time: the last ``test_days`` days test, the days before them train (28 simulated days:
days 0–20 train, 21–27 test). All the rows of a search share its time, so a search lies whole on
one side.
"""

from __future__ import annotations

from mlsd.cases.contract import (
    SIMULATED,
    CaseData,
    Split,
    split_last_days,
    table_sizes,
)
from mlsd.cases.rental_search.expedia import load_expedia
from mlsd.cases.rental_search.schema import SIZE_COLUMNS, check_table
from mlsd.cases.rental_search.simulate import simulate_searches
from mlsd.validation import check_choice

EXPEDIA = "expedia"
SOURCES = (SIMULATED, EXPEDIA)
TEST_DAYS = 7
"""The default number of last days that test: a week."""


def load_data(
    data_source: str,
    data_path: str = "",
    *,
    seed: int = 0,
    n_markets: int = 8,
    n_listings: int = 3_000,
    n_guests: int = 6_000,
    n_days: int = 28,
    n_searches: int = 30_000,
    results_per_search: int = 24,
    random_share: float = 0.05,
    examination_decay: float = 0.7,
    new_listing_share: float = 0.1,
) -> CaseData:
    """``data_source`` is ``"simulated"`` (the other keywords, those of
    :func:`~.simulate.simulate_searches`, apply) or ``"expedia"`` (``data_path`` applies: the
    file; the other keywords are ignored).

    Returns a :class:`~mlsd.cases.contract.CaseData` whose table passes
    :func:`~.schema.check_table`, with sizes ``rows``, ``users`` (guests), ``items`` (listings)
    and ``days``; ``world`` is the :class:`~.simulate.SearchWorld`, or None for a real file.
    """
    check_choice("data_source", data_source, SOURCES)
    if data_source == EXPEDIA:
        if not data_path:
            raise ValueError("data_source 'expedia' needs data_path: Expedia's train.csv (Kaggle "
                             "2013) or ExpediaSearchData.csv (RecTour 2021); datasets/expedia.md "
                             "says where to get them")
        table = check_table(load_expedia(data_path), source=str(data_path))
        return CaseData(data_source, table, table_sizes(table, SIZE_COLUMNS), None)
    world = simulate_searches(
        n_markets=n_markets, n_listings=n_listings, n_guests=n_guests, n_days=n_days,
        n_searches=n_searches, results_per_search=results_per_search, random_share=random_share,
        examination_decay=examination_decay, new_listing_share=new_listing_share, seed=seed,
    )
    table = world.results
    return CaseData(data_source, table, table_sizes(table, SIZE_COLUMNS), world)


def split(data: CaseData, test_days: int = TEST_DAYS) -> Split:
    """By day: the last ``test_days`` days of the table test, every earlier day trains.

    ``test_days`` is an integer in ``[1, number of days - 1]`` (the days from the first to the
    last ``day``), so that both sides hold rows; every training row comes before every test row,
    and every search is whole on one side.
    """
    return split_last_days(data.table, test_days)


NO_TRUTH = (
    "no truth: these logs are not simulated, so nothing knows each result's true click, request "
    "and acceptance probabilities; the cells that need them are skipped"
)
"""The line a notebook prints where a cell needs the simulator's truth and the data are real."""

"""The data of a delivery-ETA notebook — the simulated marketplace — and how it is split in time.

Notebooks call :func:`load_data` with their ``data_source`` and ``data_path`` parameters;
``"simulated"`` gives the orders of :mod:`.simulate` with their truth (the world).

A model is trained on the past and serves the future, so :func:`split` is by day and never
shuffles time: the last ``test_days`` days test, the days before them train (28 simulated days:
days 0–20 train, 21–27 test).
"""

from __future__ import annotations

from mlsd.cases.contract import SIMULATED, CaseData, Split, split_last_days, table_sizes
from mlsd.cases.delivery_eta.schema import SIZE_COLUMNS
from mlsd.cases.delivery_eta.simulate import simulate_orders
from mlsd.validation import check_choice

SOURCES = (SIMULATED,)
TEST_DAYS = 7
"""The default number of last days that test: a week."""


def load_data(
    data_source: str,
    data_path: str = "",
    *,
    seed: int = 0,
    n_orders: int = 60_000,
    n_days: int = 28,
    n_markets: int = 6,
    n_stores: int = 1_200,
    supply_shift: float = 1.0,
    shift_market: int = 0,
    shift_day: int = 21,
) -> CaseData:
    """``data_source`` is ``"simulated"`` (the other keywords, those of
    :func:`~.simulate.simulate_orders`, apply).

    Returns a :class:`~mlsd.cases.contract.CaseData` whose table passes
    :func:`~.schema.check_table`, with sizes ``rows``, ``users`` (stores), ``items`` (markets) and
    ``days``; ``world`` is the :class:`~.simulate.DeliveryWorld`.
    """
    check_choice("data_source", data_source, SOURCES)
    world = simulate_orders(
        n_orders=n_orders, n_days=n_days, n_markets=n_markets, n_stores=n_stores,
        supply_shift=supply_shift, shift_market=shift_market, shift_day=shift_day, seed=seed,
    )
    table = world.orders
    return CaseData(data_source, table, table_sizes(table, SIZE_COLUMNS), world)


def split(data: CaseData, test_days: int = TEST_DAYS) -> Split:
    """By day: the last ``test_days`` days test, every earlier day trains. ``test_days`` is an
    integer in ``[1, number of days - 1]``; every training order comes before every test order."""
    return split_last_days(data.table, test_days)


NO_TRUTH = (
    "no truth: these orders are not simulated, so nothing knows each order's preparation, wait and "
    "travel, or its true distribution of durations; the cells that need them are skipped"
)
"""The line a notebook prints where a cell needs the simulator's truth and the data are real."""

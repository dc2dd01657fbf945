"""The data of a delivery-ETA notebook — the simulated marketplace or a real file — and its split.

Notebooks call :func:`load_data` with their ``data_source`` and ``data_path`` parameters:

- ``"simulated"``: the orders of :mod:`.simulate`, with their truth (the world);
- ``"doordash"``: DoorDash's take-home ``historical_data.csv`` at ``data_path`` (:mod:`.doordash`);
- ``"food_delivery"``: the Kaggle food-delivery ``deliverytime.txt`` (:mod:`.food_delivery`).

A model is trained on the past and serves the future, so :func:`split` is by day and never
shuffles time: the last ``test_days`` days test, the days before them train (28 simulated days:
days 0–20 train, 21–27 test). A table without timestamps (the food delivery set) can only be split
at random (a seeded quarter tests), and the split's rule says what that hides: the model is tested
on the same days, weather and couriers it trained on, so its error is optimistic for next week.
"""

from __future__ import annotations

import numpy as np

from mlsd.cases.contract import SIMULATED, CaseData, Split, split_last_days, table_sizes
from mlsd.cases.delivery_eta.doordash import load_doordash
from mlsd.cases.delivery_eta.food_delivery import load_food_delivery
from mlsd.cases.delivery_eta.schema import SIZE_COLUMNS, check_table, has_timestamps
from mlsd.cases.delivery_eta.simulate import simulate_orders
from mlsd.validation import check_choice, check_int

DOORDASH = "doordash"
FOOD_DELIVERY = "food_delivery"
SOURCES = (SIMULATED, DOORDASH, FOOD_DELIVERY)
LOADERS = {DOORDASH: (load_doordash, "DoorDash's historical_data.csv", "doordash.md"),
           FOOD_DELIVERY: (load_food_delivery, "the food delivery set's deliverytime.txt",
                           "food_delivery.md")}
RANDOM_TEST_SHARE = 0.25
"""The share of a table without timestamps that tests, drawn at random."""
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
    shift_day: int | None = None,
) -> CaseData:
    """``data_source`` is ``"simulated"`` (the other keywords, those of
    :func:`~.simulate.simulate_orders`, apply), ``"doordash"`` or ``"food_delivery"``
    (``data_path`` applies: the file; the other keywords are ignored).

    Returns a :class:`~mlsd.cases.contract.CaseData` whose table passes
    :func:`~.schema.check_table`, with sizes ``rows``, ``users`` (stores), ``items`` (markets) and
    ``days`` (left out for a file without timestamps); ``world`` is the
    :class:`~.simulate.DeliveryWorld`, or None
    for a real file.
    """
    check_choice("data_source", data_source, SOURCES)
    if data_source in LOADERS:
        loader, what, card = LOADERS[data_source]
        if not data_path:
            raise ValueError(f"data_source {data_source!r} needs data_path: {what}; "
                             f"datasets/{card} says where to get it")
        table = check_table(loader(data_path), source=str(data_path))
        sizes = table_sizes(table, SIZE_COLUMNS)
        if not has_timestamps(table):
            del sizes["days"]
        return CaseData(data_source, table, sizes, None)
    world = simulate_orders(
        n_orders=n_orders, n_days=n_days, n_markets=n_markets, n_stores=n_stores,
        supply_shift=supply_shift, shift_market=shift_market, shift_day=shift_day, seed=seed,
    )
    table = world.orders
    return CaseData(data_source, table, table_sizes(table, SIZE_COLUMNS), world)


def split(data: CaseData, test_days: int = TEST_DAYS, seed: int = 0) -> Split:
    """By day: the last ``test_days`` days test, every earlier day trains. ``test_days`` is an
    integer in ``[1, number of days - 1]``; every training order comes before every test order.

    A table without timestamps is split at random instead: a share :data:`RANDOM_TEST_SHARE`
    tests, drawn with ``seed`` (``test_days`` is then unused)."""
    table = data.table
    if has_timestamps(table):
        return split_last_days(table, test_days)
    seed = check_int("seed", seed, 0, 2**32 - 1)
    tests = np.random.default_rng(seed).random(len(table)) < RANDOM_TEST_SHARE
    rule = (f"at random (seed {seed}): {RANDOM_TEST_SHARE:.0%} of the orders test, the rest "
            "train — the file has no timestamps, so the test shares its days, weather and couriers with training "
            "and its error is optimistic for next week")
    return Split(table[~tests], table[tests], rule)


NO_TRUTH = (
    "no truth: these orders are not simulated, so nothing knows each order's preparation, wait and "
    "travel, or its true distribution of durations; the cells that need them are skipped"
)
"""The line a notebook prints where a cell needs the simulator's truth and the data are real."""

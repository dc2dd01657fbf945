"""The data of an ad-click notebook, and how it is split in time.

The simulator is the only source so far (:data:`SOURCES`); the public click logs a practitioner
would reach for (Criteo, Avazu) would each get a loader module of their name, mapped onto
:mod:`.schema`. Click models are trained on the past and serve the future, and ad quality drifts
from day to day, so the split is by day and never shuffles time (:func:`split_by_day`).
"""

from __future__ import annotations

import pandas as pd

from mlsd.cases.ad_click.schema import SIZE_COLUMNS
from mlsd.cases.ad_click.simulate import simulate_market
from mlsd.cases.contract import SIMULATED, CaseData, Split, table_sizes
from mlsd.validation import check_choice, check_int

SOURCES = (SIMULATED,)
FIRST_TEST_DAY = 10


def load_data(
    data_source: str,
    data_path: str = "",
    *,
    seed: int = 0,
    n_impressions: int = 200_000,
    n_days: int = 14,
    base_ctr: float = 0.02,
    drift: float = 0.4,
    shift_day: int | None = None,
) -> CaseData:
    """The impressions of ``data_source`` (only ``"simulated"``; ``data_path`` is for real files).

    The keywords are :func:`~.simulate.simulate_market`'s; ``world`` is the
    :class:`~.simulate.AdMarket`, with the ads and the true click probabilities.
    """
    check_choice("data_source", data_source, SOURCES)
    market = simulate_market(
        n_impressions=n_impressions,
        n_days=n_days,
        base_ctr=base_ctr,
        drift=drift,
        shift_day=shift_day,
        seed=seed,
    )
    table = market.impressions
    return CaseData(data_source, table, table_sizes(table, SIZE_COLUMNS), market)


def split(data: CaseData, first_test_day: int = FIRST_TEST_DAY) -> Split:
    """Days before ``first_test_day`` train, the later days test (:func:`split_by_day`)."""
    train, test = split_by_day(data.table, first_test_day)
    last_day = int(test["day"].max())
    rule = f"by day: days before {first_test_day} train, days {first_test_day}–{last_day} test"
    return Split(train, test, rule)


def split_by_day(
    impressions: pd.DataFrame, first_test_day: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Time-based split: days before ``first_test_day`` train, the rest test (never shuffle time).

    ``first_test_day`` must leave both sides non-empty: an integer in ``[first day + 1, last day]``.
    """
    days = impressions["day"]
    low, high = int(days.min()) + 1, int(days.max())
    first_test_day = check_int("first_test_day", first_test_day, low, high)
    return impressions[days < first_test_day], impressions[days >= first_test_day]

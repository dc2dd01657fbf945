"""The data of an ad-click notebook — the simulator or a Criteo click log — and how it is split in time.

Notebooks call :func:`load_data` with their ``data_source`` and ``data_path`` parameters:

- ``"simulated"``: the marketplace of :mod:`.simulate`, with its truth, in the impressions table of
  :mod:`.schema`; click models are trained on the past and serve the future, and ad quality
  drifts from day to day, so the split is by day and never shuffles time (:func:`split_by_day`).
- ``"criteo"``: a Criteo click log read by :func:`~.criteo.load_criteo` from ``data_path``. Its
  features are anonymous and it has no ids, devices or click delays, so it cannot be mapped onto
  the impressions table: it stays a *feature-hashed log*, the second table kind of :mod:`.schema`
  (:func:`~.schema.check_hashed_log`). The file has no timestamp but is in time order, so the
  split is **ordered** (:func:`ordered_split`), as in the published reference on
  ``dac_sample.txt``: the first 80% of the lines train, the next 10% validate, the last 10% test.

Results on a Criteo file of fewer than :data:`CRITEO_MEANINGFUL_ROWS` lines are noise more than
signal (measured: ``benchmarks/bench_criteo_size.py``); the notebooks say so when they run on one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mlsd.cases.ad_click.criteo import load_criteo
from mlsd.cases.ad_click.schema import SIZE_COLUMNS, check_hashed_log
from mlsd.cases.ad_click.simulate import simulate_market
from mlsd.cases.contract import SIMULATED, CaseData, Split, table_sizes
from mlsd.validation import check_choice, check_int

CRITEO = "criteo"
SOURCES = (SIMULATED, CRITEO)
FIRST_TEST_DAY = 10
ORDERED_TENTHS = (8, 1, 1)
"""Train, validation and test tenths of an ordered split, in file order."""
CRITEO_MEANINGFUL_ROWS = 20_000
"""Lines of a Criteo file below which the notebooks warn that the model comparison is noise:
under it, the spread across seeds of the AUC difference between logistic regression and trees
exceeds the difference itself (``benchmarks/bench_criteo_size.py``, ``benchmarks/RESULTS.md``)."""


@dataclass(frozen=True)
class OrderedSplit(Split):
    """:class:`~mlsd.cases.contract.Split` with the validation rows between training and test."""

    validation: pd.DataFrame


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
    """``data_source`` is ``"simulated"`` (the other keywords apply) or ``"criteo"``
    (``data_path`` applies: the click log, see ``datasets/criteo.md``).

    The keywords are :func:`~.simulate.simulate_market`'s; ``world`` is the
    :class:`~.simulate.AdMarket`, with the ads and the true click probabilities, or None for
    Criteo, whose sizes are ``rows`` and ``days`` (the approximate span of its ``time``).
    """
    check_choice("data_source", data_source, SOURCES)
    if data_source == CRITEO:
        if not data_path:
            raise ValueError(
                "data_source 'criteo' needs data_path: the click log you downloaded, e.g. "
                "datasets/real/criteo/dac_sample.txt (see datasets/criteo.md)"
            )
        table = check_hashed_log(load_criteo(Path(data_path)), source=str(data_path))
        return CaseData(data_source, table, table_sizes(table, {}), None)
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
    """Simulated: days before ``first_test_day`` train, the later days test (:func:`split_by_day`).
    Criteo: :func:`ordered_split` (``first_test_day`` does not apply: the file has no days)."""
    if data.source == CRITEO:
        return ordered_split(data.table)
    train, test = split_by_day(data.table, first_test_day)
    last_day = int(test["day"].max())
    rule = f"by day: days before {first_test_day} train, days {first_test_day}–{last_day} test"
    return Split(train, test, rule)


def ordered_split(log: pd.DataFrame) -> OrderedSplit:
    """In file order: lines ``[0, ⌊0.8 n⌋)`` train, ``[⌊0.8 n⌋, ⌊0.9 n⌋)`` validate, the rest test.

    The validation lines are used for one choice only, the number of trees of
    :class:`~.criteo_models.CriteoGBDT`; every number the notebooks report is on the test lines.
    Each part must hold a click and a non-click, or no metric is defined: a ValueError says so.
    """
    n = len(log)
    train_tenths, validation_tenths, _ = ORDERED_TENTHS
    first_validation, first_test = n * train_tenths // 10, n * (train_tenths + validation_tenths) // 10
    parts = {"train": log.iloc[:first_validation], "validation": log.iloc[first_validation:first_test]}
    parts["test"] = log.iloc[first_test:]
    for name, part in parts.items():
        if part["label"].nunique() < 2:
            raise ValueError(
                f"the {name} part of the ordered split ({len(part)} of {n} lines) needs a click "
                "and a non-click; use a larger file"
            )
    rule = (
        f"ordered by line: the first {first_validation:,} lines ({train_tenths}0%) train, the next "
        f"{first_test - first_validation:,} ({validation_tenths}0%) choose the trees' count and the "
        "threshold, "
        f"the last {n - first_test:,} ({10 - train_tenths - validation_tenths}0%) test"
    )
    return OrderedSplit(parts["train"], parts["test"], rule, parts["validation"])


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

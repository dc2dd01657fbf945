"""The data of a feed-ranking notebook — the simulated feed or KuaiRand-Pure — and how it is
split in time.

Notebooks call :func:`load_data` with their ``data_source`` and ``data_path`` parameters:

- ``"simulated"``: the feed of :mod:`.simulate`, with its truth (the world);
- ``"kuairand"``: KuaiRand-Pure read by :func:`~.kuairand.load_kuairand` from ``data_path``
  (``datasets/kuairand.md``), without truth.

Both are in the impressions table of :mod:`.schema`. A ranker is trained on the past and serves
the future, so :func:`split` is by day and never shuffles time: the last ``test_days`` days test,
the days before them train (7 simulated days: days 0–4 train, 5–6 test; KuaiRand's 31 days: the
last 2 test, by the same rule). No validation period is cut: the heads are logistic regressions,
calibrated by their fit, with no threshold or hyper-parameter chosen on held-out days.
"""

from __future__ import annotations

from mlsd.cases.contract import (
    SIMULATED,
    CaseData,
    Split,
    split_last_days,
    table_sizes,
)
from mlsd.cases.feed_ranking.kuairand import NOT_SHIPPED, load_kuairand
from mlsd.cases.feed_ranking.schema import SIZE_COLUMNS, check_table
from mlsd.cases.feed_ranking.simulate import simulate_feed
from mlsd.validation import check_choice

KUAIRAND = "kuairand"
SOURCES = (SIMULATED, KUAIRAND)
TEST_DAYS = 2
"""The default number of last days that test."""


def load_data(
    data_source: str,
    data_path: str = "",
    *,
    seed: int = 0,
    n_members: int = 5_000,
    n_creators: int = 500,
    n_days: int = 7,
    n_impressions: int = 200_000,
    slots: int = 10,
    candidates_per_session: int = 50,
    random_share: float = 0.05,
    examination_decay: float = 1.0,
) -> CaseData:
    """``data_source`` is ``"simulated"`` (the other keywords, :func:`~.simulate.simulate_feed`'s,
    apply) or ``"kuairand"`` (``data_path`` applies: the release's folder or one log file).

    Returns a :class:`~mlsd.cases.contract.CaseData` whose table passes
    :func:`~.schema.check_table`, with sizes ``rows``, ``users`` (members), ``items`` (posts) and
    ``days``; ``world`` is the :class:`~.simulate.FeedWorld`, None for KuaiRand.
    """
    check_choice("data_source", data_source, SOURCES)
    if data_source == KUAIRAND:
        if not data_path:
            raise ValueError("data_source 'kuairand' needs data_path: the folder (or one log "
                             f"file) of {NOT_SHIPPED}")
        table = check_table(load_kuairand(data_path), source=str(data_path))
        return CaseData(data_source, table, table_sizes(table, SIZE_COLUMNS), None)
    world = simulate_feed(
        n_members=n_members, n_creators=n_creators, n_days=n_days, n_impressions=n_impressions,
        slots=slots, candidates_per_session=candidates_per_session, random_share=random_share,
        examination_decay=examination_decay, seed=seed,
    )
    table = world.impressions
    return CaseData(data_source, table, table_sizes(table, SIZE_COLUMNS), world)


def split(data: CaseData, test_days: int = TEST_DAYS) -> Split:
    """By day: the last ``test_days`` days of the table test, every earlier day trains.

    ``test_days`` is an integer in ``[1, number of days - 1]`` (the days from the first to the
    last ``day``), so that both sides hold rows; every training row comes before every test row.
    """
    return split_last_days(data.table, test_days)


NO_TRUTH = (
    "no truth: these logs are not simulated, so nothing knows each impression's true action "
    "probabilities; the cells that need them are skipped"
)
"""The line a notebook prints where a cell needs the simulator's truth and the data are real."""

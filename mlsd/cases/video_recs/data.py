"""The data of a video notebook: the simulator or a MovieLens file, and how it is split in time.

Notebooks call :func:`load_data` with their ``data_source`` and ``data_path`` parameters and get the
same interactions table either way. Only the simulator knows the truth (tastes, expected
engagement); cells that need it say so and use a simulated world even when the rest of the
notebook runs on MovieLens.

A recommender is trained on the past and judged on the future, so the honest split is
**temporal** (:func:`temporal_split`): every event before a cut-off time trains, every later one
tests. Many published MovieLens tables instead hold out a **random** 25% of each user's events
(:func:`random_split`) — the model then trains on events that happened after the ones it is asked
to predict (the future leaks into training, :func:`future_leak_share`). Comparing the two shows
what a random split does to a model's numbers: on the simulator it raises them, but on real data
it can lower some (:func:`~.evaluation.split_effect` says which way, data by data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlsd.cases.contract import SIMULATED, CaseData, Split, table_sizes
from mlsd.cases.video_recs.movielens import load_movielens
from mlsd.cases.video_recs.schema import SIZE_COLUMNS, check_table
from mlsd.cases.video_recs.simulate import simulate_watches
from mlsd.validation import check_choice, check_number

SOURCES = (SIMULATED, "movielens")
SPLITS = ("temporal", "random")
TEMPORAL_TEST_SHARE = 0.2
RANDOM_TEST_SHARE = 0.25


@dataclass(frozen=True)
class VideoData(CaseData):
    """:class:`~mlsd.cases.contract.CaseData` with the catalogue's sizes, which the models need.

    ``n_users`` and ``n_videos`` bound the codes: every ``user_id`` is below ``n_users`` and every
    ``video_id`` below ``n_videos`` (the simulator's sizes, or the largest code + 1 of a file).
    ``world`` is the :class:`~mlsd.cases.video_recs.simulate.VideoWorld` when simulated.
    """

    n_users: int
    n_videos: int


def load_data(
    data_source: str,
    data_path: str = "",
    *,
    seed: int = 0,
    n_users: int = 1_000,
    n_videos: int = 2_000,
    n_events: int = 100_000,
) -> VideoData:
    """``data_source`` is ``"simulated"`` (sizes and seed apply) or ``"movielens"`` (``data_path``
    applies: the ratings file, see ``datasets/movielens.md``)."""
    check_choice("data_source", data_source, SOURCES)
    if data_source == SIMULATED:
        world = simulate_watches(n_users=n_users, n_videos=n_videos, n_events=n_events, seed=seed)
        table = world.interactions
        sizes = table_sizes(table, SIZE_COLUMNS)
        return VideoData(data_source, table, sizes, world, n_users, n_videos)
    if not data_path:
        raise ValueError(
            "data_source 'movielens' needs data_path: the ratings file you downloaded "
            "(see datasets/movielens.md)"
        )
    table = load_movielens(Path(data_path))
    n_users, n_videos = int(table["user_id"].max()) + 1, int(table["video_id"].max()) + 1
    return VideoData(data_source, table, table_sizes(table, SIZE_COLUMNS), None, n_users, n_videos)


def split(data: CaseData, kind: str = "temporal", *, seed: int = 0) -> Split:
    """``kind`` is ``"temporal"`` (:func:`temporal_split`, the last 20% of time tests) or
    ``"random"`` (:func:`random_split`, 25% of each user's events, drawn with ``seed``)."""
    check_choice("split", kind, SPLITS)
    table = data.table
    if kind == "temporal":
        train, test = temporal_split(table)
        quantile = f"the {1 - TEMPORAL_TEST_SHARE:.0%} quantile of time"
        rule = f"temporal: events before day {table['time'].quantile(1 - TEMPORAL_TEST_SHARE):.2f} "
        rule += f"({quantile}) train, later ones test"
    else:
        train, test = random_split(table, seed=seed)
        rule = f"random: {RANDOM_TEST_SHARE:.0%} of each user's events test (seed {seed}), "
        rule += "the rest train"
    return Split(train, test, rule)


def temporal_split(
    interactions: pd.DataFrame, test_share: float = TEMPORAL_TEST_SHARE
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events before the ``1 - test_share`` quantile of time train; the rest test.

    Every training event is strictly earlier than every test event (events at the cut-off time
    all go to the test side).
    """
    _check_share(test_share)
    check_table(interactions)
    cutoff = interactions["time"].quantile(1 - test_share)
    before = interactions["time"].to_numpy() < cutoff
    return interactions[before], interactions[~before]


def random_split(
    interactions: pd.DataFrame, test_share: float = RANDOM_TEST_SHARE, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random ``test_share`` of each user's events test (per-user stratified); the rest train.

    Each user with ``m`` events gets ``round(test_share * m)`` of them in the test set, chosen at
    random, so every user appears on both sides when ``m`` is large enough.
    """
    _check_share(test_share)
    check_table(interactions)
    keys = np.random.default_rng(seed).random(len(interactions))
    by_user = pd.Series(keys, index=interactions.index).groupby(interactions["user_id"])
    order_in_user = by_user.rank(method="first")
    per_user = interactions.groupby("user_id")["user_id"].transform("size")
    is_test = (order_in_user <= np.round(test_share * per_user)).to_numpy()
    return interactions[~is_test], interactions[is_test]


def future_leak_share(train: pd.DataFrame, test: pd.DataFrame) -> float:
    """Share of test events that happened before the same user's last training event.

    Such an event is "predicted" by a model that has already seen what the user did afterwards.
    0 for a temporal split, by construction.
    """
    last_train = train.groupby("user_id")["time"].max()
    before = test["time"].to_numpy() < test["user_id"].map(last_train).to_numpy(dtype=float)
    return float(np.mean(before))


def _check_share(test_share: float) -> None:
    check_number("test_share", test_share, 0, 1, low_open=True, high_open=True)

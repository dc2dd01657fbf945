"""Train/test splits of an interactions table: temporal (what a deployed recommender faces) or random.

A recommender is trained on the past and judged on the future, so the honest split is
**temporal**: every event before a cut-off time trains, every later one tests. Many published
MovieLens tables instead hold out a **random** 25% of each user's events — the model then trains
on events that happened after the ones it is asked to predict (the future leaks into training),
and popular-but-new videos look easier than they are. Comparing the two shows how much a random
split flatters a model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.video_recs.schema import check_interactions

SPLITS = ("temporal", "random")


def temporal_split(interactions: pd.DataFrame, test_share: float = 0.2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events before the ``1 - test_share`` quantile of time train; the rest test.

    Every training event is strictly earlier than every test event (events at the cut-off time
    all go to the test side).
    """
    _check_share(test_share)
    check_interactions(interactions)
    cutoff = interactions["time"].quantile(1 - test_share)
    before = interactions["time"].to_numpy() < cutoff
    return interactions[before], interactions[~before]


def random_split(interactions: pd.DataFrame, test_share: float = 0.25, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random ``test_share`` of each user's events test (per-user stratified); the rest train.

    Each user with ``m`` events gets ``round(test_share * m)`` of them in the test set, chosen at
    random, so every user appears on both sides when ``m`` is large enough.
    """
    _check_share(test_share)
    check_interactions(interactions)
    keys = np.random.default_rng(seed).random(len(interactions))
    order_in_user = pd.Series(keys, index=interactions.index).groupby(interactions["user_id"]).rank(method="first")
    per_user = interactions.groupby("user_id")["user_id"].transform("size")
    is_test = (order_in_user <= np.round(test_share * per_user)).to_numpy()
    return interactions[~is_test], interactions[is_test]


def split_interactions(interactions: pd.DataFrame, split: str, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``split`` is ``"temporal"`` (last 20% of time tests) or ``"random"`` (25% of each user's events)."""
    if split == "temporal":
        return temporal_split(interactions)
    if split == "random":
        return random_split(interactions, seed=seed)
    raise ValueError(f"split must be one of {SPLITS}; got {split!r}")


def _check_share(test_share: float) -> None:
    if not 0 < test_share < 1:
        raise ValueError(f"test_share must be strictly between 0 and 1; got {test_share!r}")


def future_leak_share(train: pd.DataFrame, test: pd.DataFrame) -> float:
    """Share of test events that happened before the same user's last training event.

    Such an event is "predicted" by a model that has already seen what the user did afterwards.
    0 for a temporal split, by construction.
    """
    last_train = train.groupby("user_id")["time"].max()
    before = test["time"].to_numpy() < test["user_id"].map(last_train).to_numpy(dtype=float)
    return float(np.mean(before))

"""The simulated platform behind the sections that need what only the simulator has.

Watch time and genres exist only in the simulator's data: a MovieLens file has ratings, not minutes,
and its loader reads no genres. The watch-time objective and the diversity re-ranker of notebook 3
therefore run on a simulated platform whatever the notebook's ``data_source``: on the notebook's own
data when they are simulated (the same split, users and completion ranker as the sections before),
else on a platform simulated with the notebook's sizes and seed, split in time like the notebook's,
with its own completion ranker — and one printed line saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.contract import CaseData, Split
from mlsd.cases.video_recs.data import load_data, split
from mlsd.cases.video_recs.models import TwoStageRecommender


@dataclass(frozen=True)
class SimulatedPlatform:
    """Simulated data, their temporal split's train and test watches, the test users, and a
    completion-label ranker fitted on the train watches."""

    data: CaseData
    train: pd.DataFrame
    test: pd.DataFrame
    users: np.ndarray
    ranker: TwoStageRecommender


def on_simulated_platform(data: CaseData, held_out: Split, ranker: TwoStageRecommender, *,
                          seed: int, n_users: int, n_videos: int, n_events: int) -> SimulatedPlatform:
    """``data`` with ``held_out`` and ``ranker`` when they are simulated; otherwise a simulated
    platform of ``n_users`` × ``n_videos`` with ``n_events`` watches drawn with ``seed``, split in
    time, and a :class:`~.models.TwoStageRecommender` with ``ranker``'s candidates per source and
    relevance threshold fitted on it (see the module docstring)."""
    if data.world is not None:
        return SimulatedPlatform(data, held_out.train, held_out.test,
                                 np.unique(held_out.test["user_id"]), ranker)
    print("these data have no watch time and no genres: the next two sections run on the "
          "simulated platform")
    simulated = load_data("simulated", seed=seed, n_users=n_users, n_videos=n_videos,
                          n_events=n_events)
    simulated_split = split(simulated, "temporal")
    own = TwoStageRecommender(k_per_source=ranker.k_per_source, seed=seed, threshold=ranker.threshold)
    own.fit(simulated_split.train, simulated.n_users, simulated.n_videos)
    return SimulatedPlatform(simulated, simulated_split.train, simulated_split.test,
                             np.unique(simulated_split.test["user_id"]), own)

"""Choose the data of a video notebook: the simulator, or a MovieLens file the learner downloaded.

Notebooks call :func:`load_data` with their ``data_source`` and ``data_path`` parameters and get the
same interactions table either way. Only the simulator knows the truth (tastes, expected
engagement); cells that need it say so and use a simulated world even when the rest of the
notebook runs on MovieLens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mlsd.cases.video_recs.movielens import load_movielens
from mlsd.cases.video_recs.simulate import VideoWorld, simulate_watches

SOURCES = ("simulated", "movielens")


@dataclass(frozen=True)
class VideoData:
    """The interactions, the catalogue sizes, and the simulated world when there is one."""

    interactions: pd.DataFrame
    n_users: int
    n_videos: int
    world: VideoWorld | None


def load_data(data_source: str, data_path: str = "", *, n_users: int = 1_000, n_videos: int = 2_000, n_events: int = 100_000, seed: int = 0) -> VideoData:
    """``data_source`` is ``"simulated"`` (sizes and seed apply) or ``"movielens"`` (``data_path`` applies)."""
    if data_source == "simulated":
        world = simulate_watches(n_users=n_users, n_videos=n_videos, n_events=n_events, seed=seed)
        return VideoData(world.interactions, n_users, n_videos, world)
    if data_source == "movielens":
        if not data_path:
            raise ValueError("data_source 'movielens' needs data_path: the ratings file you downloaded (see datasets/movielens.md)")
        interactions = load_movielens(Path(data_path))
        return VideoData(interactions, int(interactions["user_id"].max()) + 1, int(interactions["video_id"].max()) + 1, None)
    raise ValueError(f"data_source must be one of {SOURCES}; got {data_source!r}")

"""Notebook 1's measurements: do views follow engagement, or exposure?

:func:`views_by_decile` groups the videos into ten equal groups by their number of views;
:func:`top_decile_engagement_gap` compares the most-viewed tenth with the other nine tenths, with a
bootstrap interval over videos, so that "the most viewed videos are not more engaging" is a
statement with a precise meaning: the interval of (top decile − the rest) does not lie above 0.
:func:`exposure_and_quality` asks the simulator's truth why: views against the hidden popularity
``π_v`` and quality ``q_v`` of each video (simulated data only).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.uncertainty import DEFAULT_RESAMPLES, Interval, bootstrap_interval


def video_views(interactions: pd.DataFrame) -> pd.DataFrame:
    """One row per watched video: ``views`` (events), ``engagement`` (mean over its events) and
    ``views decile`` (1 … 10 by views, ties by order of appearance; 10 = the most viewed)."""
    views = interactions.groupby("video_id").agg(
        views=("user_id", "size"), engagement=("engagement", "mean")
    )
    views_rank = views["views"].rank(method="first", pct=True)
    views["views decile"] = np.ceil(views_rank * 10).astype(int)
    return views


def views_by_decile(interactions: pd.DataFrame) -> pd.DataFrame:
    """Per views decile of :func:`video_views`: ``videos``, ``views``, ``mean_engagement`` (mean of
    the videos' mean engagement) and ``share_of_views``."""
    by_decile = video_views(interactions).groupby("views decile").agg(
        videos=("views", "size"), views=("views", "sum"), mean_engagement=("engagement", "mean")
    )
    by_decile["share_of_views"] = by_decile["views"] / by_decile["views"].sum()
    return by_decile


def top_decile_engagement_gap(
    interactions: pd.DataFrame, n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0
) -> Interval:
    """Mean engagement of the most-viewed decile's videos minus that of the other videos (each
    video's mean engagement, videos weighted equally), with its percentile bootstrap interval
    (videos resampled with replacement, ``seed``)."""
    views = video_views(interactions)
    engagement = views["engagement"].to_numpy()
    is_top = (views["views decile"] == 10).to_numpy()

    def gap(values, top):
        if top.all() or not top.any():
            return float("nan")
        return float(values[top].mean() - values[~top].mean())

    return bootstrap_interval(gap, engagement, is_top, n_resamples=n_resamples, seed=seed)


def exposure_and_quality(world, interactions: pd.DataFrame) -> pd.Series:
    """Spearman rank correlations, over the watched videos, of ``views`` with the true popularity
    ``π_v`` and with the true quality ``q_v``, and of the mean ``engagement`` with ``q_v``
    (:class:`~.simulate.VideoWorld`'s hidden columns)."""
    views = video_views(interactions)
    truth = world.videos.set_index("video_id").loc[views.index]
    ranks = pd.DataFrame({
        "views": views["views"], "engagement": views["engagement"],
        "popularity": truth["popularity"], "quality": truth["quality"],
    }).rank()
    return pd.Series({
        "views ~ popularity": ranks["views"].corr(ranks["popularity"]),
        "views ~ quality": ranks["views"].corr(ranks["quality"]),
        "engagement ~ quality": ranks["engagement"].corr(ranks["quality"]),
    }, name="Spearman correlation")

"""Notebook 1's measurements: views by decile, the engagement gap of the most viewed decile, and
the truth's correlations, by hand and against SciPy."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mlsd.cases.video_recs.framing import (
    exposure_and_quality,
    top_decile_engagement_gap,
    video_views,
    views_by_decile,
)
from mlsd.cases.video_recs.simulate import simulate_watches


def _watches(views_and_engagement):
    """Video ``v`` watched ``n`` times with engagement ``e`` for each ``(n, e)``, one user a watch."""
    rows = [(i, video, 0.0, engagement) for video, (n, engagement) in enumerate(views_and_engagement)
            for i in range(n)]
    return pd.DataFrame(rows, columns=["user_id", "video_id", "time", "engagement"])


TEN = _watches([(1, 0.9)] * 9 + [(91, 0.3)])  # nine one-view videos, one with 91 views


def test_deciles_count_videos_and_shares_of_views_by_hand():
    by_decile = views_by_decile(TEN)
    assert by_decile["videos"].tolist() == [1] * 10
    assert by_decile["share_of_views"].iloc[-1] == pytest.approx(0.91)
    assert by_decile["share_of_views"].sum() == pytest.approx(1.0)
    assert video_views(TEN).loc[9, "views decile"] == 10


def test_the_engagement_gap_is_top_decile_minus_the_rest_with_an_interval():
    gap = top_decile_engagement_gap(TEN, n_resamples=200, seed=1)
    assert gap.estimate == pytest.approx(0.3 - 0.9)
    assert gap.low <= gap.estimate <= gap.high
    same = top_decile_engagement_gap(TEN, n_resamples=200, seed=1)
    assert (same.low, same.high) == (gap.low, gap.high)


def test_the_truths_correlations_are_spearmans():
    world = simulate_watches(n_users=200, n_videos=300, n_events=8_000, seed=2)
    correlations = exposure_and_quality(world, world.interactions)
    views = video_views(world.interactions)
    hidden = world.videos.set_index("video_id").loc[views.index]
    assert correlations["views ~ popularity"] == pytest.approx(
        stats.spearmanr(views["views"], hidden["popularity"]).statistic)
    assert correlations["engagement ~ quality"] == pytest.approx(
        stats.spearmanr(views["engagement"], hidden["quality"]).statistic)
    assert correlations["views ~ popularity"] > 0.5 > abs(correlations["views ~ quality"])
    assert np.isfinite(correlations).all()

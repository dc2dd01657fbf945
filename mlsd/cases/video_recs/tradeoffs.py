"""Notebook 4's experiments: the feedback loop, exploration, freshness, an A/B test on watch time.

The cold-start comparison of notebook 4 is a scorecard with intervals,
:func:`~.evaluation.history_intervals`.

Feedback loop
    A recommender trained on logged watches decides what is shown; users can only watch what is
    shown; the next model trains on those watches. Each round, every user gets a slate of
    ``slate_size`` videos from a source fit on everything logged so far; with probability
    ``epsilon`` a slot shows a uniformly random video among those uploaded by then instead
    (exploration), and the last ``fresh_slots`` slots show random videos uploaded in the past week
    (freshness). Every slot shows a video already uploaded that day: the source's slate leaves out
    the videos not uploaded yet as it leaves out those the user watched (a user without history,
    whose personalised scores all tie, would otherwise be shown a random video from the future).
    A shown video is
    watched with probability equal to the simulator's *expected engagement* of that user for it,
    and the watch is logged with that engagement. A popularity source shows everyone the same few
    videos, so the log, and then the next model, concentrate on them: catalog coverage collapses.

A/B test on watch time
    Users are split at random into two arms, each shown its recommender's slate; a user's watch
    minutes are ``Σ_slate watched × engagement × length`` with ``watched ~ Bernoulli(expected
    engagement)``. The arms are compared with :func:`mlsd.experiments.difference_in_means`. Its
    expectation, without the coin flips, is :func:`~.objectives.expected_watch_minutes`.

:func:`loop_summary` condenses several loops into one row per policy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import sparse

from mlsd.cases.video_recs.models import recommend, watch_matrix
from mlsd.experiments import Comparison, difference_in_means
from mlsd.validation import check_int, check_number


def feedback_loop(world, make_source: Callable[[], object], start_day: float, rounds: int = 6, slate_size: int = 10, epsilon: float = 0.0, fresh_slots: int = 0, seed: int = 0) -> pd.DataFrame:
    """Run the loop for ``rounds`` rounds from the watches logged before ``start_day``.

    Columns per round: ``round``, ``catalog_coverage`` (share of the catalog shown to anyone),
    ``top_decile_share`` (share of slots given to the 10% of videos most watched before the loop),
    ``log_top_decile_share`` (share of all logged watches so far on those videos: what the next
    model learns from), ``new_video_share`` (share of slots given to videos uploaded after the loop
    started), ``mean_engagement_shown`` (mean true expected engagement of the shown videos: what
    users were offered) and ``watches`` (logged this round).
    """
    epsilon = check_number("epsilon", epsilon, 0, 1)
    rounds, slate_size = check_int("rounds", rounds, 1), check_int("slate_size", slate_size, 1)
    fresh_slots = check_int("fresh_slots", fresh_slots, 0, slate_size)
    rng = np.random.default_rng(seed)
    n_users, n_videos = len(world.users), len(world.videos)
    logged = world.interactions[world.interactions["time"] < start_day][["user_id", "video_id", "time", "engagement"]]
    users = world.users.loc[world.users["join_time"] < start_day, "user_id"].to_numpy()
    top_decile = _top_decile(logged, n_videos)
    uploaded = world.videos["upload_time"].to_numpy()
    rows = []
    for round_number in range(1, rounds + 1):
        watched = watch_matrix(logged, n_users, n_videos)
        today = start_day + round_number
        slates = recommend(make_source().fit(watched), _excluded(watched, uploaded > today, users), users, slate_size)
        explore = rng.random(len(slates)) < epsilon
        online = np.flatnonzero(uploaded <= today)  # a random slot can only show an uploaded video
        slates.loc[explore, "video_id"] = rng.choice(online, int(explore.sum()))
        _fill_fresh_slots(slates, world.videos, today, slate_size, fresh_slots, rng)
        engagement = world.expected_engagement(slates["user_id"].to_numpy(), slates["video_id"].to_numpy())
        fresh = ~watched[slates["user_id"].to_numpy(), slates["video_id"].to_numpy()].A1.astype(bool)
        watches = fresh & (rng.random(len(slates)) < engagement)
        new_rows = slates.loc[watches, ["user_id", "video_id"]].assign(time=start_day + round_number, engagement=engagement[watches])
        logged = pd.concat([logged, new_rows], ignore_index=True)
        rows.append(
            {
                "round": round_number,
                "catalog_coverage": slates["video_id"].nunique() / n_videos,
                "top_decile_share": float(np.isin(slates["video_id"].to_numpy(), top_decile).mean()),
                "log_top_decile_share": float(np.isin(logged["video_id"].to_numpy(), top_decile).mean()),
                "new_video_share": float(np.mean(uploaded[slates["video_id"].to_numpy()] > start_day)),
                "mean_engagement_shown": float(engagement.mean()),
                "watches": int(watches.sum()),
            }
        )
    return pd.DataFrame(rows)


def loop_summary(loops: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per policy of several :func:`feedback_loop` runs: the last round's catalogue
    coverage, the log's top-decile share in the first and the last round, the mean expected
    engagement of the shown videos over the rounds with its lowest and highest round, and the last
    round's share of slots given to videos uploaded after the loop started."""
    rows = {
        name: {
            "coverage_last": run["catalog_coverage"].iloc[-1],
            "log_top_decile_first": run["log_top_decile_share"].iloc[0],
            "log_top_decile_last": run["log_top_decile_share"].iloc[-1],
            "engagement_shown_mean": run["mean_engagement_shown"].mean(),
            "engagement_shown_min": run["mean_engagement_shown"].min(),
            "engagement_shown_max": run["mean_engagement_shown"].max(),
            "new_video_share_last": run["new_video_share"].iloc[-1],
        }
        for name, run in loops.items()
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "policy"
    return table


def ab_test_watch_time(world, slates_a: pd.DataFrame, slates_b: pd.DataFrame, seed: int = 0) -> tuple[Comparison, pd.DataFrame]:
    """Split the users who have a slate in both arms at random, simulate their watch minutes, compare.

    Returns the :class:`~mlsd.experiments.Comparison` of arm B with arm A and the per-user table
    (``user_id``, ``arm``, ``watch_minutes``).
    """
    rng = np.random.default_rng(seed)
    users = np.intersect1d(slates_a["user_id"].unique(), slates_b["user_id"].unique())
    in_b = rng.random(len(users)) < 0.5
    shown = pd.concat([slates_a[slates_a["user_id"].isin(users[~in_b])].assign(arm="A"), slates_b[slates_b["user_id"].isin(users[in_b])].assign(arm="B")], ignore_index=True)
    engagement = world.expected_engagement(shown["user_id"].to_numpy(), shown["video_id"].to_numpy())
    watched = rng.random(len(shown)) < engagement
    length_minutes = world.videos["length_seconds"].to_numpy()[shown["video_id"].to_numpy()] / 60
    shown["watch_minutes"] = watched * engagement * length_minutes
    per_user = shown.groupby(["user_id", "arm"], as_index=False)["watch_minutes"].sum()
    minutes = {arm: per_user.loc[per_user["arm"] == arm, "watch_minutes"].to_numpy() for arm in ("A", "B")}
    return difference_in_means(minutes["A"], minutes["B"]), per_user


def _excluded(watched, not_uploaded: np.ndarray, users: np.ndarray):
    """The watch matrix with every user's row also marking the videos not uploaded yet: what
    :func:`recommend` leaves out of a slate."""
    future = np.flatnonzero(not_uploaded)
    if not len(future):
        return watched
    rows = np.repeat(users, len(future))
    marks = sparse.csr_matrix((np.ones(len(rows)), (rows, np.tile(future, len(users)))), shape=watched.shape)
    excluded = watched + marks
    excluded.data[:] = 1.0
    return excluded


def _fill_fresh_slots(slates: pd.DataFrame, videos: pd.DataFrame, today: float, slate_size: int, fresh_slots: int, rng) -> None:
    """Give the last ``fresh_slots`` slots of every slate to random videos uploaded in the week before ``today``."""
    uploaded = videos["upload_time"].to_numpy()
    fresh = np.flatnonzero((uploaded <= today) & (uploaded > today - 7))
    slot = slates["rank"].to_numpy() > slate_size - fresh_slots
    if fresh_slots and len(fresh) and slot.any():
        slates.loc[slot, "video_id"] = fresh[rng.integers(0, len(fresh), int(slot.sum()))]


def _top_decile(logged: pd.DataFrame, n_videos: int) -> np.ndarray:
    counts = np.bincount(logged["video_id"].to_numpy(), minlength=n_videos)
    return np.argsort(-counts, kind="stable")[: max(1, n_videos // 10)]

"""A trending candidate source: videos whose recent watch rate rose against their earlier rate.

The most-popular list counts a video's watches over the whole training period, so a video uploaded
last week, however fast it is being watched, has had no time to climb it; the personalised sources
need co-watches that a fresh video has not yet collected. A **trending** source looks at the rate
instead of the count.

Definition (:class:`TrendingSource`). At the end of the log, ``now`` (its last event time), each
video's watches are counted in two windows:

- the **recent** window ``(now − recent_days, now]``: ``r_v`` watches;
- the **earlier** window ``(now − recent_days − earlier_days, now − recent_days]``: ``e_v`` watches,
  which at the earlier rate predict ``ê_v = e_v · recent_days / earlier_days`` in the recent window.

The score is the smoothed ratio of what happened to what the earlier rate predicted::

    trend_v = (r_v + prior) / (ê_v + prior)

1 for a video watched as often as before, above 1 for one whose rate rose, highest for a video with
many recent watches and none before — a fresh upload taking off. ``prior`` (a pseudo-count, > 0)
keeps a video with one or two recent watches from topping the list on noise. The list is the same
for every user (a global ranking: ties by the lower video id, as in :mod:`.models`), without the
videos the user already watched. It needs only the interactions table (``video_id``, ``time``), so
it runs on simulated and MovieLens data alike.

:func:`fresh_videos` names the videos "new to the log" — first watched in the last ``days`` of the
log — the ones the notebook asks which source can find; :func:`union_candidates` merges candidate
lists into one set; :func:`recall_intervals` scores candidate sets with bootstrap intervals, and
:func:`trending_comparison` asks what trending adds to the merged set against the other sources
made as long.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import sparse

from mlsd.cases.video_recs.evaluation import evaluation_lists
from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT, relevant
from mlsd.uncertainty import DEFAULT_RESAMPLES, interval_table
from mlsd.validation import check_int, check_number

RECENT_DAYS = 7.0
EARLIER_DAYS = 21.0
PRIOR = 5.0


class TrendingSource:
    """Score = ``(recent watches + prior) / (watches the earlier rate predicts + prior)``.

    Fit on the interactions log (:meth:`fit_log`), not on the binary watch matrix the other sources
    use: a trend needs the times of the watches. Parameters are in days (``recent_days``,
    ``earlier_days`` > 0) and watches (``prior`` > 0); the module docstring gives the formula.
    """

    name = "trending"

    def __init__(
        self, recent_days: float = RECENT_DAYS, earlier_days: float = EARLIER_DAYS,
        prior: float = PRIOR,
    ):
        self.recent_days = check_number("recent_days", recent_days, 0, math.inf, low_open=True)
        self.earlier_days = check_number("earlier_days", earlier_days, 0, math.inf, low_open=True)
        self.prior = check_number("prior", prior, 0, math.inf, low_open=True)

    def fit_log(self, interactions: pd.DataFrame, n_videos: int) -> TrendingSource:
        """Count each video's watches in the two windows ending at the log's last event."""
        n_videos = check_int("n_videos", n_videos, 1)
        times = interactions["time"].to_numpy(dtype=float)
        videos = interactions["video_id"].to_numpy()
        now = float(times.max()) if len(times) else 0.0
        split = now - self.recent_days
        recent = np.bincount(videos[times > split], minlength=n_videos)
        earlier_rows = (times <= split) & (times > split - self.earlier_days)
        earlier = np.bincount(videos[earlier_rows], minlength=n_videos)
        self.recent_, self.earlier_ = recent, earlier
        predicted = earlier * (self.recent_days / self.earlier_days)
        self.counts_ = (recent + self.prior) / (predicted + self.prior)
        self.now_ = now
        return self

    def fit(self, watched: sparse.csr_matrix) -> TrendingSource:
        raise TypeError(
            "TrendingSource needs the watch times: call fit_log(interactions, n_videos), "
            "not fit(watch_matrix)"
        )

    def scores(self, user_ids: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.counts_, (len(user_ids), len(self.counts_))).copy()


def fresh_videos(interactions: pd.DataFrame, days: float = RECENT_DAYS) -> np.ndarray:
    """The videos new to the log: first watched within the last ``days`` (> 0) of it, sorted."""
    days = check_number("days", days, 0, math.inf, low_open=True)
    first = interactions.groupby("video_id")["time"].min()
    return np.sort(first.index[first.to_numpy() > interactions["time"].max() - days].to_numpy())


def union_candidates(*lists: pd.DataFrame) -> pd.DataFrame:
    """The (user, video) pairs proposed by any of ``lists`` (each with ``user_id``, ``video_id``),
    once each, sorted by user then video."""
    if not lists:
        raise ValueError("union_candidates needs at least one candidate list")
    pairs = pd.concat([frame[["user_id", "video_id"]] for frame in lists], ignore_index=True)
    pairs = pairs.drop_duplicates(ignore_index=True)
    return pairs.sort_values(["user_id", "video_id"], ignore_index=True, kind="stable")


def set_recall_by_user(
    candidates: pd.DataFrame, test: pd.DataFrame, threshold: float = RELEVANT_ENGAGEMENT
) -> pd.Series:
    """Each user's recall of an unordered candidate set: the share of their relevant test watches
    (engagement >= ``threshold``) among their candidates, indexed by ``user_id``; users without a
    relevant test watch are left out."""
    unordered = candidates[["user_id", "video_id"]].assign(rank=1)
    liked = test[relevant(test, threshold)]
    unordered = unordered[unordered["user_id"].isin(liked["user_id"])]
    if unordered.empty:
        return pd.Series(dtype=float, index=pd.Index([], name="user_id", dtype=np.int64))
    depth = max(1, int(unordered.groupby("user_id").size().max()))
    lists = evaluation_lists(unordered, test, threshold)
    return pd.Series(lists.recall_at(depth), index=pd.Index(lists.groups, name="user_id"))


def recall_intervals(
    candidates_by_name: dict[str, pd.DataFrame],
    test: pd.DataFrame,
    threshold: float = RELEVANT_ENGAGEMENT,
    differences=(),
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean recall of several candidate sets (:func:`set_recall_by_user`) with percentile bootstrap
    intervals over the users every set scores, and the paired difference ``"a − b"`` of each pair
    of ``differences``: one row per set then per difference, columns ``candidates`` (mean per
    user; empty on difference rows), ``mean``, ``low``, ``high``; ``attrs["users"]``. When no user
    is scored (no relevant test watch among them) every mean and bound is NaN."""
    per_user = {name: set_recall_by_user(c, test, threshold) for name, c in candidates_by_name.items()}
    users = None
    for values in per_user.values():
        users = values.index if users is None else users.intersection(values.index)
    rows = list(per_user) + [f"{a} − {b}" for a, b in differences]
    if users is None or len(users) == 0:
        table = pd.DataFrame(np.nan, index=rows, columns=["mean", "low", "high"])
    else:
        columns = {name: values.loc[users].to_numpy() for name, values in per_user.items()}
        for a, b in differences:
            columns[f"{a} − {b}"] = columns[a] - columns[b]
        table = interval_table(pd.DataFrame(columns), n_resamples, seed=seed)
    sizes = {name: len(c) / max(c["user_id"].nunique(), 1) for name, c in candidates_by_name.items()}
    table.insert(0, "candidates", pd.Series(sizes))
    table.attrs["users"] = 0 if users is None else int(len(users))
    return table


def trending_comparison(
    lists: dict[str, pd.DataFrame],
    trending: pd.DataFrame,
    test: pd.DataFrame,
    train: pd.DataFrame,
    depth: int,
    threshold: float = RELEVANT_ENGAGEMENT,
    fresh_days: float = RECENT_DAYS,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """What a trending source adds to the merged candidates, at equal length.

    Three candidate sets per user: the union of every list of ``lists`` at ``depth`` each (the
    merged set), the same union with ``trending``'s top ``depth`` added, and the union of
    ``lists`` alone made as long — the smallest depth per source (found by bisection, up to the
    shortest list's length) whose union holds at least as many candidates as the one with trending.
    Each is scored by recall of all relevant test watches and of those on videos new to the log
    (:func:`fresh_videos` of ``train``, ``fresh_days``), with the paired differences of the set
    with trending and the equally long one. Returns ``(metric, set)`` rows — ``metric`` "all
    watches" or "fresh videos" — with the columns of :func:`recall_intervals`;
    ``attrs["equal_depth"]`` is the depth that matched the length.
    """
    depth = check_int("depth", depth, 1)
    top = {name: frame[frame["rank"] <= depth] for name, frame in lists.items()}
    merged = union_candidates(*top.values())
    with_trending = union_candidates(merged, trending[trending["rank"] <= depth])
    equal_depth, equal = _matching_depth(lists, depth, len(with_trending))
    names = {f"merged, {depth} per source": merged,
             f"merged + trending, {depth} per source": with_trending,
             f"merged, {equal_depth} per source (equal length)": equal}
    pair = [(list(names)[1], list(names)[2])]
    fresh = test[test["video_id"].isin(fresh_videos(train, fresh_days))]
    parts = {
        "all watches": recall_intervals(names, test, threshold, pair, n_resamples, seed),
        "fresh videos": recall_intervals(names, fresh, threshold, pair, n_resamples, seed),
    }
    table = pd.concat(parts, names=["metric", "set"])
    table.attrs["equal_depth"] = equal_depth
    table.attrs["users"] = {metric: part.attrs["users"] for metric, part in parts.items()}
    return table


def _matching_depth(lists: dict[str, pd.DataFrame], depth: int, target: int) -> tuple[int, pd.DataFrame]:
    """The smallest depth >= ``depth`` whose union of ``lists`` has at least ``target`` rows (or
    the longest possible), and that union."""
    def union_at(d: int) -> pd.DataFrame:
        return union_candidates(*(frame[frame["rank"] <= d] for frame in lists.values()))

    low, high = depth, min(int(frame["rank"].max()) for frame in lists.values())
    best = union_at(high)
    if len(best) < target:
        return high, best
    while low < high:
        middle = (low + high) // 2
        candidate = union_at(middle)
        if len(candidate) >= target:
            high, best = middle, candidate
        else:
            low = middle + 1
    return high, best  # best is always the union at high

"""The candidate sources judged by recall: how many of the posts the truth values most each can
propose.

A candidate source returns a pool of posts for a session; the ranker can only order what the
pools hold, so a source is judged by the best posts it reaches, not by how it ranks them. For a
session ``s`` of member ``m`` starting at ``t_s`` (days) in hour ``h_s`` of the log, the pools of
the simulator's three sources (:mod:`.simulate`) are rebuilt from the world:

- ``network`` ``N_s``: every post of a creator ``m`` is connected to, created in
  ``((h_s − W) / 24, t_s]`` with ``W = CANDIDATE_WINDOW_HOURS`` (the simulator draws its network
  candidates from this pool);
- ``follows`` ``F_s``: the same for the creators ``m`` follows;
- ``trending`` ``T_s``: the hour's trending list, recounted from the logged impressions
  (:func:`trending_lists`);
- ``union`` ``U_s = N_s ∪ F_s ∪ T_s``; the *inventory* ``I_s``: every post created by ``t_s``.

Each post ``p`` of the inventory has the true value ``v_s(p) = Σ_h w_h true_h(m, p, t_s)``
(:meth:`~.simulate.FeedWorld.truth_of` given examination, weights
:data:`~.evaluation.DEFAULT_WEIGHTS`). With ``B_s`` the ``top`` posts of the inventory by ``v_s``
and ``C_s`` those of the union (the values are continuous: no ties)::

    recall(S)              = mean_s |B_s ∩ S_s| / top   (of the best posts there are)
    recall_of_union_top(S) = mean_s |C_s ∩ S_s| / top   (of the best posts proposed; union: 1)
    only_here(S)           = mean_s |C_s ∩ S_s \\ other pools| / top

``only_here`` is the union's recall lost if ``S`` were switched off. A pool is what a source can
propose; the simulator samples a few dozen candidates from the pools, and the column ``shown``
gives each source's share of the logged impressions (a post proposed by two sources is logged
under the first of network, follows, trending).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.feed_ranking.evaluation import DEFAULT_WEIGHTS, value_scores
from mlsd.cases.feed_ranking.features import ENGAGEMENTS
from mlsd.cases.feed_ranking.schema import SOURCES
from mlsd.cases.feed_ranking.simulate import (
    CANDIDATE_WINDOW_HOURS,
    TRENDING_LIST_SIZE,
    TRENDING_WINDOW_HOURS,
    FeedWorld,
)
from mlsd.uncertainty import DEFAULT_RESAMPLES, interval_table
from mlsd.validation import check_int

TOP_POSTS = 3
"""The best posts per session whose recall :func:`source_recall` measures (the first screen)."""
SAMPLED_SESSIONS = 500
"""The sessions :func:`source_recall` draws: each is scored against the whole inventory."""
POOLS = (*SOURCES, "union")


def trending_lists(impressions: pd.DataFrame, created_time, hours, size: int) -> np.ndarray:
    """The trending list of each hour of ``hours`` (whole hours since the log's start), as the
    simulator builds it: the ``size`` posts created by ``h / 24`` with the most *engaged*
    impressions (a click, like, comment or share: one each) in the ``TRENDING_WINDOW_HOURS`` whole
    hours before ``h``, ties and empty places filled by the newest posts.

    ``created_time`` is each post's creation time (days), indexed by ``post_id`` and increasing
    (the simulator's ``posts``). Returns an int array of shape ``(len(hours), size)`` of post ids,
    ``-1`` where fewer than ``size`` posts exist."""
    created = np.asarray(created_time, dtype=float)
    size = check_int("size", size, 1)
    hour_of_row = np.floor(impressions["time"].to_numpy(dtype=float) * 24).astype(np.int64)
    engaged = (impressions[list(ENGAGEMENTS)].to_numpy() > 0).any(axis=1)
    posts = impressions["post_id"].to_numpy()
    lists = np.full((len(hours), size), -1, dtype=np.int64)
    for row, hour in enumerate(np.asarray(hours, dtype=np.int64)):
        recent = engaged & (hour_of_row >= hour - TRENDING_WINDOW_HOURS) & (hour_of_row < hour)
        live = int(np.searchsorted(created, hour / 24, side="right"))
        count = np.bincount(posts[recent], minlength=len(created))[:live]
        order = np.lexsort((-np.arange(live), -count))[:size]
        lists[row, :len(order)] = order
    return lists


def candidate_pools(world: FeedWorld, sessions: pd.DataFrame) -> dict[str, np.ndarray]:
    """The pools of ``sessions`` (``member_id`` and ``time``, the start in days, one row each) as
    bool arrays of shape ``(len(sessions), n_posts)``, column ``p`` for ``post_id`` ``p``:
    ``inventory`` (created by the start) and one per source of :data:`~.schema.SOURCES` (the
    module docstring)."""
    created = world.posts["created_time"].to_numpy()
    creator = world.posts["creator_id"].to_numpy()
    start = sessions["time"].to_numpy(dtype=float)
    hour = np.floor(start * 24).astype(np.int64)
    member = sessions["member_id"].to_numpy()
    inventory = created[None, :] <= start[:, None]
    in_window = inventory & (created[None, :] > (hour[:, None] - CANDIDATE_WINDOW_HOURS) / 24)
    pools = {"inventory": inventory}
    for name, lists in (("network", world.connections), ("follows", world.follows)):
        linked = np.zeros((len(world.members), len(world.creators)), dtype=bool)
        linked[np.arange(len(lists))[:, None], lists] = True
        pools[name] = in_window & linked[member][:, creator]
    size = max(TRENDING_LIST_SIZE, world.parameters["candidates_per_session"]
               + world.parameters["slots"])
    hours, hour_code = np.unique(hour, return_inverse=True)
    lists = trending_lists(world.impressions, created, hours, size)[hour_code]
    trending = np.zeros_like(inventory)
    rows = np.repeat(np.arange(len(sessions)), size)
    listed = lists.ravel()
    trending[rows[listed >= 0], listed[listed >= 0]] = True
    pools["trending"] = trending & inventory
    return pools


def true_values(world: FeedWorld, sessions: pd.DataFrame, inventory: np.ndarray) -> np.ndarray:
    """``v_s(p)``, the value of post ``p`` to session ``s``'s member at its start, where
    ``inventory`` is True, ``-inf`` elsewhere: same shape as ``inventory``."""
    session_row, post = np.nonzero(inventory)
    rows = pd.DataFrame({"member_id": sessions["member_id"].to_numpy()[session_row],
                         "post_id": post, "time": sessions["time"].to_numpy()[session_row]})
    truth = world.truth_of(rows)
    heads = truth.set_axis([column.removeprefix("true_") for column in truth.columns], axis=1)
    values = np.full(inventory.shape, -np.inf)
    values[session_row, post] = value_scores(heads, DEFAULT_WEIGHTS)
    return values


def source_recall(world: FeedWorld, impressions: pd.DataFrame, *, top: int = TOP_POSTS,
                  n_sessions: int = SAMPLED_SESSIONS, n_resamples: int = DEFAULT_RESAMPLES,
                  seed: int = 0) -> pd.DataFrame:
    """Each source's pool size and recall of the truly best posts (the module docstring).

    ``n_sessions`` sessions of ``impressions`` (e.g. the test days) are drawn without replacement
    (all when fewer), their start the first row's ``time``; the trending lists count the world's
    whole log. One row per pool of :data:`POOLS` (index ``pool``): ``pool_size`` (mean posts per
    session), ``shown`` (share of the logged ``impressions`` under that source), ``recall`` with
    its bootstrap interval over sessions (``low``, ``high``),
    ``recall_of_union_top`` and ``only_here`` (NaN for the union)."""
    top = check_int("top", top, 1)
    n_sessions = check_int("n_sessions", n_sessions, 1)
    sessions = session_starts(impressions)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    drawn = np.sort(rng.choice(len(sessions), min(n_sessions, len(sessions)), replace=False))
    sessions = sessions.iloc[drawn]
    pools = candidate_pools(world, sessions)
    pools["union"] = pools["network"] | pools["follows"] | pools["trending"]
    values = true_values(world, sessions, pools["inventory"])
    best = _top_of(values, top)
    best_proposed = _top_of(np.where(pools["union"], values, -np.inf), top)
    per_session = {}
    for pool in POOLS:
        others = np.logical_or.reduce([pools[name] for name in SOURCES if name != pool])
        per_session[("pool_size", pool)] = pools[pool].sum(axis=1)
        per_session[("recall", pool)] = (best & pools[pool]).sum(axis=1) / top
        per_session[("recall_of_union_top", pool)] = (best_proposed & pools[pool]).sum(axis=1) / top
        per_session[("only_here", pool)] = (best_proposed & pools[pool] & ~others).sum(axis=1) / top
    means = interval_table(pd.DataFrame(per_session), n_resamples, seed=seed)
    shown = impressions["source"].astype(str).value_counts(normalize=True)
    rows = {}
    for pool in POOLS:
        rows[pool] = {
            "pool_size": means.loc[("pool_size", pool), "mean"],
            "shown": 1.0 if pool == "union" else float(shown.get(pool, 0.0)),
            "recall": means.loc[("recall", pool), "mean"],
            "low": means.loc[("recall", pool), "low"],
            "high": means.loc[("recall", pool), "high"],
            "recall_of_union_top": means.loc[("recall_of_union_top", pool), "mean"],
            "only_here": np.nan if pool == "union" else means.loc[("only_here", pool), "mean"],
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("pool")
    table.attrs["sessions"] = len(sessions)
    return table


def session_starts(impressions: pd.DataFrame) -> pd.DataFrame:
    """One row per session of ``impressions``: ``session_id``, ``member_id`` and ``time``, its
    first row's time (the start), in ``session_id`` order."""
    return impressions.groupby("session_id", sort=True).agg(
        member_id=("member_id", "first"), time=("time", "min")).reset_index()


def no_single_source_reaches_the_union(table: pd.DataFrame) -> bool:
    """Whether every source's recall interval lies below the union's recall, and every source
    holds some of the union's best posts alone (``only_here > 0``)."""
    sources = table.loc[list(SOURCES)]
    return bool((sources["high"] < table.loc["union", "recall"]).all()
                and (sources["only_here"] > 0).all())


def _top_of(values: np.ndarray, top: int) -> np.ndarray:
    """True for the ``top`` largest finite ``values`` of each row."""
    columns = np.argpartition(-values, top - 1, axis=1)[:, :top]
    chosen = np.zeros(values.shape, dtype=bool)
    chosen[np.arange(len(values))[:, None], columns] = True
    return chosen & np.isfinite(values)

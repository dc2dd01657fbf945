"""Random against temporal split, on test sets of the same composition.

The two splits of :func:`~.data.split` differ in more than *when* the held-out events happened.
The temporal test holds every event after the cut-off: users who joined late (new users, with no
training event), videos uploaded late (which no model trained on can know), and as many events per
user as the user happened to make in the last fifth of the time. The random test holds 25% of every
user's events: every test user has a history, nearly every test video was seen in training. A gap
between their scores mixes what the leak of the future does with what these differences do.

:func:`matched_splits` removes the differences. It keeps the events both splits can use — those of
the users who have a training event before the temporal cut-off, on the videos watched before it —
and holds out, for each such user, the same number ``n_u`` of events in both splits: the user's
events after the cut-off (temporal), or ``n_u`` of the user's events drawn at random (random). So
both splits have the same test users (none new), the same number of test events per user, the same
training size, and test events only on videos that exist in the temporal training data; they
differ only in *which* of a user's events are held out — the latest ones, or any.

:func:`split_comparison` trains the baseline recommenders (most popular and matrix factorisation,
:func:`~.evaluation.baseline_metrics`) on each and reports NDCG@k with the percentile bootstrap
interval of the paired difference random − temporal over the users scored under both.
:func:`split_composition` shows what differs between the splits, plain and matched.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.contract import Split
from mlsd.cases.video_recs.data import SPLITS, VideoData, split, temporal_split
from mlsd.cases.video_recs.evaluation import per_user_metrics
from mlsd.cases.video_recs.models import (
    MatrixFactorizationSource,
    PopularSource,
    recommend,
    watch_matrix,
)
from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT
from mlsd.uncertainty import DEFAULT_RESAMPLES, paired_difference_interval
from mlsd.validation import check_int

BASELINES = ("popular", "matrix factorisation")


def matched_splits(data: VideoData, seed: int = 0) -> dict[str, Split]:
    """A temporal and a random split of the same events with the same test composition (module
    docstring): ``{"temporal": Split, "random": Split}``, the random hold-out drawn with ``seed``.
    """
    seed = check_int("seed", seed, 0)
    table = data.table.reset_index(drop=True)
    before, after = temporal_split(table)
    pool = table[table["user_id"].isin(before["user_id"].unique())
                 & table["video_id"].isin(before["video_id"].unique())]
    is_late = pool.index.isin(after.index)
    held_per_user = pd.Series(is_late).groupby(pool["user_id"].to_numpy()).sum()
    keys = np.random.default_rng(seed).random(len(pool))
    order_in_user = pd.Series(keys, index=pool.index).groupby(pool["user_id"]).rank(method="first")
    is_drawn = (order_in_user <= pool["user_id"].map(held_per_user)).to_numpy()
    n_held = int(is_late.sum())
    temporal_rule = (f"matched temporal: each returning user's events after the cut-off, "
                     f"{n_held:,} in all, on videos seen before it")
    random_rule = (f"matched random: as many of each returning user's events, drawn at random "
                   f"(seed {seed}), from the same events")
    return {
        "temporal": Split(pool[~is_late], pool[is_late], temporal_rule),
        "random": Split(pool[~is_drawn], pool[is_drawn], random_rule),
    }


def split_composition(splits: dict[str, Split]) -> pd.DataFrame:
    """What each split's test set is made of, one row per split: ``train events``, ``test users``,
    ``new users`` (test users with no training event), ``test events/user`` (mean over test users)
    and ``unseen-video share`` (the share of test events on a video with no training event, one no
    model trained on that split can know)."""
    rows = {}
    for name, part in splits.items():
        train, test = part.train, part.test
        per_user = test.groupby("user_id").size()
        new = ~per_user.index.isin(train["user_id"].unique())
        unseen = ~test["video_id"].isin(train["video_id"].unique())
        rows[name] = {
            "train events": len(train),
            "test users": len(per_user),
            "new users": int(new.sum()),
            "test events/user": float(per_user.mean()) if len(per_user) else float("nan"),
            "unseen-video share": float(unseen.mean()) if len(test) else float("nan"),
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def plain_and_matched(data: VideoData, seed: int = 0) -> dict[str, Split]:
    """The plain splits of :func:`~.data.split` and the matched ones, for
    :func:`split_composition`: keys ``"temporal"``, ``"random"``, ``"matched temporal"``,
    ``"matched random"``."""
    splits = {kind: split(data, kind, seed=seed) for kind in SPLITS}
    splits.update({f"matched {kind}": part for kind, part in matched_splits(data, seed).items()})
    return splits


def split_comparison(
    data: VideoData,
    k: int = 10,
    seed: int = 0,
    threshold: float = RELEVANT_ENGAGEMENT,
    n_resamples: int = DEFAULT_RESAMPLES,
) -> pd.DataFrame:
    """NDCG@k of the most-popular list and matrix factorisation under the plain splits and the
    :func:`matched_splits`, with the paired difference random − temporal of the matched ones.

    Returns one row per model: ``plain temporal`` and ``plain random`` (mean NDCG@k over each plain
    split's users with a relevant test event: :func:`~.evaluation.ndcg_by_split`), ``matched
    temporal`` and ``matched random`` (mean over the users with a relevant test event under both
    matched splits), ``random − temporal`` of the matched splits with its bootstrap interval
    ``low``/``high`` (users resampled, ``seed``), and ``users``, the number it rests on.
    """
    plain = {kind: _baseline_ndcg(data, split(data, kind, seed=seed), k, seed, threshold)
             for kind in SPLITS}
    matched = {kind: _baseline_ndcg(data, part, k, seed, threshold)
               for kind, part in matched_splits(data, seed).items()}
    rows = {}
    for model in BASELINES:
        temporal, random = matched["temporal"][model], matched["random"][model]
        users = temporal.index.intersection(random.index)
        if len(users) == 0:
            raise ValueError("no user has a relevant test event under both matched splits")
        gap = paired_difference_interval(temporal[users].to_numpy(), random[users].to_numpy(),
                                         n_resamples, seed=seed)
        rows[model] = {
            "plain temporal": float(plain["temporal"][model].mean()),
            "plain random": float(plain["random"][model].mean()),
            "matched temporal": float(temporal[users].mean()),
            "matched random": float(random[users].mean()),
            "random − temporal": gap.estimate,
            "low": gap.low,
            "high": gap.high,
            "users": len(users),
        }
    comparison = pd.DataFrame.from_dict(rows, orient="index")
    comparison.attrs["k"] = k
    return comparison


def split_comparison_sentence(comparison: pd.DataFrame) -> str:
    """One sentence on :func:`split_comparison`: for each model, whether the random split raises
    or lowers its NDCG measurably (interval of the difference excludes 0) or not measurably."""
    parts = []
    metric = f"NDCG@{comparison.attrs.get('k', 'k')}"
    for model, row in comparison.iterrows():
        if row["low"] > 0:
            verdict = "raises"
        elif row["high"] < 0:
            verdict = "lowers"
        else:
            verdict = "does not measurably move"
        parts.append(
            f"the random split {verdict} {model}'s {metric}: {row['matched temporal']:.4f} → "
            f"{row['matched random']:.4f}, difference {row['random − temporal']:+.4f} "
            f"[{row['low']:+.4f}, {row['high']:+.4f}] over {int(row['users']):,} users"
        )
    return "With the same test composition, " + "; ".join(parts) + "."


def _baseline_ndcg(data: VideoData, part: Split, k: int, seed: int, threshold: float) -> dict:
    """Per-user NDCG@k of the two baselines trained on ``part.train``, scored on ``part.test``."""
    watched = watch_matrix(part.train, data.n_users, data.n_videos)
    users = np.unique(part.test["user_id"])
    sources = {
        "popular": PopularSource(),
        "matrix factorisation": MatrixFactorizationSource(seed=seed),
    }
    return {
        name: per_user_metrics(recommend(source.fit(watched), watched, users, k), part.test, k,
                               threshold)[f"ndcg@{k}"]
        for name, source in sources.items()
    }

"""The simulator's truth as a recommender: the ideal list that every learned model only approaches.

Notebook 2 scores the models against a held-out label: a test event of the user on the video with
engagement >= ``threshold`` (a *liked watch*, :func:`~.schema.relevant`). In the generative story
(:mod:`.simulate`) two independent things must happen for a recommended pair to be such a hit:

1. **the pair's clock rings in the test period.** Every pair ``(u, v)`` rings once, after
   ``Exp(ρ_uv)`` days from ``open_uv = max(join_u, upload_v)``, with the rate
   ``ρ_uv = λ a_u π_v exp(A(u, v)) / Σ_w π_w exp(A(u, w))`` (``λ`` is ``world.watch_rate``). The
   clocks are independent and memoryless, so a pair that has not rung by the cut-off ``t`` rings in
   ``[t, T)`` (``T = world.n_days``) with probability ``1 − exp(−ρ_uv (T − max(t, open_uv)))``.
2. **the watch is liked**: the share watched is ``Beta(m κ, (1 − m) κ)`` with the true mean
   ``m(u, v)`` (:meth:`~.simulate.VideoWorld.expected_engagement`), so
   ``P(e >= x) = I_{1−x}((1 − m) κ, m κ)`` (the regularised incomplete beta function).

Their product, :func:`liked_watch_probability`, is the true probability that a recommended pair is a
hit of the temporal test. The ideal recommender (:func:`ideal_recommendations`) gives each test user
the ``k`` videos with the highest such probability among those that exist at the cut-off and that
the user did not watch in training. Ranking by it maximises every user's *expected* precision@k and
expected DCG@k (gains are independent Bernoulli draws, and by the rearrangement inequality the
largest probabilities belong on the top slots); the ranking by the expected engagement ``m`` alone
would ignore that an unseen video is rarely watched at all, and the offline label needs a watch.

Under a random split the test holds a random share ``q`` of each user's events, so a pair not in
training is a test event with probability ``p q / (1 − p + p q)``, ``p`` the probability that the
pair rings at all in ``[open_uv, T)``; times that by the liked share. (Each user's held-out count is
exactly ``round(q m_u)``, which the formula treats as a Binomial draw: a close approximation.)

Only the simulator has this truth: on MovieLens there is no ideal row (:func:`has_truth`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betainc

from mlsd.cases.contract import CaseData
from mlsd.cases.video_recs.data import RANDOM_TEST_SHARE, SPLITS, TEMPORAL_TEST_SHARE
from mlsd.cases.video_recs.models import RECOMMENDATION_COLUMNS, watch_matrix
from mlsd.cases.video_recs.schema import RELEVANT_ENGAGEMENT
from mlsd.cases.video_recs.simulate import ENGAGEMENT_CONCENTRATION, PAIRS_PER_BLOCK, VideoWorld
from mlsd.ordering import top_k_columns
from mlsd.validation import check_choice, check_int, check_number

IDEAL = "ideal (the truth)"
"""The row name of the ideal recommender in notebook 2's tables."""
NO_TRUTH = (
    "no ideal row: these data are not simulated, so nothing knows each user's true probability "
    "of a liked watch"
)


def has_truth(data: CaseData) -> bool:
    """Whether ``data`` come from the simulator (a :class:`~.simulate.VideoWorld` with its
    clocks)."""
    world = getattr(data, "world", None)
    return isinstance(world, VideoWorld) and np.isfinite(world.watch_rate)


def watch_rates(world: VideoWorld, user_ids) -> np.ndarray:
    """The clock rate ``ρ_uv`` (watches per day) of every video for each user: shape
    ``(len(user_ids), n_videos)``, computed in logs so that no weight under- or overflows."""
    _check_world(world)
    users = np.asarray(user_ids, dtype=np.int64)
    log_weight = np.log(world.videos["popularity"].to_numpy()) + world.true_affinity(users)
    log_weight = np.atleast_2d(log_weight)
    top = log_weight.max(axis=1, keepdims=True)
    log_share = log_weight - top - np.log(np.exp(log_weight - top).sum(axis=1, keepdims=True))
    activity = world.users["activity"].to_numpy()[users]
    return world.watch_rate * activity[:, None] * np.exp(log_share)


def liked_share(world: VideoWorld, user_ids, threshold: float = RELEVANT_ENGAGEMENT) -> np.ndarray:
    """``P(e >= threshold)`` of a watch of every video by each user: ``I_{1−x}((1 − m) κ, m κ)``
    with ``m`` the expected engagement and ``κ = ENGAGEMENT_CONCENTRATION`` (1 at threshold 0)."""
    threshold = check_number("threshold", threshold, 0, 1)
    mean = np.atleast_2d(world.expected_engagement(np.asarray(user_ids, dtype=np.int64)))
    kappa = ENGAGEMENT_CONCENTRATION
    return betainc((1 - mean) * kappa, mean * kappa, 1.0 - threshold)


def liked_watch_probability(
    world: VideoWorld,
    user_ids,
    start: float | None,
    threshold: float = RELEVANT_ENGAGEMENT,
    test_share: float = RANDOM_TEST_SHARE,
) -> np.ndarray:
    """The true probability that each (user, video) pair not watched in training is a liked test
    watch (module docstring), shape ``(len(user_ids), n_videos)``.

    ``start`` is the temporal cut-off (the pair rings in ``[start, n_days)``); ``None`` means a
    random split holding out ``test_share`` of each user's events.
    """
    users = np.asarray(user_ids, dtype=np.int64)
    rate = watch_rates(world, users)
    join = world.users["join_time"].to_numpy()[users]
    open_time = np.maximum(join[:, None], world.videos["upload_time"].to_numpy())
    if start is None:
        check_number("test_share", test_share, 0, 1, low_open=True, high_open=True)
        rings = -np.expm1(-rate * (world.n_days - open_time))
        watched = rings * test_share / (1 - rings + rings * test_share)
    else:
        check_number("start", start, 0, world.n_days)
        exposure = np.maximum(world.n_days - np.maximum(open_time, start), 0.0)
        watched = -np.expm1(-rate * exposure)
    return watched * liked_share(world, users, threshold)


def ideal_recommendations(
    data: CaseData,
    kind: str,
    train: pd.DataFrame,
    user_ids,
    k: int = 10,
    threshold: float = RELEVANT_ENGAGEMENT,
) -> pd.DataFrame:
    """The ideal recommender: each user's top ``k`` videos by :func:`liked_watch_probability`.

    Parameters
    ----------
    data : VideoData
        Simulated data (:func:`has_truth`); the split ``kind`` (``"temporal"`` or ``"random"``)
        was drawn from ``data.table`` with :func:`~.data.split`, and ``train`` is its training part.
    user_ids : array-like of int
        The users to recommend to (the test users).
    k : int
        List length, >= 1.
    threshold : float
        The engagement a liked watch needs, as the label of the table it is compared with.

    Returns
    -------
    DataFrame
        ``user_id, video_id, score, rank`` like :func:`~.models.recommend`: ``score`` is the
        probability, ties by the lower video id. Never a video the user watched in training;
        under the temporal split, only videos uploaded before the cut-off (those that exist when
        the list is made).
    """
    check_choice("split", kind, SPLITS)
    if not has_truth(data):
        raise ValueError(f"ideal_recommendations needs simulated data; {NO_TRUTH}")
    world = data.world
    k = min(check_int("k", k, 1), data.n_videos)
    users = np.asarray(user_ids, dtype=np.int64)
    watched = watch_matrix(train, data.n_users, data.n_videos)
    start = None
    hidden = np.zeros(data.n_videos, dtype=bool)
    if kind == "temporal":
        start = float(data.table["time"].quantile(1 - TEMPORAL_TEST_SHARE))
        hidden = world.videos["upload_time"].to_numpy() >= start
    block = max(1, PAIRS_PER_BLOCK // data.n_videos)
    parts = []
    for first in range(0, len(users), block):
        chunk = users[first : first + block]
        score = liked_watch_probability(world, chunk, start, threshold)
        score[:, hidden] = -np.inf
        seen_rows, seen_videos = watched[chunk].nonzero()
        score[seen_rows, seen_videos] = -np.inf
        order = top_k_columns(score, k)
        parts.append(pd.DataFrame({
            "user_id": np.repeat(chunk, k),
            "video_id": order.ravel(),
            "score": np.take_along_axis(score, order, axis=1).ravel(),
            "rank": np.tile(np.arange(1, k + 1), len(chunk)),
        }))
    if not parts:
        return pd.DataFrame(columns=RECOMMENDATION_COLUMNS)
    ideal = pd.concat(parts, ignore_index=True)
    return ideal[np.isfinite(ideal["score"].to_numpy())].reset_index(drop=True)


def expected_dcg(
    recommendations: pd.DataFrame, probability: np.ndarray, user_ids, k: int = 10
) -> pd.Series:
    """Each user's expected DCG@k of a list when pair ``(user_ids[i], v)`` is a hit with
    probability ``probability[i, v]``: ``Σ_r p_r / log2(r + 1)`` over the top ``k``. The ideal
    list maximises it for every user (rearrangement inequality)."""
    users = np.asarray(user_ids, dtype=np.int64)
    top = recommendations[recommendations["rank"] <= k]
    top = top[top["user_id"].isin(users)]
    row = pd.Series(np.arange(len(users)), index=users)[top["user_id"].to_numpy()].to_numpy()
    gain = probability[row, top["video_id"].to_numpy()] / np.log2(top["rank"].to_numpy() + 1.0)
    return pd.Series(gain).groupby(top["user_id"].to_numpy()).sum().reindex(users, fill_value=0.0)


def _check_world(world) -> None:
    if not isinstance(world, VideoWorld) or not np.isfinite(world.watch_rate):
        raise ValueError(
            "the truth needs a VideoWorld drawn by simulate_watches (with its watch_rate)"
        )

"""A simulated video platform whose tastes, and so every user's ideal ranking, are known.

Sized like MovieLens-100k by default (1,000 users, 2,000 videos, 100,000 watches) so that its
numbers sit next to published MovieLens tables. Generative story (every draw comes from one
``numpy`` Generator seeded by ``seed``):

Users ``u``
    a taste ``θ_u = TASTE_SCALE * Dirichlet(TASTE_CONCENTRATION, …)`` over ``n_genres`` genres: the
    small concentration makes tastes peaked on two or three genres.
    an activity ``a_u ~ LogNormal(0, ACTIVITY_SIGMA²)``, heavy-tailed like MovieLens users.
    a join time: a share ``1 - new_user_share`` exists on day 0, the others join on a uniformly
    drawn time in ``(0, n_days)`` (cold-start users).

Videos ``v``
    a genre mixture ``g_v ~ Dirichlet(GENRE_CONCENTRATION, …)``: mostly one or two genres, the
    largest being ``main_genre``.
    a quality ``q_v ~ N(0, QUALITY_SD²)`` and a length ``~ LogNormal(ln LENGTH_MEDIAN_SECONDS,
    LENGTH_SIGMA²)`` seconds (median 8 minutes).
    an upload time: a share ``1 - new_video_share`` exists on day 0, the others are uploaded on a
    uniformly drawn time in ``(0, n_days)`` (fresh videos).
    a popularity ``π_v ∝ 1 / rank_v ** popularity_exponent`` (Zipf-like, ranks a random
    permutation): how often the video is *seen*, whatever the viewer's taste.

The truth
    the affinity of a pair is ``A(u, v) = θ_u · g_v``, in ``[0, TASTE_SCALE]``.

Watches over ``n_days`` days
    a user watches when a clock rings, picking a video among those uploaded by then and not yet
    watched with probability ``∝ π_v * exp(A(u, v))``: a user watches a video at most once. This is
    drawn, exactly and without a loop over events, as competing exponential clocks: each pair
    ``(u, v)`` rings once, after ``Exp(λ * a_u * π_v * exp(A(u, v)) / Σ_w π_w exp(A(u, w)))`` days
    counted from ``max(join_u, upload_v)``, and the first clock to ring among a user's open pairs is
    a draw with the probabilities above. So a user watches ``λ * a_u`` videos a day while the whole
    catalogue is open, less as they work through what they like, more as fresh videos arrive. The
    scale ``λ`` is chosen so that exactly ``n_events`` clocks ring within the ``n_days``.

Engagement
    the share of the video watched, ``e ~ Beta(m κ, (1 - m) κ)`` with ``κ = ENGAGEMENT_CONCENTRATION``
    and mean ``m(u, v) = sigmoid(c + ENGAGEMENT_SLOPE * A(u, v) + q_v)``; the intercept ``c`` is
    solved (bisection) so the mean of ``m`` over the watches is ``MEAN_ENGAGEMENT``.
    ``watch_seconds = e * length``.

:meth:`VideoWorld.true_affinity` and :meth:`VideoWorld.expected_engagement` give ``A`` and ``m``
for any pair: ranking every video by them for a user is the ideal recommender a model can only
approach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.video_recs.schema import check_table
from mlsd.simulation import intercept_for_rate, sigmoid
from mlsd.validation import check_int, check_number

TASTE_SCALE = 10.0
TASTE_CONCENTRATION = 0.2
GENRE_CONCENTRATION = 0.1
ACTIVITY_SIGMA = 1.0
QUALITY_SD = 0.5
LENGTH_MEDIAN_SECONDS = 480.0
LENGTH_SIGMA = 0.6
ENGAGEMENT_SLOPE = 1.0
ENGAGEMENT_CONCENTRATION = 3.0
MEAN_ENGAGEMENT = 0.6
MAX_POPULARITY_EXPONENT = 5.0
PAIRS_PER_BLOCK = 2_000_000


@dataclass(frozen=True)
class VideoWorld:
    """The simulated data: watches, users and videos, and the hidden tastes that drove them.

    Attributes
    ----------
    interactions : pandas.DataFrame
        One row per watch, sorted by time: ``user_id, video_id, time, engagement, watch_seconds``
        (the schema of :mod:`mlsd.cases.video_recs.schema`; ``time`` in days since the start).
    videos : pandas.DataFrame
        One row per video: ``video_id, upload_time, length_seconds, main_genre, quality, popularity``
        (``popularity`` sums to 1).
    users : pandas.DataFrame
        One row per user: ``user_id, join_time, activity``.
    taste : ndarray of shape (n_users, n_genres)
        ``θ``, each row summing to ``TASTE_SCALE``.
    genres : ndarray of shape (n_videos, n_genres)
        ``g``, each row summing to 1.
    engagement_intercept : float
        ``c`` of the engagement mean.
    watch_rate : float
        ``λ``, the scale of every pair's clock: pair ``(u, v)`` rings after
        ``Exp(λ * a_u * π_v * exp(A(u, v)) / Σ_w π_w exp(A(u, w)))`` days from
        ``max(join_u, upload_v)`` (the sum runs over the whole catalogue). NaN when unknown.
    n_days : float
        The length of the window: a clock that would ring after ``n_days`` never rings. NaN when
        unknown.
    """

    interactions: pd.DataFrame
    videos: pd.DataFrame
    users: pd.DataFrame
    taste: np.ndarray
    genres: np.ndarray
    engagement_intercept: float
    watch_rate: float = float("nan")
    n_days: float = float("nan")

    def true_affinity(self, user_ids, video_ids=None) -> np.ndarray:
        """The true affinity ``A(u, v) = θ_u · g_v``.

        Parameters
        ----------
        user_ids : int or array-like of int
        video_ids : int or array-like of int, optional
            Broadcast against ``user_ids``, one affinity per pair. When omitted: every video, one
            row per user, of shape ``(len(user_ids), n_videos)`` (or ``(n_videos,)`` for one user).

        Returns
        -------
        ndarray of float
            Values in ``[0, TASTE_SCALE]``.
        """
        users = np.asarray(user_ids)
        if video_ids is None:
            return self.taste[users] @ self.genres.T
        users, videos = np.broadcast_arrays(users, np.asarray(video_ids))
        return np.einsum("...g,...g->...", self.taste[users], self.genres[videos])

    def expected_engagement(self, user_ids, video_ids=None) -> np.ndarray:
        """The mean watched share ``m(u, v) = sigmoid(c + ENGAGEMENT_SLOPE * A(u, v) + q_v)``.

        Parameters
        ----------
        user_ids, video_ids
            As in :meth:`true_affinity`.

        Returns
        -------
        ndarray of float
            Values in ``(0, 1)``, shaped as :meth:`true_affinity`'s.
        """
        quality = self.videos["quality"].to_numpy()
        videos = np.arange(len(quality)) if video_ids is None else np.asarray(video_ids)
        affinity = self.true_affinity(user_ids, video_ids)
        return sigmoid(self.engagement_intercept + ENGAGEMENT_SLOPE * affinity + quality[videos])


def simulate_watches(
    n_users: int = 1_000,
    n_videos: int = 2_000,
    n_events: int = 100_000,
    n_days: int = 60,
    n_genres: int = 18,
    new_user_share: float = 0.2,
    new_video_share: float = 0.3,
    popularity_exponent: float = 1.0,
    seed: int = 0,
) -> VideoWorld:
    """Draw a :class:`VideoWorld` (the module docstring tells the generative story).

    Parameters
    ----------
    n_users, n_videos : int
        Catalogue sizes, >= 1.
    n_events : int
        Number of watches, in ``[1, n_users * n_videos - 1]``: each pair is watched at most once.
    n_days : int
        Length of the window, >= 1; times lie in ``[0, n_days)``.
    n_genres : int
        Number of genres, >= 1 (MovieLens has 18).
    new_user_share, new_video_share : float
        Shares, in ``[0, 1]``, of users who join and videos uploaded after day 0.
    popularity_exponent : float
        Zipf exponent of the popularity, in ``[0, MAX_POPULARITY_EXPONENT]`` (0: every video equally
        visible).
    seed : int
        Seed of the one random generator.

    Returns
    -------
    VideoWorld
        ``interactions`` pass :func:`~mlsd.cases.video_recs.schema.check_table`.
    """
    _check_arguments(n_users, n_videos, n_events, n_days, n_genres, new_user_share, new_video_share, popularity_exponent)
    rng = np.random.default_rng(seed)
    users, taste = _draw_users(rng, n_users, n_days, n_genres, new_user_share)
    videos, genres = _draw_videos(rng, n_videos, n_days, n_genres, new_video_share, popularity_exponent)
    user, video, time, watch_rate = _draw_watches(rng, users, videos, taste, genres, n_events, n_days)

    affinity = np.einsum("ig,ig->i", taste[user], genres[video])
    shifted_logit = ENGAGEMENT_SLOPE * affinity + videos["quality"].to_numpy()[video]
    intercept = intercept_for_rate(shifted_logit, MEAN_ENGAGEMENT)
    mean = sigmoid(intercept + shifted_logit)
    engagement = rng.beta(mean * ENGAGEMENT_CONCENTRATION, (1 - mean) * ENGAGEMENT_CONCENTRATION)
    interactions = pd.DataFrame(
        {
            "user_id": user,
            "video_id": video,
            "time": time,
            "engagement": engagement,
            "watch_seconds": engagement * videos["length_seconds"].to_numpy()[video],
        }
    )
    table = check_table(interactions, "simulate_watches")
    return VideoWorld(table, videos, users, taste, genres, intercept, watch_rate, float(n_days))


def _draw_users(rng, n_users: int, n_days: int, n_genres: int, new_user_share: float) -> tuple[pd.DataFrame, np.ndarray]:
    taste = TASTE_SCALE * rng.dirichlet(np.full(n_genres, TASTE_CONCENTRATION), n_users)
    users = pd.DataFrame(
        {
            "user_id": np.arange(n_users),
            "join_time": _arrival_times(rng, n_users, n_days, new_user_share),
            "activity": rng.lognormal(0.0, ACTIVITY_SIGMA, n_users),
        }
    )
    return users, taste


def _draw_videos(
    rng, n_videos: int, n_days: int, n_genres: int, new_video_share: float, popularity_exponent: float
) -> tuple[pd.DataFrame, np.ndarray]:
    genres = rng.dirichlet(np.full(n_genres, GENRE_CONCENTRATION), n_videos)
    zipf = 1.0 / np.arange(1, n_videos + 1) ** popularity_exponent
    videos = pd.DataFrame(
        {
            "video_id": np.arange(n_videos),
            "upload_time": _arrival_times(rng, n_videos, n_days, new_video_share),
            "length_seconds": rng.lognormal(np.log(LENGTH_MEDIAN_SECONDS), LENGTH_SIGMA, n_videos),
            "main_genre": genres.argmax(axis=1),
            "quality": rng.normal(0.0, QUALITY_SD, n_videos),
            "popularity": rng.permutation(zipf / zipf.sum()),
        }
    )
    return videos, genres


def _arrival_times(rng, n: int, n_days: int, late_share: float) -> np.ndarray:
    """0 for a share ``1 - late_share`` of ``n`` entities, a uniform time in ``(0, n_days)`` for the rest."""
    is_late = rng.random(n) < late_share
    return np.where(is_late, rng.uniform(0.0, n_days, n), 0.0)


def _draw_watches(rng, users, videos, taste, genres, n_events: int, n_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The ``n_events`` competing clocks that ring first, relative to each pair's open time, sorted by time,
    and the scale ``λ``.

    A pair's clock rings at ``open + Exp(λ r) = open + (n_days - open) * z / λ`` with
    ``z = Exp(1) / (r * (n_days - open))``, so it rings within the window iff ``z < λ``: taking
    ``λ`` between the ``n_events``-th and the next smallest ``z`` keeps exactly ``n_events``.
    Users are handled in blocks of about ``PAIRS_PER_BLOCK`` pairs, each keeping its ``n_events + 1``
    smallest ``z``; the random stream, and so the result, does not depend on the block size.
    """
    n_users, n_videos = len(users), len(videos)
    block = max(1, PAIRS_PER_BLOCK // n_videos)
    blocks = [
        _earliest_clocks(rng, users.iloc[first : first + block], videos, taste[first : first + block], genres, n_days, n_events + 1)
        for first in range(0, n_users, block)
    ]
    log_z, pair, open_time = (np.concatenate(parts) for parts in zip(*blocks))
    order = np.argsort(log_z, kind="stable")
    log_scale = (log_z[order[n_events - 1]] + log_z[order[n_events]]) / 2
    ringing = order[:n_events]
    time = open_time[ringing] + (n_days - open_time[ringing]) * np.exp(log_z[ringing] - log_scale)
    by_time = np.argsort(time, kind="stable")
    user, video = np.divmod(pair[ringing][by_time], n_videos)
    return user, video, time[by_time], float(np.exp(log_scale))


def _earliest_clocks(rng, users, videos, taste, genres, n_days: int, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log z``, pair code ``user_id * n_videos + video_id`` and open time of the ``count`` smallest ``z`` of ``users``.

    Computed in logs, with the choice shares normalised by log-sum-exp, so no weight under- or overflows.
    """
    log_weight = np.log(videos["popularity"].to_numpy()) + taste @ genres.T
    top = log_weight.max(axis=1, keepdims=True)
    log_share = log_weight - top - np.log(np.exp(log_weight - top).sum(axis=1, keepdims=True))
    open_time = np.maximum(users["join_time"].to_numpy()[:, None], videos["upload_time"].to_numpy())
    log_rate = np.log(users["activity"].to_numpy())[:, None] + log_share
    log_z = (np.log(rng.exponential(size=log_weight.shape)) - log_rate - np.log(n_days - open_time)).ravel()
    smallest = _smallest(log_z, count)
    pair = users["user_id"].to_numpy()[0] * len(videos) + smallest
    return log_z[smallest], pair, open_time.ravel()[smallest]


def _smallest(values: np.ndarray, count: int) -> np.ndarray:
    """Indices of the ``count`` smallest ``values`` (all of them when there are fewer), in no particular order."""
    if count >= len(values):
        return np.arange(len(values))
    return np.argpartition(values, count - 1)[:count]


def _check_arguments(
    n_users, n_videos, n_events, n_days, n_genres, new_user_share, new_video_share, popularity_exponent
) -> None:
    sizes = {"n_users": n_users, "n_videos": n_videos, "n_days": n_days, "n_genres": n_genres}
    for name, value in sizes.items():
        check_int(name, value, 1)
    check_int("n_events", n_events, 1, n_users * n_videos - 1)
    check_number("new_user_share", new_user_share, 0, 1)
    check_number("new_video_share", new_video_share, 0, 1)
    check_number("popularity_exponent", popularity_exponent, 0, MAX_POPULARITY_EXPONENT)

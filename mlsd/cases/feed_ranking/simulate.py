"""A simulated professional feed whose engagement probabilities, and position bias, are known.

Generative story (every draw comes from one ``numpy`` Generator seeded by ``seed``):

Creators ``c``
    a popularity ``w_c ~ LogNormal(0, POPULARITY_SIGMA²)`` (heavy-tailed: a few creators are big),
    a main topic among ``N_TOPICS``, a quality ``q_c ~ N(0, CREATOR_QUALITY_SD²)``; a share
    ``CLICKBAIT_SHARE`` are *click-bait* creators: high click appeal, low reading value (quality
    lowered by ``CLICKBAIT_QUALITY``, dwell cut, more hides). A creator posts
    ``POSTS_PER_CREATOR_DAY * sqrt(w_c) / mean(sqrt(w))`` posts a day on average (Poisson).

Members ``m``
    interests ``θ_m ~ Dirichlet(INTEREST_CONCENTRATION, …)`` over the topics (peaked on a few), an
    activity ``a_m ~ LogNormal(0, ACTIVITY_SIGMA²)`` (share of the sessions), ``CONNECTIONS``
    creators they are connected to (drawn uniformly: a network is personal) and ``FOLLOWS``
    creators they follow, drawn without replacement with weights ``w_c * (θ_m[topic_c] + 1/N_TOPICS)``
    (preferential: big creators are followed by many). A creator's ``followers`` count is its size.

Posts ``p``
    created by a creator at uniform times over ``(-PRELOG_DAYS, n_days)`` (a backlog exists when the
    log opens; at least ``slots`` posts do), topic the creator's main topic with probability
    ``CREATOR_TOPIC_SHARE`` (else uniform), format by ``FORMAT_SHARE``, quality
    ``q_p = q_c + N(0, POST_QUALITY_SD²)``; a share ``VIRAL_SHARE`` are *viral*.

Sessions and candidates
    ``ceil(n_impressions / slots)`` sessions over the hours by a daily traffic cycle, each by a member
    drawn with probability ``∝ a_m``. Three candidate sources (:data:`~.schema.SOURCES`):
    ``network`` and ``follows`` each draw ``SOURCE_SHARE * candidates_per_session`` times a connected
    (followed) creator, uniformly, then uniformly one of its posts created from
    ``CANDIDATE_WINDOW_HOURS`` before the session's hour to the end of that hour (no candidate when
    it has none, or when the post drawn comes after the session); ``trending`` takes the rest, each
    session a random sample of the hour's trending list —
    the ``TRENDING_LIST_SIZE`` posts (at least ``candidates_per_session + slots``) with the most
    engagements (click, like, comment or share) logged
    in the ``TRENDING_WINDOW_HOURS`` whole hours before the session's hour, ties and empty places
    filled by the newest posts. The list is recomputed from the simulated log hour by hour, so it lags
    the truth as a real counter does. A post proposed twice keeps its first source (network, follows,
    trending). When fewer than ``slots`` distinct candidates remain, further trending posts fill in.

The logging policy
    the production ranker scores each candidate ``POLICY_SIZE ln(1 + followers_c) - POLICY_AGE age_days
    + POLICY_AFFINITY α(m, p) + N(0, POLICY_NOISE²)``
    (recorded as ``policy_score``) and shows the ``slots`` best in that order; a share
    ``random_share`` of the sessions shows ``slots`` candidates drawn at random, in a random order
    (``random_order``: the exploration traffic).
    Rows of a session are ``SCROLL_SECONDS`` apart.

Examination and actions
    the member examines slot ``k`` with probability ``e_k = k ** -examination_decay`` (the
    ``(1/rank)^η`` propensity of Joachims et al., WSDM 2017), stored as ``examine_probability``.
    Only an examined post can be acted on: given examination each action is an independent
    Bernoulli with the probability ``sigmoid(logit)`` of the head (``true_<head>``, position-free)::

        logit_h = b_h + A_h α(m, p) + Q_h q_p + C_h clickbait_c + F_h[format]
                  - D_h age_days + V_h viral_p exp(-age_hours / VIRAL_DECAY_HOURS)

    with the affinity ``α(m, p) = ln((θ_m[topic_p] + AFFINITY_FLOOR) / (1/N_TOPICS + AFFINITY_FLOOR))``
    (0 for a member of average interest) and the coefficients of :data:`HEAD_COEFFICIENTS`. After a
    click the member reads ``LogNormal(μ, DWELL_SIGMA²)`` seconds, with ``μ = ln DWELL_MEDIAN_SECONDS
    + DWELL_QUALITY q_p + DWELL_AFFINITY α + DWELL_FORMAT[format] - DWELL_CLICKBAIT clickbait_c``,
    so ``true_long_dwell = true_click * Φ((μ - ln LONG_DWELL_SECONDS) / DWELL_SIGMA)``.

Viral posts' like, comment and share appeal is high at birth and decays over hours: they gather
most of their engagement within their first ``VIRAL_DECAY_HOURS``, while a daily batch counter
still shows yesterday's numbers. There is no seen-post filter: a member may be shown a post again
in a later session, with fresh draws.
:meth:`FeedWorld.truth_of` gives the true head probabilities of any (member, post, time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.feed_ranking.schema import COLUMNS, FORMATS, HEADS, LONG_DWELL_SECONDS, SOURCES, check_table
from mlsd.simulation import sigmoid
from mlsd.validation import check_int, check_number

N_TOPICS = 12
INTEREST_CONCENTRATION = 0.3
ACTIVITY_SIGMA = 0.8
CONNECTIONS = 8
FOLLOWS = 15
POPULARITY_SIGMA = 1.2
CREATOR_QUALITY_SD = 0.5
CLICKBAIT_SHARE = 0.1
CLICKBAIT_QUALITY = 0.5
POSTS_PER_CREATOR_DAY = 1.0
PRELOG_DAYS = 3.0
CREATOR_TOPIC_SHARE = 0.8
FORMAT_SHARE = np.array([0.4, 0.3, 0.2, 0.1])
POST_QUALITY_SD = 0.5
VIRAL_SHARE = 0.03
VIRAL_DECAY_HOURS = 6.0
AFFINITY_FLOOR = 0.02
SOURCE_SHARE = {"network": 0.45, "follows": 0.4}
CANDIDATE_WINDOW_HOURS = 72.0
TRENDING_WINDOW_HOURS = 6
TRENDING_LIST_SIZE = 100
POLICY_SIZE = 0.2
POLICY_AGE = 1.0
POLICY_AFFINITY = 0.5
POLICY_NOISE = 0.5
SCROLL_SECONDS = 4.0
DWELL_MEDIAN_SECONDS = 20.0
DWELL_SIGMA = 0.9
DWELL_QUALITY = 0.6
DWELL_AFFINITY = 0.3
DWELL_CLICKBAIT = 1.2
DWELL_FORMAT = np.array([0.0, -0.3, 0.4, 0.8])
ACTION_HEADS = ("click", "like", "comment", "share", "hide")
HEAD_COEFFICIENTS = pd.DataFrame(
    {  # b, A (affinity), Q (quality), C (click-bait), D (per day of age), V (viral)
        "intercept": [-1.2, -3.0, -5.0, -5.2, -3.7],
        "affinity": [0.8, 1.0, 0.8, 0.6, -0.8],
        "quality": [0.3, 0.8, 0.8, 1.0, -0.5],
        "clickbait": [1.2, -0.5, -0.3, -0.3, 1.3],
        "age": [0.3, 0.5, 0.5, 0.6, 0.0],
        "viral": [1.0, 3.0, 2.5, 3.5, 0.0],
    },
    index=list(ACTION_HEADS),
)
"""The coefficients of each action head's logit (module docstring)."""
FORMAT_EFFECT = pd.DataFrame(
    [[-0.3, 0.0, 0.3, 0.1], [0.0, 0.2, 0.1, -0.2], [0.1, -0.1, 0.0, 0.3], [-0.1, 0.2, 0.1, 0.0],
     [0.0, 0.0, 0.1, 0.0]],
    index=list(ACTION_HEADS), columns=list(FORMATS),
)
"""``F_h[format]``: each format's shift of each head's logit."""
TRUTH_COLUMNS = ("examine_probability", *(f"true_{head}" for head in HEADS))


@dataclass(frozen=True)
class FeedWorld:
    """The simulated feed: the impressions, the members, creators and posts, and their truth.

    Attributes
    ----------
    impressions : pandas.DataFrame
        The columns of :mod:`.schema`, then ``policy_score`` (the production ranker's score) and the
        truth no real log has: ``examine_probability`` and ``true_<head>`` for each head.
    members : pandas.DataFrame
        ``member_id, activity, sessions_per_day, main_interest`` (``activity`` sums to 1).
    creators : pandas.DataFrame
        ``creator_id, popularity, followers, main_topic, quality, clickbait, posts_per_day``.
    posts : pandas.DataFrame
        ``post_id, creator_id, created_time`` (days), ``topic, format, quality, viral``.
    interests : ndarray of shape (n_members, N_TOPICS)
        ``θ``, each row summing to 1.
    connections, follows : ndarray of int, shape (n_members, CONNECTIONS or FOLLOWS)
        Each member's connected and followed creators.
    parameters : dict
        The arguments of :func:`simulate_feed`.
    """

    impressions: pd.DataFrame
    members: pd.DataFrame
    creators: pd.DataFrame
    posts: pd.DataFrame
    interests: np.ndarray
    connections: np.ndarray
    follows: np.ndarray
    parameters: dict

    def examine_probability(self, position) -> np.ndarray:
        """``e_k = k ** -examination_decay``: the chance that slot ``k`` (1, 2, …) is examined."""
        return np.asarray(position, dtype=float) ** -self.parameters["examination_decay"]

    def truth_of(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The true probability of each head given examination, ``true_<head>`` columns indexed like
        ``rows``: any (``member_id``, ``post_id``, ``time``) rows, shown or not, with ``time`` in
        days and not before the post's creation."""
        member, post = rows["member_id"].to_numpy(), rows["post_id"].to_numpy()
        age_hours = 24 * (rows["time"].to_numpy(dtype=float) - self.posts["created_time"].to_numpy()[post])
        if (age_hours < -1e-9).any():
            raise ValueError("rows hold a time before the post's creation; truth needs post age >= 0")
        post_arrays = _post_arrays(self.posts, self.creators)
        affinity = _affinity(self.interests, member, post_arrays["topic"][post])
        truth = _true_heads(affinity, post, np.maximum(age_hours, 0), post_arrays)
        return pd.DataFrame({f"true_{head}": truth[head] for head in HEADS}, index=rows.index)


def simulate_feed(
    *,
    n_members: int = 5_000,
    n_creators: int = 500,
    n_days: int = 7,
    n_impressions: int = 200_000,
    slots: int = 10,
    candidates_per_session: int = 50,
    random_share: float = 0.05,
    examination_decay: float = 1.0,
    seed: int = 0,
) -> FeedWorld:
    """Draw a :class:`FeedWorld` (the module docstring tells the generative story).

    Exactly ``n_impressions`` rows, sorted by time, passing :func:`~.schema.check_table` (the last
    session may be cut short). Sizes are integers >= 1, ``candidates_per_session`` at least
    ``slots``, ``random_share`` in ``[0, 1]``, ``examination_decay`` in ``[0, 5]`` (0: every slot
    examined), ``seed`` an integer >= 0.
    """
    for name, value in {"n_members": n_members, "n_creators": n_creators, "n_days": n_days,
                        "n_impressions": n_impressions, "slots": slots}.items():
        check_int(name, value, 1)
    check_int("candidates_per_session", candidates_per_session, slots)
    check_number("random_share", random_share, 0, 1)
    check_number("examination_decay", examination_decay, 0, 5)
    check_int("seed", seed, 0)
    parameters = dict(n_members=n_members, n_creators=n_creators, n_days=n_days,
                      n_impressions=n_impressions, slots=slots,
                      candidates_per_session=candidates_per_session, random_share=float(random_share),
                      examination_decay=float(examination_decay), seed=seed)
    rng = np.random.default_rng(seed)
    creators = _draw_creators(rng, n_creators)
    interests, activity, connections, follows = _draw_members(rng, n_members, creators)
    creators["followers"] = np.bincount(follows.ravel(), minlength=n_creators)
    posts = _draw_posts(rng, creators, n_days, slots)
    n_sessions = math.ceil(n_impressions / slots)
    members = pd.DataFrame({
        "member_id": np.arange(n_members), "activity": activity,
        "sessions_per_day": activity * n_sessions / n_days, "main_interest": interests.argmax(axis=1),
    })
    feed = _FeedLog(rng, parameters, members, creators, posts, interests, (connections, follows))
    log = feed.run(n_sessions)
    impressions = _impression_table(log, n_impressions, posts)
    return FeedWorld(check_table(impressions, "simulate_feed"), members, creators, posts, interests,
                     connections, follows, parameters)


def _draw_creators(rng, n_creators: int) -> pd.DataFrame:
    popularity = rng.lognormal(0, POPULARITY_SIGMA, n_creators)
    clickbait = rng.random(n_creators) < CLICKBAIT_SHARE
    rate = POSTS_PER_CREATOR_DAY * np.sqrt(popularity) / np.sqrt(popularity).mean()
    return pd.DataFrame({
        "creator_id": np.arange(n_creators),
        "popularity": popularity / popularity.sum(),
        "main_topic": rng.integers(0, N_TOPICS, n_creators),
        "quality": rng.normal(0, CREATOR_QUALITY_SD, n_creators) - CLICKBAIT_QUALITY * clickbait,
        "clickbait": clickbait,
        "posts_per_day": rate,
    })


def _draw_members(rng, n_members: int, creators: pd.DataFrame):
    """Interests, activity shares, and the connection and follow lists (one row per member)."""
    interests = rng.dirichlet(np.full(N_TOPICS, INTEREST_CONCENTRATION), n_members)
    activity = rng.lognormal(0, ACTIVITY_SIGMA, n_members)
    n_creators = len(creators)
    uniform = np.ones((n_members, n_creators))
    connections = _draw_without_replacement(rng, uniform, min(CONNECTIONS, n_creators))
    topic_interest = interests[:, creators["main_topic"].to_numpy()]
    weight = creators["popularity"].to_numpy() * (topic_interest + 1 / N_TOPICS)
    follows = _draw_without_replacement(rng, weight, min(FOLLOWS, n_creators))
    return interests, activity / activity.sum(), connections, follows


def _draw_without_replacement(rng, weight: np.ndarray, k: int) -> np.ndarray:
    """``k`` columns per row drawn without replacement with probabilities ``∝ weight``: the ``k``
    first to ring of exponential clocks of rates ``weight`` (an exact draw), in the order they
    rang (a random order, and one that does not depend on how ``argpartition`` is vectorised)."""
    ring = rng.standard_exponential(weight.shape) / weight
    first = np.argpartition(ring, k - 1, axis=1)[:, :k]
    by_ring = np.argsort(np.take_along_axis(ring, first, axis=1), axis=1, kind="stable")
    return np.take_along_axis(first, by_ring, axis=1)  # in ring order: the same on every CPU


def _draw_posts(rng, creators: pd.DataFrame, n_days: int, slots: int) -> pd.DataFrame:
    span = n_days + PRELOG_DAYS
    counts = rng.poisson(creators["posts_per_day"].to_numpy() * span)
    shortfall = max(slots - counts.sum(), 0)
    counts += np.bincount(rng.integers(0, len(creators), shortfall), minlength=len(creators))
    creator = np.repeat(creators["creator_id"].to_numpy(), counts)
    n_posts = len(creator)
    created = rng.uniform(-PRELOG_DAYS, n_days, n_posts)
    backlog = rng.choice(n_posts, slots, replace=False)
    created[backlog] = np.minimum(created[backlog], -rng.uniform(0, PRELOG_DAYS, slots))
    own_topic = rng.random(n_posts) < CREATOR_TOPIC_SHARE
    other_topic = rng.integers(0, N_TOPICS, n_posts)
    topic = np.where(own_topic, creators["main_topic"].to_numpy()[creator], other_topic)
    order = np.argsort(created, kind="stable")
    posts = pd.DataFrame({
        "creator_id": creator,
        "created_time": created,
        "topic": topic,
        "format": np.asarray(FORMATS, dtype=object)[rng.choice(len(FORMATS), n_posts, p=FORMAT_SHARE)],
        "quality": creators["quality"].to_numpy()[creator] + rng.normal(0, POST_QUALITY_SD, n_posts),
        "viral": rng.random(n_posts) < VIRAL_SHARE,
    }).iloc[order].reset_index(drop=True)
    posts.insert(0, "post_id", np.arange(n_posts))
    return posts


def _post_arrays(posts: pd.DataFrame, creators: pd.DataFrame) -> dict:
    """Per-post numpy arrays the truth needs, indexed by ``post_id``."""
    creator = posts["creator_id"].to_numpy()
    return {
        "topic": posts["topic"].to_numpy(),
        "format": pd.Categorical(posts["format"], categories=FORMATS).codes,
        "quality": posts["quality"].to_numpy(),
        "viral": posts["viral"].to_numpy(),
        "clickbait": creators["clickbait"].to_numpy()[creator].astype(float),
        "log_followers": np.log1p(creators["followers"].to_numpy()[creator]),
        "created": posts["created_time"].to_numpy(),
        "creator": creator,
    }


def _affinity(interests: np.ndarray, member: np.ndarray, topic: np.ndarray) -> np.ndarray:
    """``α(m, p) = ln((θ_m[topic] + floor) / (1/N_TOPICS + floor))``."""
    return np.log((interests[member, topic] + AFFINITY_FLOOR) / (1 / N_TOPICS + AFFINITY_FLOOR))


def _true_heads(affinity, post, age_hours, arrays) -> dict:
    """The probability of each head given examination, and the dwell log-mean ``μ``."""
    from scipy.special import ndtr  # 0.2 s to import: imported where a simulation needs it

    quality, clickbait, fmt = arrays["quality"][post], arrays["clickbait"][post], arrays["format"][post]
    viral_boost = arrays["viral"][post] * np.exp(-age_hours / VIRAL_DECAY_HOURS)
    truth = {}
    for head, coef in zip(ACTION_HEADS, HEAD_COEFFICIENTS.to_numpy()):
        intercept, slope_affinity, slope_quality, slope_clickbait, slope_age, slope_viral = coef
        logit = (intercept + slope_affinity * affinity + slope_quality * quality
                 + slope_clickbait * clickbait + FORMAT_EFFECT.loc[head].to_numpy()[fmt]
                 - slope_age * age_hours / 24 + slope_viral * viral_boost)
        truth[head] = sigmoid(logit)
    mu = (math.log(DWELL_MEDIAN_SECONDS) + DWELL_QUALITY * quality + DWELL_AFFINITY * affinity
          + DWELL_FORMAT[fmt] - DWELL_CLICKBAIT * clickbait)
    truth["long_dwell"] = truth["click"] * ndtr((mu - math.log(LONG_DWELL_SECONDS)) / DWELL_SIGMA)
    truth["dwell_log_mean"] = mu
    return truth


class _FeedLog:
    """Draws the log hour by hour: the trending list of an hour is counted from the hours before."""

    def __init__(self, rng, parameters: dict, members, creators, posts, interests, creator_lists):
        self.rng, self.parameters, self.interests = rng, parameters, interests
        self.creator_lists = creator_lists  # (connections, follows): the lists of sources 0 and 1
        self.activity = members["activity"].to_numpy()
        self.arrays = _post_arrays(posts, creators)  # post_id follows the creation time
        creator, created = self.arrays["creator"], self.arrays["created"]
        self.by_creator = np.lexsort((created, creator))
        span = parameters["n_days"] + PRELOG_DAYS + 1
        self.creator_keys = creator[self.by_creator] * span + created[self.by_creator]
        self.creator_base = np.arange(len(creators)) * span
        self.trending_size = max(TRENDING_LIST_SIZE,
                                 parameters["candidates_per_session"] + parameters["slots"])

    def run(self, n_sessions: int) -> dict:
        n_days = self.parameters["n_days"]
        per_hour = self.rng.multinomial(n_sessions, np.tile(_daily_traffic(), n_days) / n_days)
        window, hourly, parts = np.zeros(len(self.arrays["created"])), [], []
        for hour in range(24 * n_days):
            if hour > TRENDING_WINDOW_HOURS:
                window -= hourly[hour - TRENDING_WINDOW_HOURS - 1]
            trending = self._trending_list(hour / 24, window)
            rows = self._hour(hour, per_hour[hour], per_hour[:hour].sum(), trending)
            engaged = rows["click"] | rows["like"] | rows["comment"] | rows["share"]
            hourly.append(np.bincount(rows["post_id"], weights=engaged, minlength=len(window)))
            window += hourly[-1]
            parts.append(rows)
        return {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}

    def _trending_list(self, start: float, window: np.ndarray) -> np.ndarray:
        """The posts created by ``start`` with the most engagements in ``window``, newest first on ties."""
        live = np.searchsorted(self.arrays["created"], start, side="right")
        order = np.lexsort((-self.arrays["created"][:live], -window[:live]))
        return order[:self.trending_size]

    def _hour(self, hour: int, n: int, first_session: int, trending: np.ndarray) -> dict:
        """The rows of the ``n`` sessions of ``hour``: what each shows, in which slot, and what the
        member does."""
        rng, slots = self.rng, self.parameters["slots"]
        start = np.sort(hour / 24 + rng.random(n) * (1 / 24 - slots * SCROLL_SECONDS / 86_400))
        member = rng.choice(len(self.activity), n, p=self.activity)
        random_order = rng.random(n) < self.parameters["random_share"]
        session, post, source, priority = self._candidates(hour, start, member, trending)
        session, post, source, priority = _one_per_post(session, post, source, priority, slots + 1)
        by_priority = np.argsort(session * (slots + 1) + priority, kind="stable")
        fill = (priority == 0) | (_rank_in_order(session, by_priority) < slots)
        session, post, source = session[fill], post[fill], source[fill]

        age_hours = 24 * (start[session] - self.arrays["created"][post])
        affinity = _affinity(self.interests, member[session], self.arrays["topic"][post])
        policy = (POLICY_SIZE * self.arrays["log_followers"][post] - POLICY_AGE * age_hours / 24
                  + POLICY_AFFINITY * affinity + rng.normal(0, POLICY_NOISE, len(post)))
        # the session number plus a key in [0, 1): one sort orders every session at once
        in_unit = np.where(random_order[session], rng.random(len(post)),
                           0.4995 * (1 - np.tanh(policy / 8)))
        position = 1 + _rank_in_order(session, np.argsort(session + in_unit, kind="stable"))
        shown = position <= slots
        session, position = session[shown], position[shown]
        scrolled = (position - 1) * SCROLL_SECONDS
        rows = {"time": start[session] + scrolled / 86_400, "session_id": first_session + session,
                "member_id": member[session], "post_id": post[shown], "position": position,
                "source": source[shown], "post_age_hours": age_hours[shown] + scrolled / 3_600,
                "random_order": random_order[session], "policy_score": policy[shown]}
        return self._act(rows, affinity[shown])

    def _act(self, rows: dict, affinity: np.ndarray) -> dict:
        """Add to the shown ``rows`` the examination, the actions, the dwell and the truth."""
        rng, post = self.rng, rows["post_id"]
        truth = _true_heads(affinity, post, rows["post_age_hours"], self.arrays)
        rows["examine_probability"] = rows["position"].astype(float) ** -self.parameters["examination_decay"]
        examined = rng.random(len(post)) < rows["examine_probability"]
        for head in ACTION_HEADS:
            rows[head] = (examined & (rng.random(len(post)) < truth[head])).astype(np.int64)
        dwell = np.exp(truth["dwell_log_mean"] + DWELL_SIGMA * rng.standard_normal(len(post)))
        rows["dwell_seconds"] = np.where(rows["click"] == 1, np.round(dwell, 1), 0.0)
        for head in HEADS:
            rows[f"true_{head}"] = truth[head]
        return rows

    def _candidates(self, hour: int, start, member, trending):
        """Candidate rows ``(session, post, source code, priority)``: priority 0 for the session's
        own draws, ``1 + j`` for the ``j``-th trending post held in reserve."""
        rng, slots = self.rng, self.parameters["slots"]
        per_session = self.parameters["candidates_per_session"]
        earliest = self.creator_base + (hour - CANDIDATE_WINDOW_HOURS) / 24
        low = np.searchsorted(self.creator_keys, earliest, side="right")
        high = np.searchsorted(self.creator_keys, self.creator_base + (hour + 1) / 24, side="right")
        sessions, posts, sources, priorities = [], [], [], []
        for code, lists in enumerate(self.creator_lists):
            session = np.repeat(np.arange(len(start)), round(SOURCE_SHARE[SOURCES[code]] * per_session))
            creator = lists[member[session], rng.integers(0, lists.shape[1], len(session))]
            pick = low[creator] + (rng.random(len(session)) * (high - low)[creator]).astype(np.int64)
            post = self.by_creator[np.minimum(pick, len(self.by_creator) - 1)]
            found = (high > low)[creator] & (self.arrays["created"][post] <= start[session])
            sessions.append(session[found])
            posts.append(post[found])
            sources.append(np.full(found.sum(), code))
            priorities.append(np.zeros(found.sum(), np.int64))
        n_trending = per_session - sum(round(share * per_session) for share in SOURCE_SHARE.values())
        take = min(n_trending + slots, len(trending))
        picked = np.argsort(rng.random((len(start), len(trending))), axis=1, kind="stable")[:, :take]
        sessions.append(np.repeat(np.arange(len(start)), take))
        posts.append(trending[picked].ravel())
        sources.append(np.full(picked.size, 2))
        priorities.append(np.tile(np.maximum(np.arange(take) - n_trending + 1, 0), len(start)))
        return tuple(np.concatenate(parts) for parts in (sessions, posts, sources, priorities))


def _one_per_post(session, post, source, priority, n_priorities: int):
    """One row per (session, post): the lowest priority, then the first source; sorted by session."""
    pair = session.astype(np.int64) * (post.max(initial=0) + 1) + post
    order = np.argsort((pair * n_priorities + priority) * len(SOURCES) + source, kind="stable")
    first = np.ones(len(order), dtype=bool)
    first[1:] = pair[order][1:] != pair[order][:-1]
    keep = order[first]
    return session[keep], post[keep], source[keep], priority[keep]


def _rank_in_order(session, order) -> np.ndarray:
    """0-based rank of each row among the rows of its session, ``order`` sorting the rows by
    session, then by the key to rank by."""
    grouped = session[order]
    starts = np.flatnonzero(np.r_[len(order) > 0, grouped[1:] != grouped[:-1]])
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return rank


def _impression_table(log: dict, n_impressions: int, posts: pd.DataFrame) -> pd.DataFrame:
    order = np.argsort(log["time"], kind="stable")[:n_impressions]
    rows = {key: values[order] for key, values in log.items()}
    time, post = rows["time"], rows["post_id"]
    day = np.floor(time).astype(np.int64)
    columns = {
        "impression_id": np.arange(len(order)),
        "time": time,
        "day": day,
        "hour": np.minimum(np.floor((time - day) * 24).astype(np.int64), 23),
        "session_id": rows["session_id"].astype(np.int64),
        "member_id": rows["member_id"].astype(np.int64),
        "post_id": post.astype(np.int64),
        "creator_id": pd.array(posts["creator_id"].to_numpy()[post], dtype="Int64"),
        "position": pd.array(rows["position"], dtype="Int64"),
        "source": np.asarray(SOURCES, dtype=object)[rows["source"]],
        "topic": pd.array(posts["topic"].to_numpy()[post], dtype="Int64"),
        "format": posts["format"].to_numpy()[post],
        "post_age_hours": rows["post_age_hours"],
        "random_order": rows["random_order"].astype(bool),
        **{action: rows[action] for action in ACTION_HEADS},
        "dwell_seconds": rows["dwell_seconds"],
        "policy_score": rows["policy_score"],
        **{column: rows[column] for column in TRUTH_COLUMNS},
    }
    return pd.DataFrame(columns, copy=False)


def _daily_traffic() -> np.ndarray:
    """The share of a day's sessions in each hour: a morning and an evening peak."""
    hours = np.arange(24)
    shape = 0.3 + np.exp(-((hours - 8) / 2.5) ** 2) + 0.8 * np.exp(-((hours - 20) / 3) ** 2)
    return shape / shape.sum()

"""A ranker retrained on what it showed, with a popularity counter in its score, hands big creators
more and more of the top of the feed; a floor of reach for small creators holds it back.

The loop (:func:`creator_loop`), one round per day of a simulated :class:`~.simulate.FeedWorld`:

Counters
    per creator ``c``: ``n_c`` logged impressions and ``k_c`` engaged ones (a click, like, comment
    or share: :data:`~.features.ENGAGEMENTS`), filled first from the world's own log of day 0 (the
    production ranker's), then by every round of the loop; read at the start of a round (a daily
    batch job).
Sessions and candidates
    round ``r`` runs ``sessions`` sessions at uniform times of day ``r + 1``, each by a member drawn
    with probability ``∝`` activity. Half of its ``candidate_draws`` pick a connected creator, half
    a followed one (uniformly in the member's list), then uniformly one of that creator's posts of
    the ``CANDIDATE_WINDOW_HOURS`` before the session; a post drawn twice counts once. The
    simulator's trending source is left out (it would add a second loop on the same counters).
The ranker
    round 0 shows the production ranker's order (the simulator's logging policy, ``POLICY_SIZE
    ln(1 + followers) - POLICY_AGE age + POLICY_AFFINITY α + noise``). From round 1 a logistic
    regression of the engaged label is refit on every row the loop has shown so far, on::

        z_c = logit((k_c + m g) / (n_c + m)),  ln(1 + k_c),  α(m, p),  age (days),  ln(slot)

    (``g = Σ k / Σ n``, ``m = PRIOR_STRENGTH``, counters as of the row's round; ``α`` the
    member's affinity for the post's topic, the simulator's, standing for a learned interest
    feature), and each session's candidates are ordered by::

        score = f(x at slot 1) + popularity_weight · ln(1 + k_c)

    with ``f`` the regression's log-odds. The second term is a popularity boost of the kind a
    trending or "popular creators" signal adds: ``k_c`` grows with the exposure the loop gave, so
    what a creator was shown today raises its score tomorrow. With ``popularity_weight = 0`` the
    refit model alone orders the feed.
Actions
    slot ``k`` is examined with probability ``e_k = k ** -examination_decay``; an examined post is
    engaged with probability ``1 - Π_{h ∈ ENGAGEMENTS} (1 - true_h)`` (the simulator's heads are
    independent given examination), from :meth:`~.simulate.FeedWorld.truth_of`.
The guardrail
    ``small_floor = f`` (from round 1): of a session's :data:`~.evaluation.TOP_SLOTS` top slots,
    ``f`` go to its ``f`` best-scored candidates by small creators (the
    :data:`~.evaluation.SMALL_CREATOR_SHARE` smallest by followers, as
    :func:`~.evaluation.feed_metrics` counts them) when it has them, the others to the best of the
    rest (:func:`floor_slots`); below the top, the ranker's order.
Measures, per round (:func:`~.evaluation.feed_metrics` of the shown slots)
    ``top_creator_share`` and ``small_creator_share`` of the top slots and ``value``, the true
    expected value per session ``Σ_slots e(slot) Σ_h w_h true_h``
    (:data:`~.evaluation.DEFAULT_WEIGHTS`); the same for the *truth order*, the same candidates
    ordered by their true value: the shares the creators' true quality warrants, and the ceiling.

Sizes: :data:`SESSIONS` sessions a round of :data:`CANDIDATE_DRAWS` draws (the simulator's
sessions draw 50 candidates from three sources), :data:`ROUNDS` refit rounds after round 0, so that
:func:`guardrail_table`'s three loops run in a few seconds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from mlsd.cases.feed_ranking.evaluation import (
    DEFAULT_WEIGHTS, SMALL_CREATOR_SHARE, TOP_SLOTS, feed_metrics, value_scores,
)
from mlsd.cases.feed_ranking.features import ENGAGEMENTS, PRIOR_STRENGTH
from mlsd.cases.feed_ranking.schema import HEADS
from mlsd.cases.feed_ranking.simulate import (
    AFFINITY_FLOOR, CANDIDATE_WINDOW_HOURS, N_TOPICS, POLICY_AFFINITY, POLICY_AGE, POLICY_NOISE,
    POLICY_SIZE, PRELOG_DAYS,
)
from mlsd.validation import check_int, check_number

ROUNDS = 5
"""Refit rounds after round 0 (the production ranker's)."""
SESSIONS = 2_000
"""Sessions per round."""
CANDIDATE_DRAWS = 20
"""Candidate draws per session, half from connections, half from follows."""
POPULARITY_WEIGHT = 0.5
"""The weight of ``ln(1 + k_c)`` added to the model's log-odds."""
SMALL_FLOOR = 1
"""Top slots the guardrail keeps for small creators."""
VALUE_TOLERANCE = 0.02
"""The relative change of value per session :func:`loop_claim` calls a small cost of the floor."""
RATE_CLIP = 1e-4
FEATURES = ("creator_rate_logit", "creator_engagements_log", "affinity", "age_days", "slot_log")
"""The ranker's columns, in the order of the module docstring."""
ROUND_COLUMNS = ("round", "top_creator_share", "small_creator_share", "value",
                 "truth_top_creator_share", "truth_small_creator_share", "truth_value")
"""The columns of :func:`creator_loop`."""
TABLE_COLUMNS = ("top_share_round_1", "top_share_last", "small_share_last", "value_per_session")
"""The columns of :func:`guardrail_table`."""
POLICIES = ("refit model", "+ popularity", "+ popularity + floor", "truth order")
"""The rows of :func:`guardrail_table`."""


def creator_loop(world, *, rounds: int = ROUNDS, sessions: int = SESSIONS,
                 candidate_draws: int = CANDIDATE_DRAWS,
                 popularity_weight: float = POPULARITY_WEIGHT, small_floor: int = 0,
                 seed: int = 0) -> pd.DataFrame:
    """Run the loop of the module docstring: round 0 by the production ranker, then ``rounds``
    rounds each ordered by a model refit on every row shown so far; one row per round, the columns
    of :data:`ROUND_COLUMNS`.

    ``world`` is a :class:`~.simulate.FeedWorld` of at least 3 days; ``rounds`` an integer in
    ``[1, n_days - 2]`` (round ``r`` runs on day ``r + 1``), ``sessions`` >= 10,
    ``candidate_draws`` >= 2, ``popularity_weight`` >= 0, ``small_floor`` in ``[0, TOP_SLOTS]``
    (0: no guardrail), ``seed`` >= 0; the same arguments give the same table. The random draws
    do not depend on the order shown, so one seed gives every setting of ``popularity_weight``
    and ``small_floor`` the same sessions and candidates each round (a paired comparison)."""
    n_days = world.parameters["n_days"]
    if n_days < 3:
        raise ValueError(f"world must span at least 3 days (day 0 fills the counters, then one "
                         f"day a round); got n_days = {n_days}")
    rounds = check_int("rounds", rounds, 1, n_days - 2)
    sessions = check_int("sessions", sessions, 10)
    candidate_draws = check_int("candidate_draws", candidate_draws, 2)
    popularity_weight = check_number("popularity_weight", popularity_weight, 0)
    small_floor = check_int("small_floor", small_floor, 0, TOP_SLOTS)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    counters, catalogue = _CreatorCounters(world), _Catalogue(world)
    slots = world.parameters["slots"]
    logged, rows = [], []
    for round_number in range(rounds + 1):
        candidates = catalogue.draw(rng, round_number + 1, sessions, candidate_draws)
        candidates = candidates.join(world.truth_of(candidates))
        features = counters.features(candidates)
        if round_number == 0:
            score, floor = _production_score(candidates, world, rng), 0
        else:
            model = _fit(np.concatenate(logged))
            popularity = features[:, FEATURES.index("creator_engagements_log")]
            score = model(features) + popularity_weight * popularity
            floor = small_floor
        small = counters.small[candidates["creator_id"].to_numpy()]
        slot = floor_slots(candidates["session_id"].to_numpy(), score, small, floor)
        shown = candidates[slot <= slots].assign(slot=slot[slot <= slots])
        engaged = _engaged(shown, world, rng)
        at_slot = counters.features(shown, shown["slot"].to_numpy())
        logged.append(np.column_stack([at_slot, engaged]))
        counters.add(shown["creator_id"].to_numpy(), engaged)
        rows.append({"round": round_number, **_measures(world, shown, candidates)})
    return pd.DataFrame(rows, columns=list(ROUND_COLUMNS))


def floor_slots(sessions, scores, small, small_floor: int,
                top_slots: int = TOP_SLOTS) -> np.ndarray:
    """The slot (1, 2, …) of each row when every session's rows are ordered by decreasing score,
    except that the session's ``small_floor`` best-scored ``small`` rows (all of them if fewer)
    take places among its first ``top_slots`` slots; ties in score keep the row order.

    The first ``top_slots`` slots hold those rows and the best of the others, by score; the rest
    follow by score. ``small_floor = 0`` is the plain order by score. ``sessions``, ``scores`` and
    ``small`` (bool) have one value per row; ``small_floor`` is in ``[0, top_slots]``."""
    top_slots = check_int("top_slots", top_slots, 1)
    small_floor = check_int("small_floor", small_floor, 0, top_slots)
    sessions, scores = np.asarray(sessions), np.asarray(scores, dtype=float)
    small = np.asarray(small, dtype=bool)
    if not len(sessions) == len(scores) == len(small):
        raise ValueError(f"sessions, scores and small must have the same length; got "
                         f"{len(sessions)}, {len(scores)}, {len(small)}")
    order = np.lexsort((-scores, sessions))  # a stable sort: ties keep the row order
    if small_floor == 0:
        return _slots_of(sessions, order)
    starts = _group_starts(sessions[order])
    kept = small[order] & (_count_before(starts, small[order]) < small_floor)
    n_kept = np.repeat(np.add.reduceat(kept.astype(np.int64), starts) if len(kept) else kept,
                       np.diff(np.r_[starts, len(kept)]))
    top = kept | (_count_before(starts, ~kept) < top_slots - n_kept)
    in_top = np.empty(len(scores), dtype=bool)
    in_top[order] = top
    return _slots_of(sessions, np.lexsort((-scores, ~in_top, sessions)))


def guardrail_table(world, *, rounds: int = ROUNDS, sessions: int = SESSIONS,
                    candidate_draws: int = CANDIDATE_DRAWS,
                    popularity_weight: float = POPULARITY_WEIGHT, small_floor: int = SMALL_FLOOR,
                    seed: int = 0) -> pd.DataFrame:
    """Three loops of :func:`creator_loop` on one seed (so the same sessions and candidates each
    round, and the same round 0): the refit model alone, with the popularity term, and with it
    and the floor; then the truth order of the popularity loop's candidates. One row per :data:`POLICIES`, indexed by
    ``policy``, the columns of :data:`TABLE_COLUMNS`: the top creators' share of the top slots in
    round 1 and in the last round, the small creators' share in the last round and the mean true
    value per session over rounds 1 to the last."""
    settings = {POLICIES[0]: (0.0, 0), POLICIES[1]: (popularity_weight, 0),
                POLICIES[2]: (popularity_weight, small_floor)}
    loops = {name: creator_loop(world, rounds=rounds, sessions=sessions,
                                candidate_draws=candidate_draws, popularity_weight=weight,
                                small_floor=floor, seed=seed)
             for name, (weight, floor) in settings.items()}
    rows = {name: _summary(loop, "") for name, loop in loops.items()}
    rows[POLICIES[3]] = _summary(loops[POLICIES[1]], "truth_")
    table = pd.DataFrame.from_dict(rows, orient="index")[list(TABLE_COLUMNS)]
    table.index.name = "policy"
    return table


def loop_claim(table: pd.DataFrame, value_tolerance: float = VALUE_TOLERANCE) -> bool:
    """The claim of :func:`guardrail_table`: with the popularity term the top creators' share of
    the top slots grows from round 1 to the last round and ends above the truth order's; the
    refit model alone ends below that round 1 (the counter in the score drives it, not the
    refitting); the floor makes the share grow less and end lower, gives small creators more of
    the top, and moves value per session by less than ``value_tolerance`` (relative)."""
    missing = [name for name in POLICIES if name not in table.index]
    if missing:
        raise ValueError(f"table must have the rows {list(POLICIES)} of guardrail_table; "
                         f"missing {missing}")
    tolerance = check_number("value_tolerance", value_tolerance, 0)
    alone, loop, floor, truth = (table.loc[name] for name in POLICIES)
    rise = loop["top_share_last"] - loop["top_share_round_1"]
    floor_rise = floor["top_share_last"] - floor["top_share_round_1"]
    value_change = floor["value_per_session"] / loop["value_per_session"] - 1
    return bool(rise > 0 and loop["top_share_last"] > truth["top_share_last"]
                and alone["top_share_last"] < loop["top_share_round_1"]
                and floor_rise < rise and floor["top_share_last"] < loop["top_share_last"]
                and floor["small_share_last"] > loop["small_share_last"]
                and abs(value_change) < tolerance)


def _summary(loop: pd.DataFrame, prefix: str) -> dict:
    top = loop[f"{prefix}top_creator_share"]
    return {"top_share_round_1": top.iloc[1], "top_share_last": top.iloc[-1],
            "small_share_last": loop[f"{prefix}small_creator_share"].iloc[-1],
            "value_per_session": loop[f"{prefix}value"].iloc[1:].mean()}


class _CreatorCounters:
    """``n_c`` and ``k_c`` per creator, which creators are small, and the ranker's features."""

    def __init__(self, world):
        followers = world.creators.set_index("creator_id")["followers"].sort_index()
        ranked = followers.sort_values(kind="stable", ascending=False).index.to_numpy()
        n_small = max(1, round(SMALL_CREATOR_SHARE * len(ranked)))
        self.small = np.zeros(len(followers), dtype=bool)
        self.small[ranked[len(ranked) - n_small:]] = True
        self.n, self.k = np.zeros(len(followers)), np.zeros(len(followers))
        first_day = world.impressions[world.impressions["day"] == 0]
        self.add(first_day["creator_id"].to_numpy(dtype=np.int64),
                 first_day[list(ENGAGEMENTS)].to_numpy().sum(axis=1) > 0)

    def add(self, creator: np.ndarray, engaged: np.ndarray) -> None:
        self.n += np.bincount(creator, minlength=len(self.n))
        self.k += np.bincount(creator, weights=engaged.astype(float), minlength=len(self.k))

    def features(self, rows: pd.DataFrame, slot=None) -> np.ndarray:
        """The columns of :data:`FEATURES`, one row per row of ``rows``; ``slot`` None: slot 1."""
        creator = rows["creator_id"].to_numpy(dtype=np.int64)
        global_rate = self.k.sum() / self.n.sum()
        rate = (self.k[creator] + PRIOR_STRENGTH * global_rate) / (self.n[creator] + PRIOR_STRENGTH)
        rate = np.clip(rate, RATE_CLIP, 1 - RATE_CLIP)
        return np.column_stack([
            np.log(rate / (1 - rate)), np.log1p(self.k[creator]), rows["affinity"].to_numpy(),
            rows["age_days"].to_numpy(), np.log(np.ones(len(rows)) if slot is None else slot),
        ])


class _Catalogue:
    """The world's posts by creator and creation time, and the draw of a round's candidates."""

    def __init__(self, world):
        posts = world.posts
        self.world = world
        self.creator = posts["creator_id"].to_numpy(dtype=np.int64)
        self.created = posts["created_time"].to_numpy()
        self.topic = posts["topic"].to_numpy(dtype=np.int64)
        self.by_creator = np.lexsort((self.created, self.creator))
        self.span = world.parameters["n_days"] + PRELOG_DAYS + 1  # one key range per creator
        self.keys = self.creator[self.by_creator] * self.span + self.created[self.by_creator]
        activity = world.members["activity"].to_numpy()
        self.activity = activity / activity.sum()

    def draw(self, rng, day: int, sessions: int, draws: int) -> pd.DataFrame:
        """The candidates of ``sessions`` sessions of ``day``: ``session_id, post_id, member_id,
        creator_id, time, age_days, affinity``, one row per (session, post)."""
        start = day + rng.random(sessions)
        member = rng.choice(len(self.activity), sessions, p=self.activity)
        session, post = [], []
        halves = (self.world.connections, draws // 2), (self.world.follows, draws - draws // 2)
        for lists, n in halves:
            rows = np.repeat(np.arange(sessions), n)
            base = lists[member[rows], rng.integers(0, lists.shape[1], len(rows))] * self.span
            low = np.searchsorted(self.keys, base + start[rows] - CANDIDATE_WINDOW_HOURS / 24)
            high = np.searchsorted(self.keys, base + start[rows], side="right")
            pick = low + (rng.random(len(rows)) * (high - low)).astype(np.int64)
            session.append(rows[high > low])
            post.append(self.by_creator[pick[high > low]])
        pair = np.unique(np.concatenate(session) * len(self.created) + np.concatenate(post))
        session, post = pair // len(self.created), pair % len(self.created)
        theta = self.world.interests[member[session], self.topic[post]]
        return pd.DataFrame({
            "session_id": day * sessions + session, "post_id": post, "member_id": member[session],
            "creator_id": self.creator[post], "time": start[session],
            "age_days": start[session] - self.created[post],
            "affinity": np.log((theta + AFFINITY_FLOOR) / (1 / N_TOPICS + AFFINITY_FLOOR)),
        })


def _production_score(candidates: pd.DataFrame, world, rng) -> np.ndarray:
    """The simulator's logging policy (the module docstring of :mod:`.simulate`)."""
    followers = world.creators["followers"].to_numpy()[candidates["creator_id"].to_numpy()]
    return (POLICY_SIZE * np.log1p(followers) - POLICY_AGE * candidates["age_days"].to_numpy()
            + POLICY_AFFINITY * candidates["affinity"].to_numpy()
            + rng.normal(0, POLICY_NOISE, len(candidates)))


def _fit(logged: np.ndarray):
    """The engaged label's logistic regression on the logged rows (features, then the label),
    standardised; returns the log-odds of new feature rows."""
    features, label = logged[:, :-1], logged[:, -1]
    scaler = StandardScaler().fit(features)
    with threadpool_limits(limits=1):
        model = LogisticRegression(max_iter=500).fit(scaler.transform(features), label)

    def log_odds(rows: np.ndarray) -> np.ndarray:
        with threadpool_limits(limits=1):
            return model.decision_function(scaler.transform(rows))

    return log_odds


def _engaged(shown: pd.DataFrame, world, rng) -> np.ndarray:
    examined = rng.random(len(shown)) < world.examine_probability(shown["slot"].to_numpy())
    miss = np.prod([1 - shown[f"true_{head}"].to_numpy() for head in ENGAGEMENTS], axis=0)
    return examined & (rng.random(len(shown)) < 1 - miss)


def _measures(world, shown: pd.DataFrame, candidates: pd.DataFrame) -> dict:
    """The loop's feed and the truth order's, by :func:`~.evaluation.feed_metrics`."""
    size = world.creators.set_index("creator_id")["followers"].astype(float)
    decay, slots = world.parameters["examination_decay"], world.parameters["slots"]
    truth_columns = [f"true_{head}" for head in HEADS]
    loop = feed_metrics(shown[truth_columns], shown, -shown["slot"].to_numpy(dtype=float),
                        examination_decay=decay, creator_size=size)
    value = value_scores({head: candidates[f"true_{head}"] for head in DEFAULT_WEIGHTS})
    best = floor_slots(candidates["session_id"].to_numpy(), value, np.zeros(len(value), bool), 0)
    ideal = candidates[best <= slots]
    truth = feed_metrics(ideal[truth_columns], ideal, value[best <= slots],
                         examination_decay=decay, creator_size=size)
    return {**{name: loop[name] for name in ("top_creator_share", "small_creator_share", "value")},
            **{f"truth_{name}": truth[name]
               for name in ("top_creator_share", "small_creator_share", "value")}}


def _slots_of(sessions: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The slot (1, 2, …) of each row when ``order`` sorts the rows by session, then slot."""
    slot = np.empty(len(order), dtype=np.int64)
    slot[order] = _count_before(_group_starts(sessions[order]), np.ones(len(order), bool)) + 1
    return slot


def _group_starts(grouped: np.ndarray) -> np.ndarray:
    """The first index of each run of equal values in ``grouped`` (sorted by group)."""
    return np.flatnonzero(np.r_[len(grouped) > 0, grouped[1:] != grouped[:-1]])


def _count_before(starts: np.ndarray, counted: np.ndarray) -> np.ndarray:
    """For rows sorted by group, the groups starting at ``starts``: how many ``counted`` rows of
    the same group come before each row."""
    before = np.cumsum(counted) - counted
    sizes = np.diff(np.r_[starts, len(counted)])
    return before - np.repeat(before[starts], sizes)

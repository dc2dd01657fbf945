"""Two trade-offs of the feed, measured on the simulator's truth.

- :func:`counter_staleness` — the daily batch counter of a post's engagements against the streaming
  one: the share of the streaming count the batch one misses, by post kind (viral or not) and age.
- :func:`trending_capture` — what that staleness costs a trending list: each hour's candidates
  ranked by either counter, and the true engagement the top of the list holds.
- :func:`team_draft` and :func:`sessions_needed` — two rankers told apart by an A/B test on
  sessions or by team-draft interleaving (Radlinski, Kurup & Joachims, CIKM 2008; Chapelle, Joachims,
  Radlinski & Yue, TOIS 2012): the share of simulated experiments that detect the better ranker at
  each number of sessions (a power curve).
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pandas as pd

from mlsd.cases.feed_ranking.features import (
    ENGAGEMENTS, LABEL_DELAY_MINUTES, arrival_time, counts_before, daily_post_engagement,
    post_engagement,
)
from mlsd.uncertainty import DEFAULT_RESAMPLES, mean_interval
from mlsd.validation import as_1d, check_int, check_number, same_length

AGE_EDGES_HOURS = (6.0, 24.0)
"""The post-age buckets of :func:`counter_staleness`: ``< 6 h``, ``6–24 h``, ``>= 24 h``."""
TOP_POSTS = 10
"""The length of the trending list :func:`trending_capture` scores."""
SESSION_COUNTS = (100, 200, 500, 1_000, 2_000, 5_000)
"""The experiment sizes (sessions in all) of :func:`sessions_needed`'s power curve."""
TARGET_POWER = 0.8


def counter_staleness(impressions: pd.DataFrame, posts: pd.DataFrame, *,
                      age_edges_hours=AGE_EDGES_HOURS, delay_minutes: float = LABEL_DELAY_MINUTES,
                      n_resamples: int = DEFAULT_RESAMPLES, level: float = 0.95,
                      seed: int = 0) -> pd.DataFrame:
    """The share of the streaming count the daily batch count misses, by post kind and age.

    Per impression ``i`` of post ``p``, ``s_i`` is the streaming count of ``p``'s engagements
    arrived before ``t_i`` (:func:`~.features.post_engagement`) and ``b_i`` the batch count as of
    ``floor(t_i)`` (:func:`~.features.daily_post_engagement`), ``b_i <= s_i``. The missed share is
    ``(s_i − b_i) / s_i`` over the impressions with ``s_i > 0``, the missed engagements
    ``s_i − b_i`` over the same impressions. One row per (``viral``, from
    ``posts``, age bucket of ``post_age_hours`` cut at ``age_edges_hours``): ``impressions``
    (with ``s > 0``), ``posts``, ``missed_share`` and ``missed_engagements`` (the means) with their
    percentile-bootstrap intervals (``_low``, ``_high``), resampling posts (all of a post's
    impressions come along: a ratio of sums per resample)."""
    edges = _age_edges(age_edges_hours)
    level = check_number("level", level, 0, 1, low_open=True, high_open=True)
    n_resamples = check_int("n_resamples", n_resamples, 10)
    viral = _viral_of(impressions, posts)
    streaming = post_engagement(impressions, impressions, delay_minutes)["post_engagements"]
    batch = daily_post_engagement(impressions, impressions, delay_minutes)["post_engagements"]
    streaming, batch = streaming.to_numpy(), batch.to_numpy()
    counted = streaming > 0
    missed = (streaming - batch)[counted] / streaming[counted]
    gap = (streaming - batch)[counted].astype(float)
    post = impressions["post_id"].to_numpy()[counted]
    bucket = np.searchsorted(edges, impressions["post_age_hours"].to_numpy()[counted], side="right")
    labels = _bucket_labels(edges)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    rows = []
    for is_viral in (True, False):
        for code, label in enumerate(labels):
            cell = (viral[counted] == is_viral) & (bucket == code)
            rows.append({"viral": is_viral, "age": label, "impressions": int(cell.sum()),
                         **_post_resampled_mean(missed[cell], post[cell], n_resamples, level, rng,
                                                "missed_share"),
                         **_post_resampled_mean(gap[cell], post[cell], n_resamples, level, rng,
                                                "missed_engagements")})
    return pd.DataFrame(rows)


def trending_capture(impressions: pd.DataFrame, *, top: int = TOP_POSTS,
                     delay_minutes: float = LABEL_DELAY_MINUTES, n_resamples: int = DEFAULT_RESAMPLES,
                     level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """How much true engagement a trending list built from each counter holds.

    For each hour ``h`` of the log (from the second day, when the batch counter has a day behind it),
    the candidates are the posts shown in ``h``; a post's true appeal ``v_p(h)`` is the mean over its
    impressions in ``h`` of ``Σ_{a ∈ ENGAGEMENTS} true_a`` (expected engagements per examined view).
    Each counter is read at the hour's start — streaming at ``h``, batch at the day's start — and the
    ``top`` candidates with the largest count form the list (ties: the newest post first, as the
    simulator's trending list). The hour's capture is ``Σ_{list} v_p / Σ_{top by v} v_p`` (1: the
    list holds the truly most engaging posts). One row per counter (``oracle``, ``streaming``,
    ``batch``) with the mean capture over hours and its interval resampling hours, then
    ``streaming − batch``, paired by hour."""
    top = check_int("top", top, 1)
    per_hour = _hourly_candidates(impressions, delay_minutes)
    capture = {name: [] for name in ("oracle", "streaming", "batch")}
    for _, group in per_hour.groupby("hour_index", sort=True):
        value = group["value"].to_numpy()
        best = np.sort(value)[::-1][:top].sum()
        for name in capture:
            key = value if name == "oracle" else group[name].to_numpy()
            chosen = np.lexsort((-group["post_id"].to_numpy(), -key))[:top]
            capture[name].append(value[chosen].sum() / best if best > 0 else np.nan)
    arrays = {name: np.asarray(values) for name, values in capture.items()}
    defined = ~np.isnan(arrays["oracle"])
    arrays = {name: values[defined] for name, values in arrays.items()}
    arrays["streaming − batch"] = arrays["streaming"] - arrays["batch"]
    rows = []
    for name, values in arrays.items():
        interval = mean_interval(values, n_resamples, level, seed)
        rows.append({"counter": name, "capture": interval.estimate, "low": interval.low,
                     "high": interval.high, "hours": len(values)})
    return pd.DataFrame(rows)


def team_draft(ranking_a, ranking_b, a_first) -> tuple[np.ndarray, np.ndarray]:
    """Team-draft interleaving of two rankings of the same items, one list per row.

    ``ranking_a``, ``ranking_b``: int arrays of shape ``(n, L)``, each row a permutation of the
    same ``L`` items, best first; ``a_first``: bool array of shape ``(n, ceil(L / 2))``, the coin of
    each round. Rule (Radlinski et al. 2008): while the list is short, the team with fewer picks —
    on a tie, A if the round's coin says so, else B — appends its best item not yet in the list.
    Returns ``(items, team)``, arrays of shape ``(n, L)``: the interleaved list, and ``True`` where
    the item was A's pick."""
    a, b = np.atleast_2d(np.asarray(ranking_a)), np.atleast_2d(np.asarray(ranking_b))
    if a.shape != b.shape or a.ndim != 2 or not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"ranking_a and ranking_b must be int arrays of one shape (n, L); got "
                         f"{a.shape} and {b.shape}")
    if not (np.sort(a, axis=1) == np.sort(b, axis=1)).all() or \
            (np.diff(np.sort(a, axis=1), axis=1) == 0).any():
        raise ValueError("each row of ranking_a and ranking_b must order the same distinct items")
    n, length = a.shape
    coins = np.atleast_2d(np.asarray(a_first, dtype=bool))
    if coins.shape != (n, math.ceil(length / 2)):
        raise ValueError(f"a_first must have shape {(n, math.ceil(length / 2))}; got {coins.shape}")
    items_sorted = np.sort(a, axis=1)
    code_a = _codes(items_sorted, a)
    code_b = _codes(items_sorted, b)
    used = np.zeros((n, length), dtype=bool)
    picks_a = np.zeros(n, dtype=np.int64)
    items, team = np.empty((n, length), dtype=a.dtype), np.empty((n, length), dtype=bool)
    rows = np.arange(n)
    for slot in range(length):
        turn_a = (picks_a < slot - picks_a) | ((picks_a == slot - picks_a) & coins[:, slot // 2])
        order = np.where(turn_a[:, None], code_a, code_b)
        first_free = np.argmax(~used[rows[:, None], order], axis=1)
        code = order[rows, first_free]
        used[rows, code] = True
        items[:, slot], team[:, slot] = items_sorted[rows, code], turn_a
        picks_a += turn_a
    return items, team


def noisy_scores(probabilities, noise_sd: float = 1.0, seed: int = 0) -> np.ndarray:
    """A noisier ranker: ``sigmoid(logit(p) + N(0, noise_sd²))`` for each probability ``p`` in (0, 1)."""
    p = as_1d(probabilities, "probabilities")
    if ((p <= 0) | (p >= 1)).any():
        raise ValueError("probabilities must lie in (0, 1)")
    noise_sd = check_number("noise_sd", noise_sd, 0)
    noise = np.random.default_rng(check_int("seed", seed, 0)).normal(0, noise_sd, len(p))
    logit = np.log(p / (1 - p)) + noise
    return 1 / (1 + np.exp(-logit))


def sessions_needed(impressions: pd.DataFrame, score_a, score_b, *,
                    session_counts=SESSION_COUNTS, n_experiments: int = 100, alpha: float = 0.05,
                    examination_decay: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Power curves of an A/B test and of team-draft interleaving telling two rankers apart.

    The sessions of ``impressions`` with a full list of ``L`` (the most common length) posts are the
    pool; ranker ``r`` orders each session's posts by decreasing ``score_r`` (arrays like
    ``impressions``). A post in slot ``k`` is clicked with probability ``e_k · true_click``,
    ``e_k = k ** -examination_decay``; the *better* ranker is the one with more expected clicks per
    session over the pool. Each of ``n_experiments`` experiments of ``n`` sessions (each count of
    ``session_counts``) draws ``n`` pool sessions with replacement and fresh clicks:

    - A/B: each session goes to A or B by a fair coin and counts its clicks under its ranker; the
      test is Welch's z on the difference of mean clicks, ``|z| > z_{1−α/2}``.
    - Interleaving: each session is shown :func:`team_draft` of the two rankings (fresh coins) and
      prefers the team with more clicked picks (ties prefer none); with ``w_A``, ``w_B`` the sessions
      preferring each, the sign test ``|w_A − w_B| / sqrt(w_A + w_B) > z_{1−α/2}``.

    A detection is a significant result in the better ranker's favour. One row per (``method``,
    ``sessions``) with ``power``, the share of experiments that detect."""
    counts = [check_int("session_counts[i]", value, 2) for value in session_counts]
    if not counts:
        raise ValueError("session_counts is empty; give at least one number of sessions")
    n_experiments = check_int("n_experiments", n_experiments, 1)
    critical = _critical(check_number("alpha", alpha, 0, 1, low_open=True, high_open=True))
    decay = check_number("examination_decay", examination_decay, 0)
    clicks_a, clicks_b, interleaved = _session_pool(impressions, score_a, score_b, decay)
    a_better = clicks_a.sum() >= clicks_b.sum()
    rng = np.random.default_rng(check_int("seed", seed, 0))
    rows = []
    for n in counts:
        picked = rng.integers(0, len(clicks_a), (n_experiments, n))
        rows.append({"method": "A/B test", "sessions": n,
                     "power": _ab_power(clicks_a[picked], clicks_b[picked], a_better, critical, rng)})
        rows.append({"method": "interleaving", "sessions": n,
                     "power": _interleaving_power(interleaved, picked, a_better, critical, rng)})
    return pd.DataFrame(rows)


def sessions_to_power(curves: pd.DataFrame, target: float = TARGET_POWER) -> pd.Series:
    """Per method, the fewest sessions of the grid whose power reaches ``target`` (NaN: none)."""
    target = check_number("target", target, 0, 1)
    reached = curves[curves["power"] >= target]
    fewest = reached.groupby("method")["sessions"].min()
    return fewest.reindex(curves["method"].unique()).astype(float)


def _codes(items_sorted: np.ndarray, ranking: np.ndarray) -> np.ndarray:
    """Each entry of ``ranking`` as its column in the sorted items of its row."""
    rows = np.arange(len(ranking))[:, None]
    offset = rows * (items_sorted.max(initial=0) - items_sorted.min(initial=0) + 1)
    flat = (items_sorted - items_sorted.min(initial=0) + offset).ravel()
    return np.searchsorted(flat, (ranking - items_sorted.min(initial=0) + offset).ravel()).reshape(
        ranking.shape) - rows * ranking.shape[1]


def _session_pool(impressions, score_a, score_b, decay):
    """Per pool session: each ranker's slot-by-slot click probabilities, and a function drawing
    team-draft lists of drawn sessions as (click probability, A's pick) arrays."""
    score_a, score_b = as_1d(score_a, "score_a"), as_1d(score_b, "score_b")
    same_length(impressions=impressions, score_a=score_a, score_b=score_b)
    session = impressions["session_id"].to_numpy()
    sizes = pd.Series(session).value_counts()
    length = int(sizes.mode().max())
    full = np.isin(session, sizes.index[sizes == length])
    if full.sum() < length:
        raise ValueError("impressions hold no session with a full list of posts")
    order = np.lexsort((np.arange(full.sum()), session[full]))
    truth = impressions["true_click"].to_numpy()[full][order].reshape(-1, length)
    examined = np.arange(1, length + 1, dtype=float) ** -decay
    by_a = np.argsort(-score_a[full][order].reshape(-1, length), axis=1, kind="stable")
    by_b = np.argsort(-score_b[full][order].reshape(-1, length), axis=1, kind="stable")
    rows = np.arange(len(truth))[:, None]
    clicks_a, clicks_b = examined * truth[rows, by_a], examined * truth[rows, by_b]

    def interleaved(picked, rng):
        flat = picked.ravel()
        coins = rng.random((len(flat), math.ceil(length / 2))) < 0.5
        items, team = team_draft(by_a[flat], by_b[flat], coins)
        probability = examined * truth[flat[:, None], items]
        return probability.reshape(*picked.shape, length), team.reshape(*picked.shape, length)

    return clicks_a, clicks_b, interleaved


def _ab_power(probability_a, probability_b, a_better, critical, rng) -> float:
    """Share of experiments (rows) whose Welch z favours the better ranker beyond ``critical``."""
    to_a = rng.random(probability_a.shape[:2]) < 0.5
    probability = np.where(to_a[..., None], probability_a, probability_b)
    clicks = (rng.random(probability.shape) < probability).sum(axis=2).astype(float)
    n_a, n_b = to_a.sum(axis=1), (~to_a).sum(axis=1)
    mean_a = np.where(to_a, clicks, 0).sum(axis=1) / np.maximum(n_a, 1)
    mean_b = np.where(~to_a, clicks, 0).sum(axis=1) / np.maximum(n_b, 1)
    var_a = np.where(to_a, (clicks - mean_a[:, None]) ** 2, 0).sum(axis=1) / np.maximum(n_a - 1, 1)
    var_b = np.where(~to_a, (clicks - mean_b[:, None]) ** 2, 0).sum(axis=1) / np.maximum(n_b - 1, 1)
    error = np.sqrt(var_a / np.maximum(n_a, 1) + var_b / np.maximum(n_b, 1))
    z = np.divide(mean_a - mean_b, error, out=np.zeros_like(error), where=error > 0)
    return float(np.mean((z if a_better else -z) > critical))


def _interleaving_power(interleaved, picked, a_better, critical, rng) -> float:
    """Share of experiments whose sign test over session preferences favours the better ranker."""
    probability, team = interleaved(picked, rng)
    clicked = rng.random(probability.shape) < probability
    credit_a, credit_b = (clicked & team).sum(axis=2), (clicked & ~team).sum(axis=2)
    wins_a, wins_b = (credit_a > credit_b).sum(axis=1), (credit_b > credit_a).sum(axis=1)
    decided = np.sqrt(wins_a + wins_b)
    z = np.divide(wins_a - wins_b, decided, out=np.zeros(len(decided)), where=decided > 0)
    return float(np.mean((z if a_better else -z) > critical))


def _critical(alpha: float) -> float:
    return NormalDist().inv_cdf(1 - alpha / 2)


def _age_edges(age_edges_hours) -> np.ndarray:
    edges = as_1d(age_edges_hours, "age_edges_hours")
    if (edges <= 0).any() or (np.diff(edges) <= 0).any():
        raise ValueError(f"age_edges_hours must be increasing and > 0; got {list(edges)}")
    return edges


def _bucket_labels(edges: np.ndarray) -> list[str]:
    bounds = [f"{edge:g}" for edge in edges]
    return ([f"< {bounds[0]} h"] + [f"{low}–{high} h" for low, high in zip(bounds, bounds[1:])]
            + [f">= {bounds[-1]} h"])


def _viral_of(impressions: pd.DataFrame, posts: pd.DataFrame) -> np.ndarray:
    """Each impression's post's ``viral`` flag from ``posts`` (``post_id``, ``viral``)."""
    missing = [column for column in ("post_id", "viral") if column not in posts]
    if missing:
        raise ValueError(f"posts lacks columns {missing}; it needs post_id and viral")
    flags = posts.set_index("post_id")["viral"].reindex(impressions["post_id"].to_numpy())
    if flags.isna().any():
        raise ValueError("impressions name a post_id that posts does not hold")
    return flags.to_numpy(dtype=bool)


def _post_resampled_mean(values, post, n_resamples: int, level: float, rng, name: str) -> dict:
    """Mean of ``values`` and its interval resampling posts: per resample ``Σ S_p / Σ N_p`` over
    drawn posts, with ``S_p``, ``N_p`` the post's sum and count."""
    if len(values) == 0:
        return {"posts": 0, name: np.nan, f"{name}_low": np.nan, f"{name}_high": np.nan}
    codes, post_code = np.unique(post, return_inverse=True)
    total = np.bincount(post_code, weights=values)
    count = np.bincount(post_code).astype(float)
    drawn = rng.integers(0, len(codes), (n_resamples, len(codes)))
    means = total[drawn].sum(axis=1) / count[drawn].sum(axis=1)
    low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return {"posts": len(codes), name: float(values.mean()), f"{name}_low": float(low),
            f"{name}_high": float(high)}


def _hourly_candidates(impressions: pd.DataFrame, delay_minutes: float) -> pd.DataFrame:
    """One row per (hour of the log from day 1, post shown in it): its true appeal ``value`` and
    the streaming and batch counts at the hour's start."""
    hour_index = np.floor(impressions["time"].to_numpy() * 24).astype(np.int64)
    value = impressions[[f"true_{action}" for action in ENGAGEMENTS]].sum(axis=1).to_numpy()
    frame = pd.DataFrame({"hour_index": hour_index, "post_id": impressions["post_id"].to_numpy(),
                          "value": value})
    frame = frame[frame["hour_index"] >= 24]
    candidates = frame.groupby(["hour_index", "post_id"], sort=True)["value"].mean().reset_index()
    if candidates.empty:
        raise ValueError("impressions span less than one day; the batch counter needs a day behind it")
    weights = impressions[list(ENGAGEMENTS)].to_numpy(np.int64).sum(axis=1)
    arrived = arrival_time(impressions, delay_minutes)
    post = candidates["post_id"].to_numpy()
    start = candidates["hour_index"].to_numpy() / 24
    keys = impressions["post_id"].to_numpy()
    candidates["streaming"] = counts_before(keys, arrived, weights, post, start)[:, 0]
    candidates["batch"] = counts_before(keys, arrived, weights, post, np.floor(start))[:, 0]
    return candidates

"""The re-ranker after the value model: a penalty on repeated creators, and what it costs.

The value model scores each post on its own, so a member who follows a prolific creator may see
that creator in two of the first three slots. The re-ranker of the serving funnel
(:mod:`.serving`) trades some value for variety. Per session it fills the slots greedily, slot
``k`` taking the remaining post ``i`` that maximises ::

    score_i − λ · n_k(c_i)

with ``score`` the value model's (e.g. :func:`~.evaluation.value_scores` of the heads'
predictions at ``serve_position=1``), ``c_i`` the post's creator and ``n_k(c)`` the posts of
``c`` already placed in slots ``1 … k − 1`` — maximal marginal relevance (Carbonell & Goldstein,
SIGIR 1998) with the similarity "same creator", in the score's units (clicks). ``λ = 0`` keeps
the value model's order; ``λ = inf`` is a cap: no creator appears twice while a post of a new
creator is left, so the top three slots hold three creators whenever the session has three (ties
in the greedy choice go to the post the value model placed higher).

Only the shown posts of a session are logged, so, as :func:`~.evaluation.feed_metrics` does, the
re-ranker re-orders the session's shown posts, and a post in slot ``k`` earns its true value
``e_k Σ_h w_h true_h`` with ``e_k = k ** −examination_decay`` and the weights
:data:`~.evaluation.DEFAULT_WEIGHTS`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mlsd.cases.feed_ranking.evaluation import (
    DEFAULT_WEIGHTS, TOP_SLOTS, feed_metrics, truth_predictions, value_scores,
)
from mlsd.cases.feed_ranking.simulate import FeedWorld
from mlsd.uncertainty import DEFAULT_RESAMPLES, mean_interval
from mlsd.validation import as_1d, check_number, same_length

PENALTIES = (0.0, 0.1, 0.3, 1.0, math.inf)
"""The strengths ``λ`` of :func:`creator_diversity_tradeoff`, in the score's units (clicks)."""
MAX_VALUE_LOST = 0.03
"""The value share the cap may cost for :func:`cap_is_cheap_and_diversifies` to hold."""


def creator_rerank(sessions, creators, scores, penalty: float) -> np.ndarray:
    """The slot (1, 2, …) of each row after the greedy re-ranking of the module docstring.

    ``sessions``, ``creators`` (int codes) and ``scores`` are arrays of one length, a row per
    post; ``penalty`` is ``λ >= 0`` (``math.inf``: the cap)."""
    sessions, creators = np.asarray(sessions), np.asarray(creators, dtype=np.int64)
    scores = as_1d(scores, "scores")
    same_length(sessions=sessions, creators=creators, scores=scores)
    penalty = _check_penalty(penalty)
    order = np.lexsort((np.arange(len(scores)), -scores, sessions))  # the value model's order
    grouped = sessions[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(order) else []
    sizes = np.diff(np.r_[starts, len(order)])
    row = np.repeat(np.arange(len(starts)), sizes)
    rank = np.arange(len(order)) - np.repeat(starts, sizes)
    width = int(sizes.max(initial=0))
    score = np.full((len(starts), width), -np.inf)
    score[row, rank] = scores[order]
    creator = np.full((len(starts), width), -1)
    creator[row, rank] = creators[order]
    slot = np.zeros((len(starts), width), dtype=np.int64)
    placed = np.zeros((len(starts), width))  # n_k(c) of each row's creator
    span = np.ptp(scores) + 1 if len(scores) else 1.0
    lines = np.arange(len(starts))
    for k in range(1, width + 1):
        cost = placed * (span if math.isinf(penalty) else penalty)
        value = np.where(slot > 0, -np.inf, score - cost)  # padding scores -inf
        pick = np.argmax(value, axis=1)  # ties: the first, the value model's higher place
        filled = np.isfinite(value[lines, pick])
        slot[lines[filled], pick[filled]] = k
        placed += (creator == creator[lines, pick][:, None]) & filled[:, None]
    result = np.empty(len(order), dtype=np.int64)
    result[order] = slot[row, rank]
    return result


def creator_diversity_tradeoff(world: FeedWorld, rows: pd.DataFrame, scores, *,
                               penalties=PENALTIES, top_slots: int = TOP_SLOTS,
                               n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0) -> pd.DataFrame:
    """The feed's true value against its creator concentration at each strength of ``penalties``.

    ``rows``: the simulated impressions to re-order (their ``true_<head>`` columns are the truth),
    ``scores`` the value model's score of each. One row per ``λ`` (index ``penalty``):
    ``value_lost`` (``1 − value / value at λ = 0``, value: the expected value per session)
    with the interval of the paired loss over sessions (``low``, ``high``, as shares of the
    ``λ = 0`` value), ``distinct_top`` (mean distinct creators in the top
    ``top_slots``), ``repeat_share`` (share of sessions whose top slots repeat a creator),
    :func:`~.evaluation.feed_metrics`' ``top_creator_share`` and ``top_age_hours`` (the mean age
    of the posts in the top slots: what the re-ranker does to freshness). ``attrs["value"]`` is
    the value per session at ``λ = 0``."""
    scores = as_1d(scores, "scores")
    same_length(rows=rows, scores=scores)
    penalties = [_check_penalty(penalty) for penalty in penalties]
    sessions = rows["session_id"].to_numpy()
    creators = rows["creator_id"].to_numpy(dtype=np.int64)
    row_value = value_scores(truth_predictions(rows, given_examination=True), DEFAULT_WEIGHTS)
    decay = world.parameters["examination_decay"]
    age = rows["post_age_hours"].to_numpy(dtype=float)
    base = _session_values(sessions, row_value, creator_rerank(sessions, creators, scores, 0.0),
                           decay)
    table = {}
    for penalty in penalties:
        slot = creator_rerank(sessions, creators, scores, penalty)
        per_session = _session_values(sessions, row_value, slot, decay)
        lost = mean_interval((base - per_session) / base.mean(), n_resamples, seed=seed)
        distinct, repeated = _top_creators(sessions, creators, slot, top_slots)
        metrics = feed_metrics(world, rows, -slot.astype(float), top_slots=top_slots)
        table[penalty] = {"value_lost": lost.estimate, "low": lost.low, "high": lost.high,
                          "distinct_top": distinct, "repeat_share": repeated,
                          "top_creator_share": metrics["top_creator_share"],
                          "top_age_hours": float(age[slot <= top_slots].mean())}
    result = pd.DataFrame.from_dict(table, orient="index").rename_axis("penalty")
    result.attrs["value"] = float(base.mean())
    return result


def cap_is_cheap_and_diversifies(table: pd.DataFrame,
                                  max_value_lost: float = MAX_VALUE_LOST) -> bool:
    """Whether the cap (``λ = inf``) loses under ``max_value_lost`` of the value (its interval's
    upper end) while it cuts the sessions repeating a creator in the top slots below a tenth of
    the value model's (``λ = 0``)."""
    cap, plain = table.loc[math.inf], table.loc[0.0]
    return bool(cap["high"] < max_value_lost
                and cap["repeat_share"] < plain["repeat_share"] / 10)


def _check_penalty(penalty) -> float:
    if isinstance(penalty, float) and math.isinf(penalty) and penalty > 0:
        return penalty
    return check_number("penalty", penalty, 0)


def _session_values(sessions, row_value, slot, decay: float) -> np.ndarray:
    """Per session (sorted by id): ``Σ_rows e(slot) · value``."""
    earned = row_value * slot.astype(float) ** -decay
    return pd.Series(earned).groupby(sessions).sum().to_numpy()


def _top_creators(sessions, creators, slot, top_slots: int) -> tuple[float, float]:
    """Mean distinct creators in each session's top slots, and the share of sessions with a
    creator twice there."""
    top = slot <= top_slots
    frame = pd.DataFrame({"session": sessions[top], "creator": creators[top]})
    per_session = frame.groupby("session")["creator"].agg(["nunique", "size"])
    return (float(per_session["nunique"].mean()),
            float((per_session["nunique"] < per_session["size"]).mean()))

"""The feed's scorecard per head, why a member-level AUC differs from the global one, and the value
model that turns the heads into one order.

- :func:`head_scorecard` — for each head of :data:`~.schema.HEADS`: positive rate, ROC AUC, GAUC
  (:func:`mlsd.metrics.grouped_roc_auc`, weighted by impressions), normalized entropy and
  calibration ratio. The feed orders each member's own candidates, so GAUC is the ranking number
  that matches the decision; the weights add the heads' probabilities, so each must be calibrated.
- :func:`auc_gap` — the global AUC split exactly into its pairs within one member and its pairs
  across two members: a score that only tells active members from quiet ones earns global AUC on
  the cross-member pairs, which the feed never compares.
- The value model: :func:`value_scores` ``= Σ_h w_h p_h`` with :data:`DEFAULT_WEIGHTS`, and
  :func:`feed_metrics`, what a feed ordered by any score would earn, from the simulator's truth.

Truth and position. The simulator's ``true_<head>`` is the probability of the action *given that
the post is examined*, position-free: what a ranker's head should predict. A logged label also
needs the examination, ``examine_probability``; :func:`truth_predictions` gives both forms. A
re-ordered feed moves each post to a new slot, so its expected actions are
``true_<head> × e(new slot)``. Only the shown posts of a session are logged (the simulator keeps no
candidate that lost), so :func:`feed_metrics` re-orders the session's shown posts; each keeps the
truth of its logged time (a few seconds' difference of age).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.feed_ranking.models import reverse_chronological
from mlsd.cases.feed_ranking.schema import HEADS, head_labels
from mlsd.metrics import calibration_ratio, grouped_roc_auc, normalized_entropy, roc_auc
from mlsd.validation import as_1d, check_choice, check_int, check_number, same_length

DEFAULT_WEIGHTS: dict[str, float] = {
    "click": 1.0, "long_dwell": 2.0, "like": 2.0, "comment": 6.0, "share": 8.0, "hide": -5.0,
}
"""The value of one expected action of each head, in clicks: a product decision, not a fit.

A read (a click with a long dwell) is worth two clicks, since a click that bounces is not what the
feed is for; a like, a light signal anyone can give from the feed, two; a comment six and a share
eight, because they start conversations and reach the actor's network, which is what creators
post for; a hide costs five, the member telling the feed it was wrong. Changing them is an
experiment with its own guardrails (hide rate, creator diversity), not a model update."""
VIRAL_HEADS = ("like", "comment", "share")
"""The "viral actions": they show the post to the actor's network."""
SCORECARD_COLUMNS = ("positive_rate", "roc_auc", "grouped_roc_auc", "members_used",
                     "normalized_entropy", "calibration_ratio")
TOP_SLOTS = 3
"""The slots :func:`feed_metrics` counts as the top of the feed (the first screen of a phone)."""
TOP_CREATOR_SHARE = 0.1
"""The largest creators (by size) whose share of the top slots measures concentration."""
SMALL_CREATOR_SHARE = 0.5
"""The smallest creators (by size) whose share of the top slots measures reach for small ones."""


def truth_predictions(impressions: pd.DataFrame, *, given_examination: bool = False) -> pd.DataFrame:
    """The simulator's truth as one column per head, indexed like ``impressions``.

    ``given_examination=False``: ``examine_probability × true_<head>``, the probability of the
    *logged* label, calibrated against it; ``True``: ``true_<head>``, the position-free probability
    given examination, what the value model adds (its ratio to the logged labels is about
    ``1 / mean examination``, not 1)."""
    truth = impressions[[f"true_{head}" for head in HEADS]].set_axis(list(HEADS), axis=1)
    if given_examination:
        return truth
    return truth.mul(impressions["examine_probability"], axis=0)


def head_scorecard(labels: pd.DataFrame, predictions, members, heads=HEADS) -> pd.DataFrame:
    """One row per head of ``heads`` (by default every head of :data:`~.schema.HEADS`), the
    columns of :data:`SCORECARD_COLUMNS`.

    ``labels`` holds a 0/1 column per head (:func:`~.schema.head_labels`), ``predictions`` a
    probability column per head (a DataFrame or a mapping), ``members`` the member of each row.
    ``grouped_roc_auc`` weighs each member by impressions over the ``members_used`` who have both a
    positive and a negative of that head; ``calibration_ratio`` is mean prediction / positive rate.
    A head whose labels hold one class only raises ``ValueError`` (its AUC is undefined)."""
    members = np.asarray(members)
    unknown = [head for head in heads if head not in HEADS]
    if unknown or not len(heads):
        raise ValueError(f"heads must be some of {list(HEADS)}; got {list(heads)}")
    rows = {}
    for head in heads:
        y, p = labels[head].to_numpy(), np.asarray(predictions[head], dtype=float)
        gauc, used = grouped_roc_auc(y, p, members, return_used=True)
        rows[head] = {"positive_rate": float(np.mean(y)), "roc_auc": roc_auc(y, p),
                      "grouped_roc_auc": gauc, "members_used": used,
                      "normalized_entropy": normalized_entropy(y, p),
                      "calibration_ratio": calibration_ratio(y, p)}
    return pd.DataFrame.from_dict(rows, orient="index")[list(SCORECARD_COLUMNS)]


def auc_gap(y_true, y_score, members) -> dict[str, float]:
    """Why GAUC and the global AUC differ: the global AUC split over its two kinds of pairs.

    The global AUC ranks every (positive, negative) pair; a share ``s`` of them, the
    ``cross_member_pair_share``, compare two different members, a comparison the feed never makes
    (it orders one member's candidates). With ``within_member_auc`` the AUC over the pairs of one
    member (per-member AUCs weighted by ``P_g N_g``, their pairs) and ``between_member_auc`` the AUC
    over the cross-member pairs, exactly::

        roc_auc = s · between_member_auc + (1 − s) · within_member_auc,
        s = 1 − Σ_g P_g N_g / (P N).

    ``grouped_roc_auc`` (impression-weighted, :func:`mlsd.metrics.grouped_roc_auc`) is close to
    ``within_member_auc`` but weighs members by rows, not pairs. Needs both classes overall and
    within at least one member; ``between_member_auc`` is NaN when every pair is within one member."""
    y = np.asarray(y_true, dtype=float)
    score = as_1d(y_score, "y_score")
    members = np.asarray(members)
    same_length(y_true=y, y_score=score, members=members)
    total_auc = roc_auc(y, score)
    frame = pd.DataFrame({"member": members, "y": y, "score": score})
    rank = frame.groupby("member")["score"].rank(method="average").to_numpy()
    per_member = frame.groupby("member")["y"].agg(["sum", "size"])
    positives = per_member["sum"].to_numpy()
    negatives = per_member["size"].to_numpy() - positives
    within_pairs = float(np.sum(positives * negatives))
    within_u = float(np.sum(rank * y) - np.sum(positives * (positives + 1) / 2))
    all_pairs = float(y.sum() * (len(y) - y.sum()))
    between_pairs = all_pairs - within_pairs
    gauc = grouped_roc_auc(y, score, members)  # raises when no member holds both classes
    between_u = total_auc * all_pairs - within_u
    return {
        "roc_auc": total_auc,
        "grouped_roc_auc": gauc,
        "cross_member_pair_share": between_pairs / all_pairs,
        "within_member_auc": within_u / within_pairs,
        "between_member_auc": between_u / between_pairs if between_pairs else np.nan,
    }


def auc_gap_sentence(gap: dict[str, float]) -> str:
    """The line under :func:`auc_gap`'s numbers: where the global AUC's pairs come from."""
    return (f"{gap['cross_member_pair_share']:.1%} of the global AUC's pairs compare two members; "
            f"on them the score reaches {gap['between_member_auc']:.3f}, within one member "
            f"{gap['within_member_auc']:.3f}: global AUC {gap['roc_auc']:.3f} against GAUC "
            f"{gap['grouped_roc_auc']:.3f}.")


def value_scores(predictions, weights: dict[str, float] = DEFAULT_WEIGHTS) -> np.ndarray:
    """The value model's score of each row: ``Σ_h weights[h] · predictions[h]`` over the heads of
    ``weights`` (a head left out weighs 0; hide has a negative weight). ``predictions`` holds a
    probability column per head (a DataFrame or a mapping of arrays); every head of ``weights``
    must be among them and every weight a finite number."""
    missing = [head for head in weights if head not in predictions]
    if missing:
        raise ValueError(f"weights name heads {missing} that predictions lack; predictions have "
                         f"{list(predictions.keys())}")
    total = None
    for head, weight in weights.items():
        term = check_number(f"weights[{head!r}]", weight) * np.asarray(predictions[head], dtype=float)
        total = term if total is None else total + term
    if total is None:
        raise ValueError("weights is empty; name at least one head")
    return total


def slots_by_score(sessions, scores) -> np.ndarray:
    """The slot (1, 2, …) each row takes when every session's rows are ordered by decreasing
    score; tied scores keep their row order."""
    sessions, scores = np.asarray(sessions), as_1d(scores, "scores")
    same_length(sessions=sessions, scores=scores)
    order = np.lexsort((np.arange(len(scores)), -scores, sessions))
    grouped = sessions[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    slot = np.empty(len(order), dtype=np.int64)
    slot[order] = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)])) + 1
    return slot


def feed_metrics(world_or_truth, impressions: pd.DataFrame, scores, *,
                 weights: dict[str, float] = DEFAULT_WEIGHTS, examination_decay: float | None = None,
                 creator_size: pd.Series | None = None, top_slots: int = TOP_SLOTS) -> dict[str, float]:
    """What the feed ordered by ``scores`` earns: each session's rows of ``impressions`` re-ordered
    by decreasing score (:func:`slots_by_score`), then, per session on average:

    - ``clicks``, ``long_dwells``, ``viral_actions`` (like + comment + share), ``hides`` and
      ``value`` (``Σ_h weights[h]`` × the head's expected actions): expected actions
      ``Σ_rows e(slot) · true_<head>``, with ``e(k) = k ** -examination_decay``;

    and over the top ``top_slots`` slots of every session, by ``creator_size``:

    - ``top_creator_share``: the share of those slots held by the largest :data:`TOP_CREATOR_SHARE`
      of creators; ``small_creator_share``: by the smallest :data:`SMALL_CREATOR_SHARE`;
    - ``creator_gini``: the Gini coefficient of the expected views (``Σ e(slot)``) over the
      creators appearing in ``impressions``: 0 when every creator gets as many, near 1 when one
      gets all.

    ``world_or_truth`` is the simulator's :class:`~.simulate.FeedWorld` (truth from the
    ``true_<head>`` columns of ``impressions``, ``e`` from its ``examination_decay``, creator size
    = followers) or a DataFrame of ``true_<head>`` columns indexed like ``impressions`` (then
    ``examination_decay`` defaults to 1 and the creator size to the creator's rows in
    ``impressions``). ``examination_decay`` and ``creator_size`` (a Series by ``creator_id``)
    override either."""
    truth, decay, size = _truth_and_sizes(world_or_truth, impressions)
    decay = check_number("examination_decay", decay if examination_decay is None else examination_decay, 0)
    size = size if creator_size is None else creator_size
    top_slots = check_int("top_slots", top_slots, 1)
    unknown = [head for head in weights if head not in HEADS]
    if unknown:
        raise ValueError(f"weights name heads {unknown}; the heads are {list(HEADS)}")
    sessions = impressions["session_id"].to_numpy()
    slot = slots_by_score(sessions, scores)
    examined = slot.astype(float) ** -decay
    n_sessions = len(np.unique(sessions))
    expected = {head: float(np.sum(examined * truth[f"true_{head}"].to_numpy())) / n_sessions
                for head in HEADS}
    creators = impressions["creator_id"].to_numpy(dtype=np.int64)
    return {
        "clicks": expected["click"],
        "long_dwells": expected["long_dwell"],
        "viral_actions": sum(expected[head] for head in VIRAL_HEADS),
        "hides": expected["hide"],
        "value": sum(weight * expected[head] for head, weight in weights.items()),
        **_creator_shares(creators, slot <= top_slots, size),
        "creator_gini": gini(np.bincount(creators, weights=examined)[np.unique(creators)]),
    }


def gini(values) -> float:
    """The Gini coefficient of non-negative ``values``, not all 0: ``Σ_i Σ_j |x_i − x_j| / (2 n² x̄)``,
    computed from the sorted values as ``Σ_i (2i − n − 1) x_(i) / (n Σ x)``."""
    x = np.sort(as_1d(values, "values"))
    if x[0] < 0 or x[-1] == 0:
        raise ValueError(f"gini needs values >= 0, not all 0; got min {x[0]}, max {x[-1]}")
    n = len(x)
    return float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / (n * x.sum()))


def _truth_and_sizes(world_or_truth, impressions: pd.DataFrame):
    """The truth columns, the examination decay and the creator sizes of :func:`feed_metrics`."""
    if isinstance(world_or_truth, pd.DataFrame):
        truth = world_or_truth
        if not truth.index.equals(impressions.index):
            raise ValueError("the truth DataFrame must be indexed like impressions")
        size = impressions.groupby("creator_id").size().astype(float)
        return truth, 1.0, size
    parameters = getattr(world_or_truth, "parameters", None)
    if parameters is None or "examination_decay" not in parameters:
        raise ValueError("world_or_truth must be a FeedWorld or a DataFrame of true_<head> columns; "
                         f"got {type(world_or_truth).__name__}")
    size = world_or_truth.creators.set_index("creator_id")["followers"].astype(float)
    return impressions, parameters["examination_decay"], size


def _creator_shares(creators: np.ndarray, top: np.ndarray, size: pd.Series) -> dict[str, float]:
    """The top slots' shares held by the largest and the smallest creators by ``size``; ties in
    size are broken by creator id, so each group holds an exact share of the creators."""
    ranked = size.sort_index().sort_values(kind="stable", ascending=False).index.to_numpy()
    n = len(ranked)
    largest = ranked[:max(1, round(TOP_CREATOR_SHARE * n))]
    smallest = ranked[n - max(1, round(SMALL_CREATOR_SHARE * n)):]
    shown = creators[top]
    return {"top_creator_share": float(np.isin(shown, largest).mean()),
            "small_creator_share": float(np.isin(shown, smallest).mean())}


def member_rate_scores(history: pd.DataFrame, rows: pd.DataFrame, head: str = "click",
                       prior_strength: float = 20.0) -> np.ndarray:
    """A score that knows only the member: each row's member's smoothed rate of ``head`` in
    ``history``, ``(positives_m + m · rate) / (impressions_m + m)``, with ``rate`` the rate of
    ``history`` and ``m = prior_strength`` (a member absent from ``history`` scores ``rate``).

    Every candidate of one member gets the same score, so its AUC within each member is 1/2: what
    such a score earns in the global AUC comes only from pairs of two different members — pairs
    the feed, which orders one member's posts, never compares."""
    head = check_choice("head", head, HEADS)
    prior_strength = check_number("prior_strength", prior_strength, 0)
    labels = head_labels(history)[head]
    rate = float(labels.mean())
    per_member = labels.groupby(history["member_id"].to_numpy()).agg(["sum", "size"])
    smoothed = (per_member["sum"] + prior_strength * rate) / (per_member["size"] + prior_strength)
    return rows["member_id"].map(smoothed).fillna(rate).to_numpy(dtype=float)


FEED_TABLE_COLUMNS = ("clicks", "long_dwells", "viral_actions", "hides", "value",
                      "top_creator_share", "small_creator_share", "creator_gini")
"""The columns of :func:`feed_table`, all of :func:`feed_metrics`."""


def feed_table(world, impressions: pd.DataFrame, predictions: dict,
               weights: dict[str, float] = DEFAULT_WEIGHTS) -> pd.DataFrame:
    """The feeds of newest-first, of each value model of ``predictions`` (name → a frame of
    head probabilities indexed like ``impressions``) and of the value model on the true
    probabilities given examination, one row each (``"newest first"``, the names, ``"value
    model on the truth"``), with the :data:`FEED_TABLE_COLUMNS` of :func:`feed_metrics`
    (``world``: the simulator's world)."""
    scores = {"newest first": reverse_chronological(impressions)}
    scores.update({name: value_scores(frame, weights) for name, frame in predictions.items()})
    truth = truth_predictions(impressions, given_examination=True)
    scores["value model on the truth"] = value_scores(truth, weights)
    rows = {name: feed_metrics(world, impressions, score, weights=weights)
            for name, score in scores.items()}
    return pd.DataFrame.from_dict(rows, orient="index")[list(FEED_TABLE_COLUMNS)]

"""The feed-ranking exercise: six judgment tasks, each with its solution and the plausible wrong
answers its check rejects, saying why (:mod:`mlsd.exercise_tasks`).

:func:`build` draws the simulated feed of the notebook's parameters, splits it by day (the last
two days test), fits :class:`~.models.HeadModels` on the training days and computes what the
tasks share into a :class:`Context`. The reference answers live here, never in the notebook's
check cells.

Task 1 — GAUC or AUC (predict, then run)
    Ranker B is ranker A's click head plus the member's past click rate, a constant within each
    member. The rule (:func:`gauc_verdict`): a metric moves when its change exceeds
    :data:`AUC_MOVE` in size. B orders each member's posts as A does, so its GAUC cannot move;
    the global AUC, 99.9% of whose pairs compare two members, does.
Task 2 — which heads need recalibration
    A candidate model whose comment head was trained on :data:`KEPT_NEGATIVES` of its
    non-comments and served without the correction (odds ``× 1 / KEPT_NEGATIVES``). The heads to
    recalibrate (:func:`heads_to_recalibrate`): those whose calibration ratio ``mean(p) /
    mean(label)``, predictions at the *logged* slot against the logged labels of the test days,
    lies outside :data:`CALIBRATION_BAND` (the design review's alert). At the default size that is
    the comment head alone on seeds 1-5; at the smallest (50,000 impressions) the share head, fit
    on a few dozen shares, is sometimes outside the band too, against the truth as well.
Task 3 — examination from the exploration traffic
    ``ê(k) = CTR_k / CTR_1`` over the ``random_order`` rows of the whole log
    (:func:`examination_ratios`): in a random order the slot says nothing about the post, so the
    ratio of click-through rates is the ratio of examinations. One value per slot ``1 … L``.
Task 4 — value-model weights under a hide guardrail
    :data:`WEIGHTINGS`, each ranked on the test days by the value model of the heads' slot-1
    predictions and scored on the truth (:func:`~.evaluation.feed_metrics`). The answer
    (:func:`guarded_choice`): the weighting with the most clicks per session among those whose
    hides per session are at most ``max_hides = HIDE_ALLOWANCE ×`` the default weights' hides.
Task 5 — which features need the streaming path
    Each group of :data:`FEATURE_GROUPS` read on the test rows by the streaming counters (at the
    impression's time) and by a daily batch job (at the start of its day). A group needs the
    streaming path (:func:`streaming_groups`) when the median over rows and columns of the
    relative error ``|batch − streaming| / streaming`` (0 where both are 0) exceeds
    :data:`MATERIAL_ERROR`.
Task 6 — interleaving or an A/B test (predict, then run)
    The power curves of :func:`~.tradeoffs.sessions_needed` for the click head at slot 1 against
    a noisier copy (:func:`~.tradeoffs.noisy_scores`, ``NOISE_SD``). The rule
    (:func:`interleaving_verdict`): with ``n_AB`` and ``n_IL`` the fewest sessions reaching 80%
    power (beyond the grid when none does), ``n_AB / n_IL >= 2`` is "several times fewer",
    ``<= 1/2`` "several times more", else "about the same".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from mlsd.cases.feed_ranking.data import load_data, split
from mlsd.cases.feed_ranking.evaluation import DEFAULT_WEIGHTS, feed_metrics, value_scores
from mlsd.cases.feed_ranking.features import (
    RATE_KEYS, daily_post_engagement, post_engagement, rate_features,
)
from mlsd.cases.feed_ranking.models import EVENT_COLUMNS, HeadModels, design_matrix
from mlsd.cases.feed_ranking.schema import HEADS, head_labels
from mlsd.cases.feed_ranking.tradeoffs import noisy_scores, sessions_needed, sessions_to_power
from mlsd.exercise_tasks import Exercise, Task, WrongAnswer
from mlsd.metrics import calibration_ratio, grouped_roc_auc, roc_auc
from mlsd.validation import check_int

__all__ = ["TASKS", "Context", "build", "examination_ratios", "feature_readings", "gauc_verdict",
           "guarded_choice", "heads_to_recalibrate", "interleaving_verdict", "streaming_groups",
           "weighting_table"]

AUC_MOVE = 0.001
MOVE_OPTIONS = ("AUC only", "GAUC only", "both", "neither")
KEPT_NEGATIVES = 0.25
CALIBRATION_BAND = (0.8, 1.25)
HIDE_ALLOWANCE = 1.1
WEIGHTINGS: dict[str, dict[str, float]] = {
    "clicks only": {"click": 1.0},
    "clicks, hide −3": {"click": 1.0, "hide": -3.0},
    "clicks, hide −10": {"click": 1.0, "hide": -10.0},
    "clicks, hide −30": {"click": 1.0, "hide": -30.0},
    "default": DEFAULT_WEIGHTS,
}
"""The candidate weightings of Task 4: clicks with a growing hide penalty, and the default value
model (:data:`~.evaluation.DEFAULT_WEIGHTS`)."""
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    **{f"{key.replace('_', '-')} rates": tuple(f"{key}_{head}" for head in HEADS)
       for key in RATE_KEYS},
    "post views": ("post_views",),
    "post engagements": ("post_engagements",),
}
"""The feature groups of Task 5 and their columns (:mod:`.features`)."""
MATERIAL_ERROR = 0.1
NOISE_SD = 1.0
SESSION_COUNTS = (250, 500, 1_000, 2_000)
N_EXPERIMENTS = 60
TARGET_POWER = 0.8
EXPERIMENT_OPTIONS = ("several times fewer", "about the same", "several times more")


@dataclass(frozen=True)
class Context:
    """What the exercise's tasks work on (``ex.context``).

    ``log``: every impression; ``test``: the test days' rows, ``labels`` their head labels;
    ``scores_a``/``scores_b``: Task 1's rankers on the test rows, with ``auc_change`` and
    ``gauc_change`` (B − A); ``candidate``/``candidate_served``: Task 2's model at the logged slot
    and at slot 1; ``weightings``: Task 4's table (one row per weighting, the columns of
    :func:`~.evaluation.feed_metrics`), ``max_hides``; ``streaming_features``/``batch_features``:
    Task 5's two readings of the test rows and ``feature_groups`` (:data:`FEATURE_GROUPS`);
    ``power_curves``: Task 6's curves.
    """

    seed: int
    log: pd.DataFrame
    test: pd.DataFrame
    labels: pd.DataFrame
    scores_a: np.ndarray
    scores_b: np.ndarray
    auc_change: float
    gauc_change: float
    candidate: pd.DataFrame
    candidate_served: pd.DataFrame
    weightings: pd.DataFrame
    max_hides: float
    streaming_features: pd.DataFrame
    batch_features: pd.DataFrame
    feature_groups: dict[str, tuple[str, ...]]
    power_curves: pd.DataFrame


def build(seed: int = 2, n_impressions: int = 200_000) -> Exercise:
    """The exercise on the simulated feed of ``seed`` and ``n_impressions`` over 7 days (records
    the data it used)."""
    seed = check_int("seed", seed, 0)
    n_impressions = check_int("n_impressions", n_impressions, 1)
    data = load_data("simulated", seed=seed, n_impressions=n_impressions)
    data.record()
    held_out = split(data)
    train, test = held_out.train, held_out.test
    labels = head_labels(test)
    heads = HeadModels(seed=seed).fit(train)
    features = heads.features(test)
    logged = _predict(heads, features)
    served = _predict(heads, features.assign(position=1))
    scores_a = logged["click"].to_numpy()
    scores_b = scores_a + _past_member_rate(train, test)
    members = test["member_id"].to_numpy()
    y = labels["click"].to_numpy()
    weightings = weighting_table(data.world, test, served)
    streaming, batch = feature_readings(data.table, test, features)
    curves = sessions_needed(test, served["click"].to_numpy(),
                             noisy_scores(served["click"], NOISE_SD, seed),
                             session_counts=SESSION_COUNTS, n_experiments=N_EXPERIMENTS, seed=seed)
    context = Context(
        seed=seed, log=data.table, test=test, labels=labels, scores_a=scores_a, scores_b=scores_b,
        auc_change=roc_auc(y, scores_b) - roc_auc(y, scores_a),
        gauc_change=grouped_roc_auc(y, scores_b, members) - grouped_roc_auc(y, scores_a, members),
        candidate=_without_correction(logged), candidate_served=_without_correction(served),
        weightings=weightings,
        max_hides=HIDE_ALLOWANCE * float(weightings.loc["default", "hides"]),
        streaming_features=streaming, batch_features=batch, feature_groups=FEATURE_GROUPS,
        power_curves=curves,
    )
    return Exercise(TASKS, context)


def _predict(heads: HeadModels, features: pd.DataFrame) -> pd.DataFrame:
    """:meth:`~.models.HeadModels.predict` from features already computed (one computation of
    the counters for the logged slot and for slot 1)."""
    design = heads.scaler_.transform(design_matrix(features, heads.sources_, heads.prior_strength))
    with threadpool_limits(limits=1):
        return pd.DataFrame({head: model.predict_proba(design)[:, 1]
                             for head, model in heads.models_.items()}, index=features.index)


def _options(name: str, options):
    def outcome(answer, context) -> str:
        if answer not in options:
            allowed = ", ".join(map(repr, options))
            raise ValueError(f"{name} must be one of {allowed}; got {answer!r}")
        return answer
    return outcome


# --- Task 1: GAUC or AUC --------------------------------------------------------------------------


def _past_member_rate(train: pd.DataFrame, test: pd.DataFrame) -> np.ndarray:
    """Each test row's member's click rate over the training days (the overall rate for a member
    without training rows): one number per member."""
    rates = train.groupby("member_id")["click"].mean()
    return rates.reindex(test["member_id"]).fillna(train["click"].mean()).to_numpy()


def gauc_verdict(auc_change: float, gauc_change: float) -> str:
    """Which of the global AUC and GAUC moved (module docstring, Task 1): one of
    :data:`MOVE_OPTIONS`."""
    moved = (abs(auc_change) > AUC_MOVE, abs(gauc_change) > AUC_MOVE)
    return {(True, False): "AUC only", (False, True): "GAUC only", (True, True): "both",
            (False, False): "neither"}[moved]


GAUC_TASK = Task(
    number=1, what="which of AUC and GAUC moves when B adds the member's past click rate",
    solution=lambda c: gauc_verdict(c.auc_change, c.gauc_change),
    outcome=_options("prediction", MOVE_OPTIONS), shows_expected=False,
    wrong_answers=[
        WrongAnswer("both", lambda c: "both",
                    "a number that is the same for every post of a member shifts all of that "
                    "member's scores together: each member's posts keep their order, so every "
                    "per-member AUC, and GAUC with them, stays exactly where it was"),
        WrongAnswer("neither", lambda c: "neither",
                    "the feed's order does not change, but the global AUC also compares a "
                    "positive of one member with a negative of another — nearly all of its pairs "
                    "— and those comparisons change when members' scores shift by different "
                    "amounts"),
        WrongAnswer("GAUC only", lambda c: "GAUC only",
                    "GAUC averages AUCs computed within one member, where a per-member constant "
                    "changes no comparison; it is the global AUC, pooling members, that moves"),
    ],
    hint="answer with one of the options",
    why_right="B ranks every member's feed exactly as A does: the global AUC's change comes from "
              "pairs of two members, which the feed never compares. Report GAUC for a "
              "per-member ranking.",
)


# --- Task 2: which heads need recalibration -------------------------------------------------------


def _without_correction(predictions: pd.DataFrame) -> pd.DataFrame:
    """The predictions with the comment head's odds multiplied by ``1 / KEPT_NEGATIVES``: a head
    trained on that share of its non-comments and served uncorrected."""
    p = predictions["comment"].to_numpy()
    return predictions.assign(comment=p / (p + (1 - p) * KEPT_NEGATIVES))


def _outside_band(labels: pd.DataFrame, predictions: pd.DataFrame) -> set[str]:
    low, high = CALIBRATION_BAND
    return {head for head in HEADS
            if not low <= calibration_ratio(labels[head].to_numpy(),
                                            predictions[head].to_numpy()) <= high}


def heads_to_recalibrate(context) -> set[str]:
    """The heads whose calibration ratio at the logged slot lies outside the band (Task 2)."""
    return _outside_band(context.labels, context.candidate)


def _heads_outcome(answer, context) -> set[str]:
    heads = set(answer) if isinstance(answer, (set, frozenset, list, tuple)) else None
    if heads is None or not heads <= set(HEADS):
        raise ValueError(f"recalibrate must be a set of heads among {list(HEADS)}; got {answer!r}")
    return heads


def _lowest_auc_head(context) -> set[str]:
    aucs = {head: roc_auc(context.labels[head].to_numpy(), context.candidate[head].to_numpy())
            for head in HEADS}
    return {min(aucs, key=aucs.get)}


RECALIBRATION_TASK = Task(
    number=2, what="heads to recalibrate", solution=heads_to_recalibrate, outcome=_heads_outcome,
    shows_expected=False,
    wrong_answers=[
        WrongAnswer("every head, from the slot-1 predictions",
                    lambda c: _outside_band(c.labels, c.candidate_served),
                    "that compares predictions made as if every post were in slot 1 with labels "
                    "logged in slots 1 to 10, most of them rarely examined: every head looks "
                    "several times too high. Calibration is checked where the labels were "
                    "logged — the predictions at the logged slot"),
        WrongAnswer("none", lambda c: set(),
                    "a ratio outside [0.8, 1.25] is what the design review's alert pages on; "
                    "AUC cannot see it (multiplying every odds by 4 keeps the order), but the "
                    "value model adds the probabilities, so the head's weight is silently "
                    "multiplied"),
        WrongAnswer("the head with the lowest AUC", _lowest_auc_head,
                    "a low AUC is a ranking problem, and recalibration cannot fix it; "
                    "calibration is the level of the probabilities: read mean(p) / mean(label) "
                    "per head"),
    ],
    hint="for each head, mean(prediction) / mean(label) on the test days with the predictions at "
         "the logged slot; keep the heads outside [0.8, 1.25]",
    why_right="The comment head over-predicts several-fold (its odds × 4): in the value model its "
              "weight of 6 acts like one several times larger. Recalibrate it (undo the "
              "downsampling, or Platt or isotonic on recent traffic); AUC would never have shown "
              "it.",
)


# --- Task 3: examination from the exploration traffic ---------------------------------------------


def examination_ratios(log: pd.DataFrame) -> np.ndarray:
    """``CTR_k / CTR_1`` of the ``random_order`` rows of ``log`` for each slot ``k = 1 … L``."""
    return _ctr_ratios(log[log["random_order"].to_numpy(dtype=bool)])


def _ctr_ratios(rows: pd.DataFrame) -> np.ndarray:
    ctr = rows.groupby(rows["position"].to_numpy(dtype=np.int64))["click"].mean()
    return (ctr / ctr.loc[1]).to_numpy(dtype=float)


def _ratios_outcome(answer, context) -> np.ndarray:
    ratios = np.asarray(answer, dtype=float)
    slots = int(context.log["position"].max())
    if ratios.shape != (slots,):
        raise ValueError(f"examination must hold one ratio per slot, shape ({slots},); "
                         f"got shape {ratios.shape}")
    return ratios


def _by_mean_ctr(context) -> np.ndarray:
    random = context.log[context.log["random_order"].to_numpy(dtype=bool)]
    ctr = random.groupby(random["position"].to_numpy(dtype=np.int64))["click"].mean()
    return (ctr / random["click"].mean()).to_numpy(dtype=float)


EXAMINATION_TASK = Task(
    number=3, what="examination ratios e(k) / e(1) of every slot",
    solution=lambda c: examination_ratios(c.log), outcome=_ratios_outcome, rel=1e-9,
    wrong_answers=[
        WrongAnswer("the policy's rows", lambda c: _ctr_ratios(c.log[~c.log["random_order"]]),
                    "those are the policy-ordered rows: the old ranker put the posts it liked "
                    "best on top, so their CTR falls with the slot for two reasons, examination "
                    "and relevance. Only in the random-order sessions is the post independent of "
                    "its slot"),
        WrongAnswer("every row", lambda c: _ctr_ratios(c.log),
                    "every row mixes the policy's sessions (95% of them) into the estimate: "
                    "their relevance falls with the slot too. Keep the random_order rows only"),
        WrongAnswer("slot 1 over slot k", lambda c: 1 / examination_ratios(c.log),
                    "that is CTR_1 / CTR_k, upside down: the examination of slot k relative to "
                    "slot 1 is at most 1, CTR_k / CTR_1"),
        WrongAnswer("over the mean CTR", _by_mean_ctr,
                    "you divided by the mean CTR of all slots: a propensity is relative to the "
                    "top slot, e(k) / e(1), so that slot 1 is 1"),
    ],
    hint="keep the rows with random_order; the click-through rate of each position, divided by "
         "that of position 1",
    why_right="In random order the slot is the only difference between rows, so the CTR ratio "
              "estimates the examination ratio — noisily, from a few hundred random sessions. "
              "The policy's ratios lie below the true e(k) / e(1) at every lower slot: relevance "
              "on top.",
)


# --- Task 4: value-model weights under a hide guardrail -------------------------------------------


def weighting_table(world, test: pd.DataFrame, served: pd.DataFrame) -> pd.DataFrame:
    """One row per weighting of :data:`WEIGHTINGS`: :func:`~.evaluation.feed_metrics` of the test
    sessions re-ordered by the value model of ``served`` (slot-1 predictions) with its weights."""
    rows = {name: feed_metrics(world, test, value_scores(served, weights), weights=weights)
            for name, weights in WEIGHTINGS.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("weighting")


def guarded_choice(table: pd.DataFrame, max_hides: float) -> str:
    """The weighting with the most clicks among those with ``hides <= max_hides`` (Task 4)."""
    allowed = table[table["hides"] <= max_hides]
    if allowed.empty:
        raise ValueError(f"no weighting keeps hides at most {max_hides:.4g} per session")
    return str(allowed["clicks"].idxmax())


def _weighting_outcome(answer, context) -> str:
    return _options("weighting", tuple(context.weightings.index))(answer, context)


WEIGHTS_TASK = Task(
    number=4, what="weighting to ship",
    solution=lambda c: guarded_choice(c.weightings, c.max_hides), outcome=_weighting_outcome,
    shows_expected=False,
    wrong_answers=[
        WrongAnswer("the most clicks", lambda c: str(c.weightings["clicks"].idxmax()),
                    "that weighting has the most clicks and breaks the guardrail: ranked by "
                    "clicks alone, click-bait rises and hides go far above today's. A guardrail "
                    "filters first; the objective chooses among what is left"),
        WrongAnswer("the largest value", lambda c: str(c.weightings["value"].idxmax()),
                    "each weighting's value is computed with its own weights, so values of "
                    "different weightings are in different units: a weighting that counts more "
                    "heads has a larger value whatever it does. Compare the outcomes, clicks and "
                    "hides"),
        WrongAnswer("the fewest hides", lambda c: str(c.weightings["hides"].idxmin()),
                    "the fewest hides is not the goal: the guardrail is a ceiling, and below it "
                    "more clicks are worth more — the strongest penalty gives up clicks the "
                    "guardrail allowed"),
    ],
    hint="keep the weightings whose hides per session are at most max_hides, then take the one "
         "with the most clicks",
    why_right="A guardrail is a constraint, not an objective: the most clicks within it.",
)


# --- Task 5: which features need the streaming path -----------------------------------------------


def feature_readings(log: pd.DataFrame, test: pd.DataFrame,
                     streaming: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The columns of :data:`FEATURE_GROUPS` for the ``test`` rows, counted over ``log``: read at
    each row's time (streaming) and at the start of its day (a daily batch job). ``streaming``:
    the streaming reading already computed (:meth:`~.models.HeadModels.features` of a model
    trained on the rows of ``log`` before ``test``), else computed here."""
    events = log[list(EVENT_COLUMNS)]
    day_start = test.assign(time=np.floor(test["time"].to_numpy()))
    if streaming is None:
        streaming = pd.concat([rate_features(events, test), post_engagement(events, test)], axis=1)
    batch = pd.concat([rate_features(events, day_start), daily_post_engagement(events, test)],
                      axis=1)
    columns = [column for group in FEATURE_GROUPS.values() for column in group]
    return streaming[columns], batch[columns]


def _median_errors(streaming: pd.DataFrame, batch: pd.DataFrame) -> dict[str, float]:
    errors = {}
    for group, columns in FEATURE_GROUPS.items():
        s, b = streaming[list(columns)].to_numpy(float), batch[list(columns)].to_numpy(float)
        relative = np.divide(np.abs(b - s), s, out=np.zeros_like(s), where=s != 0)
        errors[group] = float(np.median(relative))
    return errors


def streaming_groups(streaming: pd.DataFrame, batch: pd.DataFrame) -> set[str]:
    """The groups whose median relative error exceeds :data:`MATERIAL_ERROR` (Task 5)."""
    return {group for group, error in _median_errors(streaming, batch).items()
            if error > MATERIAL_ERROR}


def _groups_outcome(answer, context) -> set[str]:
    groups = set(answer) if isinstance(answer, (set, frozenset, list, tuple)) else None
    if groups is None or not groups <= set(FEATURE_GROUPS):
        raise ValueError(f"streaming must be a set of groups among {list(FEATURE_GROUPS)}; "
                         f"got {answer!r}")
    return groups


STREAMING_TASK = Task(
    number=5, what="feature groups that need the streaming path",
    solution=lambda c: streaming_groups(c.streaming_features, c.batch_features),
    outcome=_groups_outcome, shows_expected=False,
    wrong_answers=[
        WrongAnswer("every group", lambda c: set(FEATURE_GROUPS),
                    "a rate over a member's or a creator's whole history moves by a fraction of a "
                    "percent in a day: serving it from a stream costs a streaming job and an "
                    "online store per feature and buys nothing the daily batch lacks"),
        WrongAnswer("none", lambda c: set(),
                    "a post's views and engagements are mostly made in its first hours: the "
                    "midnight batch shows a post created this morning with none at all, so a "
                    "viral post is ranked as if nobody had seen it"),
        WrongAnswer("post engagements only", lambda c: {"post engagements"},
                    "the post's views are as stale as its engagements — a post created today "
                    "has no views in the batch — and the model reads them together (engagement "
                    "per view): both are counters of a young post"),
        WrongAnswer("the member's behaviour", lambda c: {"member rates", "member-topic rates"},
                    "a member's rates are averages over days of history: today's few sessions "
                    "hardly move them. What changes within the day is the new post's counters"),
    ],
    hint="for each group, the relative error |batch − streaming| / streaming over its columns "
         "and rows (0 where both are 0); keep the groups whose median exceeds 10%",
    why_right="Only the young post's counters change within a day: stream them, keep the "
              "long-run rates in the daily batch (and fall back to it when the stream lags).",
)


# --- Task 6: interleaving or an A/B test ----------------------------------------------------------


def interleaving_verdict(curves: pd.DataFrame) -> str:
    """How many sessions interleaving needs against an A/B test (module docstring, Task 6)."""
    fewest = sessions_to_power(curves, TARGET_POWER).fillna(math.inf)
    ab, interleaving = fewest["A/B test"], fewest["interleaving"]
    if math.isinf(ab) and math.isinf(interleaving):
        raise ValueError(f"neither method reaches {TARGET_POWER:.0%} power on the grid "
                         f"{sorted(curves['sessions'].unique().tolist())}")
    ratio = ab / interleaving
    if ratio >= 2:
        return "several times fewer"
    return "several times more" if ratio <= 0.5 else "about the same"


EXPERIMENT_TASK = Task(
    number=6, what="sessions interleaving needs against an A/B test",
    solution=lambda c: interleaving_verdict(c.power_curves),
    outcome=_options("prediction", EXPERIMENT_OPTIONS), shows_expected=False,
    wrong_answers=[
        WrongAnswer("about the same", lambda c: "about the same",
                    "an A/B test compares two groups of different members, whose sessions click "
                    "very different amounts whatever the ranker; interleaving shows both rankers "
                    "to the same member in the same list, so that variance cancels"),
        WrongAnswer("several times more", lambda c: "several times more",
                    "halving each ranker's share of the list does not halve the evidence: every "
                    "session compares the two rankers side by side, a paired comparison, while "
                    "an A/B session sees one ranker only"),
    ],
    hint="answer with one of the options",
    why_right="Interleaving is the cheap screen for which ranker members prefer; it measures no "
              "session metric (hides, reach), so the winner still goes through an A/B test.",
)

TASKS = (GAUC_TASK, RECALIBRATION_TASK, EXAMINATION_TASK, WEIGHTS_TASK, STREAMING_TASK,
         EXPERIMENT_TASK)
"""The exercise's tasks, in the notebook's order."""

"""The ad-click exercise: seven tasks that train judgment, each with its solution and the
plausible wrong answers its check rejects, saying why (:mod:`mlsd.exercise_tasks`).

:func:`build` loads the simulated marketplace, splits it by day (days ``< D`` train, ``D = 10``),
labels the training rows with the clicks that had arrived at ``D`` and fits what the tasks share
into a :class:`Context`. The reference answers live here, never in the notebook's check cells.

Task 1 — normalized entropy
    ``my_normalized_entropy(y, p)`` is run on probes (the test days, and a small miscalibrated
    pair) on which each wrong formula gives another value. ``NE = LL / H(b)`` with
    ``LL = −mean(y ln p + (1 − y) ln(1 − p))``, ``b = mean(y)``,
    ``H(b) = −b ln b − (1 − b) ln(1 − b)``.
Task 2 — predict, then run: what does negative downsampling break?
    A hashed logistic regression trained on every non-click and one trained on 10% of them. The
    rule (:func:`downsampling_verdict`): the **AUC moves** when the whole 95% interval of its
    change (paired, resampling ads) lies beyond ``±AUC_MARGIN`` — a change both material and
    measurable; the **calibration moves** when the calibration ratio ``mean(p) / mean(click)``
    is multiplied by a factor outside ``CALIBRATION_BAND``.
Task 3 — the cost-minimising threshold, chosen on validation, reported on test
    The threshold minimises ``(cost_fp · FP + cost_fn · FN) / n`` over the validation days'
    distinct scores and ``inf`` (flag ``score >= t``; ties to the highest,
    :meth:`mlsd.metrics.ThresholdCurve.best_threshold`); the answer is
    ``(threshold, its mean cost on the test days)``. (Where flagging nothing is cheapest, the
    ``score > t`` slip picks ``inf`` too, and is then right.)
Task 4 — undo negative downsampling
    Keeping non-clicks at rate ``w`` multiplies the odds by ``1 / w``; ``undo(p, w)`` multiplies
    them back by ``w``: ``q = p / (p + (1 − p) / w)``. Run on probe probabilities and rates.
Task 5 — spot the leak: the labels a model trained at the start of day D may use
    One label per training row: 1 when clicked and the click had arrived by ``D``
    (``time + click_delay_hours / 24 <= D``), else 0 — a click still to arrive is a non-click at
    ``D`` and its row is kept (:func:`~.point_in_time.labels_known_at`, no label window).
Task 6 — a retraining cadence under a budget, under noise
    :func:`cadence_choice`: among the cadences with at most ``budget`` trainings, the cheapest
    (fewest trainings, then the longest cadence) whose loss against daily is not measurably worse
    (``ne_vs_daily_low <= 0``); when none is, the affordable one with the lowest
    ``mean_normalized_entropy``. Run on :data:`CADENCE_CASES`, then on the real table.
Task 7 — review a variant: sponsored search
    :func:`search_doc_problems`: the findings of ``DesignDoc.review()``, plus two of this
    variant — the decision names the query, and serving lists a :class:`Dependency` whose name
    says query or keyword (its fallback is then checked by the review). The answer passes when
    there is no problem: ``()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.data import load_data, split
from mlsd.cases.ad_click.design import design_doc, sponsored_search_doc
from mlsd.cases.ad_click.models import HashedLogisticRegression, SmoothedCTRBaseline
from mlsd.cases.ad_click.point_in_time import labels_known_at
from mlsd.cases.ad_click.schema import clicks_within
from mlsd.cases.ad_click.tradeoffs import retraining_cadence
from mlsd.design import DesignDoc
from mlsd.design_review import Alert, Budget, Dependency, Kind, Metric, entries
from mlsd.exercise_tasks import Exercise, Task, WrongAnswer
from mlsd.metrics import ThresholdCurve, calibration_ratio, roc_auc
from mlsd.uncertainty import Interval

__all__ = ["TASKS", "Context", "DownsamplingEvidence", "auc_change_interval", "build",
           "cadence_choice", "downsampling_evidence", "downsampling_verdict", "search_doc_problems",
           "threshold_choice"]

NEGATIVE_RATE = 0.1
AUC_MARGIN = 0.01
CALIBRATION_BAND = (0.9, 1.1)
OPTIONS = ("AUC only", "calibration only", "both", "neither")
FIRST_TEST_DAY = 10
FIRST_TEST_PERIOD_DAY = 12
COST_FP, COST_FN = 1.0, 30.0
BUDGET = 3
AUC_RESAMPLES = 1000


@dataclass(frozen=True)
class Context:
    """What the exercise's tasks work on (``ex.context``).

    ``train``/``test``: impressions of days ``< training_day`` / ``>= training_day``;
    ``train_labels``: the clicks arrived by ``training_day``; ``y_test``, ``p_model``: the test
    days' eventual clicks and a smoothed-CTR baseline's predictions; ``downsampling``: AUC and
    calibration of the two logistic regressions of Task 2, ``auc_change`` the downsampled minus
    the full AUC with its interval, ``calibration_factor`` the ratio of their calibration ratios;
    ``p_down``: the downsampled model's raw predictions; ``y_val``/``p_val`` and
    ``y_later``/``p_later``: the test days split into validation (days 10–11) and test (12–13);
    ``cadences``: :func:`~.tradeoffs.retraining_cadence` of the baseline from day 8, ``budget``.
    """

    seed: int
    train: pd.DataFrame
    test: pd.DataFrame
    training_day: int
    train_labels: np.ndarray
    y_test: np.ndarray
    p_model: np.ndarray
    downsampling: pd.DataFrame
    auc_change: Interval
    calibration_factor: float
    p_down: np.ndarray
    cost_fp: float
    cost_fn: float
    y_val: np.ndarray
    p_val: np.ndarray
    y_later: np.ndarray
    p_later: np.ndarray
    cadences: pd.DataFrame
    budget: int


def build(seed: int = 3, n_impressions: int = 60_000) -> Exercise:
    """The exercise on the simulated marketplace of ``seed`` and ``n_impressions`` (records the
    data it used)."""
    data = load_data("simulated", seed=seed, n_impressions=n_impressions)
    data.record()
    held_out = split(data, FIRST_TEST_DAY)
    train, test = held_out.train, held_out.test
    labels = labels_known_at(train, FIRST_TEST_DAY)
    y_test = test["click"].to_numpy()
    p_model = SmoothedCTRBaseline().fit(train, labels).predict(test)
    evidence = downsampling_evidence(train, labels, test, seed)
    validation = test["day"].to_numpy() < FIRST_TEST_PERIOD_DAY
    context = Context(
        seed=seed, train=train, test=test, training_day=FIRST_TEST_DAY, train_labels=labels,
        y_test=y_test, p_model=p_model, downsampling=evidence.table,
        auc_change=evidence.auc_change, calibration_factor=evidence.calibration_factor,
        p_down=evidence.p_down, cost_fp=COST_FP, cost_fn=COST_FN,
        y_val=y_test[validation], p_val=p_model[validation],
        y_later=y_test[~validation], p_later=p_model[~validation],
        cadences=retraining_cadence(data.world, first_eval_day=8, make_model=SmoothedCTRBaseline),
        budget=BUDGET,
    )
    return Exercise(TASKS, context)


# --- Task 1: normalized entropy -------------------------------------------------------------------

SMALL_PROBE = (np.array([1.0, 0.0, 0.0, 0.0, 0.0]), np.array([0.6, 0.3, 0.1, 0.2, 0.3]))
"""Labels with base rate 0.2 and predictions with mean 0.3: the mean prediction is not the base
rate, so dividing by the entropy of either gives different values."""


def _ne_probes(context) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(context.y_test, context.p_model), SMALL_PROBE]


def _entropy(b):
    return -b * np.log(b) - (1 - b) * np.log(1 - b)


def _log_loss(y, p):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _reference_ne(y, p):
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    return _log_loss(y, p) / _entropy(y.mean())


def _ne_outcome(answer, context) -> tuple[float, ...]:
    return tuple(float(answer(y.copy(), p.copy())) for y, p in _ne_probes(context))


NE_TASK = Task(
    number=1, what="normalized entropy on the probes (the test days, then a small pair)",
    solution=lambda c: _reference_ne,
    outcome=_ne_outcome,
    wrong_answers=[
        WrongAnswer("log loss, not normalised", lambda c: _log_loss,
                    "that is the mean log loss itself: normalized entropy divides it by the "
                    "entropy of the base rate, so that 1 means no better than predicting mean(y) "
                    "everywhere, whatever the click rate"),
        WrongAnswer("divided by the entropy of the mean prediction",
                    lambda c: lambda y, p: _log_loss(y, p) / _entropy(np.mean(p)),
                    "you divided by the entropy of mean(p), the mean prediction: the yardstick is "
                    "the base rate of the labels, mean(y) — otherwise a miscalibrated model moves "
                    "its own reference"),
        WrongAnswer("only the positive term",
                    lambda c: lambda y, p: -np.mean(y * np.log(p)) / _entropy(np.mean(y)),
                    "that is only the clicks' term −mean(y ln p): the non-clicks' term "
                    "−mean((1 − y) ln(1 − p)) is most of the loss at a 2% click rate"),
        WrongAnswer("divided by the base rate", lambda c: lambda y, p: _log_loss(y, p) / np.mean(y),
                    "you divided by the base rate b itself: the denominator is the entropy of the "
                    "base rate, −b ln b − (1 − b) ln(1 − b)"),
    ],
    hint="the mean log loss −mean(y ln p + (1 − y) ln(1 − p)), divided by "
         "−b ln b − (1 − b) ln(1 − b) with b = mean(y)",
    why_right="The same in any log base (a ratio of two logs); below 1 beats the base rate.",
)


# --- Task 2: predict, then run --------------------------------------------------------------------


@dataclass(frozen=True)
class DownsamplingEvidence:
    """Task 2's numbers: ``table`` (AUC, mean prediction, click rate, calibration ratio of both
    models), ``auc_change`` (downsampled minus full, 95% interval resampling ads),
    ``calibration_factor`` (downsampled calibration ratio / full), ``p_down`` (raw predictions)."""

    table: pd.DataFrame
    auc_change: Interval
    calibration_factor: float
    p_down: np.ndarray


def downsampling_evidence(train, labels, test, seed: int) -> DownsamplingEvidence:
    """Hashed logistic regression trained on every non-click and on ``NEGATIVE_RATE`` of them
    (``seed`` draws which), both scored on ``test`` against its eventual clicks."""
    y = test["click"].to_numpy()
    p_full = HashedLogisticRegression(seed=seed).fit(train, labels).predict(test)
    downsampled = HashedLogisticRegression(negative_rate=NEGATIVE_RATE, seed=seed)
    p_down = downsampled.fit(train, labels).predict(test)
    rows = {"every non-click": p_full, f"{NEGATIVE_RATE:.0%} of the non-clicks": p_down}
    table = pd.DataFrame({name: {"roc_auc": roc_auc(y, p), "mean_prediction": float(p.mean()),
                                 "click_rate": float(y.mean()),
                                 "calibration_ratio": calibration_ratio(y, p)}
                          for name, p in rows.items()}).T
    factor = calibration_ratio(y, p_down) / calibration_ratio(y, p_full)
    change = auc_change_interval(y, p_full, p_down, test["ad_id"].to_numpy(), seed=seed)
    return DownsamplingEvidence(table, change, float(factor), p_down)


def auc_change_interval(y, p_a, p_b, groups, n_resamples: int = AUC_RESAMPLES, level: float = 0.95,
                        seed: int = 0) -> Interval:
    """``AUC(p_b) − AUC(p_a)`` with its paired percentile-bootstrap interval, resampling whole
    groups (ads) with replacement: each resample weighs every row by how often its group was drawn,
    and the weighted AUC is ``Σ_pos w · (W_neg below + ½ W_neg tied) / (W_pos · W_neg)``."""
    y = np.asarray(y, dtype=float)
    group_of_row = np.unique(np.asarray(groups), return_inverse=True)[1]
    n_groups = int(group_of_row.max()) + 1
    rank_a, rank_b = (np.unique(p, return_inverse=True)[1] for p in (p_a, p_b))
    rng = np.random.default_rng(seed)

    def change(weights):
        return _weighted_auc(y, rank_b, weights) - _weighted_auc(y, rank_a, weights)

    values = np.array([change(np.bincount(rng.integers(0, n_groups, n_groups), minlength=n_groups)
                              [group_of_row].astype(float)) for _ in range(n_resamples)])
    low, high = np.nanquantile(values, [(1 - level) / 2, (1 + level) / 2])
    return Interval(float(change(np.ones(len(y)))), float(low), float(high), level, n_resamples,
                    int(np.isnan(values).sum()))


def _weighted_auc(y, rank, weights) -> float:
    """The AUC of scores given by their ``rank`` among distinct values, rows weighted; NaN without
    a positive or a negative weight."""
    positives = np.bincount(rank, weights * y)
    negatives = np.bincount(rank, weights * (1 - y))
    total = positives.sum() * negatives.sum()
    below = np.cumsum(negatives) - negatives
    return float(np.sum(positives * (below + negatives / 2)) / total) if total > 0 else np.nan


def downsampling_verdict(auc_change: Interval, calibration_factor: float) -> str:
    """What moved, by the rule of the module docstring: one of :data:`OPTIONS`."""
    auc_moved = auc_change.low > AUC_MARGIN or auc_change.high < -AUC_MARGIN
    low, high = CALIBRATION_BAND
    calibration_moved = not low <= calibration_factor <= high
    return {(True, False): "AUC only", (False, True): "calibration only",
            (True, True): "both", (False, False): "neither"}[(auc_moved, calibration_moved)]


def _option(answer, context) -> str:
    if answer not in OPTIONS:
        allowed = ", ".join(map(repr, OPTIONS))
        raise ValueError(f"prediction must be one of {allowed}; got {answer!r}")
    return answer


DOWNSAMPLING_TASK = Task(
    number=2, what="what negative downsampling moves",
    solution=lambda c: downsampling_verdict(c.auc_change, c.calibration_factor),
    outcome=_option, shows_expected=False,
    wrong_answers=[
        WrongAnswer("AUC only", lambda c: "AUC only",
                    "AUC reads only the order of the scores. Keeping every click and a random "
                    "tenth of the non-clicks multiplies every impression's odds by the same 1/w, "
                    "which keeps the order and changes the level — read both numbers against the "
                    "rule again"),
        WrongAnswer("both", lambda c: "both",
                    "the order survives: a random share of non-clicks raises every odds by the "
                    "same factor, a monotone change; what is left of the AUC change is the noise "
                    "of fewer training rows, not a move beyond the ±0.01 margin by the rule"),
        WrongAnswer("neither", lambda c: "neither",
                    "the level moved: trained on a click rate about 1/w times the real one, the "
                    "model's mean prediction is several times the observed click rate — an "
                    "order-only metric hides it, and the auction prices with the level"),
    ],
    hint="answer with one of the options",
    why_right="Downsampling keeps the order and inflates the odds by 1/w: the auction, which "
              "prices with pCTR, needs the correction of Task 4.",
)


# --- Task 3: threshold chosen on validation, reported on test -------------------------------------


def threshold_choice(context) -> tuple[float, float]:
    """``(threshold chosen on the validation days, its mean cost on the test days)``."""
    curve = ThresholdCurve(context.y_val, context.p_val)
    best = curve.best_threshold(context.cost_fp, context.cost_fn)
    return best.threshold, _cost(context.y_later, context.p_later, best.threshold, context)


def _cost(y, p, threshold, context) -> float:
    return float(ThresholdCurve(y, p).expected_cost(threshold, context.cost_fp, context.cost_fn))


def _chosen_on_test(context):
    curve = ThresholdCurve(context.y_later, context.p_later)
    best = curve.best_threshold(context.cost_fp, context.cost_fn)
    return best.threshold, best.cost


def _chosen_on_both(context):
    """Chosen, and its cost reported, on the validation and test days pooled."""
    y, p = np.r_[context.y_val, context.y_later], np.r_[context.p_val, context.p_later]
    best = ThresholdCurve(y, p).best_threshold(context.cost_fp, context.cost_fn)
    return best.threshold, best.cost


def _bayes_threshold(context):
    threshold = context.cost_fp / (context.cost_fp + context.cost_fn)
    return threshold, _cost(context.y_later, context.p_later, threshold, context)


def _cost_on_validation(context):
    threshold, _ = threshold_choice(context)
    return threshold, _cost(context.y_val, context.p_val, threshold, context)


def _flagging_above(context):
    """Chosen and reported flagging ``score > t`` (``>= nextafter(t)``), not ``score >= t``."""
    candidates = np.r_[np.unique(context.p_val), np.inf]
    above = np.nextafter(candidates, np.inf)
    curve = ThresholdCurve(context.y_val, context.p_val)
    costs = curve.expected_cost(above, context.cost_fp, context.cost_fn)
    best = len(costs) - 1 - int(np.argmin(costs[::-1]))
    return float(candidates[best]), _cost(context.y_later, context.p_later, above[best], context)


def _threshold_pair(answer, context) -> tuple[float, float]:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise ValueError(f"the answer must be the pair (best_threshold, test_cost); got {answer!r}")
    return float(answer[0]), float(answer[1])


THRESHOLD_TASK = Task(
    number=3, what="(threshold chosen on the validation days, its mean cost on the test days)",
    solution=threshold_choice, outcome=_threshold_pair,
    wrong_answers=[
        WrongAnswer("chosen on test", _chosen_on_test,
                    "that is the threshold that minimises cost on the test days: choosing on the "
                    "rows you report on fits the threshold to their noise, so the reported cost is "
                    "optimistic. Choose on the validation days, then report on the test days"),
        WrongAnswer("chosen on validation and test", _chosen_on_both,
                    "that threshold was chosen, and its cost measured, on the validation and test "
                    "days together: the test days must play no part in the choice, and the cost is "
                    "reported on them alone"),
        WrongAnswer("the Bayes threshold", _bayes_threshold,
                    "cost_fp / (cost_fp + cost_fn) is the Bayes threshold: it is the best only if "
                    "the scores are calibrated probabilities, which a smoothed click rate need not "
                    "be. Measure the cost of each distinct validation score (and inf) instead"),
        WrongAnswer("its cost on validation", _cost_on_validation,
                    "that is the threshold's cost on the validation days it was chosen on, which "
                    "is optimistic: report its cost on the test days"),
        WrongAnswer("flagging score > t", _flagging_above,
                    "that threshold flags score > t: the convention is score >= t, so your "
                    "threshold sits one distinct score too low"),
    ],
    hint="for each distinct validation score t (and inf) count FP and FN when flagging score >= t; "
         "take the cheapest, the highest on ties; then compute (cost_fp × FP + cost_fn × FN) / n "
         "with that threshold on the test days",
    why_right="Chosen on validation, reported on rows that played no part in the choice.",
)


# --- Task 4: undo negative downsampling -----------------------------------------------------------

UNDO_PROBES = ((np.array([0.02, 0.1, 0.3, 0.6, 0.9]), 0.1), (np.array([0.05, 0.5, 0.95]), 0.25))
"""Probabilities and keep rates on which the plausible corrections differ."""


def _undo(p, w):
    return p / (p + (1 - p) / w)


def _undo_outcome(answer, context) -> np.ndarray:
    return np.concatenate([np.asarray(answer(p.copy(), w), dtype=float) for p, w in UNDO_PROBES])


UNDO_TASK = Task(
    number=4, what="undo(p, w) on the probes", solution=lambda c: _undo, outcome=_undo_outcome,
    wrong_answers=[
        WrongAnswer("p × w", lambda c: lambda p, w: p * w,
                    "multiplying the probability by w scales the probability, not the odds: close "
                    "only where p is tiny (p ≈ p / (1 − p)); multiply the odds p / (1 − p) by w, "
                    "then convert back"),
        WrongAnswer("p / w", lambda c: lambda p, w: p / w,
                    "that goes the wrong way, and past 1: the downsampled model already "
                    "over-predicts, its odds 1/w times too high; the correction multiplies the "
                    "odds by w"),
        WrongAnswer("the inverse direction", lambda c: lambda p, w: p / (p + (1 - p) * w),
                    "that multiplies the odds by 1/w — the direction of downsampling itself, not "
                    "its undoing: the corrected q must have q / (1 − q) = w · p / (1 − p)"),
        WrongAnswer("clipping only", lambda c: lambda p, w: np.clip(p, 0, 1),
                    "clipping keeps probabilities in [0, 1] but leaves them as the downsampled "
                    "model made them: every odds still 1/w too high"),
    ],
    hint="downsampling multiplied the odds p / (1 − p) by 1/w: multiply them back by w and turn "
         "the odds o into a probability o / (1 + o)",
    why_right="q / (1 − q) = w · p / (1 − p): the order is kept, the level restored.",
)


# --- Task 5: the labels known at training time ----------------------------------------------------


def _labels_outcome(answer, context) -> np.ndarray:
    labels = np.asarray(answer, dtype=float)
    if labels.ndim != 1:
        raise ValueError("known_labels must be one label per training row (1-D); "
                         f"got shape {labels.shape}")
    return labels


def _late_rows_dropped(context):
    late = (context.train["click"].to_numpy() == 1) & (context.train_labels == 0)
    return context.train_labels[~late]


def _hours_as_days(context):
    train = context.train
    arrival = train["time"].to_numpy() + train["click_delay_hours"].to_numpy()
    return (arrival <= context.training_day).astype(np.int64)


LEAK_TASK = Task(
    number=5, what="labels a model trained at the start of day D may use",
    solution=lambda c: labels_known_at(c.train, c.training_day), outcome=_labels_outcome,
    shows_expected=False,
    wrong_answers=[
        WrongAnswer("the final click column", lambda c: c.train["click"].to_numpy(),
                    "that is the final click column: it counts clicks that arrived after the start "
                    "of day D — the future. The training job could not see them, so offline the "
                    "model looks better than it serves (point_in_time.leak_table measures how "
                    "much)"),
        WrongAnswer("clicked within 24 h", lambda c: clicks_within(c.train, 24),
                    "a label window is not a cut-off in time: 'clicked within 24 h' still counts "
                    "the clicks of the last training day that arrived after D, and drops old "
                    "clicks that had arrived. The training moment bounds the arrival"),
        WrongAnswer("late-click rows dropped", _late_rows_dropped,
                    "you dropped the rows whose click arrives after D, but at D those rows look "
                    "exactly like non-clicks: picking them needs the future. Keep every row, a "
                    "click not yet arrived is a 0 at D; a job that wants complete labels drops "
                    "every row still in its label window, by impression time alone, clicked or "
                    "not"),
        WrongAnswer("hours added to days", _hours_as_days,
                    "time is in days and click_delay_hours in hours: time + click_delay_hours adds "
                    "hours to days. The click arrives at time + click_delay_hours / 24"),
        WrongAnswer("the start of the last training day",
                    lambda c: labels_known_at(c.train, c.training_day - 1),
                    "that cut-off is the start of the last training day, D − 1: it throws away the "
                    "clicks that arrived during day D − 1, which the job at the start of D had. "
                    "The moment is D, the first day not trained on"),
    ],
    hint="a click is known when it arrives, at time + click_delay_hours / 24 (days): label 1 when "
         "clicked and arrived by D, else 0, one label per training row",
    why_right="A retrained model sees only the labels that had arrived; the rest are 0 until then.",
)


# --- Task 6: a retraining cadence under a budget, under noise -------------------------------------


def cadence_choice(table: pd.DataFrame, budget: int) -> int:
    """The right cadence (module docstring, Task 6)."""
    affordable = table[table["trainings"] <= budget]
    if affordable.empty:
        raise ValueError(f"no cadence fits a budget of {budget} trainings")
    return _cheapest_within_noise(affordable)


def _cheapest_within_noise(table: pd.DataFrame) -> int:
    within_noise = table[table["ne_vs_daily_low"] <= 0]
    if within_noise.empty:
        return _lowest_mean_ne(table)
    cheapest = within_noise.sort_values(["trainings", "cadence_days"], ascending=[True, False])
    return int(cheapest["cadence_days"].iloc[0])


def _lowest_mean_ne(table: pd.DataFrame) -> int:
    return int(table.loc[table["mean_normalized_entropy"].idxmin(), "cadence_days"])


def _cadence_table(rows) -> pd.DataFrame:
    columns = ["cadence_days", "trainings", "ne_vs_daily", "ne_vs_daily_low", "ne_vs_daily_high"]
    table = pd.DataFrame(rows, columns=columns)
    table.insert(2, "mean_normalized_entropy", 0.9 + table["ne_vs_daily"])
    return table


CADENCE_CASES = {
    "noise": (_cadence_table([
        (1, 6, 0.0, 0.0, 0.0),
        (2, 3, -0.0004, -0.0011, 0.0003),
        (4, 2, 0.0003, -0.0004, 0.0010),
        (7, 1, 0.0040, 0.0021, 0.0062),
    ]), 3),
    "budget": (_cadence_table([
        (1, 6, 0.0, 0.0, 0.0),
        (2, 3, 0.0006, -0.0002, 0.0013),
        (4, 2, 0.0030, 0.0012, 0.0049),
        (7, 1, 0.0052, 0.0027, 0.0080),
    ]), 2),
    "point estimate": (_cadence_table([
        (1, 6, 0.0, 0.0, 0.0),
        (2, 3, 0.0002, -0.0005, 0.0009),
        (4, 2, 0.0007, -0.0001, 0.0016),
        (7, 1, 0.0031, 0.0015, 0.0048),
    ]), 6),
}
"""Tables (and budgets) on which each plausible wrong rule of Task 6 gives a wrong answer:
``noise`` — the lowest mean NE (cadence 2) is within noise of daily, and so is the cheaper 4;
``budget`` — only cadences 4 and 7 fit, both measurably worse: the better of them;
``point estimate`` — 4 is worse than daily by its point estimate but not measurably."""


def _cadence_probes(context) -> list[tuple[str, pd.DataFrame, int]]:
    probes = [(f"the {name} table", table, budget)
              for name, (table, budget) in CADENCE_CASES.items()]
    return probes + [("the cadences above", context.cadences, context.budget)]


def _cadence_outcome(choose, context) -> tuple[int, ...]:
    answers = []
    for name, table, budget in _cadence_probes(context):
        answer = choose(table.copy(), budget)
        allowed = table["cadence_days"].tolist()
        is_int = isinstance(answer, (int, np.integer)) and not isinstance(answer, bool)
        if not is_int or answer not in allowed:
            raise ValueError("choose_cadence must return one of the table's cadence_days, "
                             f"{allowed}, as an int; got {answer!r} on {name}")
        answers.append(int(answer))
    return tuple(answers)


def _lowest_affordable_mean_ne(table, budget):
    return _lowest_mean_ne(table[table["trainings"] <= budget])


def _cheapest_affordable(table, budget):
    affordable = table[table["trainings"] <= budget]
    return int(affordable.sort_values(["trainings", "cadence_days"], ascending=[True, False])
               ["cadence_days"].iloc[0])


CADENCE_TASK = Task(
    number=6, what="cadences chosen on the noise, budget and point-estimate tables, then on yours",
    solution=lambda c: cadence_choice, outcome=_cadence_outcome, shows_expected=False,
    wrong_answers=[
        WrongAnswer("lowest mean NE", lambda c: lambda table, budget: _lowest_mean_ne(table),
                    "that is the lowest mean normalized entropy of every cadence: it ignores the "
                    "budget, and pays for differences inside the noise"),
        WrongAnswer("cheapest, ignoring the intervals", lambda c: _cheapest_affordable,
                    "that is the cheapest affordable cadence whatever its loss: a cadence whose "
                    "interval against daily lies above 0 is measurably worse, and one within "
                    "budget that is not comes first"),
        WrongAnswer("best point estimate within budget",
                    lambda c: _lowest_affordable_mean_ne,
                    "that is the affordable cadence with the best point estimate: a difference "
                    "whose interval contains 0 is no measurable difference and buys nothing — "
                    "among those within noise of daily, fewer trainings is better"),
        WrongAnswer("ignoring the budget",
                    lambda c: lambda table, budget: _cheapest_within_noise(table),
                    "that rule forgets the budget: a cadence needing more trainings than the "
                    "budget cannot ship — filter by trainings <= budget first"),
    ],
    hint="filter by the budget; among those keep the cadences with ne_vs_daily_low <= 0 and take "
         "the one with the fewest trainings; if none is left, the affordable one with the lowest "
         "mean_normalized_entropy",
    why_right="Within budget, and paying for no difference inside the noise.",
)


# --- Task 7: review a variant: sponsored search ---------------------------------------------------

QUERY_WORDS = ("query", "keyword")


def search_doc_problems(doc) -> tuple[str, ...]:
    """The problems a reviewer sends back on a sponsored-search review (module docstring), sorted;
    each ``"point: problem"``."""
    if not isinstance(doc, DesignDoc):
        raise ValueError(f"search_doc must be a DesignDoc; got {type(doc).__name__}")
    problems = [f"{finding.point}: {finding.problem}" for finding in doc.review().findings]
    decision = [doc.decision] if isinstance(doc.decision, str) else doc.decision
    if not any(isinstance(text, str) and "query" in text.lower() for text in decision):
        problems.append("Decision: the decision does not name the query")
    dependencies = entries(doc.serving, Dependency)
    if not any(word in d.name.lower() for d in dependencies for word in QUERY_WORDS):
        problems.append("Serving: no query-understanding or keyword-matching Dependency")
    return tuple(sorted(problems))


def _changed(doc: DesignDoc, **changes) -> DesignDoc:
    return DesignDoc.from_dict({**doc.to_dict(), **changes})


def _without_query_fallback(context):
    doc = sponsored_search_doc()
    serving = [Dependency(item.name, item.p99_ms) if isinstance(item, Dependency)
               and item.name == "query understanding" else item for item in doc.serving]
    return _changed(doc, serving=serving)


def _alert_without_owner(context):
    doc = sponsored_search_doc()
    monitoring = [Alert(item.signal, item.rule) if isinstance(item, Alert)
                  and item.signal.startswith("calibration") else item for item in doc.monitoring]
    return _changed(doc, monitoring=monitoring)


def _no_calibration_metric(context):
    doc = sponsored_search_doc()
    return _changed(doc, metrics_offline=["ROC AUC of the query's ads, on a time-based split.",
                                          Metric("roc_auc")])


REVIEW_TASK = Task(
    number=7, what="problems of the sponsored-search review",
    solution=lambda c: sponsored_search_doc(), outcome=lambda doc, c: search_doc_problems(doc),
    wrong_answers=[
        WrongAnswer("the display doc unchanged", lambda c: design_doc(),
                    "that is the display-ads review unchanged: sponsored search ranks ads for a "
                    "query, so the decision must say so and serving needs the query-understanding "
                    "or keyword-matching call with its fallback; and the display doc's stage p99s "
                    "already add up to more than the 50 ms budget"),
        WrongAnswer("a placeholder decision",
                    lambda c: _changed(sponsored_search_doc(), decision="No ads at all, TODO"),
                    "a placeholder is not a decision: say what the output decides for the query, "
                    "with Kind entries, so the metrics can be checked against it"),
        WrongAnswer("the query dependency without a fallback", _without_query_fallback,
                    "the query-understanding call has no fallback: when it times out the request "
                    "still needs ads — say what serves without it"),
        WrongAnswer("an alert without an owner", _alert_without_owner,
                    "an alert without an owner wakes nobody: name the on-call that acts on it"),
        WrongAnswer("no calibration metric", _no_calibration_metric,
                    "the probability prices the bid (eCPM = bid × pCTR): a ranking metric cannot "
                    "see a pCTR that is uniformly twice too high — keep a calibration-sensitive "
                    "metric"),
    ],
    hint="display search_doc.review() and fix each finding; the decision must name the query, and "
         "serving must list a Dependency for query understanding or keyword matching, with a "
         "fallback",
    why_right="The review passes, and the variant's differences are in the doc: the query, its "
              "matching call and what serves without it.",
)

TASKS = (NE_TASK, DOWNSAMPLING_TASK, THRESHOLD_TASK, UNDO_TASK, LEAK_TASK, CADENCE_TASK,
         REVIEW_TASK)
"""The exercise's tasks, in the notebook's order."""

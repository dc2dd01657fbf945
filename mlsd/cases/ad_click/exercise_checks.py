"""The checks of the ad-click exercise's judgement tasks, and the plausible wrong answers they reject.

The reference answers are computed here, not in the exercise's check cells, so that the student
version shows none of them in plain view. Each check says what was wrong and why.

Task 3 — a threshold chosen on a validation period, its cost reported on a later test period
    :func:`check_threshold_choice`. The right threshold minimises the mean cost
    ``(cost_fp · FP + cost_fn · FN) / n`` over the validation rows' distinct scores (ties to the
    highest, :meth:`mlsd.metrics.ThresholdCurve.best_threshold`); the reported cost is that
    threshold's cost on the test rows. Choosing on the test rows and reporting there makes the
    reported cost optimistic: the threshold was fitted to the very noise it is scored on.

Task 5 — a retraining cadence under a training budget and under noise
    :func:`cadence_choice` is the rule: among the cadences with at most ``budget`` trainings, the
    cheapest (fewest trainings, then the longest cadence) whose loss against daily is **not
    measurably worse** (``ne_vs_daily_low <= 0``: its interval reaches 0 or below); when none is,
    the affordable one with the lowest ``mean_normalized_entropy``. :func:`check_cadence_choice`
    calls the learner's function on tables built so that every plausible wrong rule gives a
    different answer from the right one (:data:`CADENCE_CASES`), then on the real table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from mlsd.exercises import ExerciseCheckError, check_close, check_equal
from mlsd.metrics import ThresholdCurve

CADENCE_COLUMNS = ("cadence_days", "trainings", "mean_normalized_entropy", "ne_vs_daily",
                   "ne_vs_daily_low", "ne_vs_daily_high")


def threshold_choice(y_validation, p_validation, y_test, p_test, cost_fp: float, cost_fn: float):
    """The right answer of Task 3: ``(threshold chosen on validation, its mean cost on test)``."""
    best = ThresholdCurve(y_validation, p_validation).best_threshold(cost_fp, cost_fn).threshold
    return best, float(ThresholdCurve(y_test, p_test).expected_cost(best, cost_fp, cost_fn))


def check_threshold_choice(threshold, test_cost, y_validation, p_validation, y_test, p_test,
                           cost_fp: float, cost_fn: float) -> None:
    """Check Task 3: the threshold chosen on the validation rows and its cost on the test rows."""
    expected, expected_cost = threshold_choice(y_validation, p_validation, y_test, p_test, cost_fp, cost_fn)
    on_test = ThresholdCurve(y_test, p_test).best_threshold(cost_fp, cost_fn)
    what = "threshold chosen on the validation days"
    if _same(threshold, on_test.threshold) and not _same(threshold, expected):
        fail(what, _number(expected), _number(threshold),
             "that is the threshold that minimises cost on the test days: choosing on the rows you "
             "report on fits the threshold to their noise, so the reported cost is optimistic. "
             "Choose on the validation days, then report on the test days")
    pooled = np.concatenate([np.asarray(p_validation), np.asarray(p_test)])
    pooled_y = np.concatenate([np.asarray(y_validation), np.asarray(y_test)])
    on_both = ThresholdCurve(pooled_y, pooled).best_threshold(cost_fp, cost_fn).threshold
    if _same(threshold, on_both) and not _same(threshold, expected):
        fail(what, _number(expected), _number(threshold),
             "that threshold was chosen on validation and test days together: the test days must "
             "play no part in the choice")
    check_close(threshold, expected, rel=1e-12, what=what,
                hint="for each distinct validation score t count FP and FN when flagging score >= t; "
                     "take the cheapest, the highest on ties")
    check_close(test_cost, expected_cost, rel=1e-9, what="its mean cost on the test days",
                hint="flag the test rows with score >= your threshold and compute "
                     "(cost_fp × FP + cost_fn × FN) / n on them")


def cadence_choice(table: pd.DataFrame, budget: int) -> int:
    """The right answer of Task 5 (module docstring)."""
    affordable = table[table["trainings"] <= budget]
    if affordable.empty:
        raise ValueError(f"no cadence fits a budget of {budget} trainings")
    within_noise = affordable[affordable["ne_vs_daily_low"] <= 0]
    if within_noise.empty:
        return int(affordable.loc[affordable["mean_normalized_entropy"].idxmin(), "cadence_days"])
    cheapest = within_noise.sort_values(["trainings", "cadence_days"], ascending=[True, False])
    return int(cheapest["cadence_days"].iloc[0])


def _cadence_table(rows) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["cadence_days", "trainings", "ne_vs_daily", "ne_vs_daily_low",
                                        "ne_vs_daily_high"])
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
"""Tables (and budgets) on which each plausible wrong rule of Task 5 gives a wrong answer:
``noise`` — the lowest mean NE (cadence 2) is within noise of daily, and so is the cheaper 4;
``budget`` — only cadences 4 and 7 fit, both measurably worse: the better of them;
``point estimate`` — 4 is worse than daily by its point estimate but not measurably."""


def check_cadence_choice(choose: Callable[[pd.DataFrame, int], int], table: pd.DataFrame, budget: int) -> None:
    """Check Task 5: ``choose(table, budget)`` on :data:`CADENCE_CASES`, then on the real table."""
    cases = {f"the {name} case": case for name, case in CADENCE_CASES.items()}
    cases["the cadences above"] = (table, budget)
    for name, (case_table, case_budget) in cases.items():
        answer = choose(case_table.copy(), case_budget)
        expected = cadence_choice(case_table, case_budget)
        what = f"cadence for a budget of {case_budget} trainings, {name}"
        if answer != expected:
            fail(what, repr(expected), repr(answer), _cadence_hint(case_table, case_budget, answer))
        check_equal(answer, expected, what=what, hint="")


def _cadence_hint(table: pd.DataFrame, budget: int, answer) -> str:
    by_cadence = table.set_index("cadence_days")
    if answer not in by_cadence.index:
        return f"return one of the table's cadence_days, {by_cadence.index.tolist()}, as an int"
    row = by_cadence.loc[answer]
    interval = f"[{row['ne_vs_daily_low']:+.4f}, {row['ne_vs_daily_high']:+.4f}]"
    if row["trainings"] > budget:
        return (f"cadence {answer} needs {int(row['trainings'])} trainings, over the budget of {budget}: "
                "filter by the budget first")
    affordable = table[table["trainings"] <= budget]
    within_noise = affordable[affordable["ne_vs_daily_low"] <= 0]
    if row["ne_vs_daily_low"] > 0 and not within_noise.empty:
        return (f"cadence {answer} is measurably worse than daily (its interval {interval} excludes "
                "0), while a cadence within budget is not")
    if row["ne_vs_daily_low"] <= 0:
        return (f"cadence {answer}'s loss against daily, {interval}, contains 0: no measurable "
                "difference — but so does a cheaper cadence within budget; differences inside the "
                "noise buy nothing, so take the cheapest of those (fewest trainings)")
    return ("no cadence within budget is within noise of daily: take the affordable one with the "
            "lowest mean normalized entropy")


def fail(what: str, expected: str, actual: str, hint: str):
    """Raise the one-line :class:`~mlsd.exercises.ExerciseCheckError` of a failed check."""
    message = f"✗ {what}: expected {expected}, got {actual}. Hint: {hint}"
    raise ExerciseCheckError(" ".join(message.split()))


def _same(a, b) -> bool:
    try:
        return bool(np.isclose(float(a), float(b), rtol=1e-12, atol=0))
    except (TypeError, ValueError):
        return False


def _number(value) -> str:
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return repr(value)

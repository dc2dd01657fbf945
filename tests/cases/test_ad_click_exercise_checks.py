"""The ad-click exercise's judgement checks: each rejects the plausible wrong answers, saying why,
and accepts the solution (Task 3: a threshold chosen on validation, reported on test; Task 5: a
retraining cadence under a budget and under noise)."""

import numpy as np
import pandas as pd
import pytest

from mlsd.cases.ad_click import exercise_checks as checks
from mlsd.cases.ad_click.data import load_data, split
from mlsd.cases.ad_click.models import SmoothedCTRBaseline
from mlsd.cases.ad_click.point_in_time import labels_known_at
from mlsd.exercises import ExerciseCheckError
from mlsd.metrics import ThresholdCurve

COST_FP, COST_FN = 1.0, 30.0


@pytest.fixture(scope="module")
def periods():
    """The exercise's data at its defaults: validation days 10-11, test days 12-13."""
    data = load_data("simulated", seed=3, n_impressions=60_000)
    held_out = split(data)
    train, test = held_out.train, held_out.test
    p = SmoothedCTRBaseline().fit(train, labels_known_at(train, 10)).predict(test)
    y = test["click"].to_numpy()
    validation = test["day"].to_numpy() < 12
    return y[validation], p[validation], y[~validation], p[~validation]


def rejected(call) -> str:
    with pytest.raises(ExerciseCheckError) as caught:
        call()
    message = str(caught.value)
    assert message.startswith("✗ ") and "Hint: " in message and "\n" not in message
    return message


def cost(y, p, threshold):
    return ThresholdCurve(y, p).expected_cost(threshold, COST_FP, COST_FN)


# --- Task 3 ----------------------------------------------------------------------------------------


def test_the_threshold_check_accepts_the_threshold_chosen_on_validation(periods, capsys):
    y_val, p_val, y_test, p_test = periods
    best = ThresholdCurve(y_val, p_val).best_threshold(COST_FP, COST_FN).threshold
    checks.check_threshold_choice(best, cost(y_test, p_test, best), *periods, COST_FP, COST_FN)
    assert capsys.readouterr().out.count("✓") == 2


def test_the_threshold_check_rejects_plausible_wrong_answers_and_says_why(periods):
    y_val, p_val, y_test, p_test = periods
    right = ThresholdCurve(y_val, p_val).best_threshold(COST_FP, COST_FN).threshold
    on_test = ThresholdCurve(y_test, p_test).best_threshold(COST_FP, COST_FN)
    assert on_test.threshold != right  # at the exercise's defaults the two choices differ
    both = ThresholdCurve(np.r_[y_val, y_test], np.r_[p_val, p_test]).best_threshold(COST_FP, COST_FN).threshold
    assert both != right
    distinct = np.unique(p_val)
    lowest_on_ties = distinct[np.argmin(ThresholdCurve(y_val, p_val).expected_cost(distinct, COST_FP, COST_FN))]
    wrong = {
        "chosen on test": (on_test.threshold, on_test.cost, "minimises cost on the test days"),
        "chosen on validation and test": (both, cost(y_test, p_test, both), "test days"),
        "the Bayes threshold, not chosen on data": (COST_FP / (COST_FP + COST_FN), 0.0, "distinct validation score"),
        "the right threshold, its cost on validation": (right, cost(y_val, p_val, right), "on the test days"),
    }
    if lowest_on_ties != right:
        wrong["lowest of tied thresholds"] = (lowest_on_ties, cost(y_test, p_test, lowest_on_ties), "highest on ties")
    for name, (threshold, reported, reason) in wrong.items():
        message = rejected(lambda: checks.check_threshold_choice(threshold, reported, *periods, COST_FP, COST_FN))
        assert reason in message, (name, message)


def test_when_flagging_nothing_is_cheapest_the_best_finite_score_is_rejected():
    rng = np.random.default_rng(0)
    y_val, y_test = (rng.random(2_000) < 0.01).astype(int), (rng.random(2_000) < 0.01).astype(int)
    # scores that rank every click last: any threshold flags non-clicks first
    p_val, p_test = rng.random(2_000) * (1 - y_val), rng.random(2_000) * (1 - y_test)
    assert ThresholdCurve(y_val, p_val).best_threshold(COST_FP, COST_FN).threshold == np.inf
    distinct = np.unique(p_val)
    costs = ThresholdCurve(y_val, p_val).expected_cost(distinct, COST_FP, COST_FN)
    finite_best = distinct[len(costs) - 1 - np.argmin(costs[::-1])]
    periods = (y_val, p_val, y_test, p_test)
    message = rejected(lambda: checks.check_threshold_choice(
        finite_best, cost(y_test, p_test, finite_best), *periods, COST_FP, COST_FN))
    assert "expected inf" in message
    checks.check_threshold_choice(np.inf, cost(y_test, p_test, np.inf), *periods, COST_FP, COST_FN)


# --- Task 5 ----------------------------------------------------------------------------------------


def lowest_mean_ne(table, budget):
    affordable = table[table["trainings"] <= budget]
    return int(affordable.loc[affordable["mean_normalized_entropy"].idxmin(), "cadence_days"])


def lowest_mean_ne_ignoring_budget(table, budget):
    return int(table.loc[table["mean_normalized_entropy"].idxmin(), "cadence_days"])


def cheapest_affordable(table, budget):
    affordable = table[table["trainings"] <= budget]
    return int(affordable.loc[affordable["trainings"].idxmin(), "cadence_days"])


def cheapest_within_noise_ignoring_budget(table, budget):
    within = table[table["ne_vs_daily_low"] <= 0]
    return int(within.loc[within["trainings"].idxmin(), "cadence_days"])


def cheapest_by_point_estimate(table, budget):
    within = table[(table["trainings"] <= budget) & (table["ne_vs_daily"] <= 0)]
    return int(within.loc[within["trainings"].idxmin(), "cadence_days"])


def cheapest_measurably_better_or_daily(table, budget):
    within = table[(table["trainings"] <= budget) & (table["ne_vs_daily_high"] <= 0)]
    if within.empty:
        return lowest_mean_ne(table, budget)
    return int(within.loc[within["trainings"].idxmin(), "cadence_days"])


def solution(table, budget):
    affordable = table[table["trainings"] <= budget]
    within = affordable[affordable["ne_vs_daily_low"] <= 0]
    if within.empty:
        return int(affordable.loc[affordable["mean_normalized_entropy"].idxmin(), "cadence_days"])
    return int(within.sort_values(["trainings", "cadence_days"], ascending=[True, False])["cadence_days"].iloc[0])


REAL_TABLE = pd.DataFrame({
    "cadence_days": [1, 2, 4, 7], "trainings": [6, 3, 2, 1], "training_rows": [6, 3, 2, 1],
    "mean_normalized_entropy": [0.99, 0.9898, 0.9899, 0.993], "ne_vs_daily": [0, -0.0002, -0.0001, 0.003],
    "ne_vs_daily_low": [0, -0.001, -0.0009, 0.001], "ne_vs_daily_high": [0, 0.0006, 0.0007, 0.005],
})


def test_the_cadence_check_accepts_the_solution(capsys):
    checks.check_cadence_choice(solution, REAL_TABLE, 3)
    assert capsys.readouterr().out.count("✓") == len(checks.CADENCE_CASES) + 1


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        (lowest_mean_ne, "contains 0: no measurable difference"),
        (lowest_mean_ne_ignoring_budget, "contains 0: no measurable difference"),
        (cheapest_affordable, "measurably worse than daily"),
        (cheapest_within_noise_ignoring_budget, "over the budget"),
        (cheapest_by_point_estimate, "contains 0: no measurable difference"),
        (cheapest_measurably_better_or_daily, "contains 0: no measurable difference"),
        (lambda table, budget: "4", "as an int"),
    ],
    ids=["raw argmin", "argmin ignoring the budget", "cheapest ignoring the noise",
         "ignoring the budget", "point estimate, not interval", "only measurably better", "a string"],
)
def test_the_cadence_check_rejects_plausible_wrong_answers_and_says_why(wrong, reason):
    message = rejected(lambda: checks.check_cadence_choice(wrong, REAL_TABLE, 3))
    assert reason in message


def test_the_cadence_rule_on_its_cases():
    answers = {name: checks.cadence_choice(table, budget) for name, (table, budget) in checks.CADENCE_CASES.items()}
    assert answers == {"noise": 4, "budget": 4, "point estimate": 4}
    with pytest.raises(ValueError, match="no cadence fits a budget of 0 trainings"):
        checks.cadence_choice(REAL_TABLE, 0)

"""The ad-click exercise's tasks: beyond the generic test (``tests/test_exercise_tasks.py``: every
solution passes, every listed wrong answer is rejected with its reason), the rules behind the
checks — the threshold chosen on validation and reported on test, the downsampling verdict on
seeds 1-5, the labels known at training time, the cadence rule, the sponsored-search review."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from exercise_checks import rejected
from mlsd.cases.ad_click import exercise
from mlsd.cases.ad_click.data import load_data, split
from mlsd.cases.ad_click.design import design_doc
from mlsd.cases.ad_click.point_in_time import labels_known_at
from mlsd.exercises import ExerciseCheckError
from mlsd.metrics import ThresholdCurve, roc_auc
from mlsd.uncertainty import Interval

COST_FP, COST_FN = 1.0, 30.0


@pytest.fixture(scope="module")
def built():
    """The exercise at its notebook's defaults."""
    return exercise.build(seed=3, n_impressions=60_000)


def task(number):
    return exercise.TASKS[number - 1]


def test_the_tasks_are_numbered_in_order_and_the_facade_builds_them():
    from mlsd.cases import ad_click as case

    assert [t.number for t in exercise.TASKS] == list(range(1, 8))
    assert case.build_exercise is exercise.build and case.exercise is exercise


# --- Task 1 ----------------------------------------------------------------------------------------


def test_the_normalized_entropy_probes_separate_every_wrong_formula(built):
    outcomes = [task(1).outcome(wrong.answer(built.context), built.context) for wrong in task(1).wrong_answers]
    outcomes.append(task(1).outcome(task(1).solution(built.context), built.context))
    assert len({tuple(round(value, 9) for value in outcome) for outcome in outcomes}) == len(outcomes)
    y, p = exercise.SMALL_PROBE
    assert y.mean() != p.mean()


def test_a_normalized_entropy_in_another_log_base_passes(built, capsys):
    def in_bits(y, p):
        y, p = np.asarray(y), np.asarray(p)
        b = y.mean()
        return -np.mean(y * np.log2(p) + (1 - y) * np.log2(1 - p)) / (-b * np.log2(b) - (1 - b) * np.log2(1 - b))
    task(1).check(in_bits, built.context)
    assert capsys.readouterr().out.startswith("✓ ")


# --- Task 2 ----------------------------------------------------------------------------------------


def interval(low, high):
    return Interval((low + high) / 2, low, high, 0.95, 1000)


def test_the_downsampling_verdict_rule():
    verdict = exercise.downsampling_verdict
    assert verdict(interval(-0.03, -0.001), 7.0) == "calibration only"  # measurable, not material
    assert verdict(interval(-0.04, -0.011), 7.0) == "both"
    assert verdict(interval(0.012, 0.03), 1.05) == "AUC only"
    assert verdict(interval(-0.005, 0.005), 0.95) == "neither"


def test_the_paired_auc_change_matches_roc_auc_with_ties():
    rng = np.random.default_rng(0)
    y = (rng.random(3_000) < 0.1).astype(int)
    p_a, p_b = rng.random(3_000) + 0.3 * y, np.round(rng.random(3_000) + 0.5 * y, 2)
    change = exercise.auc_change_interval(y, p_a, p_b, rng.integers(0, 300, 3_000), n_resamples=200)
    assert change.estimate == pytest.approx(roc_auc(y, p_b) - roc_auc(y, p_a), abs=1e-12)
    assert change.low < change.estimate < change.high


@pytest.mark.parametrize("n_impressions", [60_000, 20_000], ids=["defaults", "smallest"])
def test_the_downsampling_verdict_is_the_same_on_seeds_1_to_5(n_impressions):
    verdicts = set()
    for seed in range(1, 6):
        held_out = split(load_data("simulated", seed=seed, n_impressions=n_impressions), exercise.FIRST_TEST_DAY)
        labels = labels_known_at(held_out.train, exercise.FIRST_TEST_DAY)
        evidence = exercise.downsampling_evidence(held_out.train, labels, held_out.test, seed)
        verdicts.add(exercise.downsampling_verdict(evidence.auc_change, evidence.calibration_factor))
    assert verdicts == {"calibration only"}


def test_a_prediction_outside_the_options_names_them(built):
    message = rejected(task(2), "calibration", built.context)
    assert "prediction must be one of 'AUC only', 'calibration only', 'both', 'neither'" in message


def test_a_wrong_prediction_does_not_give_the_answer_away(built):
    for wrong in task(2).wrong_answers:
        assert "calibration only" not in rejected(task(2), wrong.answer(built.context), built.context)


# --- Task 3 ----------------------------------------------------------------------------------------


def cost(y, p, threshold):
    return ThresholdCurve(y, p).expected_cost(threshold, COST_FP, COST_FN)


def test_the_threshold_check_accepts_the_threshold_chosen_on_validation(built, capsys):
    c = built.context
    best = ThresholdCurve(c.y_val, c.p_val).best_threshold(COST_FP, COST_FN).threshold
    task(3).check((best, cost(c.y_later, c.p_later, best)), c)
    assert capsys.readouterr().out.startswith("✓ ")


def test_the_threshold_check_rejects_plausible_wrong_answers_and_says_why(built):
    c = built.context
    right = ThresholdCurve(c.y_val, c.p_val).best_threshold(COST_FP, COST_FN).threshold
    on_test = ThresholdCurve(c.y_later, c.p_later).best_threshold(COST_FP, COST_FN)
    assert on_test.threshold != right  # at the exercise's defaults the two choices differ
    pooled = ThresholdCurve(np.r_[c.y_val, c.y_later], np.r_[c.p_val, c.p_later]).best_threshold(COST_FP, COST_FN)
    assert pooled.threshold != right
    distinct = np.unique(c.p_val)
    lowest_on_ties = distinct[np.argmin(ThresholdCurve(c.y_val, c.p_val).expected_cost(distinct, COST_FP, COST_FN))]
    wrong = {
        "chosen on test": (on_test.threshold, on_test.cost, "minimises cost on the test days"),
        "chosen on validation and test": (pooled.threshold, pooled.cost, "test days"),
        "the Bayes threshold, not chosen on data": (
            COST_FP / (COST_FP + COST_FN), cost(c.y_later, c.p_later, COST_FP / (COST_FP + COST_FN)),
            "distinct validation score"),
        "the right threshold, its cost on validation": (right, cost(c.y_val, c.p_val, right), "on the test days"),
    }
    if lowest_on_ties != right:
        wrong["lowest of tied thresholds"] = (lowest_on_ties, cost(c.y_later, c.p_later, lowest_on_ties),
                                              "highest on ties")
    for name, (threshold, reported, reason) in wrong.items():
        message = rejected(task(3), (threshold, reported), c)
        assert reason in message, (name, message)
    assert "the pair (best_threshold, test_cost)" in rejected(task(3), right, c)


def test_when_flagging_nothing_is_cheapest_the_best_finite_score_is_rejected():
    rng = np.random.default_rng(0)
    y_val, y_test = (rng.random(2_000) < 0.01).astype(int), (rng.random(2_000) < 0.01).astype(int)
    # scores that rank every click last: any threshold flags non-clicks first
    p_val, p_test = rng.random(2_000) * (1 - y_val), rng.random(2_000) * (1 - y_test)
    assert ThresholdCurve(y_val, p_val).best_threshold(COST_FP, COST_FN).threshold == np.inf
    distinct = np.unique(p_val)
    costs = ThresholdCurve(y_val, p_val).expected_cost(distinct, COST_FP, COST_FN)
    finite_best = distinct[len(costs) - 1 - np.argmin(costs[::-1])]
    context = SimpleNamespace(y_val=y_val, p_val=p_val, y_later=y_test, p_later=p_test,
                              cost_fp=COST_FP, cost_fn=COST_FN)
    message = rejected(task(3), (finite_best, cost(y_test, p_test, finite_best)), context)
    assert "expected (inf, " in message
    task(3).check((np.inf, cost(y_test, p_test, np.inf)), context)


# --- Task 4 ----------------------------------------------------------------------------------------


def test_undo_is_the_kits_correction_and_brings_the_mean_towards_the_click_rate(built):
    from mlsd.metrics import undo_downsampling

    c = built.context
    solution = task(4).solution(c)
    assert np.allclose(solution(c.p_down, 0.1), undo_downsampling(c.p_down, 0.1), rtol=1e-12)
    before, after = c.p_down.mean() / c.y_test.mean(), solution(c.p_down, 0.1).mean() / c.y_test.mean()
    assert abs(after - 1) < abs(before - 1)


# --- Task 5 ----------------------------------------------------------------------------------------


def test_the_known_labels_are_the_arrived_clicks_and_each_leak_differs(built):
    c = built.context
    known = task(5).solution(c)
    eventual = c.train["click"].to_numpy()
    assert np.all(known <= eventual) and known.sum() < eventual.sum()  # clicks still to arrive at D
    assert np.array_equal(known, c.train_labels)
    dropped = task(5).wrong_answers[2].answer(c)
    assert len(dropped) == len(known) - (eventual.sum() - known.sum())


def test_known_labels_of_the_wrong_shape_are_named(built):
    message = rejected(task(5), np.zeros((2, 3)), built.context)
    assert "one label per training row (1-D)" in message


# --- Task 6 ----------------------------------------------------------------------------------------


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
    if within.empty:
        return lowest_mean_ne(table, budget)
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
REAL = SimpleNamespace(cadences=REAL_TABLE, budget=3)


def test_the_cadence_check_accepts_the_solution(capsys):
    task(6).check(solution, REAL)
    assert capsys.readouterr().out.startswith("✓ ")


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        (lowest_mean_ne, "the affordable cadence with the best point estimate"),
        (lowest_mean_ne_ignoring_budget, "the lowest mean normalized entropy of every cadence"),
        (cheapest_affordable, "measurably worse"),
        (cheapest_within_noise_ignoring_budget, "filter by trainings <= budget first"),
        (cheapest_by_point_estimate, "ne_vs_daily_low <= 0"),
        (cheapest_measurably_better_or_daily, "the affordable cadence with the best point estimate"),
        (lambda table, budget: "4", "as an int"),
    ],
    ids=["raw argmin", "argmin ignoring the budget", "cheapest ignoring the noise",
         "ignoring the budget", "point estimate, not interval", "only measurably better", "a string"],
)
def test_the_cadence_check_rejects_plausible_wrong_answers_and_says_why(wrong, reason):
    message = rejected(task(6), wrong, REAL)
    assert reason in message
    assert "(4, 4, 4, 4)" not in message  # a choice: the right cadences are not shown


def test_the_cadence_rule_on_its_cases():
    answers = {name: exercise.cadence_choice(table, budget) for name, (table, budget) in exercise.CADENCE_CASES.items()}
    assert answers == {"noise": 4, "budget": 4, "point estimate": 4}
    with pytest.raises(ValueError, match="no cadence fits a budget of 0 trainings"):
        exercise.cadence_choice(REAL_TABLE, 0)


# --- Task 7 ----------------------------------------------------------------------------------------


def test_the_display_doc_shows_its_latency_finding_and_both_variant_problems():
    problems = exercise.search_doc_problems(design_doc())
    assert problems == tuple(sorted([
        "Serving: the dependencies' p99s add up to 61 ms, over the 50 ms budget",
        "Decision: the decision does not name the query",
        "Serving: no query-understanding or keyword-matching Dependency",
    ]))


def test_the_sponsored_search_doc_passes_its_review():
    doc = exercise.sponsored_search_doc()
    assert doc.review().passed and exercise.search_doc_problems(doc) == ()


def test_a_search_doc_that_is_not_a_design_doc_is_named(built):
    assert "search_doc must be a DesignDoc; got dict" in rejected(task(7), {}, built.context)

"""The delivery-ETA exercise's tasks: every solution passes and every listed wrong answer is
rejected with its reason on seeds 1-5 (at the notebook's defaults and its smallest size), the rules
behind the checks by hand, and the answers and sentences the notebook states."""

import io
from contextlib import redirect_stdout

import nbformat
import numpy as np
import pandas as pd
import pytest

from exercise_checks import rejected
from mlsd.cases.delivery_eta import exercise
from mlsd.cases.delivery_eta.promise import conformal_correction, coverage, coverage_by
from mlsd.cases.delivery_eta.simulate import simulate_orders
from mlsd.exercises import strip_solutions
from mlsd.records import read_records
from mlsd.runs.catalog import default_root, load

ROOT = default_root()
NOTEBOOK = ROOT / "exercises" / "05_delivery_eta.ipynb"
SMALLEST, DEFAULT = 20_000, 60_000


def quietly(function, **arguments):
    with redirect_stdout(io.StringIO()):
        return function(**arguments)


@pytest.fixture(scope="module")
def built():
    return quietly(exercise.build, seed=2, n_orders=SMALLEST)


@pytest.fixture(scope="module", params=[1, 2, 3, 4, 5])
def at_defaults(request):
    return quietly(exercise.build, seed=request.param, n_orders=DEFAULT)


def task(number):
    return exercise.TASKS[number - 1]


def assert_every_check_holds(ex):
    c = ex.context
    assert len(ex.tasks) >= 6
    for t in ex.tasks:
        quietly(t.check, answer=t.solution(c), context=c)
        assert len(t.wrong_answers) >= 2, t.number
        for wrong in t.wrong_answers:
            assert wrong.why in rejected(t, wrong.answer(c), c), (t.number, wrong.name)


def test_the_tasks_are_numbered_in_order_and_the_facade_builds_them():
    from mlsd.cases import delivery_eta as case

    assert [t.number for t in exercise.TASKS] == list(range(1, 7))
    assert case.build_exercise is exercise.build and case.TASKS is exercise.TASKS


def test_the_notebook_declares_the_sizes_the_tests_use():
    info = load(NOTEBOOK, ROOT)
    assert info.parameters["n_orders"].default == DEFAULT
    assert info.smallest == {"n_orders": SMALLEST}


def test_every_check_holds_and_the_stated_answers_hold_at_the_defaults(at_defaults):
    assert_every_check_holds(at_defaults)
    c = at_defaults.context
    # Task 1: the cheapest buffer lies inside the grid, well short of the longest, and is late on
    # fewer orders than a 0.8 quantile ("here that is less")
    best = exercise.cheapest_buffer(c.frontier)
    assert 0 < best < max(exercise.BUFFERS) / 2
    assert c.frontier.set_index("buffer").loc[best, "late_rate"] < 1 - exercise.ALPHA
    # Task 2: "covers close to 80%, while per market its coverage spreads wider"
    test = c.promise[c.promise["period"] == "test"]
    corrected = test["quote"] + exercise.TASKS[1].solution(c)
    overall = coverage(test["actual"], corrected)
    by_market = coverage_by(test["actual"], corrected, test["market"])["coverage"]
    assert abs(overall - 0.8) < 0.03
    assert by_market.max() - by_market.min() > abs(overall - 0.8)
    # Task 3: "the food's wait correlates more than any servable candidate"
    corr = c.candidates["corr"]
    assert corr["true_wait_min"] > corr[sorted(exercise.SERVABLE)].max()
    # Task 4: the alert names the market the shock hit
    assert exercise.alerted_market(c.drift) == c.shocked_market
    # Task 6: "the two changes add up to the 5 minutes exactly ... roughly in half"
    assert exercise.dispatch_verdict(c.dispatch) == "less courier idle, more food waiting"
    idle_fall = c.dispatch["courier_idle"].iloc[0] - c.dispatch["courier_idle"].iloc[1]
    wait_rise = c.dispatch["food_waiting"].iloc[1] - c.dispatch["food_waiting"].iloc[0]
    assert idle_fall + wait_rise == pytest.approx(exercise.DISPATCH_DELAY_MIN, rel=1e-9)
    assert 0.35 < idle_fall / exercise.DISPATCH_DELAY_MIN < 0.65
    duration_rise = c.dispatch["duration"].iloc[1] - c.dispatch["duration"].iloc[0]
    assert duration_rise == pytest.approx(wait_rise, rel=1e-9)


def markets_of(seed, **sizes):
    return simulate_orders(seed=seed, **sizes).markets


@pytest.mark.parametrize("seed", [1, 3, 4, 5])
def test_every_check_holds_at_the_smallest_size(seed):
    assert_every_check_holds(quietly(exercise.build, seed=seed, n_orders=SMALLEST))


def test_the_shocked_market_is_the_best_staffed_of_the_exercise_world(built):
    c = built.context
    world = markets_of(c.seed, n_orders=SMALLEST, supply_shift=exercise.SUPPLY_SHIFT,
                       shift_market=c.shocked_market)
    pd.testing.assert_frame_equal(world, markets_of(c.seed, n_orders=1_000, n_days=2, n_stores=6,
                                                    shift_day=0))
    assert c.shocked_market == int(np.argmin(world["utilisation"].to_numpy()))


def test_the_cheapest_buffer_is_the_first_of_least_cost():
    frontier = pd.DataFrame({"buffer": [0.0, 2.0, 4.0, 6.0], "expected_cost": [3.0, 1.0, 1.0, 2.0]})
    assert exercise.cheapest_buffer(frontier) == 2.0


def test_a_buffer_off_the_grid_a_market_not_in_the_table_and_an_unknown_feature_are_named(built):
    assert "buffer must be one of" in rejected(task(1), 7.0, built.context)
    assert "the answer must be a number" in rejected(task(2), "0.3", built.context)
    message = rejected(task(3), {"store_load", "weather_api"}, built.context)
    assert "servable must be a set of the candidates' names" in message
    assert "market must be one of" in rejected(task(4), 17, built.context)
    assert "prediction must be one of" in rejected(task(6), "less idle", built.context)


def test_the_conformal_rank_differs_from_the_interpolated_quantile_by_hand():
    residuals = np.arange(1.0, 11.0)  # n = 10: k = ceil(11 * 0.8) = 9, np.quantile: 8.2
    assert conformal_correction(residuals, exercise.ALPHA) == 9.0
    assert np.quantile(residuals, exercise.ALPHA) == pytest.approx(8.2)


def test_the_hand_orders_hold_late_and_on_time_orders_rounded(built):
    hand = built.context.hand
    late = hand["actual"] > hand["quote"]
    assert (late.sum(), (~late).sum()) == (exercise.HAND_LATE, exercise.HAND_ON_TIME)
    assert np.allclose(hand.to_numpy() * 10, np.round(hand.to_numpy() * 10))


def test_the_pinball_loss_by_its_formula():
    hand = pd.DataFrame({"actual": [30.0, 20.0], "quote": [25.0, 22.0]})
    context = type("C", (), {"hand": hand})()
    # late by 5: 0.8 * 5 = 4; early by 2: 0.2 * 2 = 0.4; mean 2.2
    assert task(5).solution(context) == pytest.approx(2.2, rel=1e-12)


def test_the_alert_is_the_largest_rise_of_the_last_week():
    drift = pd.DataFrame({"test_orders": [900, 100], "mean_min_before": [40.0, 25.0],
                          "residual_week_2": [3.0, -1.0], "residual_week_3": [4.0, 2.5]})
    assert exercise.alerted_market(drift) == 1


def test_the_dispatch_rule_names_each_change():
    table = pd.DataFrame({"courier_idle": [6.0, 3.0], "food_waiting": [5.0, 5.01]})
    assert exercise.dispatch_verdict(table) == "less courier idle, as much food waiting"


def test_the_student_copy_checks_through_the_package_and_every_task_has_two_hints():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    student = strip_solutions(notebook)
    checks = [cell.source for cell in student.cells if "check" in cell.metadata.get("tags", [])]
    assert len(checks) == len(exercise.TASKS)
    for number, source in enumerate(checks, start=1):
        assert source.startswith(f"ex.check({number}, ") and source.count("\n") == 0, source
    headings = [cell.source for cell in notebook.cells
                if cell.cell_type == "markdown" and cell.source.startswith("## Task ")]
    assert len(headings) == len(exercise.TASKS)
    for heading in headings:
        assert heading.count("<summary>Hint 1") == 1 and heading.count("<summary>Hint 2") == 1


def test_the_committed_notebook_records_every_task_passed():
    records = read_records(NOTEBOOK)
    assert {records[f"task{n}_passed"] for n in range(1, 7)} == {True}
    assert records["task6"] == "less courier idle, more food waiting"

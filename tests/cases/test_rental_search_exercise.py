"""The rental-search exercise's tasks: beyond the generic test (``tests/test_exercise_tasks.py``:
every solution passes, every listed wrong answer is rejected with its reason), the rules behind
the checks and the answers the notebook states, on seeds 1-5."""

import io
from contextlib import redirect_stdout

import pandas as pd
import pytest

from exercise_checks import rejected
from mlsd.cases.rental_search import exercise
from mlsd.records import read_records
from mlsd.runs.catalog import default_root

SMALLEST = 10_000
NOTEBOOK = default_root() / "exercises" / "04_rental_search.ipynb"


def quietly(function, **arguments):
    with redirect_stdout(io.StringIO()):
        return function(**arguments)


@pytest.fixture(scope="module")
def built():
    return quietly(exercise.build, seed=2, n_searches=SMALLEST)


def task(number):
    return exercise.TASKS[number - 1]


def test_the_tasks_are_numbered_in_order_and_the_facade_builds_them():
    from mlsd.cases import rental_search as case

    assert [t.number for t in exercise.TASKS] == list(range(1, 7))
    assert case.build_exercise is exercise.build


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_every_check_holds_and_the_stated_answers_hold_on_seeds_1_to_5(seed):
    ex = quietly(exercise.build, seed=seed, n_searches=SMALLEST)
    c = ex.context
    for t in ex.tasks:
        quietly(t.check, answer=t.solution(c), context=c)
        for wrong in t.wrong_answers:
            assert wrong.why in rejected(t, wrong.answer(c), c), (t.number, wrong.name)
    assert 0 < exercise.largest_boost_within(c.boosts) < max(exercise.BOOSTS)
    assert exercise.two_sided_verdict(c.two_sided) == "more bookings, fewer rejections"
    book, request = (c.two_sided.loc[name] for name in reversed(list(exercise.OBJECTIVES)))
    assert book["rejections"] < 0.85 * request["rejections"]  # "a fifth or more"
    assert book["bookings"] < 1.05 * request["bookings"]  # "a few percent"
    assert c.boosts["ndcg_loss"].is_monotonic_increasing


def test_gains_pass_at_any_positive_scale_and_a_missing_grade_is_named(built, capsys):
    dollars = built.context.values
    task(1).check(dict(dollars), built.context)
    assert capsys.readouterr().out.startswith("✓ ")
    assert "gains must name exactly the grades" in rejected(task(1), {"booked": 1}, built.context)
    negative = {**dollars, "booked": -1.0}
    assert "gains['booked'] must be positive" in rejected(task(1), negative, built.context)


def test_the_examination_ratio_is_the_random_searches_click_rates():
    log = pd.DataFrame({"random_order": [True] * 4 + [False] * 2, "position": [1, 5, 1, 5, 1, 5],
                        "click": [1, 1, 1, 0, 0, 0], "booked": 0})
    assert exercise.examination_ratio(log) == 0.5


def test_the_boost_rule_is_the_largest_within_the_budget():
    table = pd.DataFrame({"ndcg_loss": [0.0, 0.004, 0.01, 0.02]}, index=[0.0, 0.5, 1.0, 2.0])
    assert exercise.largest_boost_within(table) == 1.0
    with pytest.raises(ValueError, match="no boost loses at most 0.001"):
        exercise.largest_boost_within(table.iloc[1:], 0.001)


def test_a_boost_off_the_table_and_a_column_not_in_the_file_are_named(built):
    assert "boost must be one of" in rejected(task(3), 0.75, built.context)
    message = rejected(task(4), {"price"}, built.context)
    assert "leaky must be a set of the Kaggle columns" in message


def test_the_hand_ndcg_by_its_formula():
    gains = {"booked": 1.0, "rejected": -0.4, "long_click": 0.02, "click": 0.01, "viewed": 0.0}
    shown = ["click", "rejected", "viewed", "viewed", "viewed", "booked"]
    dcg = 0.01
    ideal = 1 + 0.01 / 1.584962500721156
    assert exercise.hand_ndcg(shown, gains) == pytest.approx(dcg / ideal, rel=1e-12)


def test_the_committed_notebook_records_every_task_passed():
    records = read_records(NOTEBOOK)
    assert {records[f"task{n}_passed"] for n in range(1, 7)} == {True}
    assert records["task6"] == "more bookings, fewer rejections"

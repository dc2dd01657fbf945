"""Exercise tasks: the check's three outcomes on a toy task, and, for every case's exercise, that
each task's solution passes and each of its listed wrong answers is rejected with its own reason —
at the exercise notebook's defaults, at its smallest sizes, and on a second seed."""

import importlib
import json

import nbformat
import numpy as np
import pytest

from mlsd.cases import CASES
from mlsd.exercise_tasks import Exercise, Task, WrongAnswer, same
from mlsd.exercises import ExerciseCheckError, strip_solutions
from mlsd.records import RECORD_MIME
from mlsd.runs.catalog import default_root, load

ROOT = default_root()


def mean_of(context):
    return float(np.mean(context["values"]))


TOY = Task(
    number=1, what="mean of the values", solution=mean_of,
    wrong_answers=[WrongAnswer("the median", lambda c: float(np.median(c["values"])),
                               "that is the median: the middle value, not the mean")],
    hint="add them up and divide by how many there are", why_right="The mean weighs every value.")
TOY_FUNCTION = Task(
    number=2, what="the mean function", solution=lambda c: np.mean,
    wrong_answers=[WrongAnswer("the first value", lambda c: (lambda v: v[0]), "only the first value")],
    hint="use every value", outcome=lambda answer, c: [answer(probe) for probe in c["probes"]],
    shows_expected=False)
CONTEXT = {"values": [1.0, 2.0, 9.0], "probes": [[1.0, 3.0], [4.0, 0.0, 2.0]]}


def rejection(task, answer, context=CONTEXT) -> str:
    with pytest.raises(ExerciseCheckError) as caught:
        task.check(answer, context)
    message = str(caught.value)
    assert message.startswith("✗ ") and "\n" not in message
    return message


def test_a_right_answer_passes_and_says_why(capsys):
    TOY.check(4.0 + 1e-12, CONTEXT)
    assert capsys.readouterr().out == "✓ mean of the values: 4. The mean weighs every value.\n"


def test_a_listed_wrong_answer_gets_its_own_reason_and_another_gets_the_hint():
    assert "that is the median" in rejection(TOY, 2.0)
    message = rejection(TOY, 5.0)
    assert message == "✗ mean of the values: expected 4, got 5. add them up and divide by how many there are"


def test_a_choice_task_does_not_give_the_answer_away_and_a_raising_function_is_one_line():
    message = rejection(TOY_FUNCTION, lambda v: v[0])
    assert message == "✗ the mean function: got (1, 4). only the first value"
    message = rejection(TOY_FUNCTION, lambda v: v[10])
    assert message == "✗ the mean function: your answer raised IndexError: list index out of range"


def test_outcomes_compare_by_kind():
    assert same(1, 1.0 + 1e-12, 1e-9) and not same(1, 1.01, 1e-9)
    assert not same(True, 1, 1e-9) and same(np.bool_(True), True, 1e-9)
    assert same({"a", "b"}, {"b", "a"}, 0) and not same({"a"}, ["a"], 0)
    assert same((1, "x"), [1.0, "x"], 1e-9) and not same((1, 2), (1, 2, 3), 1e-9)
    assert same(np.arange(3), np.arange(3.0), 1e-9) and not same(np.arange(3), np.arange(4), 1e-9)


def test_an_exercise_checks_by_number_records_the_outcome_and_names_the_allowed_numbers(capsys):
    exercise = Exercise([TOY], CONTEXT)
    exercise.check(1, 4.0)
    out = capsys.readouterr().out
    assert "recorded task1_passed = True" in out and "recorded task1 = 4" in out
    with pytest.raises(ExerciseCheckError):
        exercise.check(1, 2.0)
    assert "recorded task1_passed = False" in capsys.readouterr().out
    with pytest.raises(ValueError, match="task number must be an int from 1 to 1; got 2"):
        exercise.check(2, 4.0)
    with pytest.raises(ValueError, match=r"numbered 1, 2, ... in order; got \[2\]"):
        Exercise([TOY_FUNCTION], CONTEXT)


# --- every case's exercise ------------------------------------------------------------------------


def exercise_module(case):
    return importlib.import_module(f"{case.package}.exercise")


def sizes_of(case, preset: str) -> dict:
    info = load(ROOT / case.exercise, ROOT)
    values = {name: parameter.default for name, parameter in info.parameters.items()}
    if preset == "smallest":
        values.update(info.smallest)
    return values


@pytest.fixture(scope="module", params=[(case, preset) for case in CASES for preset in ("defaults", "smallest")],
                ids=lambda p: f"{p[0].name}-{p[1]}")
def built(request):
    case, preset = request.param
    values = sizes_of(case, preset)
    if preset == "smallest":
        values["seed"] = values["seed"] % 5 + 1  # another seed than the defaults'
    return case, exercise_module(case).build(**values)


def test_every_task_accepts_its_solution_and_rejects_each_wrong_answer_with_its_reason(built):
    case, exercise = built
    assert len(exercise.tasks) >= 6, f"{case.name}: an exercise has at least six tasks"
    for task in exercise.tasks:
        task.check(task.solution(exercise.context), exercise.context)
        assert len(task.wrong_answers) >= 2, f"{case.name} task {task.number}: list its plausible wrong answers"
        for wrong in task.wrong_answers:
            message = rejection(task, wrong.answer(exercise.context), exercise.context)
            assert wrong.why in message, (case.name, task.number, wrong.name, message)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_student_copy_checks_through_the_package_and_every_task_has_two_hints(case):
    notebook = nbformat.read(ROOT / case.exercise, as_version=4)
    student = strip_solutions(notebook)
    checks = [cell.source for cell in student.cells if "check" in cell.metadata.get("tags", [])]
    tasks = exercise_module(case).TASKS
    assert len(checks) == len(tasks)
    for number, source in enumerate(checks, start=1):
        assert source.startswith(f"ex.check({number}, ") and source.count("\n") == 0, source
    headings = [cell.source for cell in notebook.cells
                if cell.cell_type == "markdown" and cell.source.startswith("## Task ")]
    assert len(headings) == len(tasks)
    for heading in headings:
        assert heading.count("<summary>Hint 1") == 1 and heading.count("<summary>Hint 2") == 1, heading[:40]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_committed_exercise_passes_every_check(case):
    records = {}
    for cell in json.loads((ROOT / case.exercise).read_text())["cells"]:
        for output in cell.get("outputs", []):
            if RECORD_MIME in output.get("data", {}):
                entry = output["data"][RECORD_MIME]
                records[entry["name"]] = entry["value"]
    passed = {name: value for name, value in records.items() if name.endswith("_passed")}
    assert passed == {f"task{n}_passed": True for n in range(1, len(exercise_module(case).TASKS) + 1)}

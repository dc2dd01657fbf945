"""Tests for mlsd.exercises: check messages, solution stripping, `mlsd student`, and exercise notebooks end to end."""

from pathlib import Path

import nbformat
import numpy as np
import pytest
from kit_factory import KIT_ROOT, run_mlsd
from nbclient import NotebookClient

from mlsd.exercises import (
    ExerciseCheckError,
    build_student_version,
    check_close,
    check_equal,
    check_true,
    strip_solutions,
)
from mlsd.runs.catalog import discover
from mlsd.runs.kernel import IPCKernelManager

PLACEHOLDER = ["# YOUR CODE HERE", 'raise NotImplementedError("write your solution here")']
EXERCISES = [nb for nb in discover(KIT_ROOT) if nb.path.is_relative_to(KIT_ROOT / "exercises")]


def notebook_of(*cells):
    """A notebook of code cells (strings) and ready-made cells, with a Python kernelspec."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(cell) if isinstance(cell, str) else cell for cell in cells]
    return notebook


def check_cell(source):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["check"]
    return cell


def execute(notebook, folder: Path, *, allow_errors=False):
    NotebookClient(
        notebook,
        timeout=120,
        kernel_manager_class=IPCKernelManager,
        resources={"metadata": {"path": str(folder)}},
        allow_errors=allow_errors,
    ).execute()
    return notebook


def check_cells(notebook):
    return [cell for cell in notebook.cells if "check" in cell.metadata.get("tags", [])]


def errors(cell):
    return [output for output in cell.outputs if output.output_type == "error"]


def printed(cell):
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


# --- the checks ----------------------------------------------------------------------------------


def failure_of(check, *args, **kwargs) -> str:
    with pytest.raises(ExerciseCheckError) as caught:
        check(*args, what="late share", hint="compare with the promise", **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    assert caught.value._render_traceback_() == [message]
    return message


def test_a_passing_check_prints_one_line_with_the_value(capsys):
    check_close(0.25000001, 0.25, what="late share", hint="unused")
    check_equal("paris", "paris", what="busiest city", hint="unused")
    check_true(np.float64(0.3) < 0.5, what="threshold below one half", hint="unused")
    assert capsys.readouterr().out.splitlines() == ["✓ late share: 0.25", "✓ busiest city: 'paris'", "✓ threshold below one half: True"]


def test_a_failing_check_names_what_expected_got_and_the_hint():
    assert failure_of(check_close, 0.75, 0.25) == "✗ late share: expected 0.25, got 0.75. Hint: compare with the promise"
    assert failure_of(check_equal, "lyon", "paris") == "✗ late share: expected 'paris', got 'lyon'. Hint: compare with the promise"
    assert failure_of(check_true, False) == "✗ late share: expected True, got False. Hint: compare with the promise"


def test_check_close_tolerances_are_relative_then_absolute():
    check_close(100.00005, 100.0, what="x", hint="h")
    assert "expected 100, got 100.001" in failure_of(check_close, 100.001, 100.0)
    check_close(100.5, 100.0, what="x", hint="h", rel=0.01)
    check_close(1e-9, 0.0, what="x", hint="h", abs=1e-8)
    assert "expected 0, got 1e-09" in failure_of(check_close, 1e-9, 0.0)


def test_an_infinite_expected_value_is_matched_only_by_the_same_infinity():
    check_close(float("inf"), float("inf"), what="x", hint="h")
    assert "expected inf, got 0.0639" in failure_of(check_close, 0.0639, float("inf"))
    assert "expected inf, got -inf" in failure_of(check_close, -np.inf, np.inf)
    assert "wrong values: 1 of 2" in failure_of(check_close, [1.0, 5.0], [1.0, np.inf])


def test_numbers_that_round_alike_are_shown_with_enough_digits_to_differ():
    assert "expected 0.333333, got 0.333334" in failure_of(check_close, 1 / 3 + 1e-6, 1 / 3)
    assert "expected 0.3333333333, got 0.3333333343" in failure_of(check_close, 1 / 3 + 1e-9, 1 / 3, rel=1e-12)


@pytest.mark.parametrize(
    ("actual", "shown"),
    [
        (None, "got None (not a number)"),
        ("0.25", "got '0.25' (of type str, not a number)"),
        (True, "got True (of type bool, not a number)"),
        ([0.25], "expected a single value, got an array of shape (1,)"),
        (float("nan"), "got nan"),
    ],
)
def test_check_close_explains_an_answer_of_the_wrong_type_or_shape(actual, shown):
    assert shown in failure_of(check_close, actual, 0.25)


def test_check_close_on_arrays_summarises_them_and_points_at_the_first_wrong_value():
    expected = np.arange(100.0)
    actual = expected.copy()
    actual[[17, 40]] += 0.5
    message = failure_of(check_close, actual, expected)
    assert "expected [0, 1, 2, 3, 4, …, 99] (100 values)" in message
    assert "(wrong values: 2 of 100; the first, at index 17, is 17.5 instead of 17)" in message
    assert "expected an array of shape (100,), got an array of shape (99,)" in failure_of(check_close, actual[:-1], expected)
    assert "(of type list, not an array of numbers)" in failure_of(check_close, [1.0, None], [1.0, 2.0])
    check_close([0.1, 0.2], np.array([0.1, 0.2]), what="x", hint="h")


def test_check_equal_compares_arrays_element_by_element_and_shapes_first():
    check_equal(np.array([1, 2, 3]), [1, 2, 3], what="x", hint="h")
    assert "(wrong values: 1 of 3; the first, at index 2, is 3 instead of 4)" in failure_of(check_equal, np.array([1, 2, 3]), [1, 2, 4])
    assert "expected an array of shape (2,), got an array of shape (3,)" in failure_of(check_equal, np.array([1, 2, 3]), np.array([1, 2]))
    assert "is 'a' instead of 1" in failure_of(check_equal, np.array(["a", "b"]), np.array([1, 2]))
    assert "expected {1, 2, 3}, got {1, 2}" in failure_of(check_equal, {1, 2}, {1, 2, 3})


@pytest.mark.parametrize(
    ("condition", "shown"),
    [
        (np.array([True, False]), "got [True, False] (of type ndarray, not one True or False"),
        (None, "got None (not one True or False"),
        (1, "got 1 (of type int, not one True or False"),
    ],
)
def test_check_true_needs_one_bool(condition, shown):
    assert shown in failure_of(check_true, condition)


# --- stripping solutions -------------------------------------------------------------------------


def stripped_source(source: str) -> list[str]:
    return strip_solutions(notebook_of(source)).cells[0].source.split("\n")


def test_code_outside_solutions_is_kept_and_the_region_becomes_the_placeholder():
    source = "import numpy as np\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION\nprint(answer)"
    assert stripped_source(source) == ["import numpy as np", *PLACEHOLDER, "print(answer)"]


def test_the_placeholder_keeps_the_indentation_of_the_begin_marker():
    source = "def late_share(delays, promise):\n    \"\"\"Share of late deliveries.\"\"\"\n    ### BEGIN SOLUTION\n    late = delays > promise\n    return late.mean()\n    ### END SOLUTION\n"
    assert stripped_source(source) == [
        "def late_share(delays, promise):",
        '    """Share of late deliveries."""',
        *("    " + line for line in PLACEHOLDER),
        "",
    ]


def test_every_region_of_a_cell_is_replaced():
    source = "a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\nc = 3\nif c:\n    ### BEGIN SOLUTION\n    d = 4\n    ### END SOLUTION\ne = 5"
    assert stripped_source(source) == ["a = 1", *PLACEHOLDER, "c = 3", "if c:", *("    " + line for line in PLACEHOLDER), "e = 5"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x = 1\n### BEGIN SOLUTION\ny = 2", "cell 1, line 2: BEGIN SOLUTION without a matching END SOLUTION"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "cell 1, line 2: BEGIN SOLUTION inside the solution region opened on line 1"),
        ("y = 2\n### END SOLUTION", "cell 1, line 2: END SOLUTION without a BEGIN SOLUTION before it"),
    ],
)
def test_unbalanced_markers_are_errors_naming_the_cell(source, message):
    with pytest.raises(ValueError, match=message):
        strip_solutions(notebook_of("fine = True", source))


def test_outputs_and_counts_are_cleared_markdown_kept_and_the_original_left_alone():
    markdown = nbformat.v4.new_markdown_cell("Explain.\n### BEGIN SOLUTION\nkept in markdown\n### END SOLUTION")
    solved = notebook_of(markdown, "### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    solved.cells[1].execution_count = 3
    solved.cells[1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    student = strip_solutions(solved)
    assert student.cells[0].source == markdown.source
    assert (student.cells[1].execution_count, student.cells[1].outputs) == (None, [])
    assert (solved.cells[1].execution_count, solved.cells[1].source) == (3, "### BEGIN SOLUTION\nx = 1\n### END SOLUTION")


def test_build_student_version_writes_the_stripped_notebook_and_refuses_to_overwrite_the_solved_one(tmp_path):
    source = tmp_path / "solved.ipynb"
    nbformat.write(notebook_of("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), source)
    destination = build_student_version(source, tmp_path / "student" / "deep" / "01_case.ipynb")
    assert nbformat.read(destination, as_version=4).cells[0].source.split("\n") == PLACEHOLDER
    assert sorted(p.name for p in destination.parent.iterdir()) == ["01_case.ipynb"]  # no temporary file left behind
    with pytest.raises(ValueError, match="is the solved notebook itself"):
        build_student_version(source, tmp_path / "." / "solved.ipynb")


# --- `mlsd student` ------------------------------------------------------------------------------


def test_mlsd_student_writes_each_selected_exercise_under_the_same_relative_path(tiny_kit, tmp_path):
    nbformat.write(notebook_of("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), tiny_kit / "exercises" / "01_toy_case.ipynb")
    out = tmp_path / "student"
    result = run_mlsd("--root", str(tiny_kit), "student", "toy_case", "--out", str(out))
    assert result.returncode == 0, result.stderr
    written = out / "exercises" / "01_toy_case.ipynb"
    assert result.stdout.splitlines() == [f"exercises/01_toy_case.ipynb -> {written}"]
    assert nbformat.read(written, as_version=4).cells[0].source.split("\n") == PLACEHOLDER
    assert [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()] == ["exercises/01_toy_case.ipynb"]
    assert run_mlsd("--root", str(tiny_kit), "student", "--all", "--out", str(tmp_path / "all")).returncode == 0


def test_mlsd_student_rejects_targets_without_exercises_and_broken_markers_in_one_line(tiny_kit, tmp_path):
    result = run_mlsd("--root", str(tiny_kit), "student", "start_here", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"mlsd student: no exercise notebook among the targets; exercises are the notebooks under {tiny_kit.resolve() / 'exercises'}"]
    assert not (tmp_path / "out").exists()
    nbformat.write(notebook_of("### BEGIN SOLUTION\nx = 1"), tiny_kit / "exercises" / "01_toy_case.ipynb")
    result = run_mlsd("--root", str(tiny_kit), "student", "01", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["mlsd student: exercises/01_toy_case.ipynb: cell 0, line 1: BEGIN SOLUTION without a matching END SOLUTION"]


# --- exercise notebooks end to end ---------------------------------------------------------------

SOLVED_EXERCISE = [
    nbformat.v4.new_markdown_cell("# Deliveries\nTask 1: the share of late deliveries. Task 2: the busiest city."),
    "import numpy as np\nfrom mlsd.exercises import check_close, check_equal\ndelays = np.array([5.0, 12.0, 31.0, 8.0])\ncities = ['paris', 'lyon', 'paris']",
    "def late_share(delays, promise):\n    ### BEGIN SOLUTION\n    return float(np.mean(delays > promise))\n    ### END SOLUTION",
    check_cell("check_close(late_share(delays, 10.0), 0.5, what='share of late deliveries', hint='late means delay > promise')"),
    "### BEGIN SOLUTION\nbusiest = max(set(cities), key=cities.count)\n### END SOLUTION",
    check_cell("check_equal(busiest, 'paris', what='busiest city', hint='count each city')"),
]


def at_smallest_sizes(notebook, values: dict) -> None:
    """Inject ``values`` after the parameters cell, as papermill and `mlsd run --smallest` do."""
    index = next(i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
    injected = nbformat.v4.new_code_cell("\n".join(f"{name} = {value!r}" for name, value in values.items()))
    notebook.cells.insert(index + 1, injected)


def assert_checks_pass_when_solved(notebook, folder: Path):
    checks = check_cells(notebook)
    assert checks, "the exercise has no cell tagged 'check'"
    execute(notebook, folder)
    for cell in checks:
        assert not errors(cell), cell.source
        assert "✓" in printed(cell), f"check cell printed no ✓ line: {cell.source}"


def assert_every_check_fails_without_solutions(notebook, folder: Path):
    execute(notebook, folder, allow_errors=True)
    passing = [cell.source for cell in check_cells(notebook) if not errors(cell)]
    assert not passing, f"these checks pass without any solution: {passing}"


def test_a_solved_exercise_passes_its_checks_and_its_student_version_fails_every_one(tmp_path):
    solved_path = tmp_path / "exercises" / "01_deliveries.ipynb"
    solved_path.parent.mkdir()
    nbformat.write(notebook_of(*SOLVED_EXERCISE), solved_path)
    assert_checks_pass_when_solved(nbformat.read(solved_path, as_version=4), solved_path.parent)
    student_path = build_student_version(solved_path, tmp_path / "student" / "01_deliveries.ipynb")
    assert_every_check_fails_without_solutions(nbformat.read(student_path, as_version=4), student_path.parent)


def test_a_failing_check_shows_one_line_and_no_traceback_in_the_notebook(tmp_path):
    notebook = execute(
        notebook_of("from mlsd.exercises import check_close\ncheck_close(0.75, 0.25, what='late share', hint='compare with the promise')"),
        tmp_path,
        allow_errors=True,
    )
    [error] = errors(notebook.cells[0])
    assert error.ename == "ExerciseCheckError"
    assert error.traceback == ["✗ late share: expected 0.25, got 0.75. Hint: compare with the promise"]


@pytest.mark.notebooks
@pytest.mark.parametrize("exercise", EXERCISES, ids=[nb.name for nb in EXERCISES])
def test_kit_exercise_passes_when_solved_and_fails_every_check_as_handed_out(exercise):
    # solved: the committed outputs, which nbval re-executes and compares in the same test run
    solved = nbformat.read(exercise.path, as_version=4)
    checks = check_cells(solved)
    assert checks, "the exercise has no cell tagged 'check'"
    for cell in checks:
        assert not errors(cell) and "✓" in printed(cell), f"check cell did not pass: {cell.source}"
    student = strip_solutions(nbformat.read(exercise.path, as_version=4))
    assert any(PLACEHOLDER[1] in cell.source for cell in student.cells), "the exercise has no ### BEGIN SOLUTION region"
    at_smallest_sizes(student, exercise.smallest)
    assert_every_check_fails_without_solutions(student, exercise.path.parent)

"""The exercises as an nbgrader course: each cell's role, the course folder and its student
versions (grading it is tests/test_grading.py's)."""

import json
import shutil

import nbformat
import pytest
from kit_factory import KIT_ROOT, run_mlsd

from mlsd import course

EXERCISES = sorted((KIT_ROOT / "exercises").glob("*.ipynb"))
DELIVERY = KIT_ROOT / "exercises" / "05_delivery_eta.ipynb"
NAME = DELIVERY.stem


def _code(cell_source, tags=()):
    return nbformat.v4.new_code_cell(cell_source, metadata={"tags": list(tags)})


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_every_exercise_becomes_checks_solutions_and_read_only_cells(path):
    notebook = nbformat.read(path, as_version=4)
    converted = course.course_notebook(notebook)
    roles = [cell.metadata["nbgrader"] for cell in converted.cells if cell.cell_type == "code"]
    checks = [role for role in roles if role["grade"]]
    assert len(checks) >= 6 and all(role["locked"] and role["points"] == 1 for role in checks)
    assert [role["grade_id"] for role in checks] == [f"task{n}" for n in range(1, len(checks) + 1)]
    solutions = [role for role in roles if role["solution"]]
    assert solutions and not any(role["locked"] for role in solutions)
    assert all(role["locked"] for role in roles if not role["solution"])
    assert len({role["grade_id"] for role in roles}) == len(roles)
    assert all(not cell.get("outputs") for cell in converted.cells if cell.cell_type == "code")
    assert "nbgrader" not in json.dumps(nbformat.read(path, as_version=4).cells[1].metadata)


def test_a_cell_whose_role_cannot_be_read_is_named():
    with pytest.raises(ValueError, match="code cell 3 is tagged check but calls no ex.check"):
        course.cell_role(_code("print(1)", ["check"]), 3, None)
    with pytest.raises(ValueError, match="code cell 2 holds a solution but no check cell follows"):
        course.cell_role(_code("### BEGIN SOLUTION\nx = 1\n### END SOLUTION"), 2, None)
    assert course.cell_role(_code("ex.check(4, x)", ["check"]), 7, 4).grade_id == "task4"
    assert course.cell_role(_code("x = 1"), 7, 4) == course.CellRole("read-only", "setup_7")


@pytest.fixture(scope="module")
def delivery_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course") / "workshop"
    course.init_course(root, {NAME: DELIVERY})
    return root


@pytest.mark.notebooks
def test_the_course_has_nbgraders_layout_and_students_get_no_solutions(delivery_course):
    root = delivery_course
    assert (root / "nbgrader_config.py").is_file() and (root / "gradebook.db").is_file()
    assert (root / "submitted").is_dir()
    released = (root / "release" / NAME / f"{NAME}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in released and "# YOUR CODE HERE" in released
    assert "idxmin" not in released  # task 1's solution line


def test_a_folder_that_is_not_empty_is_refused_and_left_as_it_was(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="is not empty"):
        course.init_course(tmp_path, {NAME: DELIVERY})
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(ValueError, match="holds no course"):
        course.nbgrader_api(tmp_path)


def test_a_failed_release_removes_what_it_wrote(tmp_path):
    broken = nbformat.read(DELIVERY, as_version=4)
    broken.cells.insert(1, nbformat.v4.new_markdown_cell("### BEGIN SOLUTION, never ended"))
    path = tmp_path / "broken.ipynb"
    nbformat.write(broken, path)
    root = tmp_path / "course"
    with pytest.raises(ValueError, match="nbgrader could not generate assignment broken"):
        course.init_course(root, {"broken": path})
    assert not root.exists()


@pytest.mark.notebooks
def test_the_command_writes_a_course_and_refuses_to_write_over_one(tmp_path):
    root = tmp_path / "workshop"
    result = run_mlsd("course", "init", str(root), "delivery_eta")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"students get release/{NAME}/{NAME}.ipynb" in result.stdout
    again = run_mlsd("course", "init", str(root), "delivery_eta")
    assert again.returncode == 2 and "is not empty" in again.stderr
    shutil.rmtree(root)

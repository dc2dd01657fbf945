"""The kit's exercises as an nbgrader course: one assignment per case study's exercise.

``mlsd course init DIR`` writes a course folder in nbgrader's layout::

    DIR/nbgrader_config.py              the course's configuration (its root is DIR)
    DIR/source/NN_case/NN_case.ipynb    each exercise, solved, with nbgrader's cell metadata
    DIR/release/NN_case/NN_case.ipynb   what students get: solutions and outputs removed
    DIR/submitted/STUDENT/NN_case/      where students' notebooks go to be graded
    DIR/gradebook.db                    nbgrader's gradebook (SQLite), holding every graded cell

and has nbgrader generate the release versions (``generate_assignment``), which also records each
assignment's cells in the gradebook. ``mlsd grade`` (:mod:`mlsd.grading`) grades the submissions,
each in a throw-away copy of the course; nbgrader's own ``nbgrader autograde NN_case`` from DIR, or
:func:`autograde` from Python, grade in the course itself. The configuration turns on nbgrader's
``OverwriteCells.add_missing_cells``: a test cell a student deleted is put back before grading.

Each code cell of an exercise gets one role (:func:`cell_role`), written as nbgrader's version-3
cell metadata (``nbgrader: {grade, solution, locked, points, grade_id, schema_version}``):

- a cell holding a ``### BEGIN SOLUTION`` region is a **solution** cell (``taskN_answer``, N the
  task its next check cell checks): students write there, nbgrader replaces the region by a stub;
- a cell tagged ``check`` (``ex.check(N, answer)``) is an **autograded test** cell worth
  :data:`POINTS_PER_TASK` points (``taskN``), locked: nbgrader restores its source before grading,
  so a student who edits a check cannot pass it that way;
- every other code cell (the parameters, the setup, the cells that show data or reveal a result)
  is **read-only** (``setup_K``, K its index among the code cells), restored before grading too.

Markdown cells stay as they are: they are the tasks' text and hints.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from mlsd.exercises import BEGIN_SOLUTION, PLACEHOLDER

POINTS_PER_TASK = 1
"""Points of each task's check cell."""
COURSE_ID = "mlsd"
"""The course's id in its gradebook."""
CELL_TIMEOUT_S = 120
"""Seconds a cell may run when nbgrader executes a notebook (nbgrader's ``Execute.timeout``)."""
CHECK_CALL = re.compile(r"\bex\.check\(\s*(\d+)\s*,")
SCHEMA_VERSION = 3

CONFIG = '''"""nbgrader's configuration of this course, written by `mlsd course init`."""
import os

c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
c.Execute.timeout = {timeout}
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
c.OverwriteCells.add_missing_cells = True
'''


@dataclass(frozen=True)
class CellRole:
    """What nbgrader does with a code cell: ``kind`` is ``"solution"``, ``"check"`` or
    ``"read-only"``; ``grade_id`` its unique name in the notebook; ``points`` (checks only)."""

    kind: str
    grade_id: str
    points: int = 0

    def metadata(self) -> dict:
        """The cell's ``nbgrader`` metadata, version 3."""
        return {"grade": self.kind == "check", "solution": self.kind == "solution",
                "locked": self.kind != "solution", "points": self.points,
                "grade_id": self.grade_id, "schema_version": SCHEMA_VERSION}


def cell_role(cell, code_index: int, next_task: int | None) -> CellRole:
    """The role of a code ``cell`` (the module docstring's rules). ``code_index`` is its place
    among the notebook's code cells; ``next_task`` the task number of the first check cell at or
    after it (None if there is none). A check cell whose ``ex.check(N, …)`` call cannot be read,
    or a solution cell with no check after it, raises ValueError naming the cell."""
    source = cell["source"]
    if "check" in cell.get("metadata", {}).get("tags", []):
        found = CHECK_CALL.search(source)
        if not found:
            raise ValueError(f"code cell {code_index} is tagged check but calls no ex.check(N, ...)")
        return CellRole("check", f"task{int(found.group(1))}", POINTS_PER_TASK)
    if any(BEGIN_SOLUTION.match(line) for line in source.splitlines()):
        if next_task is None:
            raise ValueError(f"code cell {code_index} holds a solution but no check cell follows it")
        return CellRole("solution", f"task{next_task}_answer")
    return CellRole("read-only", f"setup_{code_index}")


def course_notebook(notebook):
    """A copy of the exercise ``notebook`` (nbformat, version 4) with every code cell's nbgrader
    metadata (:func:`cell_role`) and no outputs. Two solution cells before one check are numbered
    ``taskN_answer``, ``taskN_answer_2``, … so that every ``grade_id`` is unique."""
    course = copy.deepcopy(notebook)
    code_cells = [cell for cell in course.cells if cell.cell_type == "code"]
    tasks = [_task_of(cell) for cell in code_cells]
    seen: dict[str, int] = {}
    for index, cell in enumerate(code_cells):
        next_task = next((task for task in tasks[index:] if task is not None), None)
        role = cell_role(cell, index, next_task)
        seen[role.grade_id] = seen.get(role.grade_id, 0) + 1
        if seen[role.grade_id] > 1:
            role = CellRole(role.kind, f"{role.grade_id}_{seen[role.grade_id]}", role.points)
        cell.metadata["nbgrader"] = role.metadata()
        cell.outputs, cell.execution_count = [], None
    return course


def _task_of(cell) -> int | None:
    if "check" not in cell.get("metadata", {}).get("tags", []):
        return None
    found = CHECK_CALL.search(cell["source"])
    return int(found.group(1)) if found else None


def write_course(root: Path, exercises: dict[str, Path]) -> list[Path]:
    """Write the course folder ``root`` (the module docstring's layout, without the release
    versions) for ``exercises`` (assignment name → solved exercise notebook): its
    ``nbgrader_config.py``, each ``source/NAME/NAME.ipynb`` and an empty ``submitted/``. ``root``
    must be new or empty, so nothing of a running course is overwritten. Returns the source
    notebooks written."""
    import nbformat

    root = Path(root)
    _check_empty(root)
    courses = {name: course_notebook(nbformat.read(path, as_version=4))
               for name, path in exercises.items()}
    written = []
    for name, notebook in courses.items():
        destination = root / "source" / name / f"{name}.ipynb"
        destination.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, destination)
        written.append(destination)
    (root / "submitted").mkdir(exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        CONFIG.format(course_id=COURSE_ID, timeout=CELL_TIMEOUT_S, stub="\n".join(PLACEHOLDER)),
        encoding="utf-8")
    return written


def init_course(root: Path, exercises: dict[str, Path]) -> list[Path]:
    """:func:`write_course` then :func:`release`: the whole course folder ``root``, its student
    versions generated. ``root`` must be new or empty; if a step fails, everything written is
    removed (``root`` is left absent or empty, as it was) and the error is raised."""
    root = Path(root)
    _check_empty(root)
    existed = root.exists()
    try:
        written = write_course(root, exercises)
        release(root, exercises)
    except BaseException:
        if root.is_dir():
            for child in list(root.iterdir()):
                shutil.rmtree(child) if child.is_dir() else child.unlink()
            if not existed:
                root.rmdir()
        raise
    return written


def _check_empty(root: Path) -> None:
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ValueError(f"course folder {root} is not empty; choose a new or empty folder")


def nbgrader_api(root: Path, cell_timeout_s: int | None = None):
    """nbgrader's ``NbGraderAPI`` on the course folder ``root``, configured by the course's own
    ``nbgrader_config.py`` (so the command line and Python grade alike); ``cell_timeout_s``, when
    given, replaces its ``Execute.timeout``."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    _put_environment_on_path()
    root = Path(root).resolve()
    if not (root / "nbgrader_config.py").exists():
        raise ValueError(f"{root} holds no course: no nbgrader_config.py (mlsd course init writes "
                         "one)")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    if cell_timeout_s is not None:
        config.Execute.timeout = cell_timeout_s
    return NbGraderAPI(config=config)


def _put_environment_on_path() -> None:
    """nbgrader creates a gradebook by running the ``alembic`` command: make sure this Python's
    own scripts folder (a virtual environment's ``bin``) is on ``PATH``, first."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])


def release(root: Path, assignments) -> None:
    """Have nbgrader generate the student version of each assignment of the course ``root``
    (``release/NAME/``) and record its cells in the gradebook; one ValueError naming the
    assignment and nbgrader's error if it fails."""
    api = nbgrader_api(root)
    for name in assignments:
        result = api.generate_assignment(name, force=True)
        if not result["success"]:
            raise ValueError(f"nbgrader could not generate assignment {name}: "
                             f"{_last_line(result.get('error') or result.get('log', ''))}")


def autograde(root: Path, assignment: str, student: str,
              cell_timeout_s: int | None = None) -> dict[str, float]:
    """Grade ``submitted/STUDENT/ASSIGNMENT/`` of the course ``root`` with nbgrader (each cell
    given ``cell_timeout_s``, or the course's limit), and return the points of each task's check
    cell (``taskN`` → points) from the gradebook; one ValueError naming the student, the
    assignment and nbgrader's error if grading fails."""
    from nbgrader.api import Gradebook

    api = nbgrader_api(root, cell_timeout_s)
    with warnings.catch_warnings():  # nbgrader's own SQLAlchemy session warnings, not the grade's
        warnings.simplefilter("ignore", category=Warning)
        result = api.autograde(assignment, student, force=True)
    if not result["success"]:
        raise ValueError(f"nbgrader could not grade {student}'s {assignment}: "
                         f"{_nbgrader_error(result)}")
    root = Path(root).resolve()
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {grade.name: float(grade.score) for notebook in submission.notebooks
                for grade in notebook.grades}


EXCEPTION_LINE = re.compile(r"^\s*(?:[\w]+\.)*(\w+(?:Error|Exception|Entry|Interrupt)): (.*)$")
SUMMARY_EXCEPTION = "NbGraderException"


def _nbgrader_error(result: dict) -> str:
    """The cause of a failed nbgrader call, in one line: the last exception its log shows other
    than nbgrader's own summary (``DeadKernelError: Kernel died``), else the log's last line."""
    text = f"{result.get('log') or ''}\n{result.get('error') or ''}"
    causes = [f"{found.group(1)}: {found.group(2).strip()}" for found in map(
        EXCEPTION_LINE.match, text.splitlines()) if found and found.group(1) != SUMMARY_EXCEPTION]
    return causes[-1] if causes else _last_line(result.get("error") or result.get("log", ""))


def _last_line(text: str) -> str:
    lines = [line for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"

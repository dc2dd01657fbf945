"""Benchmark: ``mlsd grade`` against nbgrader's own ``nbgrader autograde`` on a class of submissions.

At scale 1 a course of the delivery-ETA exercise receives 30 submissions
(``max(1, round(30 * scale))``), in turn solved, blank and each of the five rounds of the
exercise's listed wrong answers (``tests/course_submissions.py``). Rows, each timed on the wall
clock end to end, each on a fresh copy of the course:

- ``grading, --jobs 1`` and ``grading, --jobs 2`` (with more than one submission): ``mlsd grade``
  with the local executor — each submission in a throw-away course and a process of its own, with
  the time and memory limits, the gradebook, the CSV and the feedback page written as it finishes.

The reference is ``nbgrader autograde ASSIGNMENT``: nbgrader grading every submission in one
process, one after the other, in the course itself (no isolation, no limits per submission, no
feedback pages). Same answers: every student's points per task equal nbgrader's. Detail: wall
seconds per submission, ours and the reference's.

Run ``python benchmarks/bench_grading.py [scale]`` to print the rows.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT / "tests"))

from common import main, row  # noqa: E402
from course_submissions import (answer_names, release_notebook, source_notebook,  # noqa: E402
                                submit, with_answers, wrong_answer_code)

from mlsd import course  # noqa: E402
from mlsd.cases.delivery_eta.exercise import TASKS  # noqa: E402
from mlsd.grading.command import grade_assignment  # noqa: E402
from mlsd.grading.executors import LocalGrading  # noqa: E402
from mlsd.grading.isolated import Limits  # noqa: E402

ASSIGNMENT = "05_delivery_eta"
CLASS_SIZE = 30


def run(scale: float = 1.0) -> list[dict]:
    count = max(1, round(CLASS_SIZE * scale))
    with tempfile.TemporaryDirectory(prefix="mlsd-bench-grading-") as folder:
        empty = Path(folder) / "course"
        course.init_course(empty, {ASSIGNMENT: KIT / "exercises" / f"{ASSIGNMENT}.ipynb"})
        for index, notebook in enumerate(_class(empty, count)):
            submit(empty, ASSIGNMENT, f"student_{index + 1:02d}", notebook)
        reference_s, reference = _nbgrader_autograde(_copy(empty, Path(folder) / "nbgrader"))
        rows = []
        for jobs in (1, 2) if count > 1 else (1,):  # one submission keeps one core busy
            ours_s, answers = _mlsd_grade(_copy(empty, Path(folder) / f"jobs-{jobs}"), jobs)
            detail = (f"{count} submissions; {ours_s / count:.2f} s per submission, "
                      f"nbgrader autograde {reference_s / count:.2f} s")
            rows.append(row(f"grading, --jobs {jobs}", ours_s, reference_s,
                            answers == reference, detail))
    return rows


def _class(root: Path, count: int) -> list:
    """``count`` submissions: solved, blank, then each round of wrong answers, in turn."""
    names = answer_names(source_notebook(root, ASSIGNMENT))
    rounds = max(len(task.wrong_answers) for task in TASKS)
    kinds = [source_notebook(root, ASSIGNMENT), release_notebook(root, ASSIGNMENT)]
    for k in range(rounds):
        kinds.append(with_answers(root, ASSIGNMENT, {
            task.number: wrong_answer_code(task.number, k, names[task.number])
            for task in TASKS if len(task.wrong_answers) > k}))
    return [kinds[index % len(kinds)] for index in range(count)]


def _copy(course_root: Path, destination: Path) -> Path:
    shutil.copytree(course_root, destination)
    return destination


def _nbgrader_autograde(root: Path) -> tuple[float, dict]:
    """Seconds for one ``nbgrader autograde`` of every submission, and each student's points."""
    bin_folder = Path(sys.executable).parent
    command = [str(bin_folder / "nbgrader"), "autograde", ASSIGNMENT]
    environment = {**os.environ, "PATH": os.pathsep.join([str(bin_folder), os.environ["PATH"]])}
    started = time.perf_counter()
    subprocess.run(command, cwd=root, check=True, capture_output=True, env=environment)
    seconds = time.perf_counter() - started
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        points = {submission.student.id: {grade.name: float(grade.score)
                                          for notebook in submission.notebooks
                                          for grade in notebook.grades}
                  for submission in gradebook.find_assignment(ASSIGNMENT).submissions}
    return seconds, points


def _mlsd_grade(root: Path, jobs: int) -> tuple[float, dict]:
    """Seconds for one ``mlsd grade`` of every submission at ``jobs``, and each student's points."""
    started = time.perf_counter()
    with LocalGrading(jobs) as executor:
        summary = grade_assignment(root, ASSIGNMENT, executor, Limits(), log=io.StringIO())
    seconds = time.perf_counter() - started
    return seconds, {student: grade.scores for student, grade in summary.grades.items()}


if __name__ == "__main__":
    main(run)

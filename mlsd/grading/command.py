"""``mlsd grade DIR ASSIGNMENT``: grade every submission of one assignment, resumably.

Every folder ``DIR/submitted/STUDENT/ASSIGNMENT/`` is one submission. A submission whose files
are unchanged since its recorded grade (``grades/ASSIGNMENT/STUDENT.json``) is not graded again
unless ``--regrade``; so after an interruption the same command goes on where it stopped. Each
submission is screened (:mod:`mlsd.grading.screen`), graded by nbgrader in a child process of its
own (:mod:`mlsd.grading.isolated`), and written into the course (:mod:`mlsd.grading.book`) as it
finishes; at the end ``grades/ASSIGNMENT.csv`` holds one row per student: each task's points, the
total, the most there is, how grading ended and the reason.

Exit status: 0 when every submission has a grade (a zero is a grade), 1 when one could not be
graded (a lost Dask worker; rerun to retry it), 2 when the command was rejected, 130 when
interrupted (what was graded is kept).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from mlsd.grading import book
from mlsd.grading.executors import EXECUTORS, DaskGrading, LocalGrading, open_grading
from mlsd.grading.isolated import GRADED, KILLED, Limits, Outcome
from mlsd.grading.jobs import assignment_files, submission_job
from mlsd.grading.screen import Screening, execution_problems, screen
from mlsd.params import ParameterError

REFUSED = "refused"
NOT_GRADED = 1
GIB = 2**30
DEAD_KERNEL = "DeadKernelError"


def add_grade_parser(commands, positive_int: Callable[[str], int]) -> None:
    """Add ``grade`` to the ``mlsd`` subcommands."""
    grade = commands.add_parser(
        "grade", help="grade every submission of an assignment of an nbgrader course; rerun to resume",
        description="Grade every submitted/STUDENT/ASSIGNMENT/ of a course made by `mlsd course init`, "
        "each in a process of its own with time and memory limits; write the gradebook, "
        "grades/ASSIGNMENT.csv and feedback/STUDENT/ASSIGNMENT/. Rerunning skips what is graded.")
    grade.add_argument("directory", type=Path, metavar="DIR", help="the course folder")
    grade.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment, e.g. 05_delivery_eta")
    grade.add_argument("--student", action="append", default=[], metavar="ID", help="grade only this student (repeatable)")
    grade.add_argument("--jobs", type=positive_int, default=1, metavar="N", help="submissions at once (default 1; 2 uses both cores of a 2-core machine)")
    grade.add_argument("--cell-timeout", type=positive_int, default=None, metavar="SECONDS", help="time limit per cell (default: the course's, 120)")
    grade.add_argument("--notebook-timeout", type=positive_int, default=600, metavar="SECONDS", help="time limit per submission (default 600)")
    grade.add_argument("--memory", type=float, default=3.0, metavar="GIB", help="memory (address space) per submission, in GiB (default 3)")
    grade.add_argument("--regrade", action="store_true", help="grade again the submissions already graded")
    grade.add_argument("--executor", choices=EXECUTORS, default="local", help="where submissions are graded: this machine, or a Dask cluster")
    grade.add_argument("--scheduler", metavar="ADDRESS", help="the Dask scheduler, e.g. tcp://HOST:8786 (with --executor dask)")
    grade.set_defaults(handler=command_grade)


def command_grade(args: argparse.Namespace) -> int:
    from mlsd.course import CELL_TIMEOUT_S

    if not 0.5 <= args.memory <= 1024:
        raise ParameterError(f"--memory {args.memory:g} is not allowed: "
                             "expected GiB in [0.5, 1024]")
    limits = Limits(args.cell_timeout or CELL_TIMEOUT_S, args.notebook_timeout,
                    int(args.memory * GIB))
    with open_grading(args.executor, args.jobs, args.scheduler) as executor:
        summary = grade_assignment(args.directory, args.assignment, executor, limits,
                                   args.student, args.regrade)
    print(summary.describe())
    return NOT_GRADED if summary.not_graded else 0


@dataclass
class Summary:
    """What one ``mlsd grade`` did: grades by student, the students it could not grade (with
    why), how many it skipped as already graded, and where the CSV is."""

    grades: dict[str, book.Grade]
    not_graded: dict[str, str]
    skipped: int
    csv_path: Path

    def describe(self) -> str:
        lines = [f"{len(self.grades)} graded, {self.skipped} already graded, "
                 f"{len(self.not_graded)} not graded"]
        lines += [f"  {student}: not graded: {why}" for student, why in self.not_graded.items()]
        lines.append(f"grades: {self.csv_path}")
        return "\n".join(lines)


def grade_assignment(root: Path, assignment: str, executor: LocalGrading | DaskGrading,
                     limits: Limits, students=(), regrade: bool = False,
                     log=sys.stderr) -> Summary:
    """Grade the submissions of ``assignment`` in the course ``root`` (the module docstring);
    ``students`` limits it to those ids. Raises ParameterError naming what is wrong with ``root``,
    ``assignment`` or ``students`` before anything is graded or written."""
    import nbformat

    from mlsd.course import nbgrader_api

    root = Path(root).resolve()
    source_path = root / "source" / assignment / f"{assignment}.ipynb"
    api = _course_api(root, nbgrader_api)
    if not source_path.is_file():
        known = sorted(p.name for p in (root / "source").iterdir() if p.is_dir())
        raise ParameterError(f"assignment {assignment} is not in {root / 'source'}; "
                             f"the course has: {', '.join(known) or 'none'}")
    submitted = _submissions(root, assignment)
    unknown = sorted(set(students) - set(submitted))
    if unknown:
        raise ParameterError(f"--student {', '.join(unknown)}: no submitted/STUDENT/{assignment}/ "
                             f"for them; submitted: {', '.join(submitted) or 'nobody'}")
    chosen = {s: files for s, files in submitted.items() if not students or s in students}
    source = nbformat.read(source_path, as_version=4)
    tasks = _test_cells(source)
    todo, skipped = {}, 0
    for student, files in chosen.items():
        checksum = book.submission_checksum(files)
        recorded = book.read_record(root, assignment, student)
        if not regrade and recorded and recorded.submission_sha256 == checksum:
            skipped += 1
        else:
            todo[student] = (files, checksum)
    print(f"mlsd grade: {assignment}: {len(chosen)} submissions, {len(todo)} to grade "
          f"({skipped} already graded), {getattr(executor, 'jobs', 1)} at a time", file=log)
    grades, not_graded = {}, {}
    summary = Summary(grades, not_graded, skipped, root / "grades" / f"{assignment}.csv")
    if not todo:
        _write_csv(root, assignment, tasks)
        return summary
    screenings = {s: screen(files, assignment, source) for s, (files, _) in todo.items()}
    runnable = [s for s in todo if not screenings[s].refusal]
    shared = assignment_files(root, assignment) if runnable else {}
    done = 0

    def finish(student: str, outcome: Outcome | None) -> None:
        nonlocal done
        grade, notebook = compose_grade(student, assignment, tasks, screenings[student], outcome,
                                        todo[student][1], limits)
        try:
            book.write_grade(api, root, grade, notebook)
        except Exception as error:  # e.g. feedback nbgrader cannot render: the others go on
            not_graded[student] = " ".join(f"{type(error).__name__}: {error}".split())
            return
        grades[student] = grade
        done += 1
        print(f"mlsd grade: [{done}/{len(todo)}] {student}: {grade.points:g}/{grade.max_points:g}"
              f" ({grade.seconds:.1f} s) {grade.reason}", file=log)

    try:
        for student in todo:
            if screenings[student].refusal:
                finish(student, None)
        jobs = [submission_job(shared, root, assignment, s, limits) for s in runnable]
        with closing(executor.run(jobs)) as finished:
            for job, outcome in finished:
                if isinstance(outcome, Exception):
                    error = f"{type(outcome).__name__}: {outcome}"
                    not_graded[job.student] = " ".join(error.split())
                    continue
                finish(job.student, outcome)
    except KeyboardInterrupt:
        print(f"mlsd grade: interrupted after {done} of {len(todo)}; the same command resumes",
              file=log)
        raise
    finally:
        _write_csv(root, assignment, tasks)
    return summary


def compose_grade(student: str, assignment: str, tasks: dict[str, float], screening: Screening,
                  outcome: Outcome | None, checksum: str, limits: Limits):
    """The grade and the notebook to keep, from what screening found and how grading ended:
    points only when nbgrader graded it; the reason names the cause, the problems found and
    which tasks passed."""
    import nbformat

    seconds = outcome.seconds if outcome else 0.0
    zeros = dict.fromkeys(tasks, 0.0)
    problems = list(screening.problems)
    if outcome is None:
        status, scores, causes = REFUSED, zeros, [screening.refusal]
    elif outcome.status == KILLED:
        status, scores = KILLED, zeros
        causes = [f"still running at the {limits.notebook_timeout_s:g} s limit per submission: "
                  "stopped, no task graded"]
    elif outcome.status != GRADED:
        status, scores = outcome.status, zeros
        if DEAD_KERNEL in outcome.error:
            causes = ["the kernel died (os._exit, a crash, or memory outside Python's reach): "
                      "no task graded"]
        else:
            causes = [outcome.error]
    else:
        status, scores = GRADED, {task: outcome.scores.get(task, 0.0) for task in tasks}
        failed = [task for task in tasks if scores[task] < tasks[task]]
        causes = [f"passed all {len(tasks)} tasks" if not failed else
                  f"passed {len(tasks) - len(failed)} of {len(tasks)} tasks; not passed: "
                  f"{', '.join(failed)}"]
    problems += execution_problems(outcome.notebook if outcome else None, limits)
    text = (outcome.notebook if outcome else None)
    if text:
        notebook = nbformat.reads(text, as_version=4)
    elif screening.notebook is not None:
        notebook = screening.notebook
    else:
        notebook = nbformat.v4.new_notebook()
    grade = book.Grade(student, assignment, scores, sum(scores.values()), sum(tasks.values()),
                       "; ".join(causes + problems), status, round(seconds, 2), checksum)
    return grade, notebook


def _course_api(root: Path, nbgrader_api):
    try:
        return nbgrader_api(root)
    except ValueError as error:
        raise ParameterError(str(error)) from None


def _submissions(root: Path, assignment: str) -> dict[str, dict[str, bytes]]:
    """Each student's files of ``submitted/STUDENT/ASSIGNMENT/`` (name → bytes), by student id."""
    folder = root / "submitted"
    found = {}
    for student in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
        submission = student / assignment
        if student.name.startswith(".") or not submission.is_dir():
            continue
        found[student.name] = {path.relative_to(submission).as_posix(): path.read_bytes()
                               for path in sorted(submission.rglob("*")) if path.is_file()}
    return found


def _test_cells(source) -> dict[str, float]:
    """The assignment's test cells: grade id → points, in notebook order."""
    return {cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"]["points"])
            for cell in source.cells if cell.get("metadata", {}).get("nbgrader", {}).get("grade")}


def _write_csv(root: Path, assignment: str, tasks: dict[str, float]) -> Path:
    """``grades/ASSIGNMENT.csv`` from every recorded grade of the assignment, by student id."""
    folder = root / "grades" / assignment
    records = [book.read_record(root, assignment, path.stem)
               for path in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *tasks, "points", "max_points", "status", "reason"])
    for grade in filter(None, records):
        writer.writerow([grade.student, *(f"{grade.scores.get(t, 0.0):g}" for t in tasks),
                         f"{grade.points:g}", f"{grade.max_points:g}", grade.status, grade.reason])
    path = root / "grades" / f"{assignment}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.write_atomically(path, buffer.getvalue())
    return path

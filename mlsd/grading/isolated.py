"""One submission graded by nbgrader's autograde in a course of its own, in a child process.

:func:`grade_isolated` takes a :class:`GradingJob` (everything needed, as bytes, so a Dask worker
that shares no filesystem can run it), writes a throw-away course into a temporary folder::

    TMP/nbgrader_config.py                  the course's configuration
    TMP/gradebook.db                        a gradebook holding this assignment and no student
    TMP/source/ASSIGNMENT/...               the assignment's source files
    TMP/submitted/STUDENT/ASSIGNMENT/...    the one submission

and runs ``python -m mlsd.grading.isolated TMP ASSIGNMENT STUDENT CELL_TIMEOUT MEMORY_BYTES`` there:

- in a session of its own, killed with every process it started (the kernel included) once
  ``notebook_timeout_s`` have passed;
- with its address space capped at ``memory_bytes`` (``RLIMIT_AS``, set by the child on itself
  before it starts nbgrader, inherited by the kernel), so an allocation past the cap raises
  ``MemoryError`` in the student's cell;
- with the kit's fixed kernel threads (:mod:`mlsd.threads`);
- with nbgrader's cell limit ``Execute.timeout`` set to ``cell_timeout_s``: nbgrader interrupts a
  cell that runs longer, records ``CellTimeoutError`` in it and goes on.

The child writes nothing outside TMP by the kit's doing, and TMP is deleted afterwards; the
instructor's course is never named to it. What a submission's code does on purpose with absolute
paths is not stopped: it runs as the grading user (see :mod:`mlsd.grading`).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mlsd.startup import skip_iri_parser
from mlsd.threads import thread_environment

RESULT_FILE = "mlsd-result.json"
KILLED = "killed"
GRADED = "graded"
FAILED = "failed"


@dataclass(frozen=True)
class Limits:
    """What one submission may use: seconds per cell, seconds for the whole notebook (the kernel's
    start and nbgrader's work included), and bytes of address space."""

    cell_timeout_s: int = 120
    notebook_timeout_s: float = 600
    memory_bytes: int = 3 * 2**30


@dataclass(frozen=True)
class GradingJob:
    """One submission to grade: ``files`` maps paths relative to the throw-away course (its
    config, gradebook, source and submission) to their bytes."""

    assignment: str
    student: str
    files: dict[str, bytes]
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True)
class Outcome:
    """How grading ended: ``status`` is ``graded`` (nbgrader wrote grades), ``failed`` (nbgrader
    stopped: ``error`` is its last line) or ``killed`` (the notebook limit passed); ``scores``
    maps each test cell's grade id to its points; ``notebook`` is the graded notebook's text."""

    status: str
    seconds: float
    scores: dict[str, float] = field(default_factory=dict)
    notebook: str | None = None
    error: str = ""


def grade_isolated(job: GradingJob, on_start: Callable[[subprocess.Popen], None] | None = None
                   ) -> Outcome:
    """Grade ``job`` in a temporary course in a child process (the module docstring);
    ``on_start(child)`` is called once the child runs (a caller may kill it with
    :func:`kill_tree` to stop early)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mlsd-grade-") as folder:
        root = Path(folder)
        for relative, content in job.files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        command = [sys.executable, "-m", "mlsd.grading.isolated", str(root), job.assignment,
                   job.student, str(job.limits.cell_timeout_s), str(job.limits.memory_bytes)]
        child = subprocess.Popen(command, cwd=root, env={**os.environ, **thread_environment()},
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
        if on_start:
            on_start(child)
        try:
            child.wait(timeout=job.limits.notebook_timeout_s)
        except subprocess.TimeoutExpired:
            return Outcome(KILLED, time.perf_counter() - started)
        finally:
            kill_tree(child)  # the whole tree, also a kernel left behind by a child that exited
        return _read_outcome(root, job, time.perf_counter() - started, child.returncode)


def kill_tree(child: subprocess.Popen) -> None:
    """Kill ``child``'s session and every process under it (a kernel leads a session of its own)."""
    import psutil

    try:
        descendants = psutil.Process(child.pid).children(recursive=True)
    except psutil.Error:
        descendants = []
    for process in descendants:
        try:
            os.killpg(process.pid, signal.SIGKILL) if os.getpgid(process.pid) == process.pid \
                else process.kill()
        except (OSError, psutil.Error):
            pass
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def _read_outcome(root: Path, job: GradingJob, seconds: float, returncode: int) -> Outcome:
    result_path = root / RESULT_FILE
    if not result_path.is_file():
        return Outcome(FAILED, seconds, error=f"the grading process ended with status {returncode} "
                                               "before nbgrader reported")
    result = json.loads(result_path.read_text(encoding="utf-8"))
    graded = root / "autograded" / job.student / job.assignment / f"{job.assignment}.ipynb"
    notebook = graded.read_text(encoding="utf-8") if graded.is_file() else None
    if "scores" not in result:
        return Outcome(FAILED, seconds, notebook=notebook, error=result["error"])
    return Outcome(GRADED, seconds, result["scores"], notebook)


def main(argv: list[str]) -> int:
    """``python -m mlsd.grading.isolated ROOT ASSIGNMENT STUDENT CELL_TIMEOUT MEMORY_BYTES``: cap
    this process's address space (the kernel it starts inherits the cap), autograde, and write
    ``ROOT/mlsd-result.json``: ``{"scores": {grade id: points}}`` or ``{"error": line}``."""
    root, assignment, student, cell_timeout = Path(argv[0]), argv[1], argv[2], int(argv[3])
    memory = int(argv[4])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    skip_iri_parser()
    from mlsd.course import autograde

    try:
        result = {"scores": autograde(root, assignment, student, cell_timeout)}
    except MemoryError:
        result = {"error": "nbgrader itself ran out of memory"}
    except Exception as error:  # reported as the submission's failure, not raised to the grader
        result = {"error": " ".join(str(error).split()) or type(error).__name__}
    (root / RESULT_FILE).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What a submission's grading needs, gathered as bytes: the course's configuration, a gradebook
holding the assignment and no student, the assignment's source files and the submission."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from mlsd.grading.isolated import GradingJob, Limits

CONFIG_FILE = "nbgrader_config.py"
GRADEBOOK_FILE = "gradebook.db"


def assignment_files(root: Path, assignment: str) -> dict[str, bytes]:
    """The files every submission of ``assignment`` in the course ``root`` is graded with, keyed
    by their path in a course folder: the course's ``nbgrader_config.py``, ``source/ASSIGNMENT/``
    and a gradebook made for the purpose by nbgrader's ``generate_assignment`` in a temporary
    copy (so it holds this assignment's cells and no student's grade)."""
    from mlsd.course import nbgrader_api

    root = Path(root)
    source = root / "source" / assignment
    files = {CONFIG_FILE: (root / CONFIG_FILE).read_bytes(),
             **_tree(source, f"source/{assignment}")}
    with tempfile.TemporaryDirectory(prefix="mlsd-gradebook-") as folder:
        copy = Path(folder)
        (copy / CONFIG_FILE).write_bytes(files[CONFIG_FILE])
        shutil.copytree(source, copy / "source" / assignment)
        result = nbgrader_api(copy).generate_assignment(assignment, force=True)
        if not result["success"]:
            raise ValueError(f"nbgrader could not read assignment {assignment} of {root}: "
                             f"{(result.get('error') or result.get('log') or '').strip()[-300:]}")
        files[GRADEBOOK_FILE] = (copy / GRADEBOOK_FILE).read_bytes()
    return files


def submission_job(shared: dict[str, bytes], root: Path, assignment: str, student: str,
                   limits: Limits) -> GradingJob:
    """The job grading ``submitted/STUDENT/ASSIGNMENT/`` of the course ``root``: the ``shared``
    files of :func:`assignment_files` and every file of the submission's folder."""
    folder = Path(root) / "submitted" / student / assignment
    files = {**shared, **_tree(folder, f"submitted/{student}/{assignment}")}
    return GradingJob(assignment, student, files, limits)


def _tree(folder: Path, prefix: str) -> dict[str, bytes]:
    return {f"{prefix}/{path.relative_to(folder).as_posix()}": path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}

"""What a submission's grading needs, gathered as bytes: the course's configuration, a gradebook
holding the assignment and no student, the assignment's source files and the submission.

The gradebook is made by nbgrader's ``generate_assignment`` (about 4 s), once for given inputs: it
is kept in :func:`gradebook_folder` under the SHA-256 of the configuration, the source files and
nbgrader's version, so grading again (late submissions, a regrade) starts at once. A cache that
cannot be written is skipped.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path

from mlsd.grading.isolated import GradingJob, Limits
from mlsd.user_cache import user_cache_folder

CONFIG_FILE = "nbgrader_config.py"
GRADEBOOK_FILE = "gradebook.db"


def gradebook_folder() -> Path:
    """Where the gradebooks of :func:`assignment_files` are kept: ``$XDG_CACHE_HOME/mlsd/gradebooks``,
    by default ``~/.cache/mlsd/gradebooks``; one file per assignment name, the newest inputs'."""
    return user_cache_folder("gradebooks")


def assignment_files(root: Path, assignment: str) -> dict[str, bytes]:
    """The files every submission of ``assignment`` in the course ``root`` is graded with, keyed
    by their path in a course folder: the course's ``nbgrader_config.py``, ``source/ASSIGNMENT/``
    and a gradebook holding this assignment's cells and no student's grade (the module says
    where it comes from)."""
    root = Path(root)
    files = {CONFIG_FILE: (root / CONFIG_FILE).read_bytes(),
             **_tree(root / "source" / assignment, f"source/{assignment}")}
    digest = hashlib.sha256(f"nbgrader=={version('nbgrader')}\0".encode())
    for path, content in sorted(files.items()):
        digest.update(path.encode() + b"\0" + content + b"\0")
    kept = gradebook_folder() / f"{assignment}-{digest.hexdigest()[:16]}.db"
    if kept.is_file():
        files[GRADEBOOK_FILE] = kept.read_bytes()
        return files
    files[GRADEBOOK_FILE] = _generate_gradebook(files, root, assignment)
    _keep(kept, files[GRADEBOOK_FILE])
    return files


def _generate_gradebook(files: dict[str, bytes], root: Path, assignment: str) -> bytes:
    """nbgrader's ``generate_assignment`` in a temporary copy of the course's configuration and
    source, so that the gradebook holds no student."""
    from mlsd.course import nbgrader_api

    with tempfile.TemporaryDirectory(prefix="mlsd-gradebook-") as folder:
        copy = Path(folder)
        (copy / CONFIG_FILE).write_bytes(files[CONFIG_FILE])
        shutil.copytree(root / "source" / assignment, copy / "source" / assignment)
        result = nbgrader_api(copy).generate_assignment(assignment, force=True)
        if not result["success"]:
            raise ValueError(f"nbgrader could not read assignment {assignment} of {root}: "
                             f"{(result.get('error') or result.get('log') or '').strip()[-300:]}")
        return (copy / GRADEBOOK_FILE).read_bytes()


def _keep(path: Path, gradebook: bytes) -> None:
    """Write ``gradebook`` to ``path`` whole (a temporary file renamed over it) and remove the same
    assignment's older ones; nothing when the folder cannot be written."""
    assignment = path.name.rsplit("-", 1)[0]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_bytes(gradebook)
        os.replace(partial, path)
        for older in path.parent.glob("*.db"):
            if older != path and older.name.rsplit("-", 1)[0] == assignment:
                older.unlink(missing_ok=True)
    except OSError:
        return


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

"""What ``mlsd grade`` writes into the instructor's course for one graded submission, in order:

1. ``autograded/STUDENT/ASSIGNMENT/ASSIGNMENT.ipynb``: the notebook as nbgrader graded it (or, when
   it could not be run, what there was of it), a first cell stating the grade's reason;
2. the gradebook (``gradebook.db``): the student, the submission and each test cell's points, in
   one transaction, through nbgrader's own :class:`~nbgrader.api.Gradebook`;
3. ``feedback/STUDENT/ASSIGNMENT/ASSIGNMENT.html`` by nbgrader's ``generate_feedback``, with its one
   remote script (MathJax from a CDN) removed, so the page asks nothing of the network;
4. ``grades/ASSIGNMENT/STUDENT.json``: the grade, its reason and the submission's checksum; written
   last (by renaming a complete file), it is what marks the submission graded when grading resumes.

Only the grading process writes these, one submission at a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

REMOTE_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>')
NOTE_MARK = "mlsd-grade-note"


@dataclass(frozen=True)
class Grade:
    """A submission's grade: points per test cell (``taskN``), their sum and the most there is,
    the reason in one line, how grading ended (``graded``, ``failed``, ``killed``, ``refused``),
    the seconds it took and the checksum of the submitted files."""

    student: str
    assignment: str
    scores: dict[str, float]
    points: float
    max_points: float
    reason: str
    status: str
    seconds: float
    submission_sha256: str


def submission_checksum(files: dict[str, bytes]) -> str:
    """SHA-256 over the submission's file names and contents, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def record_path(root: Path, assignment: str, student: str) -> Path:
    return Path(root) / "grades" / assignment / f"{student}.json"


def read_record(root: Path, assignment: str, student: str) -> Grade | None:
    """The recorded grade of a submission, or None when there is none (or it cannot be read)."""
    path = record_path(root, assignment, student)
    try:
        return Grade(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def write_grade(api, root: Path, grade: Grade, notebook) -> None:
    """Write ``grade`` and its graded ``notebook`` (nbformat) into the course (module docstring)."""
    import nbformat
    from nbgrader.api import Gradebook

    root = Path(root)
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(
        f"**Graded by `mlsd grade`: {grade.points:g} of {grade.max_points:g} points.** "
        f"{grade.reason}", metadata={NOTE_MARK: True}))
    graded = root / "autograded" / grade.student / grade.assignment / f"{grade.assignment}.ipynb"
    graded.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(graded, nbformat.writes(notebook))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=Warning)
        with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
            gradebook.update_or_create_student(grade.student)
            submission = gradebook.update_or_create_submission(grade.assignment, grade.student)
            for submitted in submission.notebooks:
                for cell in submitted.grades:
                    cell.auto_score = grade.scores.get(cell.name, 0.0)
                    cell.needs_manual_grade = False
            gradebook.db.commit()
        result = api.generate_feedback(grade.assignment, grade.student, force=True)
    if not result["success"]:
        raise RuntimeError(f"nbgrader could not write {grade.student}'s feedback: "
                           f"{(result.get('error') or result.get('log') or '').strip()[-300:]}")
    page = root / "feedback" / grade.student / grade.assignment / f"{grade.assignment}.html"
    write_atomically(page, REMOTE_SCRIPT.sub("", page.read_text(encoding="utf-8")))
    path = record_path(root, grade.assignment, grade.student)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(asdict(grade), indent=1, sort_keys=True) + "\n")


def write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)

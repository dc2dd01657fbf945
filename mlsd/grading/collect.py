"""Students' files into nbgrader's layout: ``FOLDER/alice.ipynb`` becomes
``DIR/submitted/alice/ASSIGNMENT/ASSIGNMENT.ipynb``.

Each visible file of FOLDER is one student's submission, whatever it holds (a file that is not a
notebook is then graded as such). The student id is the file's name without its extension and
without a trailing ``_ASSIGNMENT`` or ``-ASSIGNMENT`` (``alice_05_delivery_eta.ipynb`` → ``alice``);
ids are letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit. Everything is
checked before anything is written: two files of one student, an id that is not allowed, or a
submission already collected with other content (unless ``replace``) rejects the whole folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from mlsd.params import ParameterError

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Collected:
    """Student ids by what collecting did: ``new``, ``replaced`` and ``unchanged``."""

    new: tuple[str, ...]
    replaced: tuple[str, ...]
    unchanged: tuple[str, ...]


def student_id(path: Path, assignment: str) -> str:
    """The student id a file's name gives (module docstring); ParameterError if not allowed."""
    stem = path.stem
    for suffix in (f"_{assignment}", f"-{assignment}"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            stem = stem[: -len(suffix)]
    if not STUDENT_ID.match(stem):
        raise ParameterError(f"{path.name}: student id {stem!r} is not allowed: expected letters, "
                             "digits, '.', '_' or '-', starting with a letter or digit")
    return stem


def collect(root: Path, assignment: str, folder: Path, replace: bool = False) -> Collected:
    """Copy every file of ``folder`` into the course ``root`` as ``assignment``'s submissions."""
    root, folder = Path(root), Path(folder)
    if not (root / "source" / assignment).is_dir():
        raise ParameterError(f"assignment {assignment} is not in {root / 'source'}")
    if not folder.is_dir():
        raise ParameterError(f"{folder} is not a folder of students' files")
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise ParameterError(f"{folder} holds no file to collect")
    by_student: dict[str, Path] = {}
    for path in files:
        student = student_id(path, assignment)
        if student in by_student:
            raise ParameterError(f"{by_student[student].name} and {path.name} are both "
                                 f"{student}'s: keep one")
        by_student[student] = path
    plan, new, replaced, unchanged = [], [], [], []
    for student, path in by_student.items():
        target = root / "submitted" / student / assignment / f"{assignment}.ipynb"
        content = path.read_bytes()
        if not target.exists():
            new.append(student)
        elif target.read_bytes() == content:
            unchanged.append(student)
            continue
        elif replace:
            replaced.append(student)
        else:
            raise ParameterError(f"{student} already has another {target.relative_to(root)}; "
                                 "--replace puts the new file in its place")
        plan.append((target, content))
    for target, content in plan:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(content)
        os.replace(partial, target)
    return Collected(tuple(new), tuple(replaced), tuple(unchanged))

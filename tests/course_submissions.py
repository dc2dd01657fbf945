"""Submissions a class hands in, made from a course's own notebooks: solved, blank, each wrong
answer of the exercise's tasks, and the ones that misbehave (a loop, a crash, a 4-GiB allocation,
a file that is not a notebook, an edited check, deleted cells, the kit's exercise itself)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

CHECK_ARGUMENT = re.compile(r"ex\.check\(\s*(\d+)\s*,\s*(\w+)")
DELETED = ("task1", "setup_15", "task5_answer")
"""The cells ``deletes_cells`` deletes: one that only prints, a check and an answer."""


def source_notebook(root: Path, assignment: str):
    return nbformat.read(Path(root) / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def release_notebook(root: Path, assignment: str):
    return nbformat.read(Path(root) / "release" / assignment / f"{assignment}.ipynb", as_version=4)


def cell(notebook, grade_id: str):
    return next(c for c in notebook.cells
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def answer_names(notebook) -> dict[int, str]:
    """Task number → the variable its check cell passes (``ex.check(N, name)``)."""
    return {int(m.group(1)): m.group(2) for c in notebook.cells if c.cell_type == "code"
            for m in [CHECK_ARGUMENT.search(c.source)] if m}


def with_answers(root: Path, assignment: str, answers: dict[int, str]):
    """The solved notebook with task N's answer cell replaced by ``answers[N]`` (code)."""
    notebook = source_notebook(root, assignment)
    for task, code in answers.items():
        cell(notebook, f"task{task}_answer").source = code
    return notebook


def wrong_answer_code(task: int, index: int, name: str) -> str:
    """Answer cell code giving the ``index``-th listed wrong answer of ``task``."""
    return f"{name} = ex.tasks[{task - 1}].wrong_answers[{index}].answer(ex.context)"


def misbehaving(root: Path, assignment: str) -> dict[str, object]:
    """Student id → submitted notebook (or bytes) for every way of misbehaving the tests grade."""
    solved = source_notebook(root, assignment)

    def solved_with(task: int, code: str):
        notebook = copy.deepcopy(solved)
        answer = cell(notebook, f"task{task}_answer")
        answer.source = code + "\n" + answer.source
        return notebook

    edited = copy.deepcopy(solved)
    cell(edited, "task1").source = "print('checked')  # the check, removed"
    deleted = copy.deepcopy(solved)
    deleted.cells = [c for c in deleted.cells if c.get("metadata", {}).get("nbgrader", {}).get(
        "grade_id") not in DELETED]
    kit = nbformat.read(Path(__file__).resolve().parents[1] / "exercises" / f"{assignment}.ipynb",
                        as_version=4)
    return {
        "loops": solved_with(3, "while True:\n    pass"),
        "exits": solved_with(4, "import os\nos._exit(1)"),
        "allocates": solved_with(2, "hog = bytearray(4 * 2**30)"),
        "not_json": b"this is not a notebook\n",
        "edits_check": edited,
        "deletes_cells": deleted,
        "hands_in_the_kit": kit,
        # nbgrader runs a notebook in autograded/STUDENT/ASSIGNMENT/: three folders up is the course
        "writes_outside": solved_with(1, "from pathlib import Path\n"
                                         "course = Path('../../..')\n"
                                         "for name in ('nbgrader_config.py', 'gradebook.db'):\n"
                                         "    if (course / name).exists():\n"
                                         "        (course / name).write_bytes(b'broken')"),
    }


def submit(root: Path, assignment: str, student: str, notebook) -> Path:
    folder = Path(root) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{assignment}.ipynb"
    if isinstance(notebook, bytes):
        path.write_bytes(notebook)
    else:
        nbformat.write(notebook, path)
    return path

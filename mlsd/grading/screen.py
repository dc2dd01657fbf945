"""What can be told about a submission by reading it, before and after nbgrader runs it.

Before (:func:`screen`): is there a notebook at all, is it the assignment's (its cells carry the
grade ids of nbgrader's metadata), which of the assignment's cells it deleted and which locked
cells (checks and read-only setup) it edited. nbgrader restores the source of an edited locked cell
and, with ``OverwriteCells.add_missing_cells`` (which ``mlsd course init`` turns on), puts a deleted
test cell back; a deleted setup or answer cell stays deleted, so the checks after it fail.

After (:func:`execution_problems`): the cells nbgrader interrupted at the cell limit and the cells
that ran out of memory, read from the graded notebook's error outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

INTERRUPTED = ("CellTimeoutError", "KeyboardInterrupt")
SHOWN_IDS = 4
"""At most this many cell ids are named in one problem; the rest are counted."""


@dataclass(frozen=True)
class Screening:
    """A submission as read: ``notebook`` (nbformat, or None when there is none to run),
    ``problems`` (one-line notes for the grade's reason) and ``refusal`` (why it is not run at
    all, or ``""``)."""

    notebook: object | None
    problems: tuple[str, ...] = ()
    refusal: str = ""


def screen(files: dict[str, bytes], assignment: str, source) -> Screening:
    """Read a submission (``files``: its folder's files by name) against the assignment's
    ``source`` notebook (nbformat, with nbgrader metadata)."""
    import nbformat

    name = f"{assignment}.ipynb"
    if name not in files:
        found = ", ".join(sorted(files)) or "nothing"
        return Screening(None, refusal=f"no {name} in the submission (found {found})")
    try:
        text = files[name].decode("utf-8")
        json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return Screening(None, refusal=f"{name} is not a notebook: not JSON ({error})")
    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat's validation and reader errors have no common base
        message = " ".join(str(error).split())[:160]
        return Screening(None, refusal=f"{name} is not a valid notebook: {message}")
    expected = _cells_by_id(source)
    submitted = _cells_by_id(notebook)
    if not set(expected) & set(submitted):
        return Screening(None, refusal=f"{name} has none of the assignment's cells (no nbgrader "
                                       f"metadata): it is not the student version, "
                                       f"release/{assignment}/{name}")
    problems = []
    deleted = [grade_id for grade_id in expected if grade_id not in submitted]
    if deleted:
        problems.append(f"cells deleted: {_ids(deleted)} (nbgrader put test cells back)")
    edited = [grade_id for grade_id, cell in expected.items()
              if cell.metadata["nbgrader"].get("locked") and grade_id in submitted
              and submitted[grade_id].source.strip() != cell.source.strip()]
    if edited:
        problems.append(f"locked cells edited: {_ids(edited)} (restored before grading)")
    return Screening(notebook, tuple(problems))


def execution_problems(graded_text: str | None, limits) -> list[str]:
    """The graded notebook's interrupted and out-of-memory cells, as one-line notes."""
    if not graded_text:
        return []
    import nbformat

    notebook = nbformat.reads(graded_text, as_version=4)
    interrupted, out_of_memory = [], []
    for index, cell in enumerate(notebook.cells):
        names = {output.get("ename") for output in cell.get("outputs", [])
                 if output.get("output_type") == "error"}
        label = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", f"cell {index}")
        if names & set(INTERRUPTED):
            interrupted.append(label)
        if "MemoryError" in names:
            out_of_memory.append(label)
    problems = []
    if interrupted:
        problems.append(f"stopped at the {limits.cell_timeout_s} s cell limit: {_ids(interrupted)}")
    if out_of_memory:
        problems.append(f"out of memory (limit {limits.memory_bytes / 2**30:g} GiB): "
                        f"{_ids(out_of_memory)}")
    return problems


def _cells_by_id(notebook) -> dict:
    return {cell.metadata["nbgrader"]["grade_id"]: cell for cell in notebook.cells
            if "grade_id" in cell.get("metadata", {}).get("nbgrader", {})}


def _ids(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    return shown if len(ids) <= SHOWN_IDS else f"{shown} and {len(ids) - SHOWN_IDS} more"

"""Auto-checked exercises, and the student version of an exercise notebook.

An exercise notebook alternates tasks, which a learner solves in code, with check cells (tagged
``check``) that call :func:`check_close`, :func:`check_equal` or :func:`check_true`. A check that
passes prints one line::

    ✓ share of late deliveries: 0.25

A check that fails raises :class:`ExerciseCheckError`, which a notebook shows as one line, without a
traceback::

    ✗ share of late deliveries: expected 0.25, got 0.75. Hint: count deliveries *after* the promise

The committed notebook is the solved one; its solutions sit between nbgrader's markers::

    ### BEGIN SOLUTION
    late = delays > promise
    ### END SOLUTION

:func:`strip_solutions` replaces each such region by ``# YOUR CODE HERE`` and
``raise NotImplementedError(...)``, as nbgrader's ``ClearSolutions`` does, and
:func:`build_student_version` writes the result (``mlsd student`` does it for the kit's exercises).
"""

from __future__ import annotations

import copy
import math
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = [
    "ExerciseCheckError",
    "build_student_version",
    "check_close",
    "check_equal",
    "check_true",
    "strip_solutions",
]

BEGIN_SOLUTION = re.compile(r"^(?P<indent>\s*)#+\s*BEGIN SOLUTION\s*$")
END_SOLUTION = re.compile(r"^\s*#+\s*END SOLUTION\s*$")
PLACEHOLDER = ("# YOUR CODE HERE", 'raise NotImplementedError("write your solution here")')
ARRAY_PREVIEW = 6


class ExerciseCheckError(AssertionError):
    """A check of an exercise that failed: what was expected, what was found, and a hint.

    In a notebook it is shown as its one-line message, without a traceback.
    """

    def _render_traceback_(self):
        return [str(self)]


def check_close(actual, expected, *, what: str, hint: str, rel: float = 1e-6, abs: float = 0.0) -> None:
    """Check that a number (or an array of numbers) is close to the expected one.

    Passes when ``|actual - expected| <= max(rel * |expected|, abs)`` for every element, the
    tolerance of ``pytest.approx``; NaN is never close, and an infinite expected value is matched
    only by the same infinity. ``actual`` must be a number or an array of
    the expected shape — a bool, a string or None fails with a message saying so.

    Parameters
    ----------
    actual : number or array-like
        The learner's answer.
    expected : number or array-like
        The right answer.
    what : str
        What is checked, e.g. ``"share of late deliveries"``.
    hint : str
        Shown when the check fails.
    rel, abs : float, default 1e-6 and 0.0
        Relative and absolute tolerance.

    Raises
    ------
    ExerciseCheckError
        ``✗ {what}: expected {expected}, got {actual}. Hint: {hint}``.
    """
    expected_array = np.asarray(expected, dtype=float)
    actual_array = _number_array(actual)
    if actual_array is None:
        wanted = "a number" if expected_array.ndim == 0 else "an array of numbers"
        _fail(what, _describe(expected), _not_a(actual, wanted), hint)
    if actual_array.shape != expected_array.shape:
        _fail(what, _describe_shape(expected_array), _describe_shape(actual_array), hint)
    with np.errstate(invalid="ignore"):  # inf - inf: NaN, never within a tolerance
        tolerance = np.where(np.isfinite(expected_array),
                             np.maximum(rel * np.abs(expected_array), abs), 0.0)
        close = (actual_array == expected_array) | (np.abs(actual_array - expected_array) <= tolerance)
    if not close.all():
        _fail(what, *_describe_difference(actual_array, expected_array, ~close), hint)
    _passed(what, actual)


def check_equal(actual, expected, *, what: str, hint: str) -> None:
    """Check that a value equals the expected one exactly (strings, ints, labels, sets, arrays).

    Equality is Python's ``==``; arrays (numpy, pandas) must have the expected shape and equal
    elements.

    Parameters
    ----------
    actual, expected : object
        The learner's answer and the right one.
    what, hint : str
        What is checked, and the hint shown when it fails.

    Raises
    ------
    ExerciseCheckError
        ``✗ {what}: expected {expected}, got {actual}. Hint: {hint}``.
    """
    outcome = _plain_equality(actual, expected)
    if outcome is None:
        actual_array, expected_array = np.asarray(actual), np.asarray(expected)
        if actual_array.shape != expected_array.shape:
            _fail(what, _describe_shape(expected_array), _describe_shape(actual_array), hint)
        unequal = _elementwise_unequal(actual_array, expected_array)
        if unequal.any():
            _fail(what, *_describe_difference(actual_array, expected_array, unequal), hint)
    elif not outcome:
        _fail(what, _describe(expected), _describe(actual), hint)
    _passed(what, actual)


def check_true(condition, *, what: str, hint: str) -> None:
    """Check that a condition holds; it must be one ``True`` or ``False`` (a numpy bool is fine).

    Parameters
    ----------
    condition : bool
        E.g. ``threshold < 0.5`` or ``(scores >= 0).all()``.
    what, hint : str
        What is checked, and the hint shown when it fails.

    Raises
    ------
    ExerciseCheckError
        ``✗ {what}: expected True, got {condition}. Hint: {hint}``; an array or another type
        fails with a message saying one True or False is needed.
    """
    if not isinstance(condition, (bool, np.bool_)):
        _fail(what, "True", _not_a(condition, "one True or False; .all() or .any() make one of many"), hint)
    if not condition:
        _fail(what, "True", "False", hint)
    _passed(what, True)


def strip_solutions(notebook: NotebookNode) -> NotebookNode:
    """A copy of ``notebook`` without its solutions and outputs: the version a learner starts from.

    In every code cell, each region from a ``### BEGIN SOLUTION`` line to its ``### END SOLUTION``
    line (markers included) becomes two lines at the indentation of the BEGIN marker::

        # YOUR CODE HERE
        raise NotImplementedError("write your solution here")

    Outputs and execution counts of code cells are cleared; markdown and raw cells are kept as
    they are.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        A version-4 notebook, e.g. from ``nbformat.read(path, as_version=4)``; it is not changed.

    Returns
    -------
    nbformat.NotebookNode

    Raises
    ------
    ValueError
        When a BEGIN marker has no END, an END has no BEGIN, or BEGIN markers nest; the message
        names the cell index (from 0) and the line.
    """
    student = copy.deepcopy(notebook)
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        cell.source = _strip_cell_source(source, index)
        cell.outputs = []
        cell.execution_count = None
    return student


def build_student_version(source: Path, destination: Path) -> Path:
    """Write the student version of the exercise notebook ``source`` to ``destination``.

    The file is written to a temporary name next to ``destination`` and then renamed, so an
    interrupted build never leaves half a notebook. Missing folders are created.

    Returns
    -------
    Path
        ``destination``.

    Raises
    ------
    ValueError
        When ``destination`` is ``source`` itself (that would erase the solutions), or from
        :func:`strip_solutions`.
    """
    import nbformat

    source, destination = Path(source), Path(destination)
    if destination.resolve() == source.resolve():
        raise ValueError(f"destination {destination} is the solved notebook itself; write the student version elsewhere")
    student = strip_solutions(nbformat.read(source, as_version=4))
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".partial", dir=destination.parent)
    os.close(handle)
    try:
        nbformat.write(student, temporary)
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return destination


def _strip_cell_source(source: str, cell_index: int) -> str:
    kept: list[str] = []
    begin_line = None
    for number, line in enumerate(source.split("\n"), start=1):
        begin = BEGIN_SOLUTION.match(line)
        if begin and begin_line is not None:
            raise ValueError(f"cell {cell_index}, line {number}: BEGIN SOLUTION inside the solution region opened on line {begin_line}")
        if begin:
            begin_line = number
            kept += [begin["indent"] + placeholder for placeholder in PLACEHOLDER]
        elif END_SOLUTION.match(line):
            if begin_line is None:
                raise ValueError(f"cell {cell_index}, line {number}: END SOLUTION without a BEGIN SOLUTION before it")
            begin_line = None
        elif begin_line is None:
            kept.append(line)
    if begin_line is not None:
        raise ValueError(f"cell {cell_index}, line {begin_line}: BEGIN SOLUTION without a matching END SOLUTION")
    return "\n".join(kept)


def _fail(what: str, expected: str, actual: str, hint: str) -> NoReturn:
    raise ExerciseCheckError(_one_line(f"✗ {what}: expected {expected}, got {actual}. Hint: {hint}"))


def _passed(what: str, value) -> None:
    print(_one_line(f"✓ {what}: {_describe(value)}"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _plain_equality(actual, expected) -> bool | None:
    """``actual == expected`` as one bool, or None when it compares element by element."""
    try:
        outcome = actual == expected
    except (TypeError, ValueError):
        return None
    return bool(outcome) if isinstance(outcome, (bool, np.bool_)) else None


def _elementwise_unequal(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    try:
        return np.asarray(actual != expected, dtype=bool).reshape(expected.shape)
    except (TypeError, ValueError):
        return np.ones(expected.shape, dtype=bool)


def _number_array(value) -> np.ndarray | None:
    if value is None or isinstance(value, (str, bytes, bool, np.bool_, dict, set)):
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if array.dtype.kind not in "iuf":
        return None
    return array.astype(float)


def _describe_difference(actual: np.ndarray, expected: np.ndarray, wrong: np.ndarray) -> tuple[str, str]:
    """Expected and found values; for arrays, how many elements are wrong and the first of them."""
    if actual.ndim == 0:
        got, wanted = _distinguishable(actual.item(), expected.item())
        return wanted, got
    first = np.unravel_index(int(np.flatnonzero(wrong)[0]), wrong.shape)
    where = first[0] if len(first) == 1 else tuple(int(i) for i in first)
    got, wanted = _distinguishable(actual[first].item(), expected[first].item())
    detail = f"wrong values: {int(wrong.sum())} of {wrong.size}; the first, at index {where}, is {got} instead of {wanted}"
    return _describe(expected), f"{_describe(actual)} ({detail})"


def _distinguishable(actual, expected) -> tuple[str, str]:
    """Both values with enough digits that they do not print the same."""
    for digits in (6, 10, 17):
        shown = (_describe(actual, digits), _describe(expected, digits))
        if shown[0] != shown[1]:
            break
    return shown


def _describe(value, digits: int = 6) -> str:
    if isinstance(value, (float, np.floating)):
        return _number(float(value), digits)
    if isinstance(value, (bool, np.bool_, int, np.integer, str, bytes)) or value is None:
        return repr(value.item() if isinstance(value, np.generic) else value)
    if hasattr(value, "shape") or isinstance(value, (list, tuple)):
        return _describe_array(value, digits)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe_array(value, digits: int) -> str:
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return f"a {type(value).__name__}"
    if array.ndim != 1:
        return _describe_shape(array)
    items = [_describe(item, digits) for item in array[:ARRAY_PREVIEW].tolist()]
    if array.size > ARRAY_PREVIEW:
        items = items[:-1] + ["…", _describe(array[-1].item(), digits)]
    listed = "[" + ", ".join(items) + "]"
    return listed if array.size <= ARRAY_PREVIEW else f"{listed} ({array.size} values)"


def _describe_shape(array: np.ndarray) -> str:
    return "a single value" if array.ndim == 0 else f"an array of shape {array.shape}"


def _not_a(value, wanted: str) -> str:
    kind = "" if value is None else f"of type {type(value).__name__}, "
    return f"{_describe(value)} ({kind}not {wanted})"


def _number(value: float, digits: int) -> str:
    if math.isnan(value) or math.isinf(value):
        return str(value)
    return f"{value:.{digits}g}"

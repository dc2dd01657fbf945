"""Exercise tasks that train judgment: each with its solution and the plausible wrong answers it rejects.

A case's exercise is a list of :class:`Task` and a context (the data its tasks work on). The
exercise notebook builds an :class:`Exercise` in one line and checks each answer with
``ex.check(number, answer)``; the reference answers live in the case's package, never in the
notebook's check cells, so the student version (:func:`mlsd.exercises.strip_solutions`) shows none
of them.

How a check decides
    The answer is reduced to an **outcome** (``Task.outcome``): by default the answer itself; for a
    task whose answer is a function, the function's results on probe inputs built so that each
    plausible mistake gives a different result. The outcome is compared with the solution's:

    - equal (numbers within ``rel``; arrays, strings, sets and tuples by value): ``✓ what: …``
      and the task's ``why_right``;
    - equal to the outcome of one of the task's :class:`WrongAnswer`: ``✗ what: got …`` and that
      wrong answer's ``why`` — what was wrong, and why it is wrong;
    - anything else: ``✗ what: got …`` and the task's ``hint``.

    An answer that raises, or a function that raises on a probe, fails with the exception's
    message. ``Task.shows_expected`` says whether a failure shows the expected outcome: yes for a
    computation (the number helps debugging), no for a choice (it would give the answer away).

Tests prove the lists: for every task the solution passes and every wrong answer is rejected with
its own ``why`` (``tests/test_exercise_tasks.py`` walks every case's tasks). A wrong answer that
coincides with the solution on the context fails that test — the context must tell them apart.

Every check records its outcome (``task<N>_passed`` and, for a number or a choice, ``task<N>``) so
``mlsd run`` collects a learner's answers without a recording cell.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mlsd.exercises import ExerciseCheckError

__all__ = ["Exercise", "Task", "WrongAnswer"]


@dataclass(frozen=True)
class WrongAnswer:
    """A plausible wrong answer to a task: how it is made from the context, and why it is wrong.

    ``answer(context)`` returns the wrong answer in the form a learner would give it (a number,
    a choice, a function...); ``why`` is the check's message when a learner gives it.
    """

    name: str
    answer: Callable[[Any], Any]
    why: str


@dataclass(frozen=True)
class Task:
    """One task of an exercise.

    Parameters
    ----------
    number : int
        The task's number in its notebook, from 1.
    what : str
        What the answer is, as the check's message names it (e.g. ``"recall@k of one list"``).
    solution : callable
        ``solution(context)``: the right answer, in the form the learner gives it.
    wrong_answers : sequence of WrongAnswer
        The plausible wrong answers the check must reject, each with why it is wrong.
    hint : str
        The message for a wrong answer that is none of the listed ones.
    why_right : str
        Printed after a passing check: what the right answer shows.
    outcome : callable, optional
        ``outcome(answer, context)``: what is compared; the answer itself by default.
    rel : float, default 1e-9
        Relative tolerance of numbers in outcomes.
    shows_expected : bool, default True
        Whether a failure shows the expected outcome.
    """

    number: int
    what: str
    solution: Callable[[Any], Any]
    wrong_answers: Sequence[WrongAnswer]
    hint: str
    why_right: str = ""
    outcome: Callable[[Any, Any], Any] = field(default=lambda answer, context: answer)
    rel: float = 1e-9
    shows_expected: bool = True

    def check(self, answer, context) -> Any:
        """Check ``answer`` against the solution on ``context``; print ``✓ …`` or raise.

        Returns the answer's outcome.

        Raises
        ------
        ExerciseCheckError
            One line: ``✗ what: got …`` then the wrong answer's ``why``, or the task's hint.
        """
        got = self._outcome_of(answer, context)
        expected = self.outcome(self.solution(context), context)
        if same(got, expected, self.rel):
            print(_one_line(f"✓ {self.what}: {describe(got)}. {self.why_right}"))
            return got
        for wrong in self.wrong_answers:
            if same(got, self.outcome(wrong.answer(context), context), self.rel):
                self._fail(got, expected, wrong.why)
        self._fail(got, expected, self.hint)

    def _outcome_of(self, answer, context):
        try:
            return self.outcome(answer, context)
        except ExerciseCheckError:
            raise
        except Exception as error:  # the learner's function failed on a probe: say so in one line
            raise ExerciseCheckError(_one_line(
                f"✗ {self.what}: your answer raised {type(error).__name__}: {error}")) from None

    def _fail(self, got, expected, why: str):
        shown = f"expected {describe(expected)}, got {describe(got)}" if self.shows_expected \
            else f"got {describe(got)}"
        raise ExerciseCheckError(_one_line(f"✗ {self.what}: {shown}. {why}"))


class Exercise:
    """A case's tasks bound to the context they are checked on (what ``case.exercise(...)`` returns).

    ``ex.context`` holds the data the notebook's tasks work on; ``ex.check(number, answer)`` checks
    one answer and records its outcome.
    """

    def __init__(self, tasks: Sequence[Task], context):
        numbers = [task.number for task in tasks]
        if numbers != list(range(1, len(tasks) + 1)):
            raise ValueError(f"tasks must be numbered 1, 2, ... in order; got {numbers}")
        self.tasks = tuple(tasks)
        self.context = context

    def task(self, number: int) -> Task:
        """The task numbered ``number``."""
        if not isinstance(number, int) or not 1 <= number <= len(self.tasks):
            raise ValueError(f"task number must be an int from 1 to {len(self.tasks)}; got {number!r}")
        return self.tasks[number - 1]

    def check(self, number: int, answer) -> None:
        """Check the answer to task ``number`` (see :meth:`Task.check`) and record the outcome."""
        from mlsd.records import record

        task = self.task(number)
        try:
            outcome = task.check(answer, self.context)
        except ExerciseCheckError:
            record(f"task{number}_passed", False)
            raise
        record(f"task{number}_passed", True)
        if isinstance(outcome, (str, bool, int, float, np.integer, np.floating)) and _finite(outcome):
            record(f"task{number}", outcome)


def same(a, b, rel: float) -> bool:
    """Whether two outcomes are equal: numbers within ``rel`` (and ``abs = rel``) of each other,
    containers element by element, anything else by ``==``."""
    if isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
        return isinstance(a, (bool, np.bool_)) and isinstance(b, (bool, np.bool_)) and bool(a) == bool(b)
    if isinstance(a, (set, frozenset)) or isinstance(b, (set, frozenset)):
        return isinstance(a, (set, frozenset)) and isinstance(b, (set, frozenset)) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key], rel) for key in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y, rel) for x, y in zip(a, b))
    if _is_number(a) and _is_number(b):
        a, b = float(a), float(b)
        return a == b or abs(a - b) <= rel * max(abs(a), abs(b), 1.0)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "iuf" and b.dtype.kind in "iuf":
            return bool(np.allclose(a, b, rtol=rel, atol=rel, equal_nan=False))
        return bool(np.array_equal(a, b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def describe(value) -> str:
    """A short text of an outcome for a check's message."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(repr(item) for item in value)) + "}" if value else "an empty set"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(describe(item) for item in value) + ")"
    if isinstance(value, np.ndarray):
        shown = np.array2string(value[:6], precision=4, separator=", ")
        return shown if value.size <= 6 else f"{shown[:-1]}, ...] ({value.size} values)"
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _finite(value) -> bool:
    return not isinstance(value, (float, np.floating)) or math.isfinite(float(value))


def _one_line(text: str) -> str:
    return " ".join(text.split())

"""Argument checks shared by the whole kit: one rule for what counts as an integer or a number.

Every check returns the value in a plain Python type, or raises ``ValueError`` with one message
that names the argument, the value given and what is allowed::

    n_factors must be an integer >= 1; got 0
    negative_rate must be a number in (0, 1]; got 1.5

The conventions, the same everywhere:

- an **integer** is a Python ``int`` or a numpy integer, never a ``bool``;
- a **number** is any real number (``int``, ``float``, numpy integer or floating), never a ``bool``,
  and always finite: NaN and ±infinity are refused (an infinite bound only means "no bound");
- intervals use mathematical notation in messages: ``[lo, hi]`` closed, ``(lo, hi)`` open.

The array checks (:func:`as_1d` and the label and probability checks built on it) return clean
numpy arrays, so the code after them may assume well-formed input. This module imports nothing of
the kit, so every other module, :mod:`mlsd.metrics` included, may import it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np


def is_integer(value) -> bool:
    """True for an ``int`` or numpy integer, False for a ``bool`` and anything else."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_number(value) -> bool:
    """True for a real number (int, float, numpy integer or floating) that is not a ``bool``."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_int(name: str, value, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an ``int`` in ``[low, high]`` (either bound may be None: no bound)."""
    allowed = _integer_range(low, high)
    if not is_integer(value) or (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be {allowed}; got {value!r}")
    return int(value)


def check_number(
    name: str,
    value,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` between ``low`` and ``high``.

    Bounds are closed unless ``low_open`` / ``high_open``; an infinite bound means no bound.
    ``check_number("rate", r, 0, 1, low_open=True)`` allows ``(0, 1]``.
    """
    if not is_number(value) or not math.isfinite(value) or not _within(value, low, high, low_open, high_open):
        raise ValueError(f"{name} must be {_number_range(low, high, low_open, high_open)}; got {value!r}")
    return float(value)



def number_property(name: str, doc: str, low: float = -math.inf) -> property:
    """A property holding a finite number >= ``low``, checked by :func:`check_number` on every
    assignment (so a bad value is one ValueError naming ``name``) and kept as ``_<name>``."""
    attribute = f"_{name}"

    def get(self) -> float:
        return getattr(self, attribute)

    def set(self, value) -> None:
        setattr(self, attribute, check_number(name, value, low))

    return property(get, set, doc=doc)

def check_choice(name: str, value, choices: Iterable):
    """Return ``value`` if it is one of ``choices``; the message lists them."""
    choices = tuple(choices)
    if isinstance(value, (bool, np.bool_)) != any(isinstance(c, bool) for c in choices) or value not in choices:
        listed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def check_distinct_ints(name: str, values, low: int | None = None, high: int | None = None) -> tuple[int, ...]:
    """Return ``values`` as a non-empty tuple of distinct ints, each in ``[low, high]``."""
    values = tuple(values) if isinstance(values, Iterable) and not isinstance(values, str) else (values,)
    valid = all(is_integer(v) and (low is None or v >= low) and (high is None or v <= high) for v in values)
    if not values or not valid or len(set(values)) != len(values):
        raise ValueError(f"{name} must be distinct values, each {_integer_range(low, high)}, at least one; got {values!r}")
    return tuple(int(value) for value in values)


def check_distinct_numbers(
    name: str,
    values,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> tuple[float, ...]:
    """Return ``values`` as a non-empty tuple of distinct finite floats, each within the bounds."""
    values = tuple(values) if isinstance(values, Iterable) and not isinstance(values, str) else (values,)
    valid = all(
        is_number(v) and math.isfinite(v) and _within(v, low, high, low_open, high_open) for v in values
    )
    if not values or not valid or len(set(values)) != len(values):
        allowed = _number_range(low, high, low_open, high_open)
        raise ValueError(f"{name} must be distinct values, each {allowed}, at least one; got {values!r}")
    return tuple(float(value) for value in values)


def check_callable(name: str, value, what: str = "a callable"):
    """Return ``value`` if it can be called; ``what`` says what kind of callable is expected."""
    if not callable(value):
        raise ValueError(f"{name} must be {what}; got {value!r}")
    return value


def as_1d(values, name: str, *, dtype=float) -> np.ndarray:
    """Return ``values`` as a non-empty 1-D array of ``dtype`` without NaN or infinity."""
    try:
        array = np.asarray(values, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric; got {_preview(values)} ({error})") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional; got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty; at least one value is needed")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        where = int(np.flatnonzero(~np.isfinite(array))[0])
        raise ValueError(f"{name} must be finite; {name}[{where}] = {array[where]}")
    return array


def same_length(**arrays: np.ndarray) -> None:
    """Raise when the named arrays do not all have the same length."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} has {length}" for name, length in lengths.items())
        raise ValueError(f"inputs must have the same length; {listed}")


def binary_labels(y_true, name: str = "y_true") -> np.ndarray:
    """Return labels as a float array of 0.0 and 1.0; any other value is an error."""
    labels = as_1d(y_true, name)
    bad = (labels != 0) & (labels != 1)
    if bad.any():
        where = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must contain only 0 and 1; {name}[{where}] = {labels[where]}")
    return labels


def probabilities(y_prob, name: str = "y_prob") -> np.ndarray:
    """Return predicted probabilities as a float array, each within [0, 1]."""
    prob = as_1d(y_prob, name)
    bad = (prob < 0) | (prob > 1)
    if bad.any():
        where = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} must lie in [0, 1]; {name}[{where}] = {prob[where]}")
    return prob


def _within(value, low, high, low_open, high_open) -> bool:
    above = value > low if low_open else value >= low
    below = value < high if high_open else value <= high
    return above and below


def _integer_range(low, high) -> str:
    if low is not None and high is not None:
        return f"an integer in [{low}, {high}]"
    if low is not None:
        return f"an integer >= {low}"
    if high is not None:
        return f"an integer <= {high}"
    return "an integer"


def _number_range(low, high, low_open, high_open) -> str:
    if math.isinf(low) and math.isinf(high):
        return "a finite number"
    if math.isinf(high):
        return f"a finite number {'>' if low_open else '>='} {_bound(low)}"
    if math.isinf(low):
        return f"a finite number {'<' if high_open else '<='} {_bound(high)}"
    return f"a number in {'(' if low_open else '['}{_bound(low)}, {_bound(high)}{')' if high_open else ']'}"


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _preview(values, limit: int = 60) -> str:
    text = repr(values)
    return text if len(text) <= limit else text[: limit - 3] + "..."

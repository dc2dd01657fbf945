"""Input validation shared by every metric.

Each check returns a clean float or int numpy array (or raises ``ValueError`` with one message that
names the argument, the offending value and what is allowed), so the metric bodies can assume
well-formed input. ``mlsd.metrics`` imports nothing else of ours.
"""

from __future__ import annotations

import numpy as np


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


def both_classes(labels: np.ndarray, metric: str) -> None:
    """Raise when a metric that compares positives with negatives sees only one class."""
    positives = int(labels.sum())
    if positives == 0 or positives == len(labels):
        only = "positives" if positives else "negatives"
        raise ValueError(f"{metric} is undefined when y_true holds only {only}; both classes are needed")


def positive_int(value, name: str) -> int:
    """Return ``value`` as an int >= 1 (cut-offs such as k, bin counts)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {value!r}")
    return int(value)


def non_negative(value, name: str) -> float:
    """Return ``value`` as a finite float >= 0 (costs, tolerances)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number >= 0; got {value!r}") from None
    if not np.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    return number


def _preview(values, limit: int = 60) -> str:
    text = repr(values)
    return text if len(text) <= limit else text[: limit - 3] + "..."

"""Pieces every simulator of the kit shares: the logistic link and a base rate that is met exactly."""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    """The logistic function ``1 / (1 + exp(-z))``, written with tanh so it never overflows."""
    return 0.5 * (1 + np.tanh(np.asarray(z) / 2))


def intercept_for_rate(shifted_logit: np.ndarray, rate: float, steps: int = 60) -> float:
    """The intercept ``b`` with ``mean(sigmoid(b + shifted_logit)) == rate``, found by bisection.

    The mean is increasing in ``b``, so 60 halvings of [-30, 30] pin ``b`` to about 1e-16.
    """
    if not 0 < rate < 1:
        raise ValueError(f"rate must be strictly between 0 and 1; got {rate!r}")
    low, high = -30.0, 30.0
    for _ in range(steps):
        middle = (low + high) / 2
        if sigmoid(middle + shifted_logit).mean() < rate:
            low = middle
        else:
            high = middle
    return (low + high) / 2

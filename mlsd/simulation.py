"""Pieces every simulator of the kit shares: the logistic link, a base rate that is met exactly,
and exp, log and powers that give the same bits on every CPU (numpy's own loops dispatch to SIMD
code that differs in the last bit, so a draw compared with them could flip between machines)."""

from __future__ import annotations

import math

import numpy as np

LN2 = math.log(2)
LN2_HIGH, LN2_LOW = 6.93147180369123816490e-01, 1.90821492927058770002e-10
EXP_TERMS = 14


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


def libm(function, values) -> np.ndarray:
    """``function`` (a scalar function such as :func:`math.log`) of each value: the C library's
    result, element by element. numpy's own exp, log and power dispatch to SIMD loops that differ
    from it, and from each other, in the last bit; this is the same with those loops on or off."""
    return np.asarray(np.frompyfunc(function, 1, 1)(np.asarray(values, dtype=float)), dtype=float)


def exact_exp(values) -> np.ndarray:
    """``exp`` from additions and multiplications only (exact in IEEE arithmetic, so the same on
    every SIMD path): ``exp(x) = 2**k exp(r)`` with ``k = rint(x / ln 2)``, ``|r| <= ln 2 / 2``,
    and ``exp(r)`` by its Taylor series to ``r**EXP_TERMS / EXP_TERMS!`` (relative error < 1e-16;
    ``k ln 2`` is split in two parts as fdlibm does, so the reduction is exact)."""
    x = np.clip(np.asarray(values, dtype=float), -700.0, 700.0)
    k = np.rint(x * (1 / LN2))
    r = (x - k * LN2_HIGH) - k * LN2_LOW
    series = np.ones_like(r)
    for term in range(EXP_TERMS, 0, -1):
        series = 1 + series * r / term
    return np.ldexp(series, k.astype(np.int64))


def exact_sigmoid(values) -> np.ndarray:
    """``1 / (1 + exp(-z))`` with the :func:`exact_exp` that is the same on every SIMD path."""
    return 1 / (1 + exact_exp(-np.asarray(values, dtype=float)))

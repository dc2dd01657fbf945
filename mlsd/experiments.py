"""Online experiments: the analysis of an A/B test on a per-user metric.

:func:`difference_in_means` compares arm B with arm A by Welch's normal approximation: with per-user
values ``a`` and ``b``, the estimate is ``mean(b) − mean(a)``, its standard error
``sqrt(var(a)/n_a + var(b)/n_b)`` (sample variances, ``ddof = 1``), the 95% interval
``estimate ± 1.96 × SE`` and the two-sided p-value ``2 (1 − Φ(|estimate| / SE))``. With the
thousands of users per arm of a product experiment the normal approximation is what Student's t
would give (Kohavi, Tang & Xu 2020, *Trustworthy Online Controlled Experiments*, ch. 17).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlsd.metrics._validation import as_1d

Z_975 = 1.959963984540054


@dataclass(frozen=True)
class Comparison:
    """Arm B against arm A: means, the difference, its standard error, 95% interval and p-value."""

    mean_a: float
    mean_b: float
    difference: float
    standard_error: float
    ci_low: float
    ci_high: float
    p_value: float
    n_a: int
    n_b: int

    @property
    def relative_difference(self) -> float:
        """``difference / mean_a``: the lift of B over A."""
        return self.difference / self.mean_a


def difference_in_means(a, b) -> Comparison:
    """Compare per-user values of arm B with arm A (Welch, normal approximation; see the module)."""
    a, b = as_1d(a, "a"), as_1d(b, "b")
    for name, values in (("a", a), ("b", b)):
        if len(values) < 2:
            raise ValueError(f"{name} needs at least 2 values to estimate a variance; got {len(values)}")
    difference = float(b.mean() - a.mean())
    standard_error = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    z = difference / standard_error if standard_error > 0 else math.copysign(math.inf, difference) if difference else 0.0
    p_value = math.erfc(abs(z) / math.sqrt(2))
    margin = Z_975 * standard_error
    return Comparison(float(a.mean()), float(b.mean()), difference, standard_error, difference - margin, difference + margin, p_value, len(a), len(b))

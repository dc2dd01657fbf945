"""Online experiments: planning an A/B test on a conversion rate, and analysing one on a per-user metric.

Planning (two-proportion z-test, normal approximation; e.g. Chow, Shao & Wang 2008, *Sample Size
Calculations in Clinical Research*, §4.2): to detect a change from rate ``p1`` to ``p2`` with two-sided
level ``α`` and power ``1 − β``, each arm needs

    n = (z_{1−α/2} + z_{1−β})² · (p1(1 − p1) + p2(1 − p2)) / (p2 − p1)²

users. :func:`simulate_detection` measures the power (or, with no effect, the false-positive rate) by
running many simulated experiments; :func:`simulate_peeking` does the same when the test is checked
after every day and stopped at the first significant look — which inflates false positives.

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
from statistics import NormalDist

import numpy as np
import pandas as pd

from mlsd.validation import as_1d, check_int, check_number

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


def sample_size_per_arm(baseline_rate: float, minimum_detectable_effect: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Users per arm to detect a *relative* change ``minimum_detectable_effect`` of ``baseline_rate``.

    ``p1 = baseline_rate``, ``p2 = p1 × (1 + minimum_detectable_effect)``; the formula is in the module
    docstring; the result is rounded up.
    """
    p1 = _probability(baseline_rate, "baseline_rate")
    lift = check_number("minimum_detectable_effect", minimum_detectable_effect)
    p2 = _probability(p1 * (1 + lift), "baseline_rate × (1 + minimum_detectable_effect)")
    if p2 == p1:
        raise ValueError("minimum_detectable_effect must be non-zero; no sample size detects no change")
    z = _z(1 - _probability(alpha, "alpha") / 2) + _z(_probability(power, "power"))
    return math.ceil(z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p2 - p1) ** 2)


def days_needed(users_per_arm: int, traffic_per_day: int, arms: int = 2) -> int:
    """Whole days until ``arms × users_per_arm`` users have entered at ``traffic_per_day`` users a day."""
    users_per_arm = check_int("users_per_arm", users_per_arm, 1)
    traffic_per_day = check_int("traffic_per_day", traffic_per_day, 1)
    arms = check_int("arms", arms, 1)
    return math.ceil(arms * users_per_arm / traffic_per_day)


def simulate_detection(baseline_rate: float, relative_effect: float, users_per_arm: int, alpha: float = 0.05, n_experiments: int = 10_000, seed: int = 0) -> float:
    """Share of simulated experiments whose two-proportion z-test is significant at ``alpha``.

    Each experiment draws conversions ~ Binomial(users_per_arm, p) in each arm, with ``p2 = p1 × (1 +
    relative_effect)``; with ``relative_effect = 0`` the share is the false-positive rate.
    """
    p1, p2 = _rates(baseline_rate, relative_effect)
    users_per_arm = check_int("users_per_arm", users_per_arm, 1)
    critical = _z(1 - _probability(alpha, "alpha") / 2)
    rng = np.random.default_rng(seed)
    n_experiments = check_int("n_experiments", n_experiments, 1)
    a = rng.binomial(users_per_arm, p1, n_experiments)
    b = rng.binomial(users_per_arm, p2, n_experiments)
    return float(np.mean(np.abs(_z_statistic(a, b, users_per_arm)) > critical))


def simulate_peeking(baseline_rate: float, relative_effect: float, users_per_day_per_arm: int, days: int, alpha: float = 0.05, n_experiments: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """Checking the test after every day and stopping at the first significant look.

    One row per day: ``significant_by_day`` — share of experiments that have been declared significant at
    some look up to that day (peeking) — and ``significant_on_day`` — share significant when looking only
    on that day. With no effect the first column climbs far above ``alpha`` while the second stays at it.
    """
    p1, p2 = _rates(baseline_rate, relative_effect)
    users_per_day_per_arm = check_int("users_per_day_per_arm", users_per_day_per_arm, 1)
    days = check_int("days", days, 1)
    critical = _z(1 - _probability(alpha, "alpha") / 2)
    shape = (check_int("n_experiments", n_experiments, 1), days)
    rng = np.random.default_rng(seed)
    a = np.cumsum(rng.binomial(users_per_day_per_arm, p1, shape), axis=1)
    b = np.cumsum(rng.binomial(users_per_day_per_arm, p2, shape), axis=1)
    users = users_per_day_per_arm * np.arange(1, days + 1)
    significant = np.abs(_z_statistic(a, b, users)) > critical
    return pd.DataFrame({
        "day": np.arange(1, days + 1),
        "significant_by_day": np.logical_or.accumulate(significant, axis=1).mean(axis=0),
        "significant_on_day": significant.mean(axis=0),
    })


def _z_statistic(conversions_a, conversions_b, users):
    """Two-proportion z statistic with the pooled rate under the null (0 when the pooled rate is 0 or 1)."""
    pooled = (conversions_a + conversions_b) / (2 * users)
    standard_error = np.sqrt(pooled * (1 - pooled) * 2 / users)
    difference = (conversions_b - conversions_a) / users
    return np.divide(difference, standard_error, out=np.zeros_like(difference, dtype=float), where=standard_error > 0)


def _z(probability: float) -> float:
    return NormalDist().inv_cdf(probability)


def _rates(baseline_rate, relative_effect) -> tuple[float, float]:
    """The rates of arms A and B: ``p1`` and ``p2 = p1 (1 + relative_effect)``, each in (0, 1)."""
    p1 = _probability(baseline_rate, "baseline_rate")
    p2 = p1 * (1 + check_number("relative_effect", relative_effect))
    return p1, _probability(p2, "the treated rate baseline_rate × (1 + relative_effect)")


def _probability(value, name: str) -> float:
    return check_number(name, value, 0, 1, low_open=True, high_open=True)

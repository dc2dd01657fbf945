"""What "the same results" means for the kit, on one machine and across machines.

- **On one machine**, the same parameters give the same records, byte for byte.
- **Across machines** (another CPU's BLAS kernels, another thread count), a float may move in its
  last bits, so a recorded number counts as the same when

      |actual − expected| <= max(RELATIVE_TOLERANCE × |expected|, ABSOLUTE_TOLERANCE)

  with ``RELATIVE_TOLERANCE = 1e-9`` and ``ABSOLUTE_TOLERANCE = 1e-12``; ints, bools and strings
  must be equal. The committed notebooks' records are checked this way (not byte for byte) every
  time the tests re-execute them.
- **Shown text and HTML** must not change at all: rankings break near-ties by id after rounding
  (:mod:`mlsd.ordering`), and tables show at most a few decimals, so the last bits of a float
  never reach a shown digit.
"""

from __future__ import annotations

import math

RELATIVE_TOLERANCE = 1e-9
ABSOLUTE_TOLERANCE = 1e-12


def same_value(expected, actual) -> bool:
    """Whether ``actual`` counts as the recorded ``expected`` value (see the module docstring)."""
    if isinstance(expected, float) or isinstance(actual, float):
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (expected, actual))
        return numbers and math.isclose(expected, actual, rel_tol=RELATIVE_TOLERANCE, abs_tol=ABSOLUTE_TOLERANCE)
    return type(expected) is type(actual) and expected == actual


def record_differences(expected: dict, actual: dict) -> list[str]:
    """One line per record that is missing, new, or not the same value; empty when all agree."""
    problems = [f"record {name} is missing (expected {expected[name]!r})" for name in expected if name not in actual]
    problems += [f"record {name} = {actual[name]!r} is new" for name in actual if name not in expected]
    for name in expected.keys() & actual.keys():
        if not same_value(expected[name], actual[name]):
            problems.append(
                f"record {name} = {actual[name]!r}, expected {expected[name]!r} "
                f"(tolerance: relative {RELATIVE_TOLERANCE:g}, absolute {ABSOLUTE_TOLERANCE:g})"
            )
    return sorted(problems)


STAMPED_PACKAGES = ("numpy", "scipy", "scikit-learn", "pandas", "matplotlib")


def execution_environment() -> dict:
    """What a kernel started now computes with: threads per kernel, Python, the numerical packages'
    versions and the BLAS library. ``mlsd refresh`` stamps it into each notebook's metadata
    (``metadata.mlsd.executed_with``), so a committed output says what made it."""
    import platform
    from importlib.metadata import version

    import numpy  # noqa: F401  (loads the BLAS library that threadpoolctl describes)
    from threadpoolctl import threadpool_info

    from mlsd.threads import thread_environment

    blas = {
        f"{library['internal_api']} {library['version']} ({library.get('architecture') or 'unknown'})"
        for library in threadpool_info()
        if library["user_api"] == "blas"
    }
    return {
        "threads": int(thread_environment()["OPENBLAS_NUM_THREADS"]),
        "python": platform.python_version(),
        **{package: version(package) for package in STAMPED_PACKAGES},
        "blas": ", ".join(sorted(blas)),
    }

"""How many BLAS and OpenMP threads a kernel of the kit uses: a fixed number, not the core count.

A sum split over two threads is added in another order than on one, so a result can move in its
last bits with the thread count, and on a machine with more cores it would. Every kernel the kit
starts (``mlsd run``, ``refresh``, ``sweep``, ``explore``, ``make lab``, the tests) therefore gets

    OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = MKL_NUM_THREADS = N

with ``N`` = ``MLSD_THREADS`` when set, else each variable the user set
keeps its value, else 1. One thread each also suits parallel runs: kernels whose OpenMP pools
share cores and busy-wait can run twenty times slower.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

THREADS_VARIABLE = "MLSD_THREADS"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
DEFAULT_THREADS = 1


def kernel_threads(environ: Mapping[str, str] = os.environ) -> int | None:
    """The thread count ``MLSD_THREADS`` asks for, or None when it is not set.

    Raises
    ------
    ValueError
        When ``MLSD_THREADS`` is not a whole number >= 1, naming the variable and its value.
    """
    text = environ.get(THREADS_VARIABLE, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{THREADS_VARIABLE} = {text!r} is not allowed: expected a whole number >= 1")
    return int(text)


def thread_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The thread variables a kernel started from ``environ`` gets (see the module docstring)."""
    asked = kernel_threads(environ)
    if asked is not None:
        return {variable: str(asked) for variable in THREAD_VARIABLES}
    return {variable: environ.get(variable) or str(DEFAULT_THREADS) for variable in THREAD_VARIABLES}


def pin_threads() -> None:
    """Set this process's thread variables, so every kernel or server it starts inherits them."""
    os.environ.update(thread_environment())

if __name__ == "__main__":  # `python -m mlsd.threads`: the variables, for `env` in a Makefile
    print(" ".join(f"{name}={value}" for name, value in thread_environment().items()))

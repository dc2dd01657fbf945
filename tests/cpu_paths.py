"""Running a script with numpy's SIMD loops on and off, to show a result does not depend on them."""

import os
import subprocess
import sys


def output_with_simd_loops(script: str, *, on: bool) -> str:
    """The stripped standard output of ``python -c script`` in a fresh interpreter, with every
    SIMD loop numpy dispatches at run time on this CPU turned on, or off
    (``NPY_DISABLE_CPU_FEATURES``)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    env = {key: value for key, value in os.environ.items() if key != "NPY_DISABLE_CPU_FEATURES"}
    if not on:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(
            feature for feature in __cpu_dispatch__ if __cpu_features__.get(feature))
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()

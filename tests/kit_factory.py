"""Builders for tests: tiny notebooks of the kit's shape, and the real `mlsd` command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import nbformat

KIT_ROOT = Path(__file__).resolve().parents[1]

PARAMETERS = """\
seed: int = 7  # random seed, in [0, 1000]
n: int = 1000  # sample size, in [10, 100_000]
scale: float = 1.0  # spread of the sample, in (0, 10]
mode: str = "fine"  # what to do, one of {fine, fail}
"""

BODY = """\
import numpy as np
sample = np.random.default_rng(seed).normal(scale=scale, size=n)
mlsd.record("mean", sample.mean())
mlsd.record("size", len(sample))
"""

DATA_SOURCE = (
    'data_source: str = "simulated"  # where the data come from, one of {simulated, file}\n'
)

RECORDS_DATA_SOURCE = BODY + 'mlsd.record("data_source", data_source)\n'


def write_notebook(
    path: Path,
    parameters: str = PARAMETERS,
    body: str = BODY,
    smallest: dict | None = None,
    simulator_parameters: list | None = None,
) -> Path:
    """A small notebook of the kit's shape: parameters cell, check call, body, optional failure.

    ``smallest`` and ``simulator_parameters`` go to the notebook's metadata ``mlsd`` when given.
    """
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if smallest is not None:
        notebook.metadata["mlsd"] = {"smallest": smallest}
    if simulator_parameters is not None:
        notebook.metadata.setdefault("mlsd", {})["simulator_parameters"] = simulator_parameters
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# A test notebook"),
        cell,
        nbformat.v4.new_code_cell("import mlsd\nparams = mlsd.check_parameters()"),
        nbformat.v4.new_code_cell(body),
        nbformat.v4.new_code_cell('if mode == "fail":\n    raise RuntimeError("asked to fail")'),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path



def run_mlsd(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real `mlsd` command in a subprocess and capture its output; ``env`` adds variables."""
    environment = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "mlsd.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=600, env=environment)


def answer_ctrl_c() -> None:
    """``preexec_fn`` for a child that a test interrupts: Ctrl-C's default action, even when pytest
    runs with SIGINT ignored (as a background job of a script does), so the child's Python raises
    KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)

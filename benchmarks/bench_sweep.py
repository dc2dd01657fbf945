"""Benchmark: ``mlsd sweep`` against one ``papermill`` command per run, for a grid of tiny notebooks.

At scale 1 a grid of 20 seeds (``max(2, round(20 * scale))``) runs a notebook that records the mean
of a seeded normal sample, so almost all of a run's time is the cost of running a notebook at all:
starting a kernel, injecting parameters, executing, writing the executed copy. Rows, each timed on
the wall clock end to end — checking every run, executing, writing the sweep's folder:

- ``sweep, --jobs 1`` and ``sweep, --jobs 2``: ``mlsd sweep`` with the local executor (papermill in
  this process, one kernel per run, that many at once).
- ``sweep, Dask, 2 workers``: ``--executor dask`` on a ``LocalCluster`` of two single-threaded
  worker processes started beforehand (its start is not timed, as a classroom's cluster would be
  running already).

The reference runs ``python -m papermill`` once per run, one after the other, as a shell loop would.
Same answers: every run's records equal the reference's for the same seed. Detail: wall seconds
per run, ours and the reference's.

Run ``python benchmarks/bench_sweep.py [scale]`` to print the rows.
"""

from __future__ import annotations

import contextlib
import io
import logging
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from mlsd.cli import main as mlsd
from mlsd.records import read_records
from common import main, row

NOTEBOOK = "bench.ipynb"
PARAMETERS = "seed: int = 0  # seed of the sample, in [0, 1000000]\nn: int = 1000  # sample size, in [1, 1000000]\n"
BODY = 'import numpy as np\nmlsd.record("mean", np.random.default_rng(seed).normal(size=n).mean())\n'


def run(scale: float = 1.0) -> list[dict]:
    from distributed import LocalCluster

    count = max(2, round(20 * scale))
    seeds = list(range(1, count + 1))
    with tempfile.TemporaryDirectory(prefix="mlsd-bench-sweep-") as folder:
        root = Path(folder)
        _write_notebook(root / "notebooks" / NOTEBOOK)
        (root / "seeds.yaml").write_text(f"seed: {seeds}\n")
        reference_s, reference = _papermill_each(root, seeds)
        timed = {
            "sweep, --jobs 1": _sweep(root, "jobs-1", ["--jobs", "1"]),
            "sweep, --jobs 2": _sweep(root, "jobs-2", ["--jobs", "2"]),
        }
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.CRITICAL) as cluster:
            dask_options = ["--jobs", "2", "--executor", "dask", "--scheduler", cluster.scheduler_address]
            timed["sweep, Dask, 2 workers"] = _sweep(root, "dask", dask_options)
    rows = []
    for name, (ours_s, answers) in timed.items():
        detail = f"{count} runs; {ours_s / count:.2f} s per run, papermill command {reference_s / count:.2f} s"
        rows.append(row(name, ours_s, reference_s, answers == reference, detail))
    return rows


def _write_notebook(path: Path) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    check = nbformat.v4.new_code_cell("import mlsd\nparams = mlsd.check_parameters()")
    notebook.cells = [parameters, check, nbformat.v4.new_code_cell(BODY)]
    path.parent.mkdir(parents=True)
    nbformat.write(notebook, path)


def _papermill_each(root: Path, seeds: list[int]) -> tuple[float, dict[int, dict]]:
    """Seconds for one papermill command per seed, and each seed's records."""
    source = root / "notebooks" / NOTEBOOK
    outputs = {seed: root / "papermill" / f"seed-{seed}.ipynb" for seed in seeds}
    outputs[seeds[0]].parent.mkdir()
    started = time.perf_counter()
    for seed, output in outputs.items():
        command = [sys.executable, "-m", "papermill", str(source), str(output), "-p", "seed", str(seed), "--no-progress-bar"]
        subprocess.run(command, cwd=source.parent, check=True, capture_output=True)
    return time.perf_counter() - started, {seed: read_records(output) for seed, output in outputs.items()}


def _sweep(root: Path, out_name: str, options: list[str]) -> tuple[float, dict[int, dict]]:
    """Seconds for the whole ``mlsd sweep`` command, and each seed's records from its result files."""
    out = root / "sweeps" / out_name
    notebook = root / "notebooks" / NOTEBOOK
    arguments = ["--root", str(root), "sweep", str(notebook), "--grid", str(root / "seeds.yaml"), "--out", str(out), *options]
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = mlsd(arguments)
    seconds = time.perf_counter() - started
    results = [json.loads(path.read_text()) for path in sorted(out.glob("runs/*/result.json"))]
    answers = {result["parameters"]["seed"]: result["records"] for result in results}
    return seconds, answers if status == 0 else {}


if __name__ == "__main__":
    main(run)

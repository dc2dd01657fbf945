"""Benchmark: ``make run`` -- every notebook of the kit at its defaults, as a learner runs it.

At scale 1 this runs ``mlsd run --all --jobs 2`` (what ``make run`` runs) in a child process, into a
temporary folder, and times it on the wall clock; the reference is the 3-minute target for the whole
kit on the 2-core machine. Then one row per notebook: its own time from the run's ``summary.csv``
(kernel start to last cell, while the other job runs beside it), against the 20-second limit of a
notebook at its defaults. For these rows the "reference" is a target, not a program: a ratio
above 1 means within it. Same answers: the notebook ran to its end (status ``ok``).

Below scale 1 (the tests) only the first ``max(1, round(29 * scale))`` notebooks run, at their
smallest sizes (``--smallest``), with one job: the rows are the same, the times say nothing.

Run ``python benchmarks/bench_run.py [scale]`` to print the rows.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlsd.runs.catalog import default_root, discover
from common import main, row

KIT_TARGET_S = 180.0
NOTEBOOK_LIMIT_S = 20.0
JOBS = 2


def run(scale: float = 1.0) -> list[dict]:
    root = default_root()
    if scale >= 1:
        targets, options, jobs = ["--all"], [], JOBS
    else:
        notebooks = discover(root)[: max(1, round(len(discover(root)) * scale))]
        targets, options, jobs = [str(info.path) for info in notebooks], ["--smallest"], 1
    with tempfile.TemporaryDirectory(prefix="mlsd-bench-run-") as folder:
        command = [sys.executable, "-m", "mlsd.cli", "run", *targets, *options, "--jobs", str(jobs), "--out", folder]
        start = time.perf_counter()
        finished = subprocess.run(command, cwd=root, capture_output=True, text=True)
        wall_s = time.perf_counter() - start
        summary = Path(folder) / "summary.csv"
        if not summary.is_file():
            raise RuntimeError(f"mlsd run wrote no summary (status {finished.returncode}):\n{finished.stderr[-2000:]}")
        with summary.open(newline="", encoding="utf-8") as file:
            runs = [(line["notebook"], line["status"], float(line["seconds"])) for line in csv.DictReader(file)]
    total_s = sum(seconds for _, _, seconds in runs)
    slowest = max(runs, key=lambda run_: run_[2])
    rows = [
        row(
            f"make run, {len(runs)} notebooks",
            wall_s,
            KIT_TARGET_S,
            finished.returncode == 0 and all(status == "ok" for _, status, _ in runs),
            f"mlsd run {' '.join(targets[:1])}{' …' if len(targets) > 1 else ''} {' '.join(options)} --jobs {jobs}: "
            f"{wall_s:.1f} s wall, {total_s:.1f} s of notebook time; reference = the {KIT_TARGET_S:.0f} s "
            f"target; slowest {slowest[0]} {slowest[2]:.1f} s",
        )
    ]
    for notebook, status, seconds in sorted(runs, key=lambda run_: -run_[2]):
        rows.append(
            row(
                f"  {notebook.removeprefix('notebooks/').removesuffix('.ipynb')}",
                max(seconds, 1e-3),
                NOTEBOOK_LIMIT_S,
                status == "ok",
                f"its own time in that run; reference = the {NOTEBOOK_LIMIT_S:.0f} s limit",
            )
        )
    return rows


if __name__ == "__main__":
    main(run)

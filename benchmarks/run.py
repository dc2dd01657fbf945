"""Run every benchmark and print how our implementation compares with its reference, in one table.

Usage: ``python benchmarks/run.py [SCALE]`` (``make bench``); SCALE < 1 shrinks every input size.
Each row times our code and a reference (scikit-learn, a straightforward pandas group-by,
LightGBM's NDCG evaluation, a plain ``pd.read_csv``, one ``papermill`` command per notebook run, or
``nbgrader autograde``) on the same seeded data, checks both give the same answers, and prints the
ratio. The rows of ``make run`` and of each notebook in it (``bench_run``) and of the explorers in
the browser and of ``mlsd explore``'s start compare a time with its target instead: above 1,
within it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_browser
import bench_cases
import bench_explore_start
import bench_explorers
import bench_grading
import bench_ranking
import bench_readers
import bench_run
import bench_sweep
import bench_thresholds
from common import format_rows

BENCHMARKS = (
    bench_thresholds, bench_ranking, bench_readers, bench_explorers, bench_sweep, bench_browser,
    bench_explore_start, bench_grading, bench_cases, bench_run,
)


def run_all(scale: float = 1.0) -> list[dict]:
    """Rows of every benchmark (see each module for what is measured)."""
    return [row for module in BENCHMARKS for row in module.run(scale)]


if __name__ == "__main__":
    rows = run_all(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
    print(format_rows(rows))
    sys.exit(0 if all(row["same_answers"] for row in rows) else 1)

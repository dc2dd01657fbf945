"""Run every benchmark and print how our implementation compares with its reference, in one table.

Usage: ``python benchmarks/run.py [SCALE]`` (``make bench``); SCALE < 1 shrinks every input size.
Each row times our code and a reference (scikit-learn, or a straightforward pandas group-by) on the
same seeded data in the same process, checks both give the same answers, and prints the ratio.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_explorers
import bench_ranking
import bench_thresholds

BENCHMARKS = (bench_thresholds, bench_ranking, bench_explorers)


def run_all(scale: float = 1.0) -> list[dict]:
    """Rows of every benchmark (see each module for what is measured)."""
    return [row for module in BENCHMARKS for row in module.run(scale)]


def format_rows(rows: list[dict]) -> str:
    """A fixed-width table: benchmark, our time, reference time, ratio, same answers, detail."""
    header = f"{'benchmark':<34} {'ours':>11} {'reference':>11} {'ratio':>9}  same  detail"
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            f"{row['benchmark']:<34} {_seconds(row['ours_s']):>11} {_seconds(row['reference_s']):>11} "
            f"{row['ratio']:>8.1f}x  {'yes' if row['same_answers'] else 'NO':<4}  {row['detail']}"
        )
    return "\n".join(lines)


def _seconds(value: float) -> str:
    if value < 1e-3:
        return f"{value * 1e6:.1f} µs"
    if value < 1:
        return f"{value * 1e3:.2f} ms"
    return f"{value:.2f} s"


if __name__ == "__main__":
    rows = run_all(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
    print(format_rows(rows))
    sys.exit(0 if all(row["same_answers"] for row in rows) else 1)

"""What every benchmark module shares: the shape of a result row and how rows are printed.

A row compares our implementation with a reference on the same data in the same process: seconds per
operation for each, their ratio, whether the answers agreed, and a line of detail.
"""

from __future__ import annotations

import sys

import numpy as np


def seeded_scores(n: int, positive_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Seeded labels (``positive_rate`` positives, at least one of each) and model-like probabilities."""
    rng = np.random.default_rng(0)
    y_true = (rng.random(n) < positive_rate).astype(int)
    y_true[:2] = [1, 0]
    logits = rng.normal(size=n) + 2.0 * y_true - 4.0
    return y_true, 1.0 / (1.0 + np.exp(-logits))


def row(benchmark: str, ours_s: float, reference_s: float, same: bool, detail: str) -> dict:
    """One benchmark result; ``ratio`` is how many times faster ours is (reference / ours)."""
    return {
        "benchmark": benchmark,
        "ours_s": ours_s,
        "reference_s": reference_s,
        "ratio": reference_s / ours_s,
        "same_answers": bool(same),
        "detail": detail,
    }


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


def main(run) -> None:
    """Print ``run(scale)`` as a table, the scale read from the command line (default 1)."""
    print(format_rows(run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)))

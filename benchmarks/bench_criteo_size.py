"""How many lines a Criteo file needs before the notebooks' model comparison means something.

Synthetic files in the exact ``train.txt`` layout with a planted signal
(:func:`mlsd.cases.ad_click.criteo_synthetic.write_synthetic_criteo`), one world
(``world_seed=0``) and, for every size ``n``, row seeds 1 … :data:`SEEDS`. Each file is loaded
with ``load_data("criteo", …)``, split in file order (80/10/10) and scored as notebook 2 scores
it: ``d = AUC(logistic regression) − AUC(gradient-boosted trees)`` on the test lines. The
*effect* is the mean ``d`` at the largest size; a size is meaningful when the spread (standard
deviation) of ``d`` across seeds is below ``|effect|``. The smallest meaningful size, rounded up
to a round number, is :data:`mlsd.cases.ad_click.data.CRITEO_MEANINGFUL_ROWS`.

The planted signal is not Criteo's: on the real file the difference between the two models may
be smaller, and then more lines are needed. Single-threaded, about 5 minutes on one core::

    .venv/bin/python benchmarks/bench_criteo_size.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from mlsd.cases.ad_click import held_out_predictions, load_data, split, write_synthetic_criteo
from mlsd.metrics import roc_auc

SIZES = (2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000)
SEEDS = 5


def auc_difference(path: Path) -> float:
    """AUC of the logistic regression minus that of the trees, on the test lines of ``path``."""
    data = load_data("criteo", str(path))
    scored = held_out_predictions(data, split(data), label_window_hours=24.0, seed=0)
    auc = {name: roc_auc(scored.y_test, p) for name, p in scored.predictions.items()}
    return auc["logistic regression"] - auc["gradient-boosted trees"]


def measure(sizes=SIZES, seeds: int = SEEDS) -> list[dict]:
    """One row per size: ``rows``, ``mean_difference``, ``spread`` (standard deviation, ddof 1)."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            differences = []
            for seed in range(1, seeds + 1):
                path = write_synthetic_criteo(Path(folder) / "train.txt", n, seed=seed).path
                differences.append(auc_difference(path))
            rows.append(
                {"rows": n, "mean_difference": float(np.mean(differences)), "spread": float(np.std(differences, ddof=1))}
            )
            print(f"{n:>9,} lines: d = {rows[-1]['mean_difference']:+.4f} ± {rows[-1]['spread']:.4f}", file=sys.stderr, flush=True)
    return rows


def main() -> None:
    started = time.perf_counter()
    rows = measure()
    effect = abs(rows[-1]["mean_difference"])
    print(f"effect |mean d| at {rows[-1]['rows']:,} lines: {effect:.4f}")
    print("| lines | mean d (LR − GBDT) | spread across seeds | spread < effect |")
    print("|---|---|---|---|")
    for row in rows:
        print(f"| {row['rows']:,} | {row['mean_difference']:+.4f} | {row['spread']:.4f} | {'yes' if row['spread'] < effect else 'no'} |")
    meaningful = next((row["rows"] for row in rows if row["spread"] < effect), None)
    print(f"smallest size with spread < effect: {meaningful}; {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()

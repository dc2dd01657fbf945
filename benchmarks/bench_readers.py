"""Benchmark: mlsd.readers.read_table, which checks every field of every line, against a plain
pd.read_csv of the same file, which checks nothing.

At scale 1 the file is a 1,000,000-line MovieLens ``u.data`` (tab-separated user, item, rating,
Unix time), written from seeded values; both readers must give the same numbers.

Run ``python benchmarks/bench_readers.py [scale]`` to print the row.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from common import main, row
from mlsd.cases.video_recs.movielens import U_DATA
from mlsd.readers import read_table

N_LINES = 1_000_000
REPEATS = 5


def run(scale: float = 1.0) -> list[dict]:
    """Time both readers on the same file; one row."""
    n = max(int(N_LINES * scale), 100)
    with tempfile.TemporaryDirectory() as folder:
        path = _u_data(Path(folder) / "u.data", n)
        ours_s, ours = _best(lambda: read_table(path, U_DATA))
        reference_s, reference = _best(lambda: pd.read_csv(path, sep="\t", header=None))
    same = np.array_equal(ours.to_numpy(dtype=float), reference.to_numpy(dtype=float))
    detail = f"{n:,}-line u.data, every field checked and the last line break; pd.read_csv checks nothing"
    return [row("real-file reader", ours_s, reference_s, same, detail)]


def _u_data(path: Path, n: int) -> Path:
    rng = np.random.default_rng(0)
    columns = {
        "user": rng.integers(1, 944, n),
        "item": rng.integers(1, 1683, n),
        "rating": rng.integers(1, 6, n),
        "timestamp": rng.integers(874_724_710, 893_286_638, n),
    }
    pd.DataFrame(columns).to_csv(path, sep="\t", header=False, index=False)
    return path


def _best(function) -> tuple[float, object]:
    best, result = np.inf, None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


if __name__ == "__main__":
    main(run)

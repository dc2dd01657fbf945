"""Benchmark: mlsd.readers.read_table, which checks every field of every line, against a plain
pd.read_csv of the same file, which checks nothing.

At scale 1 the files are a 1,000,000-line MovieLens ``u.data`` (tab-separated user, item, rating,
Unix time) and a 1,000,000-line Criteo click log in the layout of ``train.txt`` (label, 13
integer and 26 categorical fields, many empty), both written from seeded values; both readers
must give the same values. :func:`write_criteo` writes the Criteo file alone, and
:func:`criteo_as_csv` rewrites it in the comma-separated layout, for measuring ``load_criteo`` on
both (``datasets/criteo.md``).

Run ``python benchmarks/bench_readers.py [scale]`` to print the rows.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from common import main, row
from mlsd.cases.ad_click.criteo import CATEGORICAL_FEATURES, CSV_HEADER, INTEGER_FEATURES, TRAIN_TXT
from mlsd.cases.video_recs.movielens import U_DATA
from mlsd.readers import read_table

N_LINES = 1_000_000
REPEATS = 5
CLICK_RATE = 0.256
# The share of empty values of each field, roughly the public train.txt's
INTEGER_EMPTY = (0.45, 0.0, 0.21, 0.22, 0.03, 0.22, 0.04, 0.0, 0.04, 0.45, 0.04, 0.76, 0.22)
CATEGORICAL_EMPTY = (
    0.0, 0.0, 0.03, 0.03, 0.0, 0.12, 0.0, 0.0, 0.0, 0.0, 0.0, 0.03, 0.0,
    0.0, 0.0, 0.03, 0.0, 0.0, 0.44, 0.44, 0.03, 0.76, 0.0, 0.03, 0.44, 0.44,
)
FIELDS = 1 + len(INTEGER_EMPTY) + len(CATEGORICAL_EMPTY)
EMPTY_SHARE = (sum(INTEGER_EMPTY) + sum(CATEGORICAL_EMPTY)) / FIELDS
# Distinct values of each categorical field in train.txt (a sample holds fewer)
CARDINALITIES = (
    1460, 583, 10_131_227, 2_202_608, 305, 24, 12_517, 633, 3, 93_145, 5_683, 8_351_593, 3_194,
    27, 14_992, 5_461_306, 10, 5_652, 2_173, 4, 7_046_547, 18, 15, 286_181, 105, 142_572,
)


def run(scale: float = 1.0) -> list[dict]:
    """Time both readers on each file; one row per file."""
    n = max(int(N_LINES * scale), 100)
    with tempfile.TemporaryDirectory() as folder:
        u_data = _u_data(Path(folder) / "u.data", n)
        ours_s, ours = _best(lambda: read_table(u_data, U_DATA))
        reference_s, reference = _best(lambda: pd.read_csv(u_data, sep="\t", header=None))
        same = np.array_equal(ours.to_numpy(dtype=float), reference.to_numpy(dtype=float))
        criteo = write_criteo(Path(folder) / "train.txt", n)
        criteo_s, criteo_ours = _best(lambda: read_table(criteo, TRAIN_TXT))
        plain_s, plain = _best(lambda: pd.read_csv(criteo, sep="\t", header=None))
        criteo_same = _same_criteo_values(criteo_ours, plain)
    checked = "every field checked and the last line break; pd.read_csv checks nothing"
    return [
        row("real-file reader", ours_s, reference_s, same, f"{n:,}-line u.data, {checked}"),
        row(
            "real-file reader, empty fields",
            criteo_s,
            plain_s,
            criteo_same,
            f"{n:,}-line Criteo train.txt layout, {EMPTY_SHARE:.0%} of fields empty; {checked}",
        ),
    ]


def write_criteo(path: str | Path, n: int, seed: int = 0) -> Path:
    """Write ``n`` seeded lines in the layout of Criteo's ``train.txt``; return the path.

    The label is 1 with probability :data:`CLICK_RATE`; each field is empty with its share of
    :data:`INTEGER_EMPTY` or :data:`CATEGORICAL_EMPTY`; integers are heavy-tailed counts (``I2``
    from −3); a categorical field's values are Zipf-distributed over its
    :data:`CARDINALITIES`, each written as the 8 hex digits of a 32-bit hash.
    """
    rng = np.random.default_rng(seed)
    columns = {"label": (rng.random(n) < CLICK_RATE).astype(np.int64)}
    for number, (name, empty) in enumerate(zip(INTEGER_FEATURES, INTEGER_EMPTY)):
        counts = np.floor(rng.lognormal(mean=1.0 + number % 4, sigma=1.5, size=n)).astype(np.int64)
        counts -= 3 if name == "I2" else 0
        columns[name] = pd.array(counts, dtype="Int64")
        columns[name][rng.random(n) < empty] = pd.NA
    for name, empty, cardinality in zip(CATEGORICAL_FEATURES, CATEGORICAL_EMPTY, CARDINALITIES):
        codes = (rng.zipf(1.3, size=n) - 1) % cardinality
        distinct, index = np.unique(codes, return_inverse=True)
        salt = np.uint64(rng.integers(2**32))
        hashes = (distinct.astype(np.uint64) * np.uint64(2_654_435_761) + salt) % np.uint64(2**32)
        hex_values = np.array([f"{value:08x}" for value in hashes.tolist()], dtype=object)
        values = hex_values[index]
        values[rng.random(n) < empty] = None
        columns[name] = values
    pd.DataFrame(columns).to_csv(path, sep="\t", header=False, index=False, na_rep="")
    return Path(path)


def criteo_as_csv(source: str | Path, target: str | Path, first_id: int = 10_000_000) -> Path:
    """Rewrite a file in the ``train.txt`` layout as the comma-separated layout: the header
    ``Id,Label,I1,…,C26``, then each line with an ``Id`` (from ``first_id``) and commas for tabs."""
    with open(source, encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        out.write(CSV_HEADER + "\n")
        for number, line in enumerate(lines, start=first_id):
            out.write(f"{number},{line.replace(chr(9), ',')}")
    return Path(target)


def _same_criteo_values(ours: pd.DataFrame, plain: pd.DataFrame) -> bool:
    """Whether both tables hold the same numbers and the same texts, empty fields alike."""
    numbers = ["label", *INTEGER_FEATURES]
    ours_numbers = ours[numbers].to_numpy(dtype=float, na_value=np.nan)
    plain_numbers = plain.iloc[:, : len(numbers)].to_numpy(dtype=float)
    texts = ours[list(CATEGORICAL_FEATURES)].fillna("").to_numpy(dtype=object)
    plain_texts = plain.iloc[:, len(numbers) :].fillna("").to_numpy(dtype=object)
    return np.array_equal(ours_numbers, plain_numbers, equal_nan=True) and bool(
        (texts == plain_texts).all()
    )


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

"""The benchmarks run at a tiny scale and their implementations agree with their references."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import run as benchmarks

pytestmark = pytest.mark.slow


def test_every_benchmark_runs_and_agrees_with_its_reference_at_tiny_scale():
    rows = benchmarks.run_all(scale=0.001)
    assert {row["benchmark"] for row in rows}
    for row in rows:
        assert row["same_answers"], row
        assert row["ours_s"] > 0 and row["reference_s"] > 0
        assert row["ratio"] == row["reference_s"] / row["ours_s"]
    table = benchmarks.format_rows(rows)
    assert all(row["benchmark"] in table for row in rows)

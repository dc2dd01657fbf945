"""The same results across machines: records within the stated tolerance, shown outputs exact."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from mlsd.reproducibility import STAMPED_PACKAGES, record_differences, same_value
from mlsd.threads import THREAD_VARIABLES, thread_environment

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize(
    "expected, actual",
    [(0.9416810499396426, 0.9416810499396441), (0.011672251557375057, 0.01167225155737528), (0.0, 1e-13), (3, 3), ("a", "a"), (True, True), (1, 1.0)],
)
def test_last_bit_differences_count_as_the_same(expected, actual):
    assert same_value(expected, actual)


@pytest.mark.parametrize(
    "expected, actual",
    [(0.8277, 0.8279), (1.0, 1.0 + 1e-8), (0.0, 1e-11), (3, 4), ("a", "b"), (True, 1), (1.0, "1.0"), (True, False)],
)
def test_real_differences_do_not(expected, actual):
    assert not same_value(expected, actual)


def test_differences_name_each_record():
    problems = record_differences({"a": 1.0, "b": 2, "gone": 0}, {"a": 1.001, "b": 2, "new": 5})
    assert problems == [
        "record a = 1.001, expected 1.0 (tolerance: relative 1e-09, absolute 1e-12)",
        "record gone is missing (expected 0)",
        "record new = 5 is new",
    ]


def _executed_notebook(path: Path, shown: float) -> Path:
    """A notebook that records 0.1 + 0.2, committed as if it had recorded ``shown``."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell('import mlsd\nmlsd.record("x", 0.1 + 0.2)\nprint("shown")')]
    notebook.cells[0].execution_count = 1
    record = {"application/vnd.mlsd.record+json": {"name": "x", "value": shown}, "text/plain": f"recorded x = {shown:.6g}"}
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data=record),
        nbformat.v4.new_output("stream", name="stdout", text="shown\n"),
    ]
    nbformat.write(notebook, path)
    return path


def _nbval(path: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "nbval_records", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider", path.name]
    environment = {**os.environ, "PYTHONPATH": str(TESTS)}
    return subprocess.run(command, cwd=path.parent, capture_output=True, text=True, env=environment, timeout=300)


@pytest.mark.slow
def test_nbval_accepts_a_record_that_moved_in_its_last_bits_and_rejects_a_real_change(tmp_path):
    (tmp_path / "bits").mkdir()
    (tmp_path / "real").mkdir()
    last_bits = _nbval(_executed_notebook(tmp_path / "bits" / "n.ipynb", 0.30000000000000010))
    assert last_bits.returncode == 0, last_bits.stdout
    real = _nbval(_executed_notebook(tmp_path / "real" / "n.ipynb", 0.3001))
    assert real.returncode == 1
    assert "record x = 0.30000000000000004, expected 0.3001 (tolerance: relative 1e-09" in real.stdout


KIT = TESTS.parent
COMMITTED = sorted([*KIT.glob("notebooks/**/*.ipynb"), *KIT.glob("exercises/*.ipynb")])


def _pins() -> dict:
    lines = (KIT / "constraints.txt").read_text().splitlines()
    return dict(line.split("==") for line in lines if line.strip() and not line.startswith("#"))


@pytest.mark.parametrize("path", COMMITTED, ids=[p.relative_to(KIT).as_posix() for p in COMMITTED])
def test_committed_outputs_were_made_with_two_threads_and_the_pinned_versions(path):
    stamp = json.loads(path.read_text())["metadata"].get("mlsd", {}).get("executed_with")
    assert stamp, "not executed by `make notebooks` (no metadata.mlsd.executed_with)"
    assert stamp["threads"] == 2, "`make notebooks` executes with 2 threads per kernel"
    pins = _pins()
    for package in STAMPED_PACKAGES:
        assert stamp[package] == pins[package], f"executed with {package} {stamp[package]}, pinned {pins[package]}"


def test_the_tests_kernels_compute_as_another_machine_would():
    assert thread_environment() == {variable: "1" for variable in THREAD_VARIABLES}, (
        "the committed notebooks were made with 2 threads; run the tests without MLSD_THREADS"
    )
    script = "from numpy._core._multiarray_umath import __cpu_dispatch__ as d, __cpu_features__ as f; print(sum(f[x] for x in d))"
    enabled = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert enabled.strip() == "0", "a kernel started by the tests should use numpy's baseline loops only"

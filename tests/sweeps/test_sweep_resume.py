"""Killed or interrupted for real, a sweep keeps what it finished and resumes without repeating it."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit_factory import BODY, answer_ctrl_c, run_mlsd, write_notebook

pytestmark = pytest.mark.slow


def start_sweep(root: Path, runs: int) -> tuple[subprocess.Popen, tuple[str, ...]]:
    """Start `mlsd sweep` in a session of its own over ``runs`` seeds of a notebook that sleeps 1 s."""
    write_notebook(root / "notebooks" / "00_slow.ipynb", body="import time\ntime.sleep(1)\n" + BODY)
    grid = root / "seeds.yaml"
    grid.write_text(f"seed: {list(range(1, runs + 1))}\n")
    args = ("--root", str(root), "sweep", "00_slow", "--grid", str(grid), "--jobs", "1", "-p", "n", "20")
    process = subprocess.Popen(
        [sys.executable, "-m", "mlsd.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=answer_ctrl_c,
    )
    return process, args


def wait_for_results(folder: Path, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while len(list(folder.glob("runs/*/result.json"))) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sweep did not finish runs"
        time.sleep(0.05)


def finished_files(folder: Path) -> dict[Path, int]:
    """The result.json and executed notebook of every finished run, with their modification times."""
    files = {}
    for result in folder.glob("runs/*/result.json"):
        files[result] = result.stat().st_mtime_ns
        notebook = result.parent / "00_slow.ipynb"
        files[notebook] = notebook.stat().st_mtime_ns
    return files


def read_rows(folder: Path) -> list[dict]:
    with open(folder / "results.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def assert_resumes_to_completion(root: Path, args: tuple[str, ...], runs: int, kept: dict[Path, int]) -> None:
    folder = root / "runs" / "sweeps" / "seeds"
    resumed = run_mlsd(*args, "--jobs", "2")  # the number of jobs is not part of the sweep
    assert resumed.returncode == 0, resumed.stderr
    assert f"{runs - len(kept) // 2} of {runs} runs to do" in resumed.stderr
    rows = read_rows(folder)
    assert [row["run"] for row in rows] == [f"run-{i:03d}" for i in range(runs)]
    assert [row["seed"] for row in rows] == [str(i) for i in range(1, runs + 1)]
    assert all(row["status"] == "ok" and row["mean"] for row in rows)
    assert {path: path.stat().st_mtime_ns for path in kept} == kept
    assert not [path for path in folder.rglob("*") if ".partial" in path.name]


def test_a_sweep_killed_mid_run_keeps_every_finished_run_intact_and_resumes(tmp_path):
    root = tmp_path / "kit"
    process, args = start_sweep(root, runs=5)
    folder = root / "runs" / "sweeps" / "seeds"
    wait_for_results(folder, 2, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()

    kept = finished_files(folder)
    for path in folder.glob("runs/*/result.json"):
        assert json.loads(path.read_text())["status"] == "ok"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert {run["status"] for run in manifest["runs"]} <= {"ok", "running", "pending"}
    rows = read_rows(folder)
    assert [row["run"] for row in rows] == [f"run-{i:03d}" for i in range(5)]
    assert sum(row["status"] == "ok" for row in rows) <= len(kept) // 2
    assert_resumes_to_completion(root, args, 5, kept)


def test_ctrl_c_stops_the_sweep_with_status_130_and_a_rerun_resumes(tmp_path):
    root = tmp_path / "kit"
    process, args = start_sweep(root, runs=3)
    folder = root / "runs" / "sweeps" / "seeds"
    wait_for_results(folder, 1, process)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr

    kept = finished_files(folder)
    finished = len(kept) // 2
    assert f"interrupted with {finished} of 3 runs finished; run the same command again to resume" in stderr
    assert sum(row["status"] == "ok" for row in read_rows(folder)) == finished
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [run["status"] for run in manifest["runs"]].count("running") == 0
    assert_resumes_to_completion(root, args, 3, kept)

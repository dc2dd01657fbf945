"""A real sweep through the `mlsd` command: its folder, its rows, failures, reruns and --retry-failed."""

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from kit_factory import DATA_SOURCE, PARAMETERS, RECORDS_DATA_SOURCE, run_mlsd, write_notebook

from mlsd.sweeps.progress import Progress, format_duration

GRID = "# seeds against a failing mode\nseed: [3, 4]\nmode: [fine, fail]\n"
RUNS = ["run-000", "run-001", "run-002", "run-003"]


def read_results(folder: Path) -> list[dict]:
    with open(folder / "results.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def snapshot(folder: Path) -> dict:
    """Every file under ``folder`` with its modification time and content."""
    return {path: (path.stat().st_mtime_ns, path.read_bytes()) for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A kit with one tiny notebook, swept over GRID with fixed values into the default folder."""
    root = tmp_path_factory.mktemp("kit")
    write_notebook(root / "notebooks" / "00_start_here.ipynb", smallest={"n": 10})
    grid = root / "seeds.yaml"
    grid.write_text(GRID)
    args = ("--root", str(root), "sweep", "start_here", "--grid", str(grid), "-p", "n", "40", "-y", "{scale: 2}", "--jobs", "2")
    return root, args, run_mlsd(*args)


def test_a_sweep_writes_one_row_per_run_with_its_parameters_and_records(swept):
    root, _, result = swept
    out = root / "runs" / "sweeps" / "seeds"
    assert result.returncode == 1, result.stderr
    rows = read_results(out)
    assert list(rows[0]) == ["run", "status", "seconds", "error", "output", "seed", "n", "scale", "mode", "mean", "size"]
    assert [(row["run"], row["seed"], row["mode"], row["n"], row["scale"]) for row in rows] == [
        ("run-000", "3", "fine", "40", "2.0"),
        ("run-001", "3", "fail", "40", "2.0"),
        ("run-002", "4", "fine", "40", "2.0"),
        ("run-003", "4", "fail", "40", "2.0"),
    ]
    for row in rows:
        expected = np.random.default_rng(int(row["seed"])).normal(scale=2.0, size=40).mean()
        assert float(row["mean"]) == expected and row["size"] == "40"
        assert float(row["seconds"]) > 0
        assert row["output"] == f"runs/{row['run']}/00_start_here.ipynb" and (out / row["output"]).is_file()
    assert [row["status"] for row in rows] == ["ok", "failed", "ok", "failed"]
    assert [row["error"] for row in rows] == ["", "In [5]: RuntimeError: asked to fail", "", "In [5]: RuntimeError: asked to fail"]
    assert not list(out.rglob("*.partial*"))


def test_the_manifest_and_each_result_file_describe_the_sweep(swept):
    root, _, _ = swept
    out = root / "runs" / "sweeps" / "seeds"
    manifest = json.loads((out / "manifest.json").read_text())
    assert {key: manifest[key] for key in ("notebook", "grid", "sample", "seed", "fixed", "smallest")} == {
        "notebook": "notebooks/00_start_here.ipynb",
        "grid": {"seed": [3, 4], "mode": ["fine", "fail"]},
        "sample": None,
        "seed": None,
        "fixed": {"scale": 2.0, "n": 40},
        "smallest": False,
    }
    assert [(run["id"], run["parameters"], run["status"]) for run in manifest["runs"]] == [
        ("run-000", {"seed": 3, "mode": "fine"}, "ok"),
        ("run-001", {"seed": 3, "mode": "fail"}, "failed"),
        ("run-002", {"seed": 4, "mode": "fine"}, "ok"),
        ("run-003", {"seed": 4, "mode": "fail"}, "failed"),
    ]
    result = json.loads((out / "runs" / "run-002" / "result.json").read_text())
    assert result["parameters"] == {"seed": 4, "n": 40, "scale": 2.0, "mode": "fine"}
    assert result["records"] == {"mean": np.random.default_rng(4).normal(scale=2.0, size=40).mean(), "size": 40}
    assert (result["run"], result["status"], result["error"], result["output"]) == ("run-002", "ok", "", "runs/run-002/00_start_here.ipynb")
    assert manifest["runs"][2]["seconds"] == result["seconds"] > 0


def test_the_command_reports_progress_and_a_table_of_statuses(swept):
    root, _, result = swept
    assert "mlsd sweep: notebooks/00_start_here.ipynb, 4 of 4 runs to do, 2 at a time" in result.stderr
    assert "sweep 4/4 done · 2 failed · 0 running" in result.stderr
    assert "run-001 (seed=3, mode='fail') failed: In [5]: RuntimeError: asked to fail" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "notebooks/00_start_here.ipynb: 4 runs"
    assert lines[1].split() == ["ok", "2"] and lines[2].split() == ["failed", "2"]
    assert lines[-1] == f"results: {root / 'runs' / 'sweeps' / 'seeds' / 'results.csv'}"


def test_a_rerun_skips_finished_runs_and_retry_failed_reruns_only_the_failed(swept):
    root, args, _ = swept
    out = root / "runs" / "sweeps" / "seeds"
    before = snapshot(out / "runs")
    again = run_mlsd(*args)
    assert again.returncode == 1
    assert "nothing to run: all 4 runs are done (2 ok, 2 failed); --retry-failed runs the failed ones again" in again.stderr
    assert snapshot(out / "runs") == before

    retried = run_mlsd(*args, "--retry-failed")
    assert retried.returncode == 1, retried.stderr
    assert "2 of 4 runs to do" in retried.stderr
    after = snapshot(out / "runs")
    for run in ("run-000", "run-002"):
        result = out / "runs" / run / "result.json"
        assert after[result] == before[result]
    for run in ("run-001", "run-003"):
        result = out / "runs" / run / "result.json"
        assert after[result][0] != before[result][0]
        assert json.loads(after[result][1])["status"] == "failed"
    assert [row["run"] for row in read_results(out)] == RUNS


@pytest.mark.parametrize(
    "change, differs",
    [
        (["-p", "n", "41"], "fixed values"),
        (["--smallest"], "--smallest"),
        (["--sample", "2"], "--sample, --seed"),
    ],
)
def test_a_different_sweep_in_the_same_folder_is_rejected_and_nothing_is_touched(swept, mlsd_here, change, differs):
    root, args, _ = swept
    out = root / "runs" / "sweeps" / "seeds"
    before = snapshot(out)
    status, _, stderr = mlsd_here(*args, *change)
    assert status == 2
    assert stderr.startswith(f"mlsd sweep: --out {out} holds a different sweep (different {differs}); use another --out")
    assert snapshot(out) == before


def test_another_grid_or_notebook_into_the_same_folder_is_rejected(swept, tmp_path, mlsd_here):
    root, _, _ = swept
    out = root / "runs" / "sweeps" / "seeds"
    before = snapshot(out)
    other_grid = tmp_path / "seeds.yaml"
    other_grid.write_text("seed: [3, 5]\nmode: [fine, fail]\n")
    other = write_notebook(root / "notebooks" / "01_other.ipynb")
    status, _, stderr = mlsd_here("--root", root, "sweep", "start_here", "--grid", other_grid, "-p", "n", "40", "-y", "{scale: 2}")
    assert status == 2 and "holds a different sweep (different grid)" in stderr
    status, _, stderr = mlsd_here("--root", root, "sweep", other, "--grid", root / "seeds.yaml", "-p", "n", "40", "-y", "{scale: 2}")
    assert status == 2 and "holds a different sweep (different notebook)" in stderr
    other.unlink()
    assert snapshot(out) == before


def test_a_folder_that_is_not_a_sweep_is_left_alone(tiny_kit, tmp_path, write_grid, mlsd_here):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    status, _, stderr = mlsd_here("--root", tiny_kit, "sweep", "start_here", "--grid", write_grid("seed: [1]\n"), "--out", out)
    assert status == 2
    assert "holds something else than a sweep (no manifest.json); use another --out" in stderr
    assert [path.name for path in out.iterdir()] == ["notes.txt"]


def test_results_leave_the_simulator_parameters_empty_in_runs_on_other_data(tmp_path, write_grid):
    root = tmp_path / "kit"
    notebook = root / "notebooks" / "00_start_here.ipynb"
    parameters = PARAMETERS + DATA_SOURCE
    write_notebook(notebook, parameters, RECORDS_DATA_SOURCE, simulator_parameters=["n"])
    grid = write_grid("data_source: [simulated, file]\n")
    out = tmp_path / "sweep"
    args = ("sweep", "start_here", "--grid", str(grid), "-p", "n", "30", "--out", str(out))
    result = run_mlsd("--root", str(root), *args)
    assert result.returncode == 0, result.stderr
    rows = [(row["data_source"], row["n"], row["size"]) for row in read_results(out)]
    assert rows == [("simulated", "30", "30"), ("file", "", "30")]
    parameters = json.loads((out / "runs" / "run-001" / "result.json").read_text())["parameters"]
    assert parameters["n"] == 30  # the result file keeps every value the run was given


def test_progress_counts_runs_and_estimates_the_time_left_on_a_terminal_or_in_a_log():
    log = io.StringIO()
    progress = Progress(20, [{"status": "ok", "seconds": 10.0}] * 6, jobs=2, stream=log, live=False)
    progress.started(running=2)
    progress.finished({"run": "run-006", "status": "failed", "seconds": 30.0, "error": "In [3]: ValueError: x"}, "run-006 (a=1)", running=1)
    assert log.getvalue().splitlines() == [
        "run-006 (a=1) failed: In [3]: ValueError: x",
        "sweep  7/20 done · 1 failed · 1 running · ETA 1:24  (run-006 failed, 30.0 s)",
    ]
    terminal = io.StringIO()
    live = Progress(3, [], jobs=1, stream=terminal, live=True)
    live.started(running=1)
    live.finished({"run": "run-000", "status": "ok", "seconds": 2.0, "error": ""}, "run-000", running=0)
    live.close()
    assert terminal.getvalue() == "\rsweep 0/3 done · 0 failed · 1 running\rsweep 1/3 done · 0 failed · 0 running · ETA 0:04\n"
    assert (format_duration(59.6), format_duration(3725)) == ("1:00", "1:02:05")

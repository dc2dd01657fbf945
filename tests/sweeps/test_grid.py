"""Grid files, their combinations and samples, every run checked before a sweep starts, and the shipped grids."""

import csv
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from kit_factory import KIT_ROOT, run_mlsd

from mlsd.params import ParameterError
from mlsd.runs.catalog import load
from mlsd.sweeps.grid import chosen_indices, combination, combination_count, load_grid, plan_sweep


def test_a_grid_keeps_the_files_order_and_allows_comments(write_grid):
    grid = load_grid(write_grid("# what it answers\nscale: [0.5, 2]  # spread\nseed: [1, 2, 3]\nmode: [fine]\n"))
    assert list(grid.items()) == [("scale", [0.5, 2]), ("seed", [1, 2, 3]), ("mode", ["fine"])]


def test_combinations_are_the_cartesian_product_with_the_last_key_fastest():
    grid = {"a": [1, 2, 3], "b": ["x", "y"], "c": [True, False]}
    assert combination_count(grid) == 12
    combinations = [combination(grid, i) for i in range(combination_count(grid))]
    assert combinations == [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]
    assert combinations[:3] == [{"a": 1, "b": "x", "c": True}, {"a": 1, "b": "x", "c": False}, {"a": 1, "b": "y", "c": True}]


def test_a_sample_is_distinct_deterministic_per_seed_and_in_product_order():
    first = chosen_indices(100, 10, seed=3)
    assert first == chosen_indices(100, 10, seed=3)
    assert first == sorted(int(i) for i in np.random.default_rng(3).choice(100, size=10, replace=False))
    assert len(set(first)) == 10 and all(0 <= i < 100 for i in first)
    assert first != chosen_indices(100, 10, seed=4)
    assert chosen_indices(4, 4, seed=0) == [0, 1, 2, 3]
    assert chosen_indices(5, None, seed=0) == [0, 1, 2, 3, 4]


def test_a_sample_larger_than_the_grid_is_rejected_naming_both_numbers():
    with pytest.raises(ParameterError, match=r"^--sample 7 is more than the 6 combinations of the grid$"):
        chosen_indices(6, 7, seed=0)


def test_a_plan_merges_fixed_values_and_the_smallest_preset_under_the_grid(tiny_kit):
    notebook = load(tiny_kit / "notebooks" / "00_start_here.ipynb", tiny_kit)
    sweep = plan_sweep(notebook, {"scale": [1, 2.5], "n": [30]}, "g.yaml", {"seed": 4}, [("mode", "fine")], smallest=True, sample=1, seed=1)
    (run,) = sweep.runs
    assert run.id == "run-000"
    assert run.swept in ({"scale": 1.0, "n": 30}, {"scale": 2.5, "n": 30})
    assert run.request.parameters == {"seed": 4, "n": 30, "scale": run.swept["scale"], "mode": "fine"}
    assert sweep.definition() == {
        "notebook": "notebooks/00_start_here.ipynb",
        "grid": {"scale": [1.0, 2.5], "n": [30]},
        "sample": 1,
        "seed": 1,
        "fixed": {"seed": 4, "mode": "fine"},
        "smallest": True,
    }
    smallest_only = plan_sweep(notebook, {"seed": [1, 2]}, "g.yaml", {}, [], smallest=True)
    assert [run.request.parameters["n"] for run in smallest_only.runs] == [10, 10]
    assert smallest_only.definition()["seed"] is None


def test_run_ids_widen_past_a_thousand_runs(tiny_kit):
    notebook = load(tiny_kit / "notebooks" / "00_start_here.ipynb", tiny_kit)
    sweep = plan_sweep(notebook, {"seed": list(range(1001)), "mode": ["fine"]}, "g.yaml", {}, [])
    assert [run.id for run in sweep.runs[:2]] == ["run-0000", "run-0001"] and sweep.runs[-1].id == "run-1000"


@pytest.mark.parametrize(
    "text, message",
    [
        ("- 1\n- 2\n", "grid {grid}: expected a mapping of parameter names to lists of values, e.g. 'seed: [1, 2, 3]'"),
        ("# only a comment\n", "grid {grid}: no parameter to sweep"),
        ("seed: [1, 2]\nscale: 0.5\n", "grid {grid}: scale: expected a list of values, got 0.5"),
        ("seed: []\n", "grid {grid}: seed: the list of values is empty"),
        ("seed: [1, 2, 1]\n", "grid {grid}: seed: 1 is listed twice"),
        ("seed: [1\n", "grid {grid}: not valid YAML"),
        ("sed: [1, 2]\n", "grid {grid}: notebooks/00_start_here.ipynb: unknown parameter sed; its parameters are: seed, n, scale, mode"),
        (
            "seed: [1, 2]\nscale: [1, 0]\n",
            "run-001 (seed=1, scale=0): notebooks/00_start_here.ipynb: parameter scale = 0 is not allowed: expected a float in (0, 10]",
        ),
        (
            "mode: [fine, later]\n",
            "run-001 (mode='later'): notebooks/00_start_here.ipynb: parameter mode = 'later' is not allowed: expected one of {fine, fail}",
        ),
    ],
)
def test_a_bad_grid_is_rejected_with_exit_2_naming_the_problem_and_nothing_is_written(tiny_kit, tmp_path, write_grid, mlsd_here, text, message):
    grid = write_grid(text)
    out = tmp_path / "out"
    status, stdout, stderr = mlsd_here("--root", tiny_kit, "sweep", "start_here", "--grid", grid, "--out", out)
    assert status == 2
    assert stderr.splitlines()[0].startswith("mlsd sweep: " + message.replace("{grid}", str(grid))), stderr
    assert stdout == ""
    assert not out.exists() and not (tiny_kit / "runs").exists()


def test_every_distinct_bad_value_is_reported_once_with_the_first_run_that_has_it(tiny_kit, tmp_path, write_grid, mlsd_here):
    grid = write_grid("n: [5, 50, 5000000]\nscale: [1, 20]\n")
    status, _, stderr = mlsd_here("--root", tiny_kit, "sweep", "start_here", "--grid", grid, "--out", tmp_path / "out")
    assert status == 2
    assert [line.split(":")[0] for line in stderr.splitlines()] == ["mlsd sweep"] * 3
    assert "run-000 (n=5, scale=1): notebooks/00_start_here.ipynb: parameter n = 5 is not allowed" in stderr
    assert "run-001 (n=5, scale=20): notebooks/00_start_here.ipynb: parameter scale = 20 is not allowed" in stderr
    assert "run-004 (n=5000000, scale=1): notebooks/00_start_here.ipynb: parameter n = 5000000 is not allowed" in stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["start_here", "-p", "seed", "3"], "seed: both fixed (-p, -y, -f) and swept by grid {grid}; keep one"),
        (["start_here", "-y", "{n: 5}"], "notebooks/00_start_here.ipynb: parameter n = 5 is not allowed: expected an int in [10, 100000]"),
        (["start_here", "--sample", "5"], "--sample 5 is more than the 4 combinations of the grid"),
        (["start_here", "--seed", "3"], "--seed draws the combinations of --sample"),
        (["start_here", "--sample", "2", "--seed", "-1"], "--seed -1 is not allowed: expected an integer >= 0"),
        (["toy_case"], "target toy_case names 2 notebooks (notebooks/01_toy_case/1_framing.ipynb, notebooks/01_toy_case/2_metrics.ipynb)"),
        (["no_such.ipynb"], "target no_such.ipynb: no such notebook"),
        (["start_here", "--executor", "dask"], "--executor dask needs --scheduler ADDRESS"),
        (["start_here", "--scheduler", "tcp://127.0.0.1:8786"], "--scheduler applies to --executor dask only"),
    ],
)
def test_a_bad_command_is_rejected_with_exit_2_and_nothing_is_written(tiny_kit, tmp_path, write_grid, mlsd_here, args, message):
    grid = write_grid("seed: [1, 2]\nmode: [fine, fail]\n")
    status, _, stderr = mlsd_here("--root", tiny_kit, "sweep", *args, "--grid", grid)
    assert status == 2
    assert stderr.startswith("mlsd sweep: " + message.replace("{grid}", str(grid))), stderr
    assert not (tiny_kit / "runs").exists()


def test_a_missing_grid_file_is_named(tiny_kit, tmp_path, mlsd_here):
    status, _, stderr = mlsd_here("--root", tiny_kit, "sweep", "start_here", "--grid", tmp_path / "none.yaml")
    assert status == 2 and stderr.startswith(f"mlsd sweep: grid {tmp_path / 'none.yaml'}: cannot read it")


SHIPPED = {
    "ad_click_downsampling.yaml": "notebooks/03_ad_click/2_metrics.ipynb",
    "video_exploration.yaml": "notebooks/01_video_recs/4_tradeoffs.ipynb",
}


@pytest.mark.parametrize("grid_name, notebook_name", SHIPPED.items())
def test_the_shipped_grids_load_and_every_run_is_valid_for_their_notebook(grid_name, notebook_name):
    path = KIT_ROOT / "sweeps" / grid_name
    sweep = plan_sweep(load(KIT_ROOT / notebook_name, KIT_ROOT), load_grid(path), grid_name, {}, [])
    assert len(sweep.runs) == 12
    header = [line for line in path.read_text().splitlines() if line.startswith("#")]
    assert any(f"mlsd sweep {notebook_name} --grid sweeps/{grid_name}" in line for line in header)
    assert grid_name in (KIT_ROOT / "sweeps" / "README.md").read_text()


def test_every_shipped_grid_is_tested():
    assert sorted(path.name for path in Path(KIT_ROOT / "sweeps").glob("*.yaml")) == sorted(SHIPPED)


# A learner's `make sweeps`, cut to two runs drawn from each shipped grid, through the real command.
@pytest.mark.slow
@pytest.mark.parametrize("grid_name, notebook_name", SHIPPED.items())
def test_a_sample_of_each_shipped_sweep_runs_and_reports(grid_name, notebook_name, tmp_path):
    out = tmp_path / "sweep"
    ran = run_mlsd("sweep", notebook_name, "--grid", str(KIT_ROOT / "sweeps" / grid_name), "--sample", "2", "--seed", "1", "--jobs", "2", "--out", str(out))
    assert ran.returncode == 0, ran.stderr
    with (out / "results.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["status"] for row in rows] == ["ok", "ok"]

    reported = run_mlsd("report", str(out))
    assert reported.returncode == 0, reported.stderr
    page = (out / "report" / "index.html").read_text()
    assert not re.search(r"""(src|href)=["']https?://""", page)
    for row in rows:
        assert f"notebooks/{row['run']}.html" in page
        assert (out / "report" / "notebooks" / f"{row['run']}.html").is_file()

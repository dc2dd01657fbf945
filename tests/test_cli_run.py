"""`mlsd run`, `list` and `results` through the real command, on a throwaway kit of tiny notebooks."""

import csv
import json
from pathlib import Path

import pytest
from kit_factory import run_mlsd, write_notebook

from mlsd.records import read_records


def _summary(out: Path) -> list[dict]:
    with open(out / "summary.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_list_shows_each_notebook_with_parameter_types_defaults_help_and_presets(tiny_kit):
    result = run_mlsd("--root", str(tiny_kit), "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "notebooks/00_start_here.ipynb"
    assert any(line.split()[:3] == ["n", "int", "1000"] and "sample size, in [10, 100_000]" in line for line in lines)
    assert "    --smallest sets n=10" in lines
    assert "notebooks/01_toy_case/2_metrics.ipynb" in lines


def test_run_a_case_writes_executed_notebooks_and_a_summary_of_parameters_and_records(tiny_kit, tmp_path):
    out = tmp_path / "out"
    result = run_mlsd("--root", str(tiny_kit), "run", "toy_case", "--out", str(out), "-p", "seed", "3", "-y", "{n: 50, scale: 2}")
    assert result.returncode == 0, result.stderr
    rows = _summary(out)
    assert [row["notebook"] for row in rows] == ["notebooks/01_toy_case/1_framing.ipynb", "notebooks/01_toy_case/2_metrics.ipynb"]
    for row in rows:
        assert (row["status"], row["seed"], row["n"], row["scale"], row["mode"], row["size"]) == ("ok", "3", "50", "2.0", "fine", "50")
        records = read_records(out / row["notebook"])
        assert repr(records["mean"]) == row["mean"]
    assert "[1/2] started" in result.stderr and "[2/2]" in result.stderr
    assert "2 ok, 0 failed" in result.stdout and "mean = " in result.stdout


def test_parameter_sources_merge_file_then_yaml_then_p(tiny_kit, tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("seed: 1\nn: 30\nscale: 0.5\n")
    out = tmp_path / "out"
    result = run_mlsd("--root", str(tiny_kit), "run", "start_here", "--out", str(out), "-f", str(params), "-y", "{n: 40}", "-p", "seed", "9")
    assert result.returncode == 0, result.stderr
    row = _summary(out)[0]
    assert (row["seed"], row["n"], row["scale"], row["size"]) == ("9", "40", "0.5", "40")


def test_smallest_uses_each_notebooks_preset(tiny_kit, tmp_path):
    out = tmp_path / "out"
    result = run_mlsd("--root", str(tiny_kit), "run", "--all", "--smallest", "--jobs", "2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    sizes = {row["notebook"]: row["size"] for row in _summary(out)}
    assert sizes == {
        "notebooks/00_start_here.ipynb": "10",
        "notebooks/01_toy_case/1_framing.ipynb": "1000",
        "notebooks/01_toy_case/2_metrics.ipynb": "20",
    }


def test_same_parameters_give_the_same_records_byte_for_byte(tiny_kit, tmp_path):
    outputs = []
    for attempt in ("a", "b"):
        out = tmp_path / attempt
        assert run_mlsd("--root", str(tiny_kit), "run", "--all", "--jobs", "2", "--out", str(out), "-p", "seed", "5").returncode == 0
        outputs.append(out)
    for notebook in ["notebooks/00_start_here.ipynb", "notebooks/01_toy_case/2_metrics.ipynb"]:
        first, second = (json.dumps(read_records(out / notebook)) for out in outputs)
        assert first == second
    strip = lambda rows: [{k: v for k, v in row.items() if k != "seconds"} for row in rows]
    assert strip(_summary(outputs[0])) == strip(_summary(outputs[1]))


def test_a_failing_notebook_is_reported_kept_and_does_not_stop_the_others(tiny_kit, tmp_path):
    failing = write_notebook(tiny_kit / "notebooks" / "01_toy_case" / "3_broken.ipynb", body='mlsd.record("before", 1)\n1 / 0')
    out = tmp_path / "out"
    result = run_mlsd("--root", str(tiny_kit), "run", "toy_case", "--out", str(out), "--jobs", "2")
    assert result.returncode == 1
    rows = {row["notebook"]: row for row in _summary(out)}
    broken = rows["notebooks/01_toy_case/3_broken.ipynb"]
    assert broken["status"] == "failed"
    assert broken["error"] == "In [3]: ZeroDivisionError: division by zero"
    assert broken["before"] == "1"
    assert rows["notebooks/01_toy_case/1_framing.ipynb"]["status"] == "ok"
    kept = json.loads((out / "notebooks/01_toy_case/3_broken.ipynb").read_text())
    assert any(o.get("ename") == "ZeroDivisionError" for cell in kept["cells"] for o in cell.get("outputs", []))
    assert "2 ok, 1 failed" in result.stdout
    assert failing.is_file()


@pytest.mark.parametrize(
    "args, message",
    [
        (["start_here", "-p", "nope", "1"], "notebooks/00_start_here.ipynb: unknown parameter nope; its parameters are: seed, n, scale, mode"),
        (["start_here", "-p", "n", "5"], "notebooks/00_start_here.ipynb: parameter n = 5 is not allowed: expected an int in [10, 100000]"),
        (["start_here", "-p", "n", "many"], "notebooks/00_start_here.ipynb: parameter n = 'many' is not allowed: expected an int in [10, 100000]"),
        (["start_here", "-y", "{scale: 0}"], "notebooks/00_start_here.ipynb: parameter scale = 0 is not allowed: expected a float in (0, 10]"),
        (["start_here", "-y", "{mode: later}"], "notebooks/00_start_here.ipynb: parameter mode = 'later' is not allowed: expected one of {fine, fail}"),
        (["start_here", "-y", "{seed: [1, 2]}"], "notebooks/00_start_here.ipynb: parameter seed = [1, 2] is not allowed: expected an int in [0, 1000]"),
        (["start_here", "-y", "[1, 2]"], "-y: expected a mapping of parameter names to values"),
        (["start_here", "-f", "/no/such/file.yaml"], "parameters file /no/such/file.yaml: cannot read it"),
        (["no_such_case"], "target no_such_case: not a notebook or case study; known: start_here, toy_case"),
        (["missing.ipynb"], "target missing.ipynb: no such notebook"),
        ([], "no target: name a notebook path, a case study or --all"),
        (["--all", "-p", "sed", "1"], "unknown parameter sed: none of the 3 target notebooks declares it"),
    ],
)
def test_rejected_runs_exit_2_with_one_line_and_write_nothing(tiny_kit, tmp_path, args, message):
    out = tmp_path / "out"
    result = run_mlsd("--root", str(tiny_kit), "run", *args, "--out", str(out))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mlsd run: {message}"), result.stderr
    assert not out.exists()
    assert not (tiny_kit / "runs").exists()


def test_every_problem_is_reported_before_anything_runs(tiny_kit, tmp_path):
    result = run_mlsd("--root", str(tiny_kit), "run", "toy_case", "-p", "n", "1", "-p", "seed", "-4", "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 4  # two parameters in each of two notebooks


def test_results_prints_records_as_a_table_or_json(tiny_kit, tmp_path):
    out = tmp_path / "out"
    assert run_mlsd("--root", str(tiny_kit), "run", "start_here", "--out", str(out)).returncode == 0
    executed = out / "notebooks/00_start_here.ipynb"
    table = run_mlsd("results", str(executed))
    assert table.returncode == 0 and "size  1000" in table.stdout
    as_json = json.loads(run_mlsd("results", "--json", str(executed)).stdout)
    assert as_json[str(executed)] == read_records(executed)
    missing = run_mlsd("results", str(tmp_path / "nope.ipynb"))
    assert missing.returncode == 2 and "nope.ipynb: no such notebook file" in missing.stderr


def test_default_output_goes_under_runs_with_a_timestamp(tiny_kit):
    result = run_mlsd("--root", str(tiny_kit), "run", "start_here", "-p", "n", "10")
    assert result.returncode == 0, result.stderr
    (run_dir,) = (tiny_kit / "runs").iterdir()
    assert (run_dir / "summary.csv").is_file() and (run_dir / "notebooks/00_start_here.ipynb").is_file()
    assert f"summary: {run_dir / 'summary.csv'}" in result.stdout

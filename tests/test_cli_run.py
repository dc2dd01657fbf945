"""`mlsd run`, `list` and `results` through the real command, on a throwaway kit of tiny notebooks."""

import csv
import json
from pathlib import Path

import pytest
from kit_factory import DATA_SOURCE, PARAMETERS, RECORDS_DATA_SOURCE, run_mlsd, write_notebook

from mlsd.records import read_records
from mlsd.runs.summary import results_row


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


def _data_notebook(path: Path, default_source: str = "simulated", **metadata) -> Path:
    """A tiny notebook that declares ``data_source`` and records it."""
    parameters = PARAMETERS + DATA_SOURCE.replace('"simulated"', repr(default_source), 1)
    return write_notebook(path, parameters, RECORDS_DATA_SOURCE, **metadata)


def test_a_parameter_only_some_targets_declare_is_announced_before_running(tiny_kit, tmp_path):
    _data_notebook(tiny_kit / "notebooks" / "01_toy_case" / "3_data.ipynb")
    out = tmp_path / "out"
    args = ("run", "toy_case", "-p", "data_source", "file", "--out", str(out))
    result = run_mlsd("--root", str(tiny_kit), *args)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    notice = (
        "mlsd run: data_source is not a parameter of 2 of the 3 notebooks, which ignore it: "
        "notebooks/01_toy_case/1_framing.ipynb, notebooks/01_toy_case/2_metrics.ipynb"
    )
    assert lines.count(notice) == 1
    assert lines.index(notice) < min(i for i, line in enumerate(lines) if "started" in line)
    sources = {row["notebook"]: row["data_source"] for row in _summary(out)}
    assert sources == {
        "notebooks/01_toy_case/1_framing.ipynb": "",
        "notebooks/01_toy_case/2_metrics.ipynb": "",
        "notebooks/01_toy_case/3_data.ipynb": "file",
    }


def test_a_parameter_every_target_declares_brings_no_notice(tiny_kit, tmp_path):
    args = ("run", "toy_case", "-p", "n", "20", "--out", str(tmp_path))
    result = run_mlsd("--root", str(tiny_kit), *args)
    assert result.returncode == 0, result.stderr
    assert "ignore" not in result.stderr


def test_the_simulator_parameters_are_empty_in_the_summary_of_a_run_on_other_data(tmp_path):
    root = tmp_path / "kit"
    simulator = {"simulator_parameters": ["n", "scale"]}
    _data_notebook(root / "notebooks" / "01_data_case" / "1_simulated.ipynb", **simulator)
    _data_notebook(root / "notebooks" / "01_data_case" / "2_file.ipynb", "file", **simulator)
    out = tmp_path / "out"
    result = run_mlsd("--root", str(root), "run", "data_case", "-p", "seed", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = {Path(row["notebook"]).stem: row for row in _summary(out)}
    picked = ("seed", "n", "scale", "mode", "data_source", "result.data_source", "size")
    assert {stem: tuple(row[c] for c in picked) for stem, row in rows.items()} == {
        "1_simulated": ("3", "1000", "1.0", "fine", "simulated", "simulated", "1000"),
        "2_file": ("3", "", "", "fine", "file", "file", "1000"),
    }


def test_a_summary_row_empties_only_the_simulator_parameters_and_only_off_the_simulator():
    fixed = {"notebook": "nb.ipynb", "status": "ok"}
    parameters = {"seed": 3, "n_users": 300, "data_source": "movielens"}
    real = {"data_source": "movielens", "data_rows": 100_000}
    assert results_row(fixed, parameters, real, ("n_users",)) == {
        "notebook": "nb.ipynb",
        "status": "ok",
        "seed": 3,
        "n_users": "",
        "data_source": "movielens",
        "result.data_source": "movielens",
        "data_rows": 100_000,
    }
    simulated = {"data_source": "simulated"}
    assert results_row(fixed, parameters, simulated, ("n_users",))["n_users"] == 300
    assert results_row(fixed, parameters, {}, ("n_users",))["n_users"] == 300  # nothing recorded
    assert results_row(fixed, parameters, real)["n_users"] == 300  # no simulator parameters


def test_list_shows_the_parameters_only_the_simulator_uses(tmp_path):
    root = tmp_path / "kit"
    _data_notebook(root / "notebooks" / "00_start_here.ipynb", simulator_parameters=["n", "scale"])
    result = run_mlsd("--root", str(root), "list")
    assert result.returncode == 0, result.stderr
    assert "    only the simulator uses n, scale" in result.stdout.splitlines()


@pytest.mark.parametrize(
    "names, problem",
    [
        (["n", "users"], "names users, which is not a parameter"),
        (["n", 3], "must be a list of parameter names; got ['n', 3]"),
        ("n", "must be a list of parameter names; got 'n'"),
        (["n", "n"], "lists a name twice: ['n', 'n']"),
    ],
)
def test_bad_simulator_parameters_metadata_is_one_error_naming_the_notebook(
    tmp_path, names, problem
):
    root = tmp_path / "kit"
    _data_notebook(root / "notebooks" / "00_start_here.ipynb", simulator_parameters=names)
    result = run_mlsd("--root", str(root), "run", "start_here", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    where = "mlsd run: notebooks/00_start_here.ipynb: metadata mlsd.simulator_parameters"
    assert result.stderr.splitlines() == [f"{where} {problem}"]
    assert not (tmp_path / "out").exists()

"""The kit's own notebooks: their shape, a run of each at its smallest sizes, and what their numbers show."""

import json

import pytest
from kit_factory import KIT_ROOT, run_mlsd

from mlsd.params import parameters_source
from mlsd.records import read_records
from mlsd.runs.catalog import discover

NOTEBOOKS = discover(KIT_ROOT)


def _cells(notebook):
    return json.loads(notebook.path.read_text())["cells"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.name for nb in NOTEBOOKS])
def test_notebook_declares_parameters_with_help_and_checks_them_next(notebook):
    cells = _cells(notebook)
    assert parameters_source({"cells": cells}) is not None, "no cell tagged 'parameters'"
    assert notebook.parameters, "the parameters cell declares nothing"
    for name, parameter in notebook.parameters.items():
        assert parameter.help, f"parameter {name} has no help comment"
    index = next(i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", []))
    assert f"mlsd.check_parameters({notebook.path.name!r})" in "".join(cells[index + 1]["source"]).replace('"', "'")
    assert "smallest" in json.loads(notebook.path.read_text())["metadata"].get("mlsd", {})


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.name for nb in NOTEBOOKS])
def test_notebook_is_committed_executed_without_errors(notebook):
    code = [c for c in _cells(notebook) if c["cell_type"] == "code"]
    assert all(c["execution_count"] is not None for c in code), "commit the notebook executed (make notebooks)"
    assert not any(o["output_type"] == "error" for c in code for o in c["outputs"])


def test_every_notebook_runs_at_its_smallest_sizes_and_records_results(tmp_path):
    result = run_mlsd("run", "--all", "--smallest", "--jobs", "2", "--out", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    for notebook in NOTEBOOKS:
        assert read_records(tmp_path / notebook.name), f"{notebook.name} recorded nothing"


def test_start_here_records_are_the_same_for_the_same_parameters(tmp_path):
    records = []
    for attempt in ("first", "second"):
        out = tmp_path / attempt
        assert run_mlsd("run", "start_here", "--smallest", "-p", "seed", "11", "--out", str(out)).returncode == 0
        records.append(json.dumps(read_records(out / "notebooks/00_start_here.ipynb")))
    assert records[0] == records[1]


def test_start_here_shows_what_its_simulated_truth_implies(tmp_path):
    assert run_mlsd("run", "start_here", "--out", str(tmp_path)).returncode == 0
    r = read_records(tmp_path / "notebooks/00_start_here.ipynb")
    assert r["bayes_threshold"] == pytest.approx(1 / 11)  # cost_fp / (cost_fp + cost_fn) at the defaults
    assert r["model_roc_auc"] < r["truth_roc_auc"]  # noise can only hurt the ranking
    assert r["truth_ece"] < r["model_ece"] / 3  # the true probabilities are calibrated; the noisy model is not
    assert r["truth_cost_at_bayes"] < r["model_best_cost"] < r["baseline_cost"]  # truth < model < no model
    assert r["model_best_cost"] <= r["model_cost_at_bayes"]
    assert 0.5 < r["model_ne"] < 1  # better than predicting the base rate, far from perfect

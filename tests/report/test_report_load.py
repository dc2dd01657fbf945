"""Reading a run folder and a sweep folder into one table of runs."""

import math

import pytest
from report.report_folders import (
    FAILED_ERROR,
    TOY_GRID,
    TOY_NOTEBOOK,
    write_csv,
    write_sweep,
)

from mlsd.params import ParameterError
from mlsd.report.load import format_value, load_directory, notebook_page


def test_a_sweep_folder_is_read_with_its_grid_runs_and_executed_notebooks(toy_sweep):
    runs = load_directory(toy_sweep)
    assert runs.kind == "sweep"
    assert list(runs.table.index) == [f"run-{i:03d}" for i in range(16)]
    assert runs.parameters == ["seed", "rate", "model", "n"]
    assert runs.results == ["auc", "loss", "size", "note", "converged", "result.n"]
    assert runs.grid == TOY_GRID
    assert runs.counts() == {"ok": 14, "failed": 1, "pending": 1}
    assert runs.title == f"Sweep of {TOY_NOTEBOOK}"
    assert runs.definition == ["rate: 0.001, 0.01, 0.1, 1", "model: tree, linear", "seed: 1, 2", "fixed: n = 1000"]
    assert set(runs.notebooks) == {f"run-{i:03d}" for i in range(16)} - {"run-012"}
    assert runs.notebooks["run-003"] == toy_sweep / "runs" / "run-003" / "2_metrics.ipynb"


def test_sweep_rows_keep_types_errors_and_missing_values(toy_sweep):
    table = load_directory(toy_sweep).table
    first = table.loc["run-001"]
    assert (first["seed"], first["rate"], first["model"], first["auc"], first["size"], first["note"]) == (2, 0.001, "tree", 0.62, 2000, "fine")
    assert table.loc["run-015", "error"] == FAILED_ERROR and table.loc["run-015", "auc"] == 0.99
    pending = table.loc["run-012"]
    assert pending["status"] == "pending" and pending["error"] == ""
    assert math.isnan(pending["auc"]) and math.isnan(pending["seconds"])


def test_numeric_results_leave_out_strings_and_bools(toy_sweep):
    assert load_directory(toy_sweep).numeric_results() == ["auc", "loss", "size", "result.n"]


def test_a_run_folder_is_read_from_its_summary_and_executed_copies(run_folder):
    runs = load_directory(run_folder)
    assert runs.kind == "run"
    assert list(runs.table.index) == ["notebooks/00_start_here.ipynb", "notebooks/01_toy/2_metrics.ipynb", "notebooks/01_toy/3_broken.ipynb"]
    assert runs.parameters == ["seed", "scale", "mode"]
    assert runs.results == ["mean", "size"]
    assert runs.grid == {}
    assert runs.counts() == {"ok": 2, "failed": 1}
    assert runs.title == "Run of 3 notebooks"
    assert runs.notebooks["notebooks/01_toy/2_metrics.ipynb"] == run_folder / "notebooks" / "01_toy" / "2_metrics.ipynb"
    assert runs.table.loc["notebooks/01_toy/3_broken.ipynb", "error"] == "In [5]: RuntimeError: asked to fail"


def test_a_sweep_whose_runs_are_all_pending_takes_its_parameters_from_the_manifest(tmp_path):
    runs = load_directory(write_sweep(tmp_path / "sweep", {"rate": [0.1, 1.0]}, status=lambda index: "pending"))
    assert runs.parameters == ["seed", "rate", "model", "n"]
    assert runs.notebooks == {} and runs.counts() == {"pending": 2}


def test_a_sampled_sweep_says_how_many_combinations_it_drew(tmp_path):
    folder = write_sweep(tmp_path / "sweep", {"rate": [0.1, 1.0], "seed": [1, 2, 3]})
    manifest = (folder / "manifest.json").read_text().replace('"sample": null', '"sample": 4').replace('"seed": null', '"seed": 9')
    (folder / "manifest.json").write_text(manifest.replace('"smallest": false', '"smallest": true'))
    definition = load_directory(folder).definition
    assert definition[2:] == ["sample: 4 of 6 combinations, seed 9", "fixed: n = 1000", "the notebook's smallest sizes (--smallest)"]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: None, "no such folder"),
        (lambda d: d.mkdir(), "neither summary.csv (a folder of `mlsd run`) nor results.csv (a folder of `mlsd sweep`) is there"),
        (lambda d: (d.mkdir(), write_csv(d / "results.csv", [{"run": "run-000", "status": "ok", "seconds": 1, "error": "", "output": ""}])), "manifest.json: missing"),
        (lambda d: (d.mkdir(), write_csv(d / "summary.csv", [{"notebook": "a.ipynb", "status": "ok"}])), "missing columns seconds, error"),
    ],
)
def test_folders_that_cannot_be_read_are_rejected_in_one_line(tmp_path, make, message):
    folder = tmp_path / "out"
    make(folder)
    with pytest.raises(ParameterError, match="^" + str(folder).replace("\\", "\\\\") + ".*") as error:
        load_directory(folder)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_values_are_shown_to_four_significant_digits_and_whole_numbers_in_full():
    shown = [format_value(v) for v in (0.123456, 1000.0, 12345678, 1.5e-7, 2.0 / 3, float("nan"), None, True, "tree")]
    assert shown == ["0.1235", "1000", "12345678", "1.5e-07", "0.6667", "–", "–", "True", "tree"]


def test_rendered_notebook_names_flatten_paths():
    assert notebook_page("run-007") == "notebooks/run-007.html"
    assert notebook_page("notebooks/03_ad_click/2_metrics.ipynb") == "notebooks/notebooks__03_ad_click__2_metrics.html"

"""Folders of the two kinds `mlsd report` reads, written by hand: CSV, JSON and executed notebooks.

Nothing is executed: each "executed" notebook is built with nbformat, with the outputs a real run
leaves — a PNG figure, record outputs, a widget view with its text fallback, a JavaScript output —
and markdown that points to the web, so the offline rendering has something to remove.

The toy sweep varies ``rate`` (4 values), ``model`` (tree, linear) and ``seed`` (1, 2) over
``notebooks/01_toy/2_metrics.ipynb``; ``auc = BASE[model] + 0.05 * rate_index + 0.01 * seed``.
Run 12 (rate 1, tree, seed 1) is pending and run 15 (rate 1, linear, seed 2) failed after recording
``auc = 0.99``, a value the plots must leave out.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import nbformat

from mlsd.records import RECORD_MIME

SWEEP_DECLARATIONS = """\
seed: int = 7  # random seed, in [0, 1000]
rate: float = 0.1  # learning rate, in (0, 10]
model: str = "tree"  # which model, one of {tree, linear}
n: int = 1000  # sample size, in [10, 100_000]
"""
RUN_DECLARATIONS = """\
seed: int = 7  # random seed, in [0, 1000]
scale: float = 1.0  # spread of the sample, in (0, 10]
mode: str = "fine"  # what to do, one of {fine, fail}
"""
# A 1 x 1 PNG, as a notebook stores it (base64).
PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
BASE = {"tree": 0.6, "linear": 0.5}
TOY_GRID = {"rate": [0.001, 0.01, 0.1, 1.0], "model": ["tree", "linear"], "seed": [1, 2]}
TOY_NOTEBOOK = "notebooks/01_toy/2_metrics.ipynb"
FAILED_RUN, PENDING_RUN = 15, 12
FAILED_ERROR = "In [5]: ValueError: score < 0 & <b>not</b> allowed"


def toy_auc(parameters: dict) -> float:
    return BASE[parameters["model"]] + 0.05 * TOY_GRID["rate"].index(parameters["rate"]) + 0.01 * parameters["seed"]


def toy_records(parameters: dict) -> dict:
    """Numeric, string and bool records, and ``n``, whose column becomes ``result.n``."""
    auc = toy_auc(parameters)
    return {"auc": auc, "loss": 1.0 - auc, "size": 1000 * parameters["seed"], "note": "fine", "converged": True, "n": 990}


def write_executed_notebook(path: Path, declarations: str, parameters: dict, records: dict, error: str = "") -> Path:
    """An executed notebook as papermill leaves it, with the outputs a report has to show."""
    cell = nbformat.v4.new_code_cell
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}}
    parameters_cell = cell(declarations, execution_count=1)
    parameters_cell.metadata["tags"] = ["parameters"]
    injected = cell("# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items()), execution_count=2)
    injected.metadata["tags"] = ["injected-parameters"]
    figure = cell("plot()", execution_count=3)
    figure.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PIXEL_PNG, "text/plain": "<Figure size 640x400 with 1 Axes>"})]
    recorded = cell("record()", execution_count=4)
    recorded.outputs = [
        nbformat.v4.new_output("display_data", data={RECORD_MIME: {"name": name, "value": value}, "text/plain": f"recorded {name} = {value!r}"})
        for name, value in records.items()
    ]
    explorer = cell("explorer()", execution_count=5)
    explorer.outputs = [
        nbformat.v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0}, "text/plain": "VBox(children=(FloatSlider(value=0.5),))"}),
        nbformat.v4.new_output("display_data", data={"application/javascript": "require(['https://cdn.example.org/lib.js'])", "text/plain": "<Javascript object>"}),
    ]
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Toy notebook\n\nSee [the paper](https://example.org/paper) ![logo](https://example.org/logo.png) and $x^2$."),
        parameters_cell,
        injected,
        figure,
        recorded,
        explorer,
    ]
    if error:
        name, _, value = error.partition(": ")[2].partition(": ")
        failing = cell("fail()", execution_count=6)
        failing.outputs = [nbformat.v4.new_output("error", ename=name, evalue=value, traceback=[f"{name}: {value}"])]
        notebook.cells.append(failing)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def write_csv(path: Path, rows: list[dict]) -> None:
    """Columns in order of first appearance; floats as their repr; a cell a row lacks is empty."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: repr(v) if isinstance(v, float) else v for k, v in row.items()} for row in rows)


def write_sweep(folder: Path, grid: dict, records=toy_records, status=lambda index: "ok", fixed: dict | None = None) -> Path:
    """A sweep folder of ``mlsd sweep``'s shape over the grid's full product.

    ``status(index)`` gives each run's status; a failed run records ``auc = 0.99`` and stops, a
    pending run has no executed notebook and empty result cells.
    """
    fixed = fixed or {"n": 1000}
    names = list(grid)
    runs, rows = [], []
    for index, values in enumerate(itertools.product(*grid.values())):
        run = f"run-{index:03d}"
        parameters = {"seed": 7, "rate": 0.1, "model": "tree", "n": 1000, **fixed, **dict(zip(names, values))}
        state = status(index)
        output = f"runs/{run}/2_metrics.ipynb"
        found, error = {}, ""
        if state == "ok":
            found = records(parameters)
        elif state == "failed":
            found, error = {"auc": 0.99}, FAILED_ERROR
        if state != "pending":
            write_executed_notebook(folder / output, SWEEP_DECLARATIONS, parameters, found, error)
        seconds = 1.25 + index if state != "pending" else None
        runs.append({"id": run, "parameters": dict(zip(names, values)), "status": state, "seconds": seconds, "error": error})
        result_cells = {("result.n" if k == "n" else k): v for k, v in found.items()}
        rows.append({"run": run, "status": state, "seconds": "" if seconds is None else seconds, "error": error, "output": output, **parameters, **result_cells})
    manifest = {"notebook": TOY_NOTEBOOK, "grid": grid, "sample": None, "seed": None, "fixed": fixed, "smallest": False, "runs": runs}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    write_csv(folder / "results.csv", rows)
    return folder


def write_run_folder(folder: Path) -> Path:
    """A folder of ``mlsd run --out``: two notebooks that finished, one that failed."""
    runs = [
        ("notebooks/00_start_here.ipynb", "ok", {"seed": 3, "scale": 1.0, "mode": "fine"}, {"mean": 0.125, "size": 50}),
        ("notebooks/01_toy/2_metrics.ipynb", "ok", {"seed": 3, "scale": 2.0, "mode": "fine"}, {"mean": 0.25, "size": 50}),
        ("notebooks/01_toy/3_broken.ipynb", "failed", {"seed": 3, "scale": 1.0, "mode": "fail"}, {}),
    ]
    rows = []
    for name, state, parameters, records in runs:
        error = "In [5]: RuntimeError: asked to fail" if state == "failed" else ""
        write_executed_notebook(folder / name, RUN_DECLARATIONS, parameters, records, error)
        rows.append({"notebook": name, "status": state, "seconds": 2.5, "error": error, **parameters, "mean": "", "size": "", **records})
    write_csv(folder / "summary.csv", rows)
    return folder

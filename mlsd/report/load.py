"""Read a run folder or a sweep folder into one table of runs.

Two kinds of folder are recognised:

- a **sweep** (``mlsd sweep``): ``manifest.json`` (notebook, grid, sample, seed, fixed, smallest,
  runs) and ``results.csv`` with columns ``run, status, seconds, error, output``, every parameter,
  then every recorded result; ``output`` is the executed notebook's path relative to the folder;
- a **run** (``mlsd run --out``): ``summary.csv`` with columns ``notebook, status, seconds, error``,
  every parameter, then every recorded result; the executed copy of each notebook is at
  ``<folder>/<notebook>``.

Which columns are parameters is read from the parameters cell of the executed notebooks and, for a
sweep, from the manifest (grid, fixed values) and the pending runs, whose parameter cells are filled
and result cells empty; every other column is a recorded result. A record whose name is also a
parameter's has the column ``result.<name>``, so the two never clash. Empty cells (unfinished runs,
records a notebook did not make) are missing values, never empty strings or zeros.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from mlsd.params import ParameterError, read_declarations
from mlsd.validation import is_number

SWEEP_COLUMNS = ("run", "status", "seconds", "error", "output")
RUN_COLUMNS = ("notebook", "status", "seconds", "error")
STATUSES = ("ok", "failed", "running", "pending")


@dataclass
class RunTable:
    """The runs of one folder, ready to plot and to show.

    ``table`` has one row per run, indexed by the run's id (``run-000`` for a sweep, the notebook
    path for a run folder), with the columns ``status, seconds, error``, the ``parameters`` and the
    ``results`` in the file's order. ``notebooks`` maps a run id to its executed notebook, for the
    runs whose file exists. ``grid`` is the sweep's grid (empty for a run folder); ``definition``
    holds the lines that say what was run.
    """

    kind: str
    directory: Path
    table: pd.DataFrame
    parameters: list[str]
    results: list[str]
    notebooks: dict[str, Path]
    title: str
    definition: list[str] = field(default_factory=list)
    grid: dict[str, list] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Number of runs per status, in the order ok, failed, running, pending, then any other."""
        found = self.table["status"].value_counts()
        order = [s for s in STATUSES if s in found.index] + sorted(set(found.index) - set(STATUSES))
        return {status: int(found[status]) for status in order}

    def finished(self) -> pd.DataFrame:
        """The rows of runs with status ``ok``: the only ones plotted."""
        return self.table[self.table["status"] == "ok"]

    def numeric_results(self) -> list[str]:
        """Recorded results holding numbers (not bools) in at least one finished run."""
        finished = self.finished()
        return [
            name
            for name in self.results
            if is_numeric_dtype(self.table[name]) and not is_bool_dtype(self.table[name]) and finished[name].notna().any()
        ]


def load_directory(directory: Path) -> RunTable:
    """Detect the kind of ``directory`` and read it.

    Raises
    ------
    ParameterError
        When the folder is missing, holds neither ``summary.csv`` nor ``results.csv``, or its
        files cannot be read; the message names the file.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ParameterError(f"{directory}: no such folder")
    if (directory / "results.csv").is_file():
        return _load_sweep(directory)
    if (directory / "summary.csv").is_file():
        return _load_run(directory)
    raise ParameterError(
        f"{directory}: neither summary.csv (a folder of `mlsd run`) nor results.csv (a folder of `mlsd sweep`) is there"
    )


def notebook_page(run: str) -> str:
    """Where the rendered notebook of ``run`` goes in the report: ``notebooks/<name>.html``.

    The name is the run id with ``/`` replaced by ``__`` and without ``.ipynb``:
    ``run-000`` gives ``notebooks/run-000.html``, ``notebooks/03_ad_click/2_metrics.ipynb`` gives
    ``notebooks/notebooks__03_ad_click__2_metrics.html``.
    """
    name = run.removesuffix(".ipynb").replace("\\", "/").replace("/", "__")
    return f"notebooks/{name}.html"


def _load_sweep(directory: Path) -> RunTable:
    manifest = _read_manifest(directory / "manifest.json")
    table = _read_csv(directory / "results.csv", SWEEP_COLUMNS)
    table = table.set_index(table.pop("run"))
    outputs = table.pop("output").fillna("")
    notebooks = {run: directory / output for run, output in outputs.items() if output and (directory / output).is_file()}
    grid = {name: list(values) for name, values in manifest.get("grid", {}).items()}
    known = set(grid) | set(manifest.get("fixed") or {})
    for run in manifest.get("runs", []):
        known |= set(run.get("parameters", {}))
    known |= next((names for names in map(_declarations, notebooks.values()) if names), set())
    pending = table[table["status"] == "pending"]
    if len(pending):
        known |= {name for name in pending.columns if pending[name].notna().all()}
    parameters, results = _split_columns(table, known)
    name = manifest.get("notebook", "?")
    return RunTable("sweep", directory, table, parameters, results, notebooks, f"Sweep of {name}", _describe_sweep(manifest), grid)


def _load_run(directory: Path) -> RunTable:
    table = _read_csv(directory / "summary.csv", RUN_COLUMNS)
    table = table.set_index(table.pop("notebook"))
    notebooks = {name: directory / name for name in table.index if (directory / name).is_file()}
    parameters, results = _split_columns(table, set().union(*map(_declarations, notebooks.values())))
    count = len(table)
    title = f"Run of {count} notebook{'s' * (count != 1)}"
    return RunTable("run", directory, table, parameters, results, notebooks, title, [f"folder: {directory}"])


def _read_csv(path: Path, fixed: tuple[str, ...]) -> pd.DataFrame:
    try:
        text_columns = {name: "str" for name in fixed if name != "seconds"}
        table = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=text_columns)
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise ParameterError(f"{path}: cannot read it ({' '.join(str(error).split())})") from None
    missing = [column for column in fixed if column not in table.columns]
    if missing:
        raise ParameterError(f"{path}: missing column{'s' * (len(missing) != 1)} {', '.join(missing)}; expected {', '.join(fixed)} first")
    table["error"] = table["error"].fillna("")
    table["status"] = table["status"].fillna("pending")
    return table


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"{path}: missing; a sweep folder holds manifest.json next to results.csv") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ParameterError(f"{path}: cannot read it ({error})") from None
    if not isinstance(manifest, dict):
        raise ParameterError(f"{path}: expected a JSON object")
    return manifest


def _declarations(path: Path) -> set[str]:
    """Names declared in the parameters cell of the notebook at ``path``; none if it cannot be read."""
    try:
        return set(read_declarations(path))
    except ParameterError:
        return set()


def _split_columns(table: pd.DataFrame, known_parameters: set[str]) -> tuple[list[str], list[str]]:
    columns = [c for c in table.columns if c not in ("status", "seconds", "error")]
    return [c for c in columns if c in known_parameters], [c for c in columns if c not in known_parameters]


def _describe_sweep(manifest: dict) -> list[str]:
    lines = [f"{name}: {', '.join(format_value(v) for v in values)}" for name, values in manifest.get("grid", {}).items()]
    combinations = math.prod(len(values) for values in manifest.get("grid", {}).values())
    if manifest.get("sample") is not None:
        seed = manifest.get("seed")
        lines.append(f"sample: {manifest['sample']} of {combinations} combinations" + (f", seed {seed}" if seed is not None else ""))
    fixed = manifest.get("fixed") or {}
    if fixed:
        lines.append("fixed: " + ", ".join(f"{name} = {format_value(value)}" for name, value in fixed.items()))
    if manifest.get("smallest"):
        lines.append("the notebook's smallest sizes (--smallest)")
    return lines


def format_value(value) -> str:
    """A value as the report shows it: floats to 4 significant digits, whole numbers in full."""
    if value is None or value is pd.NA:
        return "–"
    if not is_number(value):
        return str(value)
    if math.isnan(value):
        return "–"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.4g}"
